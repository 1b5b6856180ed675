/**
 * The ceiling every bulk-transfer section compares against: raw node:crypto
 * AES-256-GCM seal+open of 16 KiB records (createCipheriv/createDecipheriv,
 * Buffer.concat for ciphertext || tag) — the crypto work a TLS connection
 * moving the same bytes cannot avoid, with no framing, no buffering and no I/O.
 * (A bench file, so it may import node:crypto.)
 */
import * as nodeCrypto from 'node:crypto';

/** RFC 8446 §5.1: the largest record plaintext, what bulk transfers fill. */
export const RECORD_PLAINTEXT = 16384;
const TAG = 16;
const KEY_LENGTH = 32;
const NONCE_LENGTH = 12;
/** RFC 8446 §5.2 additional data of a full TLS 1.3 record: application_data, 0x0303, length. */
const AAD = Buffer.from([23, 3, 3, (RECORD_PLAINTEXT + 1 + TAG) >> 8, (RECORD_PLAINTEXT + 1 + TAG) & 0xff]);

export interface RawAead {
  /** Seals and opens `totalBytes / 16 KiB` records; returns the plaintext bytes recovered. */
  move(totalBytes: number): number;
}

export function rawAes256Gcm(): RawAead {
  const key = nodeCrypto.randomBytes(KEY_LENGTH);
  const nonce = nodeCrypto.randomBytes(NONCE_LENGTH);
  const record = nodeCrypto.randomBytes(RECORD_PLAINTEXT);
  const options = { authTagLength: TAG };
  let seq = 0;
  return {
    move(totalBytes: number): number {
      let received = 0;
      for (let i = 0; i < totalBytes / RECORD_PLAINTEXT; i++) {
        nonce.writeUInt32BE(seq++ >>> 0, NONCE_LENGTH - 4);
        const c = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, options);
        c.setAAD(AAD);
        const sealed = Buffer.concat([c.update(record), c.final(), c.getAuthTag()]);
        const d = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, options);
        d.setAuthTag(sealed.subarray(sealed.length - TAG));
        d.setAAD(AAD);
        received += d.update(sealed.subarray(0, sealed.length - TAG)).length;
        d.final();
      }
      if (received !== totalBytes) throw new Error(`raw AES-256-GCM lost bytes: ${received} of ${totalBytes}`);
      return received;
    },
  };
}
