// Test helper: the handshake messages of RFC 8448 ("Example Handshake Traces
// for TLS 1.3"), read from the reference copy of the RFC text.
import { readFileSync } from 'node:fs';

const RFC8448_PATH = '/work/shared/reference/rfc/rfc8448-tls13-traces.txt';

/** One "{role} construct a <Name> handshake message" block of the traces. */
export interface TraceMessage {
  /** RFC 8448 section number (3 = simple 1-RTT, 4 = resumed 0-RTT, 5 = HRR, 6 = client auth, 7 = compatibility mode). */
  readonly section: number;
  readonly role: 'client' | 'server';
  /** As labelled in the trace: ClientHello, ServerHello, EncryptedExtensions, … */
  readonly name: string;
  /** The whole handshake message, header included. */
  readonly bytes: Buffer;
}

const HEX_LINE = /^\s+((?:[0-9a-f]{2}\s*)+)$/;

function readHex(lines: string[], from: number, octets: number, firstLineHex: string): Buffer {
  const hex: string[] = firstLineHex.trim().split(/\s+/);
  for (let i = from; hex.length < octets && i < lines.length; i++) {
    const m = HEX_LINE.exec(lines[i]!);
    if (m) hex.push(...m[1]!.trim().split(/\s+/));
    // Anything else (page footers and headers, blank lines) sits between hex lines across page breaks.
  }
  if (hex.length !== octets) throw new Error(`RFC 8448: expected ${octets} octets at line ${from}, read ${hex.length}`);
  return Buffer.from(hex.join(''), 'hex');
}

function findPayload(lines: string[], from: number, octets: number, prefix: Buffer): Buffer {
  for (let i = from; i < lines.length; i++) {
    const m = /^\s+payload \((\d+) octets\):\s+(.*)$/.exec(lines[i]!);
    if (m && Number(m[1]) === octets) {
      const bytes = readHex(lines, i + 1, octets, m[2]!);
      if (bytes.subarray(0, prefix.length).equals(prefix)) return bytes;
    }
  }
  throw new Error(`RFC 8448: no ${octets}-octet payload completes the message at line ${from}`);
}

/** The n-th value labelled `label (N octets):` in `section` (e.g. 'ClientHello prefix', 'binder hash'). */
export function traceValue(section: number, label: string, n = 0): Buffer {
  const lines = readFileSync(RFC8448_PATH, 'utf8').split('\n');
  let current = 0;
  let seen = 0;
  const re = new RegExp(`^\\s+${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\((\\d+) octets\\):\\s+(.*)$`);
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(\d+)\.\s{2}\S/.exec(lines[i]!);
    if (heading) current = Number(heading[1]);
    if (current !== section) continue;
    const m = re.exec(lines[i]!);
    if (m && seen++ === n) return readHex(lines, i + 1, Number(m[1]), m[2]!);
  }
  throw new Error(`RFC 8448 §${section} has no value labelled ${label} #${n}`);
}

let cache: TraceMessage[] | null = null;

/** Every handshake message constructed in the traces, in order. */
export function rfc8448Messages(): TraceMessage[] {
  if (cache) return cache;
  const lines = readFileSync(RFC8448_PATH, 'utf8').split('\n');
  const out: TraceMessage[] = [];
  let section = 0;
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(\d+)\.\s{2}\S/.exec(lines[i]!);
    if (heading) section = Number(heading[1]);
    const construct = /^\s+\{(client|server)\}\s+construct a (\w+) handshake message/.exec(lines[i]!);
    if (!construct) continue;
    const name = construct[2]!;
    // The label line follows within a few lines: "      Name (N octets):  hex…"
    for (let j = i + 1; j < i + 16 && j < lines.length; j++) {
      const label = new RegExp(`^\\s+${name} \\((\\d+) octets\\):\\s+(.*)$`).exec(lines[j]!);
      if (label) {
        let bytes = readHex(lines, j + 1, Number(label[1]), label[2]!);
        const whole = bytes.readUIntBE(1, 3) + 4;
        if (whole !== bytes.length) {
          // §4's ClientHello is shown without its PSK binders (the binder is computed over that
          // prefix); the whole message is the payload of the record the client then sends.
          bytes = findPayload(lines, j + 1, whole, bytes);
        }
        out.push({ section, role: construct[1] as 'client' | 'server', name, bytes });
        break;
      }
    }
  }
  cache = out;
  return out;
}

/** The n-th (0-based) message called `name` in `section`. */
export function traceMessage(section: number, name: string, n = 0): Buffer {
  const found = rfc8448Messages().filter((m) => m.section === section && m.name === name);
  const m = found[n];
  if (!m) throw new Error(`RFC 8448 §${section} has no ${name} #${n}`);
  return m.bytes;
}
