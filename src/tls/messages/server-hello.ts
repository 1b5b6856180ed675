import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { RANDOM_LENGTH, MAX_SESSION_ID_LENGTH } from './client-hello.js';
import {
  decodeExtensions,
  writeExtensions,
  type HelloRetryRequestExtension,
  type ServerHelloExtension,
} from './extensions.js';

/**
 * The ServerHello.random that marks a HelloRetryRequest: SHA-256 of
 * "HelloRetryRequest" (RFC 8446 §4.1.3).
 */
export const HELLO_RETRY_REQUEST_RANDOM: Buffer = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/**
 * Downgrade sentinels in the last 8 bytes of ServerHello.random (RFC 8446
 * §4.1.3): a TLS 1.3 server negotiating TLS 1.2 writes DOWNGRADE_TLS12, one
 * negotiating TLS 1.1 or below writes DOWNGRADE_TLS11. "DOWNGRD" + 01 / 00.
 */
export const DOWNGRADE_TLS12: Buffer = Buffer.from('444f574e47524401', 'hex');
export const DOWNGRADE_TLS11: Buffer = Buffer.from('444f574e47524400', 'hex');

/** ServerHello (RFC 8446 §4.1.3; RFC 5246 §7.4.1.3). */
export interface ServerHello {
  readonly type: 'server_hello';
  readonly legacyVersion: number;
  readonly random: Buffer;
  readonly legacySessionIdEcho: Buffer;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  /** In wire order; a TLS 1.2 ServerHello may omit the block (decodes as []). */
  readonly extensions: readonly ServerHelloExtension[];
}

/**
 * HelloRetryRequest: a ServerHello whose random is HELLO_RETRY_REQUEST_RANDOM
 * (RFC 8446 §4.1.4). Same wire type (server_hello); the random is implied.
 */
export interface HelloRetryRequest {
  readonly type: 'hello_retry_request';
  readonly legacyVersion: number;
  readonly legacySessionIdEcho: Buffer;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly HelloRetryRequestExtension[];
}

/** True when a ServerHello random is the HelloRetryRequest marker. */
export function isHelloRetryRequest(random: Uint8Array): boolean {
  return Buffer.compare(random, HELLO_RETRY_REQUEST_RANDOM) === 0;
}

/**
 * Decodes a server_hello body: a HelloRetryRequest when the random is the
 * marker, else a ServerHello. Extensions are decoded in the matching form.
 */
export function decodeServerHello(body: Uint8Array): ServerHello | HelloRetryRequest {
  const r = new Reader(body, 'ServerHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(RANDOM_LENGTH, 'random');
  const legacySessionIdEcho = r.opaque8('legacy_session_id_echo', 0, MAX_SESSION_ID_LENGTH);
  const cipherSuite = r.u16('cipher_suite');
  const legacyCompressionMethod = r.u8('legacy_compression_method');
  if (isHelloRetryRequest(random)) {
    const extensions = decodeExtensions(r, 'hello_retry_request');
    r.expectEnd();
    return { type: 'hello_retry_request', legacyVersion, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
  }
  // RFC 5246 §7.4.1.3: a TLS 1.2 ServerHello may end without an extensions block.
  const extensions = r.atEnd ? [] : decodeExtensions(r, 'server_hello');
  r.expectEnd();
  return { type: 'server_hello', legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
}

/** Encodes a ServerHello or HelloRetryRequest body. */
export function writeServerHello(w: Writer, m: ServerHello | HelloRetryRequest): void {
  const random = m.type === 'hello_retry_request' ? HELLO_RETRY_REQUEST_RANDOM : m.random;
  if (random.length !== RANDOM_LENGTH) throw new TLSError('internal_error', `ServerHello.random must be ${RANDOM_LENGTH} bytes`);
  if (m.legacySessionIdEcho.length > MAX_SESSION_ID_LENGTH) throw new TLSError('internal_error', 'ServerHello.legacy_session_id_echo longer than 32 bytes');
  w.u16(m.legacyVersion);
  w.bytes(random);
  w.opaque8(m.legacySessionIdEcho, 'legacy_session_id_echo');
  w.u16(m.cipherSuite);
  w.u8(m.legacyCompressionMethod);
  writeExtensions(w, m.extensions);
}

/** The ServerHello / HelloRetryRequest body as bytes. */
export function encodeServerHello(m: ServerHello | HelloRetryRequest): Buffer {
  const w = new Writer(256);
  writeServerHello(w, m);
  return w.finish();
}
