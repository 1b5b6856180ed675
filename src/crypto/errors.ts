/**
 * Error plumbing shared by the node provider: every call into node:crypto goes
 * through `guard`, so an OpenSSL error (or a TypeError/RangeError from Node's
 * argument checks) leaves the provider only as a `CryptoError`.
 */
import { CryptoError, type CryptoErrorCode } from './provider.js';

/** Runs `fn`; a CryptoError passes through, anything else becomes `CryptoError(code)` naming `what` failed. */
export function guard<T>(code: CryptoErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asCryptoError(e, code, what);
  }
}

export function asCryptoError(e: unknown, code: CryptoErrorCode, what: string): CryptoError {
  if (e instanceof CryptoError) return e;
  return new CryptoError(code, `${what}: ${describe(e)}`);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const nodeCode = (e as { code?: unknown }).code;
    return typeof nodeCode === 'string' && !e.message.includes(nodeCode) ? `${e.message} (${nodeCode})` : e.message;
  }
  return String(e);
}

/** A Buffer view over the same memory (no copy); node:crypto accepts any ArrayBufferView but Buffers keep types simple. */
export function view(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function requireBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError('bad_argument', `${what} must be a Uint8Array, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

export function requireLength(value: unknown, length: number, what: string): Uint8Array {
  const bytes = requireBytes(value, what);
  if (bytes.length !== length) {
    throw new CryptoError('bad_argument', `${what} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}
