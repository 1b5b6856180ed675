import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { decodeExtensions, pskBindersLength, writeExtensions, type ClientHelloExtension } from './extensions.js';

/** Length of ClientHello.random and ServerHello.random (RFC 8446 §4.1.2). */
export const RANDOM_LENGTH = 32;
/** The only compression method (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2). */
export const NULL_COMPRESSION = 0;
/** legacy_session_id<0..32> (RFC 8446 §4.1.2). */
export const MAX_SESSION_ID_LENGTH = 32;

/** ClientHello (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2). */
export interface ClientHello {
  readonly type: 'client_hello';
  /** 0x0303 for TLS 1.2 and 1.3 clients (1.3 is offered in supported_versions). */
  readonly legacyVersion: number;
  readonly random: Buffer;
  /** 0..32 bytes. */
  readonly legacySessionId: Buffer;
  /** CipherSuite code points, at least one. */
  readonly cipherSuites: readonly number[];
  /** Must be exactly [0] (null compression) for TLS 1.3; the state machines check that. */
  readonly legacyCompressionMethods: readonly number[];
  /**
   * In wire order. A TLS 1.2 ClientHello may omit the block entirely; that
   * decodes as [] and re-encodes with an empty block.
   */
  readonly extensions: readonly ClientHelloExtension[];
}

/** Decodes a ClientHello body (without the handshake header). */
export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body, 'ClientHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(RANDOM_LENGTH, 'random');
  const legacySessionId = r.opaque8('legacy_session_id', 0, MAX_SESSION_ID_LENGTH);
  // CipherSuite cipher_suites<2..2^16-2>
  const cipherSuites = r.u16List('cipher_suites', 2, 0xfffe);
  const legacyCompressionMethods = r.u8List('legacy_compression_methods', 1);
  // RFC 5246 §7.4.1.2: a TLS 1.2 ClientHello may end here, without an extensions block.
  const extensions = r.atEnd ? [] : decodeExtensions(r, 'client_hello');
  r.expectEnd();
  return { type: 'client_hello', legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
}

/** Encodes a ClientHello body (without the handshake header). */
export function writeClientHello(w: Writer, m: ClientHello): void {
  if (m.random.length !== RANDOM_LENGTH) throw new TLSError('internal_error', `ClientHello.random must be ${RANDOM_LENGTH} bytes`);
  if (m.legacySessionId.length > MAX_SESSION_ID_LENGTH) throw new TLSError('internal_error', 'ClientHello.legacy_session_id longer than 32 bytes');
  if (m.cipherSuites.length === 0) throw new TLSError('internal_error', 'ClientHello without cipher suites');
  w.u16(m.legacyVersion);
  w.bytes(m.random);
  w.opaque8(m.legacySessionId, 'legacy_session_id');
  w.u16List(m.cipherSuites, 'cipher_suites');
  w.u8List(m.legacyCompressionMethods, 'legacy_compression_methods');
  writeExtensions(w, m.extensions);
}

/** The ClientHello body as bytes. */
export function encodeClientHello(m: ClientHello): Buffer {
  const w = new Writer(512);
  writeClientHello(w, m);
  return w.finish();
}

/**
 * Overwrites the PSK binders at the end of an encoded ClientHello handshake
 * message, in place. The client encodes the ClientHello with placeholder
 * binders of the right lengths, hashes everything before the binders list
 * (`message.subarray(0, message.length - pskBindersLength(binders))`,
 * RFC 8446 §4.2.11.2), computes the binders, then patches them in here.
 * Binder lengths must match the placeholders (they are the hash length).
 */
export function patchPskBinders(message: Buffer, binders: readonly Uint8Array[]): void {
  let at = message.length - pskBindersLength(binders);
  if (at < 0 || message.readUInt16BE(at) !== pskBindersLength(binders) - 2) {
    throw new TLSError('internal_error', 'ClientHello does not end with a binders list of these lengths');
  }
  at += 2;
  for (const b of binders) {
    if (message[at] !== b.length) throw new TLSError('internal_error', 'PSK binder length differs from its placeholder');
    message.set(b, at + 1);
    at += 1 + b.length;
  }
}
