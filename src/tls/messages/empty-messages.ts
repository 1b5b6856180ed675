import { TLSError } from '../errors.js';

/** EndOfEarlyData (RFC 8446 §4.5): empty body. */
export interface EndOfEarlyData {
  readonly type: 'end_of_early_data';
}

/** ServerHelloDone (RFC 5246 §7.4.5): empty body. */
export interface ServerHelloDone {
  readonly type: 'server_hello_done';
}

/** HelloRequest (RFC 5246 §7.4.1.1): empty body. We never renegotiate; the TLS 1.2 client answers with no_renegotiation. */
export interface HelloRequest {
  readonly type: 'hello_request';
}

function expectEmpty(body: Uint8Array, what: string): void {
  if (body.length !== 0) throw new TLSError('decode_error', `${what}: body must be empty, got ${body.length} byte(s)`);
}

export function decodeEndOfEarlyData(body: Uint8Array): EndOfEarlyData {
  expectEmpty(body, 'EndOfEarlyData');
  return { type: 'end_of_early_data' };
}

export function decodeServerHelloDone(body: Uint8Array): ServerHelloDone {
  expectEmpty(body, 'ServerHelloDone');
  return { type: 'server_hello_done' };
}

export function decodeHelloRequest(body: Uint8Array): HelloRequest {
  expectEmpty(body, 'HelloRequest');
  return { type: 'hello_request' };
}
