/**
 * Record layer throughput: application data written through one RecordLayer
 * and read back through another (TLS_AES_256_GCM_SHA384, 16 KiB records:
 * coalescing/fragmentation, inner content type, nonce, header, sealing,
 * takeOutgoing, framing, opening, padding strip), versus raw node:crypto
 * AES-256-GCM seal+open of the same number of 16 KiB records as a plain
 * record layer would write it (raw key Buffer per record, Buffer.concat of
 * ciphertext || tag). Beside it, as a reference, the crypto ceiling of
 * ./raw-aead.ts (key imported once, no joining): that ratio is the honest one.
 *
 * Two ways to run it:
 * - standalone: `npx tsc -p tsconfig.json && node build/bench/tls-record.js [MiB=64] [rounds=7]`
 *   moves 64 MiB per round, rounds interleaved, best round of each side wins;
 * - as a `BenchSection` (`tlsRecordSection`, id "tls-record") for bench/main.ts.
 * (A bench file, so it may import node:crypto for the baseline.)
 */
import * as nodeCrypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { defaultProvider } from '../src/crypto/index.js';
import { RecordLayer } from '../src/tls/record.js';
import { ContentType } from '../src/tls/registry/content-types.js';
import { TLS_AES_256_GCM_SHA384 } from '../src/tls/registry/suites.js';
import type { BenchSection } from './harness.js';
import { rawAes256Gcm } from './raw-aead.js';

const MIB = 1024 * 1024;
const RECORD = 16384;
const TAG = 16;
/** The application hands the connection 64 KiB at a time (a typical socket read / sendall chunk). */
const WRITE_CHUNK = 64 * 1024;

interface Material {
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly chunk: Buffer;
}

function material(): Material {
  return { key: nodeCrypto.randomBytes(32), iv: nodeCrypto.randomBytes(12), chunk: nodeCrypto.randomBytes(WRITE_CHUNK) };
}

/** Writes `totalBytes` through a writer/reader pair and reads them back; returns bytes received. */
function moveOurs(m: Material, totalBytes: number): number {
  const writer = new RecordLayer({ provider: defaultProvider });
  const reader = new RecordLayer({ provider: defaultProvider });
  writer.setWriteKey(TLS_AES_256_GCM_SHA384, m.key, m.iv);
  reader.setReadKey(TLS_AES_256_GCM_SHA384, m.key, m.iv);
  let received = 0;
  for (let sent = 0; sent < totalBytes; sent += WRITE_CHUNK) {
    writer.write(ContentType.application_data, m.chunk);
    reader.feed(writer.takeOutgoing());
    for (let r; (r = reader.nextRecord()) !== null; ) received += r.payload.length;
  }
  if (received !== totalBytes) throw new Error(`record layer lost bytes: ${received} of ${totalBytes}`);
  return received;
}

/** Seals and opens `totalBytes / 16 KiB` records with createCipheriv/createDecipheriv. */
function moveRaw(m: Material, totalBytes: number): number {
  const nonce = Buffer.from(m.iv);
  const aad = Buffer.from([ContentType.application_data, 3, 3, (RECORD + TAG) >> 8, (RECORD + TAG) & 0xff]);
  const options = { authTagLength: TAG };
  const perChunk = WRITE_CHUNK / RECORD;
  let received = 0;
  for (let i = 0; i < totalBytes / RECORD; i++) {
    nonce.writeUInt32BE(i, 8);
    const at = (i % perChunk) * RECORD;
    const c = nodeCrypto.createCipheriv('aes-256-gcm', m.key, nonce, options);
    c.setAAD(aad);
    const sealed = Buffer.concat([c.update(m.chunk.subarray(at, at + RECORD)), c.final(), c.getAuthTag()]);
    const d = nodeCrypto.createDecipheriv('aes-256-gcm', m.key, nonce, options);
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    d.setAAD(aad);
    received += d.update(sealed.subarray(0, sealed.length - TAG)).length;
    d.final();
  }
  if (received !== totalBytes) throw new Error('baseline lost bytes');
  return received;
}

/** For bench/main.ts: 1 MiB per call through each side. */
export const tlsRecordSection: BenchSection = {
  id: 'tls-record',
  title: 'TLS record layer write+read (TLS_AES_256_GCM_SHA384, 16 KiB records)',
  setup() {
    const m = material();
    const ceiling = rawAes256Gcm();
    return [
      {
        name: 'RecordLayer write → read, 1 MiB',
        ours: () => void moveOurs(m, MIB),
        baseline: () => void moveRaw(m, MIB),
        baselineName: 'node:crypto AES-256-GCM seal+open (Buffer key, concat)',
        bytesPerCall: MIB,
        references: [{ name: 'ceiling (KeyObject once, no concat)', fn: () => void ceiling.move(MIB) }],
      },
    ];
  },
};

function time(fn: () => number): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function main(totalMib: number, rounds: number): void {
  const m = material();
  const totalBytes = totalMib * MIB;
  const records = totalBytes / RECORD;
  console.log(`record layer write+read of ${totalMib} MiB (${records} records of ${RECORD} bytes), TLS_AES_256_GCM_SHA384, best of ${rounds}`);
  console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
  moveOurs(m, totalBytes); // warm up
  moveRaw(m, totalBytes);
  let bestOurs = Infinity;
  let bestRaw = Infinity;
  for (let r = 0; r < rounds; r++) {
    bestOurs = Math.min(bestOurs, time(() => moveOurs(m, totalBytes)));
    bestRaw = Math.min(bestRaw, time(() => moveRaw(m, totalBytes)));
  }
  const row = (name: string, s: number): string =>
    `${name.padEnd(34)}${(records / s).toFixed(0).padStart(10)} records/s${(totalBytes / s / 1e6).toFixed(0).padStart(8)} MB/s`;
  console.log(row('sslsock RecordLayer write+read', bestOurs));
  console.log(row('raw node:crypto seal+open', bestRaw));
  console.log(`ratio (sslsock / raw): ${(bestRaw / bestOurs).toFixed(2)}  (goal >= 0.80)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(Number(process.argv[2] ?? 64), Number(process.argv[3] ?? 7));
}
