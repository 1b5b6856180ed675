/**
 * What SSLObject shows at its boundary besides the class (./sslobject.ts):
 * the WANT_READ token of its internal `_…OrWant` methods, the options of
 * `SSLObject._create`, and the checks of its arguments.
 */
import { SSLContext } from './context.js';

/**
 * What the internal `_…OrWant` methods return where the public ones raise
 * SSLWantReadError: SSLSocket's pump waits for input on it without an
 * exception object (and its stack trace) built per partial record.
 */
export const WANT_READ: unique symbol = Symbol('SSLObject.WANT_READ');
export type WantRead = typeof WANT_READ;

/** The check of an assignment to `context` (SSLObject's and SSLSocket's; _ssl.c's context setter). */
export function requireSSLContext(ctx: unknown): asserts ctx is SSLContext {
  if (!(ctx instanceof SSLContext)) throw new TypeError('The value must be a SSLContext');
}

export interface SSLObjectCreateOptions {
  serverSide: boolean;
  /** Already IDNA-encoded (SSLContext.wrapBio does it). */
  serverHostname: string | null;
  session: unknown;
  context: SSLContext;
  /** What the SNI callback receives as its first argument; default the SSLObject itself (SSLSocket passes itself). */
  owner?: unknown;
}

export type BytesLike = Uint8Array | ArrayBuffer | DataView;

export function isBytesLike(v: unknown): v is BytesLike {
  return v instanceof Uint8Array || v instanceof ArrayBuffer || v instanceof DataView;
}
