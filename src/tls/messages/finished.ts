import { Reader, Writer } from '../codec.js';

/** Finished (RFC 8446 §4.4.4; RFC 5246 §7.4.9). */
export interface Finished {
  readonly type: 'finished';
  readonly verifyData: Buffer;
}

/**
 * Decodes a Finished body whose verify_data must be exactly `verifyDataLength`
 * bytes: the suite's hash length in TLS 1.3, 12 in TLS 1.2.
 */
export function decodeFinished(body: Uint8Array, verifyDataLength: number): Finished {
  const r = new Reader(body, 'Finished');
  const verifyData = r.bytes(verifyDataLength, 'verify_data');
  r.expectEnd();
  return { type: 'finished', verifyData };
}

export function writeFinished(w: Writer, m: Finished): void {
  w.bytes(m.verifyData);
}

export function encodeFinished(m: Finished): Buffer {
  return Buffer.from(m.verifyData);
}
