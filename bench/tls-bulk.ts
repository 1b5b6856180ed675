/**
 * Section "tls-bulk" (issue 4 acceptance): two `SSLObject`s over MemoryBIOs
 * in one process, handshaken once with TLS_AES_256_GCM_SHA384, then 64 MiB
 * of application data per call from client to server through the public
 * Python-shaped API (`write` 64 KiB → `outgoing.read()` → `incoming.write()`
 * → `read()` until drained). Beside it, in the same run, raw node:crypto
 * AES-256-GCM seal+open of the same bytes in 16 KiB records with the key
 * imported once (./raw-aead.ts): the ceiling. Goal (issue 12): ≥ 0.95×.
 * A reference shows the floor of the API itself over node:crypto (the
 * ceiling plus the copies and fresh memory the Python API forces, see
 * apiFloorAes256Gcm): the ratio no SSLObject over node:crypto can beat.
 */
import * as ssl from '../src/ssl/index.js';
import { CA } from '../src/testing/index.js';
import type { BenchCase, BenchSection } from './harness.js';
import { apiFloorAes256Gcm, rawAes256Gcm } from './raw-aead.js';

const MIB = 1024 * 1024;
/** Bytes moved per measured call. */
export const BULK_BYTES = 64 * MIB;
/** What an application hands `write()` at a time (a typical socket read / sendall chunk). */
const WRITE_CHUNK = 64 * 1024;
const SUITE = 'TLS_AES_256_GCM_SHA384';
const HOSTNAME = 'localhost';
/** Handshake round trips are 2 for TLS 1.3; a few more cover HelloRetryRequest. */
const MAX_HANDSHAKE_FLIGHTS = 10;

interface Side {
  readonly obj: ssl.SSLObject;
  readonly incoming: ssl.MemoryBIO;
  readonly outgoing: ssl.MemoryBIO;
}

function side(ctx: ssl.SSLContext, options: ssl.WrapBioOptions): Side {
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  return { obj: ctx.wrapBio(incoming, outgoing, options), incoming, outgoing };
}

function transfer(from: Side, to: Side): void {
  if (from.outgoing.pending > 0) to.incoming.write(from.outgoing.read());
}

/** A handshaken client/server pair over the given certificate authority. */
export function connectedPair(ca: CA): { client: Side; server: Side } {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ca.issueCert(HOSTNAME).configureCert(sctx);
  sctx.setCiphersuites(SUITE);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  cctx.setCiphersuites(SUITE);
  const client = side(cctx, { serverHostname: HOSTNAME });
  const server = side(sctx, { serverSide: true });
  const done = new Set<Side>();
  for (let i = 0; i < MAX_HANDSHAKE_FLIGHTS && done.size < 2; i++) {
    for (const s of [client, server]) {
      if (done.has(s)) continue;
      try {
        s.obj.doHandshake();
        done.add(s);
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
      transfer(client, server);
      transfer(server, client);
    }
  }
  if (done.size < 2) throw new Error('tls-bulk: handshake did not complete');
  const cipher = client.obj.cipher();
  if (cipher === null || cipher[0] !== SUITE) throw new Error(`tls-bulk: negotiated ${String(cipher?.[0])}, expected ${SUITE}`);
  return { client, server };
}

/** Moves `totalBytes` client → server; returns the bytes the server read. */
function pump(client: Side, server: Side, chunk: Buffer, totalBytes: number): number {
  let received = 0;
  for (let sent = 0; sent < totalBytes; sent += chunk.length) {
    client.obj.write(chunk);
    transfer(client, server);
    // Every record arrived whole, so reading until both the engine and the BIO are empty never raises SSLWantReadError.
    while (server.obj.pending() > 0 || server.incoming.pending > 0) {
      received += (server.obj.read(WRITE_CHUNK) as Buffer).length;
    }
  }
  if (received !== totalBytes) throw new Error(`tls-bulk: server read ${received} of ${totalBytes} bytes`);
  return received;
}

export const tlsBulkSection: BenchSection = {
  id: 'tls-bulk',
  title: `SSLObject ↔ SSLObject over MemoryBIO, ${SUITE}, 64 MiB per call`,
  setup(): BenchCase[] {
    const { client, server } = connectedPair(CA.create({ keyType: 'ecdsa-p256' }));
    const chunk = Buffer.alloc(WRITE_CHUNK, 0x5a);
    const raw = rawAes256Gcm();
    const floor = apiFloorAes256Gcm();
    return [
      {
        name: 'in memory: SSLObject pair write → read, 64 MiB',
        ours: () => void pump(client, server, chunk, BULK_BYTES),
        baseline: () => void raw.move(BULK_BYTES),
        baselineName: 'raw node:crypto AES-256-GCM seal+open, KeyObject once (ceiling)',
        bytesPerCall: BULK_BYTES,
        goal: '≥ 0.95x',
        references: [{ name: 'API floor (ceiling + the copies the Python API forces)', fn: () => void floor.move(BULK_BYTES) }],
      },
    ];
  },
};
