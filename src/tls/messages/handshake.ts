import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { HANDSHAKE_HEADER_LENGTH, HandshakeType, TLS12_VERIFY_DATA_LENGTH, handshakeTypeName } from '../registry/handshake-types.js';
import type { VersionName } from '../registry/versions.js';
import { decodeCertificate12, decodeCertificate13, writeCertificate, type Certificate } from './certificate.js';
import { decodeCertificateRequest12, decodeCertificateRequest13, writeCertificateRequest, type CertificateRequest } from './certificate-request.js';
import { decodeCertificateStatus, writeCertificateStatus, type CertificateStatus } from './certificate-status.js';
import { decodeCertificateVerify, writeCertificateVerify, type CertificateVerify } from './certificate-verify.js';
import { decodeClientHello, writeClientHello, type ClientHello } from './client-hello.js';
import { decodeClientKeyExchange, writeClientKeyExchange, type ClientKeyExchange } from './client-key-exchange.js';
import {
  decodeEndOfEarlyData,
  decodeHelloRequest,
  decodeServerHelloDone,
  type EndOfEarlyData,
  type HelloRequest,
  type ServerHelloDone,
} from './empty-messages.js';
import { decodeEncryptedExtensions, writeEncryptedExtensions, type EncryptedExtensions } from './encrypted-extensions.js';
import { decodeFinished, writeFinished, type Finished } from './finished.js';
import { decodeKeyUpdate, writeKeyUpdate, type KeyUpdate } from './key-update.js';
import { decodeNewSessionTicket12, decodeNewSessionTicket13, writeNewSessionTicket, type NewSessionTicket } from './new-session-ticket.js';
import { decodeServerHello, writeServerHello, type HelloRetryRequest, type ServerHello } from './server-hello.js';
import { decodeServerKeyExchange, writeServerKeyExchange, type ServerKeyExchange } from './server-key-exchange.js';

/**
 * Every handshake message that can appear on the wire, discriminated by
 * `type` (the HandshakeType name; HelloRetryRequest gets its own tag
 * although it travels as server_hello). Version-dependent messages
 * (certificate, certificate_request, new_session_ticket) also carry
 * `version`.
 */
export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | KeyUpdate
  | EndOfEarlyData
  | HelloRequest
  | ServerKeyExchange
  | ServerHelloDone
  | ClientKeyExchange
  | CertificateStatus;

/** A message to encode: ServerKeyExchange's `params` is derived, so it may be left out. */
export type EncodableHandshakeMessage = Exclude<HandshakeMessage, ServerKeyExchange> | (Omit<ServerKeyExchange, 'params'> & { params?: Buffer });

/** One framed handshake message as it appeared on the wire (from HandshakeBuffer). */
export interface HandshakeFrame {
  /** HandshakeType code point. */
  readonly type: number;
  /** The body, without the 4-byte header. */
  readonly body: Buffer;
  /** Header + body: what goes into the transcript hash. */
  readonly raw: Buffer;
}

/** What decoding needs to know about the connection. */
export interface HandshakeDecodeOptions {
  /**
   * The negotiated version, once known. Until then only client_hello and
   * server_hello can be decoded; anything else is unexpected_message.
   */
  readonly version?: VersionName | null;
  /** TLS 1.3: verify_data length of Finished, i.e. the suite's hash length. (TLS 1.2 always uses 12.) */
  readonly finishedLength?: number;
}

/** Message types that exist only in TLS 1.2 / only in TLS 1.3. */
const TLS12_ONLY = new Set<number>([
  HandshakeType.hello_request,
  HandshakeType.server_key_exchange,
  HandshakeType.server_hello_done,
  HandshakeType.client_key_exchange,
  HandshakeType.certificate_status,
]);
const TLS13_ONLY = new Set<number>([HandshakeType.end_of_early_data, HandshakeType.encrypted_extensions, HandshakeType.key_update]);

function typeLabel(code: number): string {
  return handshakeTypeName(code) ?? `unknown handshake type ${code}`;
}

/**
 * Decodes one handshake message body of type `type` (a HandshakeType code).
 * Types that do not exist in the negotiated version, unknown types and the
 * synthetic message_hash are unexpected_message.
 */
