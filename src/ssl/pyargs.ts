/**
 * Python's argument conventions at the ssl API boundary: type names in
 * TypeError texts, integer coercion, DeprecationWarning, IDNA encoding of
 * `server_hostname`, and filenames in OSError messages.
 */
import { idnaEncodeHostname } from '../x509/hostname.js';
import { ValueError } from '../socket/errors.js';

/** Python's type name of a value, for TypeError texts. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'function';
  if (v instanceof Uint8Array) return 'bytes';
  return (v as object).constructor?.name ?? typeof v;
}

/** `PyNumber_Index`-style check: Python's "'X' object cannot be interpreted as an integer". */
export function requireInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`'${pyTypeName(v)}' object cannot be interpreted as an integer`);
  return v;
}

/** Python's `warnings.warn(message, DeprecationWarning)`. */
export function warnDeprecated(message: string): void {
  process.emitWarning(message, 'DeprecationWarning');
}

/** Adds Python's `: 'filename'` to an OSError raised for a named file. */
export function withFilename(err: Error, filename: string): Error {
  const e = err as Error & { filename?: string | null; errno?: number | null; strerror?: string | null };
  if (typeof e.errno === 'number' && typeof e.strerror === 'string') {
    e.filename = filename;
    e.message = `[Errno ${e.errno}] ${e.strerror}: '${filename}'`;
  }
  return e;
}

/**
 * Python's `SSLContext._encode_hostname`: str → IDNA 2003 A-label; bytes →
 * ASCII. IDNA failures are Python's UnicodeError (a ValueError).
 */
export function encodeHostname(hostname: string | Uint8Array | null): string | null {
  if (hostname === null) return null;
  if (hostname instanceof Uint8Array) {
    // bytes are decoded as ASCII (Python: hostname.decode('ascii')).
    const i = hostname.findIndex((b) => b > 0x7f);
    if (i >= 0) throw new ValueError(`'ascii' codec can't decode byte 0x${hostname[i]!.toString(16)} in position ${i}: ordinal not in range(128)`);
    return Buffer.from(hostname).toString('latin1');
  }
  if (typeof hostname !== 'string') throw new TypeError(`server_hostname must be str, bytes or None, not ${pyTypeName(hostname)}`);
  try {
    return idnaEncodeHostname(hostname);
  } catch (e) {
    if (e instanceof Error && e.name === 'IdnaError') throw new ValueError(`encoding with 'idna' codec failed (UnicodeError: ${e.message})`);
    throw e;
  }
}
