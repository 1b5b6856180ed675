/**
 * The seal worker (./seal-pool.ts starts it): protects runs of TLS 1.3
 * records laid out in a lane (a SharedArrayBuffer of one connection) by the
 * main thread. Each record sits in the lane as header(5) || TLSInnerPlaintext
 * || room for the 16-byte tag; the worker seals it in place under the
 * connection's key with the nonce the engine handed out, the header being
 * the additional data (RFC 8446 §5.2). It never picks a nonce or a sequence
 * number itself: the engine on the main thread stays authoritative.
 *
 * Messages in (in order; a job only ever follows the lane and key it names):
 *   { op: 'lane', lane, buffer }          a lane's SharedArrayBuffer
 *   { op: 'key', key, name, keyObject }   a KeyObject (cloned, never raw bytes)
 *   { op: 'seal', job, lane, key, offset, length, count, nonces }
 *   { op: 'forget', lane, key }           the connection ended / its key changed
 *   { op: 'crash' }                       tests: die as a worker can
 * Messages out: { job, error: string | null }.
 */
import * as nodeCrypto from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH } from './algorithms.js';
import type { SealRequest, SealWorkerMessage } from './seal-pool.js';

const HEADER = 5;
const LENGTH_AT = 3;
const OPTIONS = { authTagLength: AEAD_TAG_LENGTH } as const;

const lanes = new Map<number, Buffer>();
const keys = new Map<number, { name: nodeCrypto.CipherGCMTypes; key: nodeCrypto.KeyObject }>();

function seal(m: SealRequest): void {
  const lane = lanes.get(m.lane);
  const key = keys.get(m.key);
  if (lane === undefined || key === undefined) throw new Error(`seal job ${m.job}: unknown lane or key`);
  const nonces = m.nonces;
  if (nonces.length !== m.count * AEAD_NONCE_LENGTH) throw new Error(`seal job ${m.job}: ${nonces.length} nonce bytes for ${m.count} records`);
  const end = m.offset + m.length;
  if (m.offset < 0 || end > lane.length) throw new Error(`seal job ${m.job}: region outside the lane`);
  let at = m.offset;
  for (let i = 0; i < m.count; i++) {
    const body = at + HEADER;
    const inner = body <= end ? lane.readUInt16BE(at + LENGTH_AT) - AEAD_TAG_LENGTH : -1;
    if (inner < 1 || body + inner + AEAD_TAG_LENGTH > end) throw new Error(`seal job ${m.job}: record ${i} does not fit its region`);
    const cipher = nodeCrypto.createCipheriv(key.name, key.key, nonces.subarray(i * AEAD_NONCE_LENGTH, (i + 1) * AEAD_NONCE_LENGTH), OPTIONS);
    cipher.setAAD(lane.subarray(at, body));
    // Stream modes: update() returns as many bytes as it was given; they replace the plaintext.
    lane.set(cipher.update(lane.subarray(body, body + inner)), body);
    cipher.final();
    lane.set(cipher.getAuthTag(), body + inner);
    at = body + inner + AEAD_TAG_LENGTH;
  }
  if (at !== end) throw new Error(`seal job ${m.job}: ${end - at} bytes left after ${m.count} records`);
}

parentPort!.on('message', (m: SealWorkerMessage) => {
  switch (m.op) {
    case 'lane':
      lanes.set(m.lane, Buffer.from(m.buffer));
      break;
    case 'key':
      keys.set(m.key, { name: m.name as nodeCrypto.CipherGCMTypes, key: m.keyObject as nodeCrypto.KeyObject });
      break;
    case 'forget':
      if (m.lane !== null) lanes.delete(m.lane);
      if (m.key !== null) keys.delete(m.key);
      break;
    case 'crash':
      process.exit(70);
      break;
    case 'seal': {
      let error: string | null = null;
      try {
        seal(m);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      parentPort!.postMessage({ job: m.job, error });
      break;
    }
  }
});
