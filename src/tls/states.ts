/**
 * The shape shared by the handshake state machines: one state per expected
 * message, each consuming one message and returning the next state. An
 * unexpected message is rejected in one place (`expectType`).
 */
import { fatal } from './handshake-common.js';
import { decodeCertificateRequest13, type CertificateRequest12, type CertificateRequest13 } from './messages/certificate-request.js';
import type { ClientKeyExchange } from './messages/client-key-exchange.js';
import type { ServerHelloDone } from './messages/empty-messages.js';
import { decodeHandshakeBody } from './messages/handshake.js';
import type { ServerKeyExchange } from './messages/server-key-exchange.js';
import { decodeCertificateVerify, type CertificateVerify } from './messages/certificate-verify.js';
import { decodeCertificate13, type Certificate12, type Certificate13 } from './messages/certificate.js';
import { decodeClientHello, type ClientHello } from './messages/client-hello.js';
import { decodeEncryptedExtensions, type EncryptedExtensions } from './messages/encrypted-extensions.js';
import { decodeFinished, type Finished } from './messages/finished.js';
import { decodeKeyUpdate, type KeyUpdate } from './messages/key-update.js';
import { decodeNewSessionTicket13, type NewSessionTicket12, type NewSessionTicket13 } from './messages/new-session-ticket.js';
import { decodeServerHello, type HelloRetryRequest, type ServerHello } from './messages/server-hello.js';
import { HANDSHAKE_HEADER_LENGTH, HandshakeType, handshakeTypeName } from './registry/handshake-types.js';
import { TLSError } from './errors.js';
import type { Transcript } from './transcript.js';

/** One whole handshake message as received: its type, body, and the raw bytes (header included) for the transcript. */
export interface IncomingMessage {
  readonly type: number;
  readonly body: Buffer;
  readonly raw: Buffer;
}

export interface HandshakeState {
  readonly name: string;
  handle(msg: IncomingMessage): HandshakeState;
}

/** Rejects any message but the expected one (RFC 8446 §4: unexpected_message). */
export function expectType(msg: IncomingMessage, type: number, state: string): void {
  if (msg.type !== type) {
    fatal('unexpected_message', `${describeType(msg.type)} received while expecting ${describeType(type)} (${state})`);
  }
}

export function describeType(type: number): string {
  return handshakeTypeName(type) ?? `handshake type ${type}`;
}

/** Prefixes a handshake body with its 4-byte header (RFC 8446 §4). */
export function frame(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH + body.length);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  body.copy(out, HANDSHAKE_HEADER_LENGTH);
  return out;
}

/** Frames a message, adds it to the transcript and queues it (every message a state sends). Returns the framed bytes. */
export function sendMessage(ctx: { sendHandshake(message: Buffer): void }, transcript: Transcript, type: number, body: Buffer): Buffer {
  const m = frame(type, body);
  transcript.add(m);
  ctx.sendHandshake(m);
  return m;
}

/** Decoders for the TLS 1.3 messages, keyed by the name each state asks for. */
interface Decoded {
  client_hello: ClientHello;
  server_hello: ServerHello | HelloRetryRequest;
  encrypted_extensions: EncryptedExtensions;
  certificate_request: CertificateRequest13;
  certificate: Certificate13;
  certificate_verify: CertificateVerify;
  finished: Finished;
  key_update: KeyUpdate;
  new_session_ticket: NewSessionTicket13;
}

/** Decodes a message body with the codec for `kind`. Codec errors are already TLSErrors (decode_error etc.). */
export function decodeAs<K extends keyof Decoded>(msg: IncomingMessage, kind: K, finishedLength = 0): Decoded[K] {
  if (msg.type !== HandshakeType[kind]) throw new TLSError('internal_error', `decodeAs(${kind}) called for ${describeType(msg.type)}`);
  const b = msg.body;
  switch (kind) {
    case 'client_hello':
      return decodeClientHello(b) as Decoded[K];
    case 'server_hello':
      return decodeServerHello(b) as Decoded[K];
    case 'encrypted_extensions':
      return decodeEncryptedExtensions(b) as Decoded[K];
    case 'certificate_request':
      return decodeCertificateRequest13(b) as Decoded[K];
    case 'certificate':
      return decodeCertificate13(b) as Decoded[K];
    case 'certificate_verify':
      return decodeCertificateVerify(b) as Decoded[K];
    case 'finished':
      return decodeFinished(b, finishedLength) as Decoded[K];
    case 'key_update':
      return decodeKeyUpdate(b) as Decoded[K];
    case 'new_session_ticket':
      return decodeNewSessionTicket13(b) as Decoded[K];
  }
  throw new TLSError('internal_error', `no decoder for ${String(kind)}`);
}

/** The TLS 1.2 messages (RFC 5246 §7.4, RFC 8422 §5), keyed like `decodeAs`. */
interface Decoded12 {
  certificate: Certificate12;
  server_key_exchange: ServerKeyExchange;
  certificate_request: CertificateRequest12;
  server_hello_done: ServerHelloDone;
  client_key_exchange: ClientKeyExchange;
  certificate_verify: CertificateVerify;
  finished: Finished;
  new_session_ticket: NewSessionTicket12;
}

/** Decodes a TLS 1.2 message body with the codec for `kind` (RFC 5246 §7.4.9: verify_data is 12 bytes). */
export function decodeAs12<K extends keyof Decoded12>(msg: IncomingMessage, kind: K): Decoded12[K] {
  if (msg.type !== HandshakeType[kind]) throw new TLSError('internal_error', `decodeAs12(${kind}) called for ${describeType(msg.type)}`);
  return decodeHandshakeBody(msg.type, msg.body, { version: 'TLSv1.2' }) as Decoded12[K];
}

/** Handles a change_cipher_spec record (TLS 1.2 only; RFC 5246 §7.1). States that expect none do not implement it. */
export interface ChangeCipherSpecState extends HandshakeState {
  handleChangeCipherSpec(): HandshakeState;
}

export function acceptsChangeCipherSpec(state: HandshakeState): state is ChangeCipherSpecState {
  return typeof (state as Partial<ChangeCipherSpecState>).handleChangeCipherSpec === 'function';
}
