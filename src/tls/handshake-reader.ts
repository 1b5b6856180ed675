/**
 * Reassembles handshake messages from handshake record payloads (RFC 8446
 * §5.1: messages may be split across records and several may share one).
 * A small internal helper of the connection; it only frames, the codecs in
 * messages/ decode.
 */
import { TLSError } from './errors.js';
import { HANDSHAKE_HEADER_LENGTH } from './registry/handshake-types.js';
import type { IncomingMessage } from './states.js';

/** Largest handshake message we buffer (a long certificate chain fits well within). */
export const MAX_HANDSHAKE_MESSAGE = 256 * 1024;

export class HandshakeReader {
  private buf: Buffer = Buffer.alloc(0);

  /** True when no partial message is buffered (a key change is allowed only then, RFC 8446 §5.1). */
  get isEmpty(): boolean {
    return this.buf.length === 0;
  }

  feed(fragment: Buffer): void {
    this.buf = this.buf.length === 0 ? Buffer.from(fragment) : Buffer.concat([this.buf, fragment]);
  }

  /** The next whole message, or null when more bytes are needed. */
  next(): IncomingMessage | null {
    if (this.buf.length < HANDSHAKE_HEADER_LENGTH) return null;
    const type = this.buf[0]!;
    const length = this.buf.readUIntBE(1, 3);
    if (length > MAX_HANDSHAKE_MESSAGE) throw new TLSError('decode_error', `handshake message of ${length} bytes exceeds our limit of ${MAX_HANDSHAKE_MESSAGE}`);
    const total = HANDSHAKE_HEADER_LENGTH + length;
    if (this.buf.length < total) return null;
    const raw = this.buf.subarray(0, total);
    this.buf = this.buf.subarray(total);
    if (this.buf.length === 0) this.buf = Buffer.alloc(0);
    return { type, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
  }
}