export function decodeHandshakeBody(type: number, body: Buffer, opts: HandshakeDecodeOptions = {}): HandshakeMessage {
  const version = opts.version ?? null;
  if (type === HandshakeType.client_hello) return decodeClientHello(body);
  if (type === HandshakeType.server_hello) return decodeServerHello(body);
  if (handshakeTypeName(type) === null || type === HandshakeType.message_hash) {
    throw new TLSError('unexpected_message', `received ${typeLabel(type)}`);
  }
  if (version === null) throw new TLSError('unexpected_message', `received ${typeLabel(type)} before a version was negotiated`);
  if ((version === 'TLSv1.3' && TLS12_ONLY.has(type)) || (version === 'TLSv1.2' && TLS13_ONLY.has(type))) {
    throw new TLSError('unexpected_message', `received ${typeLabel(type)}, which does not exist in ${version}`);
  }
  const v13 = version === 'TLSv1.3';
  switch (type) {
    case HandshakeType.encrypted_extensions:
      return decodeEncryptedExtensions(body);
    case HandshakeType.certificate_request:
      return v13 ? decodeCertificateRequest13(body) : decodeCertificateRequest12(body);
    case HandshakeType.certificate:
      return v13 ? decodeCertificate13(body) : decodeCertificate12(body);
    case HandshakeType.certificate_verify:
      return decodeCertificateVerify(body);
    case HandshakeType.finished: {
      const n = v13 ? opts.finishedLength : TLS12_VERIFY_DATA_LENGTH;
      if (n === undefined) throw new TLSError('internal_error', 'decoding a TLS 1.3 Finished needs the hash length');
      return decodeFinished(body, n);
    }
    case HandshakeType.new_session_ticket:
      return v13 ? decodeNewSessionTicket13(body) : decodeNewSessionTicket12(body);
    case HandshakeType.key_update:
      return decodeKeyUpdate(body);
    case HandshakeType.end_of_early_data:
      return decodeEndOfEarlyData(body);
    case HandshakeType.hello_request:
      return decodeHelloRequest(body);
    case HandshakeType.server_key_exchange:
      return decodeServerKeyExchange(body);
    case HandshakeType.server_hello_done:
      return decodeServerHelloDone(body);
    case HandshakeType.client_key_exchange:
      return decodeClientKeyExchange(body);
    case HandshakeType.certificate_status:
      return decodeCertificateStatus(body);
  }
  throw new TLSError('unexpected_message', `received ${typeLabel(type)}`);
}

/** Decodes a frame from HandshakeBuffer. */
export function decodeHandshake(frame: HandshakeFrame, opts: HandshakeDecodeOptions = {}): HandshakeMessage {
  return decodeHandshakeBody(frame.type, frame.body, opts);
}

/**
 * Splits exactly one complete handshake message (header + body, nothing
 * more) into a frame; for tests and for callers that already hold whole
 * messages. Anything short or trailing is decode_error.
 */
export function parseHandshakeFrame(raw: Buffer): HandshakeFrame {
  const r = new Reader(raw, 'handshake message');
  const type = r.u8('msg_type');
  const body = r.opaque24('body');
  r.expectEnd();
  return { type, body, raw };
}

/** The HandshakeType code a message travels as. */
export function handshakeTypeCode(m: EncodableHandshakeMessage): number {
  return m.type === 'hello_retry_request' ? HandshakeType.server_hello : HandshakeType[m.type];
}

function writeBody(w: Writer, m: EncodableHandshakeMessage): void {
  switch (m.type) {
    case 'client_hello':
      return writeClientHello(w, m);
    case 'server_hello':
    case 'hello_retry_request':
      return writeServerHello(w, m);
    case 'encrypted_extensions':
      return writeEncryptedExtensions(w, m);
    case 'certificate_request':
      return writeCertificateRequest(w, m);
    case 'certificate':
      return writeCertificate(w, m);
    case 'certificate_verify':
      return writeCertificateVerify(w, m);
    case 'finished':
      return writeFinished(w, m);
    case 'new_session_ticket':
      return writeNewSessionTicket(w, m);
    case 'key_update':
      return writeKeyUpdate(w, m);
    case 'server_key_exchange':
      return writeServerKeyExchange(w, m);
    case 'client_key_exchange':
      return writeClientKeyExchange(w, m);
    case 'certificate_status':
      return writeCertificateStatus(w, m);
    case 'end_of_early_data':
    case 'hello_request':
    case 'server_hello_done':
      return;
  }
}

/** Appends one whole handshake message (header + body) to `w`. */
export function writeHandshake(w: Writer, m: EncodableHandshakeMessage): void {
  w.u8(handshakeTypeCode(m));
  w.u24Prefixed(() => writeBody(w, m), `${m.type} body`);
}

/** One whole handshake message (header + body), ready for the record layer and the transcript. */
export function encodeHandshake(m: EncodableHandshakeMessage): Buffer {
  const w = new Writer(m.type === 'certificate' ? 4096 : 256);
  writeHandshake(w, m);
  return w.finish();
}

export { HANDSHAKE_HEADER_LENGTH };
