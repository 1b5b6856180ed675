/**
 * The worker side of ./worker-aead.ts (a bench file, so it may import
 * node:crypto): waits on its SharedArrayBuffer's job counter, seals and
 * opens each record of the job (AES-256-GCM, KeyObject made once, a fresh
 * nonce per record from the IV and a sequence number), writes the opened
 * plaintext to the record's output slot and bumps the done counter.
 */
import * as nodeCrypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { CTRL, layout, TAG, type WorkerInit } from './worker-aead-layout.js';

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.sab, 0, CTRL.words);
const { inputAt, outputAt } = layout(init.recordLength, init.maxRecords);
const bytes = Buffer.from(init.sab);
const iv = Buffer.from(init.iv); // cloned as a Uint8Array
const nonce = Buffer.from(iv);
const options = { authTagLength: TAG };
const aad = Buffer.from([23, 3, 3, 0, 0]);
let seq = 0;
let seen = 0;

for (;;) {
  Atomics.wait(ctrl, CTRL.job, seen);
  seen = Atomics.load(ctrl, CTRL.job);
  if (seen < 0) break;
  const n = Atomics.load(ctrl, CTRL.records);
  const length = Atomics.load(ctrl, CTRL.length);
  aad.writeUInt16BE(length + TAG, 3);
  for (let i = 0; i < n; i++) {
    nonce.writeUInt32BE((iv.readUInt32BE(8) ^ seq++) >>> 0, 8);
    const c = nodeCrypto.createCipheriv('aes-256-gcm', init.key, nonce, options);
    c.setAAD(aad);
    const sealed = c.update(bytes.subarray(inputAt(i), inputAt(i) + length));
    c.final();
    const d = nodeCrypto.createDecipheriv('aes-256-gcm', init.key, nonce, options);
    d.setAuthTag(c.getAuthTag());
    d.setAAD(aad);
    const opened = d.update(sealed);
    d.final();
    bytes.set(opened, outputAt(i));
  }
  Atomics.store(ctrl, CTRL.done, seen);
  Atomics.notify(ctrl, CTRL.done);
}
parentPort?.close();
