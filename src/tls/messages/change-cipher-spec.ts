import { TLSError } from '../errors.js';
import { CHANGE_CIPHER_SPEC_VALUE } from '../registry/handshake-types.js';

/**
 * Checks a ChangeCipherSpec record payload: exactly the single byte 0x01.
 * Anything else is unexpected_message (RFC 8446 §5; RFC 5246 §7.1).
 */
export function decodeChangeCipherSpec(payload: Uint8Array): void {
  if (payload.length !== 1 || payload[0] !== CHANGE_CIPHER_SPEC_VALUE) {
    throw new TLSError('unexpected_message', `ChangeCipherSpec payload must be the single byte 0x01, got ${Buffer.from(payload).toString('hex') || 'nothing'}`);
  }
}

/** The ChangeCipherSpec record payload. */
export function encodeChangeCipherSpec(): Buffer {
  return Buffer.from([CHANGE_CIPHER_SPEC_VALUE]);
}
