import { Writer } from '../codec.js';
import { HandshakeType } from '../registry/handshake-types.js';

/**
 * The synthetic message_hash handshake message that replaces ClientHello1 in
 * the transcript after a HelloRetryRequest (RFC 8446 §4.4.1):
 * `message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)`.
 * It never appears on the wire, so it is not part of HandshakeMessage.
 */
export function encodeMessageHash(clientHello1Hash: Uint8Array): Buffer {
  const w = new Writer(4 + clientHello1Hash.length);
  w.u8(HandshakeType.message_hash).u24(clientHello1Hash.length).bytes(clientHello1Hash);
  return w.finish();
}
