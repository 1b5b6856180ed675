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
