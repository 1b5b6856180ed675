/**
 * The ceiling every bulk-transfer section compares against: the fastest
 * correct use of node:crypto for the crypto work a TLS 1.3 connection
 * moving the same bytes cannot avoid — AES-256-GCM seal and open of full
 * 16 KiB records, with the key imported into a KeyObject once (as a
 * connection does per traffic key), a fresh nonce per record, the record's
 * additional data, and no framing, buffering, joining or I/O. Re-importing a
 * Buffer key per record (as an earlier version did) costs ~10% and would
 * flatter whatever is compared with it.
 * (A bench file, so it may import node:crypto.)
 */
import * as nodeCrypto from 'node:crypto';

/** RFC 8446 §5.1: the largest record plaintext, what bulk transfers fill. */
export const RECORD_PLAINTEXT = 16384;
const TAG = 16;
const KEY_LENGTH = 32;
const NONCE_LENGTH = 12;
/** TLS 1.3 appends one inner content-type byte to each record's plaintext (RFC 8446 §5.2). */
const INNER_TYPE = 1;
const SEALED = RECORD_PLAINTEXT + INNER_TYPE;
/** RFC 8446 §5.2 additional data of a full TLS 1.3 record: application_data, 0x0303, length. */
const AAD = Buffer.from([23, 3, 3, (SEALED + TAG) >> 8, (SEALED + TAG) & 0xff]);

export interface RawAead {
  /** Seals and opens `totalBytes / 16 KiB` records; returns the plaintext bytes recovered. */
  move(totalBytes: number): number;
}

export function rawAes256Gcm(): RawAead {
  const key = nodeCrypto.createSecretKey(nodeCrypto.randomBytes(KEY_LENGTH));
  const nonce = nodeCrypto.randomBytes(NONCE_LENGTH);
  const record = nodeCrypto.randomBytes(SEALED);
  const options = { authTagLength: TAG };
  let seq = 0;
  return {
    move(totalBytes: number): number {
      let received = 0;
      for (let i = 0; i < totalBytes / RECORD_PLAINTEXT; i++) {
        nonce.writeUInt32BE(seq++ >>> 0, NONCE_LENGTH - 4);
        const c = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, options);
        c.setAAD(AAD);
        const body = c.update(record);
        c.final();
        const tag = c.getAuthTag();
        const d = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, options);
        d.setAuthTag(tag);
        d.setAAD(AAD);
        received += d.update(body).length - INNER_TYPE;
        d.final();
      }
      if (received !== totalBytes) throw new Error(`raw AES-256-GCM lost bytes: ${received} of ${totalBytes}`);
      return received;
    },
  };
}

/** Records per write in the floor below: a 64 KiB write(), as the tls-bulk loop does. */
const RECORDS_PER_WRITE = 4;
const SEALED_RECORD = 5 + SEALED + TAG;

/**
 * The floor of the Python API over node:crypto: the ceiling's crypto plus
 * only the memory work `SSLObject.write` → `outgoing.read()` →
 * `incoming.write()` → `SSLObject.read()` cannot avoid with node:crypto's
 * API (no "update into this buffer"): per write, fresh memory for the bytes
 * `outgoing.read()` hands out (the caller keeps them); per record, the
 * content and its type byte put where the record goes and sealed there (or
 * a second update() for the type byte, which costs more), update()'s output
 * and the tag copied into place; per write, the copy `incoming.write()`
 * must make (the caller may reuse its buffer). No framing logic, no checks,
 * no queues: what is left between this and the SSLObject pair is ours.
 */
export function apiFloorAes256Gcm(): RawAead {
  const key = nodeCrypto.createSecretKey(nodeCrypto.randomBytes(KEY_LENGTH));
  const nonce = nodeCrypto.randomBytes(NONCE_LENGTH);
  const content = nodeCrypto.randomBytes(RECORDS_PER_WRITE * RECORD_PLAINTEXT);
  const incoming = Buffer.allocUnsafeSlow(RECORDS_PER_WRITE * SEALED_RECORD);
  const options = { authTagLength: TAG };
  let seq = 0;
  return {
    move(totalBytes: number): number {
      let received = 0;
      for (let sent = 0; sent < totalBytes; sent += RECORDS_PER_WRITE * RECORD_PLAINTEXT) {
        const wire = Buffer.allocUnsafeSlow(RECORDS_PER_WRITE * SEALED_RECORD);
        for (let r = 0; r < RECORDS_PER_WRITE; r++) {
          const at = r * SEALED_RECORD;
          AAD.copy(wire, at);
          content.copy(wire, at + 5, r * RECORD_PLAINTEXT, (r + 1) * RECORD_PLAINTEXT);
          wire[at + 5 + RECORD_PLAINTEXT] = 23;
          nonce.writeUInt32BE(seq++ >>> 0, NONCE_LENGTH - 4);
          const c = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, options);
          c.setAAD(AAD);
          wire.set(c.update(wire.subarray(at + 5, at + 5 + SEALED)), at + 5);
          c.final();
          wire.set(c.getAuthTag(), at + 5 + SEALED);
        }
        wire.copy(incoming);
        seq -= RECORDS_PER_WRITE;
        for (let r = 0; r < RECORDS_PER_WRITE; r++) {
          const at = r * SEALED_RECORD;
          nonce.writeUInt32BE(seq++ >>> 0, NONCE_LENGTH - 4);
          const d = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, options);
          d.setAuthTag(incoming.subarray(at + 5 + SEALED, at + SEALED_RECORD));
          d.setAAD(incoming.subarray(at, at + 5));
          received += d.update(incoming.subarray(at + 5, at + 5 + SEALED)).length - INNER_TYPE;
          d.final();
        }
      }
      if (received !== totalBytes) throw new Error(`API floor lost bytes: ${received} of ${totalBytes}`);
      return received;
    },
  };
}
