import { TLSError } from './errors.js';
import { HANDSHAKE_HEADER_LENGTH } from './registry/handshake-types.js';
import type { HandshakeFrame } from './messages/handshake.js';

/**
 * Largest handshake message we accept by default. A Certificate chain is the
 * biggest thing a peer legitimately sends: OpenSSL's default max_cert_list,
 * 100 KiB (OpenSSL refuses a larger one with illegal_parameter,
 * SSL_R_EXCESSIVE_MESSAGE_SIZE, as we do).
 */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 100 * 1024;

/** What an emptied buffer points at: nothing of its own, so an idle connection holds no memory here. */
const NO_BYTES = Buffer.alloc(0);

/**
 * Reassembles handshake messages from the plaintext of handshake records:
 * one message may span several records, and one record may hold several
 * messages (RFC 8446 §5.1). The record layer pushes each record's payload;
 * the state machine pulls whole frames with `next()`.
 *
 * Pushed bytes are copied into memory of our own and never overwritten
 * (later bytes only fill room past them), so frames (and the Buffers decoded
 * from them) stay valid after the caller reuses its input.
 */
export class HandshakeBuffer {
  /** Memory the pending bytes live in, [start, end); bytes past `end` are spare room, not yet given out. */
  private data: Buffer = NO_BYTES;
  private start = 0;
  private end = 0;

  constructor(readonly maxMessageSize = DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE) {}

  /** Bytes received but not yet returned as frames (a partial message, or whole ones not yet pulled). */
  get pending(): number {
    return this.end - this.start;
  }

  /** True when no handshake bytes are buffered: the last record ended exactly on a message boundary. */
  get isEmpty(): boolean {
    return this.pending === 0;
  }

  /**
   * Adds one handshake record's plaintext. Zero-length handshake fragments
   * are forbidden (RFC 8446 §5.1, RFC 5246 §6.2.1): unexpected_message.
   */
  push(fragment: Uint8Array): void {
    if (fragment.length === 0) throw new TLSError('unexpected_message', 'zero-length handshake record');
    if (this.data.length - this.end < fragment.length) {
      const rest = this.data.subarray(this.start, this.end);
      const need = rest.length + fragment.length;
      // A message arriving in pieces gets room to grow into (doubling, up to the largest
      // message): a peer splitting 100 KiB into 1-byte records then costs O(n) copying, not O(n²).
      const room = rest.length === 0 ? need : Math.max(need, Math.min(2 * need, HANDSHAKE_HEADER_LENGTH + this.maxMessageSize));
      const next = Buffer.allocUnsafe(room);
      rest.copy(next, 0);
      this.data = next;
      this.start = 0;
      this.end = rest.length;
    }
    // Only bytes past `end` are written: frames already returned (views before it) never change.
    this.data.set(fragment, this.end);
    this.end += fragment.length;
    // Check the size as soon as a header is visible, not after buffering the whole message.
    this.peekLength();
  }

  /** The length of the message at the front, once its header is complete; throws when it exceeds the limit. */
  private peekLength(): number | null {
    if (this.pending < HANDSHAKE_HEADER_LENGTH) return null;
    const length = this.data.readUIntBE(this.start + 1, 3);
    if (length > this.maxMessageSize) {
      throw new TLSError('illegal_parameter', `handshake message of ${length} bytes exceeds the ${this.maxMessageSize}-byte limit`);
    }
    return length;
  }

  /** The next complete message, or null when more records are needed. */
  next(): HandshakeFrame | null {
    const length = this.peekLength();
    if (length === null || this.pending < HANDSHAKE_HEADER_LENGTH + length) return null;
    const at = this.start;
    const end = at + HANDSHAKE_HEADER_LENGTH + length;
    const frame: HandshakeFrame = {
      type: this.data[at]!,
      body: this.data.subarray(at + HANDSHAKE_HEADER_LENGTH, end),
      raw: this.data.subarray(at, end),
    };
    this.start = end;
    if (this.start === this.end) {
      this.data = NO_BYTES;
      this.start = 0;
      this.end = 0;
    }
    // The following message's size is checked by the next call to next().
    return frame;
  }

  /**
   * Call right after processing a message that changes keys (ServerHello,
   * Finished, KeyUpdate, EndOfEarlyData, …): any byte still buffered came in
   * a record protected under the old keys but belongs after the change.
   * RFC 8446 §5.1: handshake messages MUST NOT span key changes, and data
   * preceding a key change must end on a record boundary → unexpected_message.
   */
  assertKeyChangeBoundary(afterWhat: string): void {
    if (this.pending !== 0) {
      throw new TLSError('unexpected_message', `${this.pending} handshake byte(s) in the same record as ${afterWhat}, across a key change`);
    }
  }
}
