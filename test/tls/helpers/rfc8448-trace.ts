/**
 * Reads the RFC 8448 traces (`/work/shared/reference/rfc/rfc8448-tls13-traces.txt`):
 * each section is a list of steps ("{server}  derive secret ..."), each step a
 * set of "label (N octets):  hex hex ..." blocks whose hex runs over indented
 * lines and across page breaks.
 */
import { readFileSync } from 'node:fs';

export const TRACE_PATH = '/work/shared/reference/rfc/rfc8448-tls13-traces.txt';

export interface TraceStep {
  readonly who: 'client' | 'server';
  /** The step's title, whitespace-normalised, e.g. 'derive secret "tls13 c hs traffic":'. */
  readonly title: string;
  /** label → bytes, e.g. 'expanded', 'complete record', 'key expanded'. */
  readonly values: ReadonlyMap<string, Buffer>;
}

const PAGE_BREAK = [/^Thomson\s+Expires/, /^Internet-Draft\s+TLS 1\.3 Traces/, /^\f/];
const STEP = /^ {3}\{(client|server)\}\s+(.*)$/;
const BLOCK = /^\s+([A-Za-z][A-Za-z0-9 ]*?) \((\d+) octets?\):\s*(.*)$/;
const HEX_BYTE = /^[0-9a-f]{2}$/;

function sectionLines(section: number): string[] {
  const lines = readFileSync(TRACE_PATH, 'utf8')
    .split('\n')
    .filter((l) => !PAGE_BREAK.some((re) => re.test(l)));
  const start = lines.findIndex((l) => new RegExp(`^${section}\\.  \\S`).test(l));
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^${section + 1}\\.  \\S`).test(l));
  if (start < 0 || end < 0) throw new Error(`RFC 8448 section ${section} not found in ${TRACE_PATH}`);
  return lines.slice(start + 1, end);
}

/** All steps of RFC 8448 section `section`, in order. */
export function parseTraceSection(section: number): TraceStep[] {
  const steps: TraceStep[] = [];
  let current: { who: 'client' | 'server'; title: string; body: string[] } | null = null;
  const finish = (): void => {
    if (current === null) return;
    steps.push({ who: current.who, title: current.title, values: parseBlocks(current.body, current.title) });
  };
  for (const line of sectionLines(section)) {
    const m = STEP.exec(line);
    if (m !== null) {
      finish();
      current = { who: m[1] as 'client' | 'server', title: m[2]!.replace(/\s+/g, ' ').trim(), body: [] };
    } else if (current !== null) {
      current.body.push(line);
    }
  }
  finish();
  return steps;
}

function parseBlocks(body: string[], title: string): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  for (let i = 0; i < body.length; i++) {
    const m = BLOCK.exec(body[i]!);
    if (m === null) continue;
    const label = m[1]!;
    const n = Number(m[2]);
    const bytes: number[] = [];
    let tokens = m[3]!.split(/\s+/).filter((t) => t !== '');
    let j = i;
    for (;;) {
      for (const t of tokens) {
        if (bytes.length === n) break;
        if (!HEX_BYTE.test(t)) {
          if (n === 0 && t === '(empty)') continue;
          throw new Error(`RFC 8448 step "${title}", "${label}": unexpected token "${t}" after ${bytes.length} of ${n} bytes`);
        }
        bytes.push(parseInt(t, 16));
      }
      if (bytes.length === n) break;
      j++;
      if (j >= body.length) throw new Error(`RFC 8448 step "${title}", "${label}": only ${bytes.length} of ${n} bytes`);
      tokens = body[j]!.split(/\s+/).filter((t) => t !== '');
    }
    if (values.has(label)) throw new Error(`RFC 8448 step "${title}": duplicate label "${label}"`);
    values.set(label, Buffer.from(bytes));
    i = j;
  }
  return values;
}

/** The value `label` of the one step of `who` whose title contains `titlePart` (the `nth` such step, from 0). */
export function traceValue(steps: readonly TraceStep[], who: 'client' | 'server', titlePart: string, label: string, nth = 0): Buffer {
  const matching = steps.filter((s) => s.who === who && s.title.includes(titlePart) && s.values.has(label));
  const step = matching[nth];
  if (step === undefined) throw new Error(`RFC 8448: no step #${nth} of ${who} titled "…${titlePart}…" with "${label}" (found ${matching.length})`);
  return step.values.get(label)!;
}
