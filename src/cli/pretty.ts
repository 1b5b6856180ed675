/**
 * Output helpers for the CLI: Python-flavoured renderings of values, so what
 * the demo prints reads the way a Python user's REPL would show it.
 */

const COMPACT_WIDTH = 72;

/** Pretty JSON that keeps short arrays/objects on one line, so a getpeercert() dict reads like Python's repr. */
export function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= COMPACT_WIDTH || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** Python's repr() of a bytes value whose content is printable ASCII (the demo's messages), else a hex dump. */
export function bytesRepr(b: Uint8Array): string {
  const text = Buffer.from(b).toString('latin1');
  // Python prefers single quotes unless the text contains one and no double quote.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `b${quote}${out}${quote}`;
}

/** Hex of the first `n` bytes, space separated (for showing record headers). */
export function hexPrefix(b: Uint8Array, n: number): string {
  return Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

// ---- terminal: colour and progress --------------------------------------------

/** The part of a stream the terminal helpers look at (process.stdout / process.stderr). */
export interface Terminal {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
export type Tone = keyof typeof SGR;

/**
 * Colour only for a person at a terminal: never when the stream is piped or
 * redirected, never with NO_COLOR set (https://no-color.org), so scripts
 * always see the same plain bytes.
 */
export function colourEnabled(stream: Terminal, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

/** Wraps text in an SGR colour when `on`; the text unchanged otherwise. */
export type Paint = (tone: Tone, text: string) => string;
export function painter(on: boolean): Paint {
  return on ? (tone, text) => `\x1b[${SGR[tone]}m${text}\x1b[0m` : (_tone, text) => text;
}

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_INTERVAL_MS = 80;

/**
 * A spinner on one terminal line while something slow runs (a handshake, a
 * benchmark). On a pipe, or with NO_COLOR, it prints nothing at all.
 */
export async function withSpinner<T>(stream: Terminal, label: string, work: () => Promise<T>): Promise<T> {
  if (!colourEnabled(stream)) return work();
  let frame = 0;
  const draw = (): void => void stream.write(`\r\x1b[2K${SPINNER_FRAMES[frame++ % SPINNER_FRAMES.length]} ${label}`);
  draw();
  const timer = setInterval(draw, SPINNER_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  }
}

/** Rows of `label  value`, labels padded to one column. */
export function table(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, v]) => `${indent}${l.padEnd(width)}  ${v}`);
}

/** A digest as OpenSSL's `-fingerprint` prints it: upper-case hex pairs joined by colons. */
export function fingerprint(digest: Uint8Array): string {
  return Array.from(digest, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
