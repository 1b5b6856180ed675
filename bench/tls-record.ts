/**
 * Record layer throughput: 64 MiB of application data written through one
 * RecordLayer and read back through another (TLS_AES_256_GCM_SHA384, 16 KiB
 * records: fragmentation, inner content type, nonce, header, sealing,
 * takeOutgoing, framing, opening, padding strip), versus raw node:crypto
 * AES-256-GCM seal+open of the same number of 16 KiB records. Rounds are
 * interleaved and the best round of each side wins, so background load and
 * CPU frequency drift hit both alike.
 *
 * Not a test. Run: npx tsc -p tsconfig.json && node build/bench/tls-record.js [MiB] [rounds]
 * (a bench file, so it may import node:crypto for the baseline).
 */
import * as nodeCrypto from 'node:crypto';
import { defaultProvider } from '../src/crypto/index.js';
import { RecordLayer } from '../src/tls/record.js';
import { ContentType } from '../src/tls/registry/content-types.js';
import { TLS_AES_256_GCM_SHA384 } from '../src/tls/registry/suites.js';

const MIB = 1024 * 1024;
const RECORD = 16384;
const TAG = 16;
const TOTAL_MIB = Number(process.argv[2] ?? 64);
const ROUNDS = Number(process.argv[3] ?? 7);
/** The application hands the connection 64 KiB at a time (a typical socket read / sendall chunk). */
const WRITE_CHUNK = 64 * 1024;

const key = nodeCrypto.randomBytes(32);
const iv = nodeCrypto.randomBytes(12);
const chunk = nodeCrypto.randomBytes(WRITE_CHUNK);
const totalBytes = TOTAL_MIB * MIB;
const records = totalBytes / RECORD;

/** One round of ours: every byte written, sealed, framed, fed to the reader, opened. Returns seconds. */
function roundOurs(): number {
  const writer = new RecordLayer({ provider: defaultProvider });
  const reader = new RecordLayer({ provider: defaultProvider });
  writer.setWriteKey(TLS_AES_256_GCM_SHA384, key, iv);
  reader.setReadKey(TLS_AES_256_GCM_SHA384, key, iv);
  let received = 0;
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < totalBytes; sent += WRITE_CHUNK) {
    writer.write(ContentType.application_data, chunk);
    reader.feed(writer.takeOutgoing());
    for (let r; (r = reader.nextRecord()) !== null; ) received += r.payload.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (received !== totalBytes) throw new Error(`record layer lost bytes: ${received} of ${totalBytes}`);
  return seconds;
}

/** One round of the baseline: seal + open `records` 16 KiB records with createCipheriv/createDecipheriv. */
function roundRaw(): number {
  const nonce = Buffer.from(iv);
  const aad = Buffer.from([23, 3, 3, (RECORD + TAG) >> 8, (RECORD + TAG) & 0xff]);
  const options = { authTagLength: TAG };
  let received = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    nonce.writeUInt32BE(i, 8);
    const plaintext = chunk.subarray((i % 4) * RECORD, (i % 4) * RECORD + RECORD);
    const c = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, options);
    c.setAAD(aad);
    const sealed = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    const d = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, options);
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    d.setAAD(aad);
    received += d.update(sealed.subarray(0, sealed.length - TAG)).length;
    d.final();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (received !== totalBytes) throw new Error('baseline lost bytes');
  return seconds;
}

console.log(`record layer write+read of ${TOTAL_MIB} MiB (${records} records of ${RECORD} bytes), TLS_AES_256_GCM_SHA384, best of ${ROUNDS}`);
console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
roundOurs(); // warm up
roundRaw();
let bestOurs = Infinity;
let bestRaw = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  bestOurs = Math.min(bestOurs, roundOurs());
  bestRaw = Math.min(bestRaw, roundRaw());
}
const row = (name: string, s: number): string =>
  `${name.padEnd(34)}${(records / s).toFixed(0).padStart(10)} records/s${(totalBytes / s / 1e6).toFixed(0).padStart(8)} MB/s`;
console.log(row('sslsock RecordLayer write+read', bestOurs));
console.log(row('raw node:crypto seal+open', bestRaw));
console.log(`ratio (sslsock / raw): ${(bestRaw / bestOurs).toFixed(2)}  (goal >= 0.80)`);
