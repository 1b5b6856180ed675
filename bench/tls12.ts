/**
 * Section "tls12": TLS 1.2 (ECDHE-ECDSA-AES256-GCM-SHA384, X25519, ECDSA
 * P-256 leaf) over loopback in one process, sslsock SSLSocket pairs beside
 * node:tls limited to TLS 1.2 — the same rows as "tls-socket" for TLS 1.3:
 * bulk sendall → recv, and a full handshake + 1-byte echo.
 */
import { JIT_WARMUP_MS, type BenchCase, type BenchSection } from './harness.js';
import { certs, nodeConnect, nodeEchoOnce, nodeEndpoint, nodeReceiver, nodeSend, oursBulk, oursConnect, oursEchoOnce, oursEndpoint } from './tls-socket.js';

const SUITE = 'ECDHE-ECDSA-AES256-GCM-SHA384';
const BULK_BYTES = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;

export const tls12Section: BenchSection = {
  id: 'tls12',
  title: `loopback TCP, one process: TLS 1.2 ${SUITE}, X25519, ECDSA P-256`,
  async setup(): Promise<BenchCase[]> {
    const c = certs();
    const ours = await oursEndpoint(c, SUITE);
    const theirs = await nodeEndpoint(c, SUITE);
    const chunk = Buffer.alloc(CHUNK, 0x5a);
    const [oc, os] = await oursConnect(ours);
    if (oc.cipher()?.[0] !== SUITE || oc.version() !== 'TLSv1.2') throw new Error(`tls12: sslsock negotiated ${String(oc.cipher())}`);
    const [nc, ns] = await nodeConnect(theirs);
    if (nc.getCipher().name !== SUITE || nc.getProtocol() !== 'TLSv1.2') throw new Error(`tls12: node negotiated ${nc.getCipher().name}`);
    const expect = nodeReceiver(ns);
    return [
      {
        name: 'TLS 1.2 SSLSocket pair sendall → recv, 16 MiB',
        ours: () => oursBulk(oc, os, chunk, BULK_BYTES),
        baseline: () => Promise.all([nodeSend(nc, chunk, BULK_BYTES), expect(BULK_BYTES)]).then(() => undefined),
        baselineName: 'node:tls TLSSocket write → data (TLS 1.2)',
        bytesPerCall: BULK_BYTES,
        dispose: () => {
          oc.close();
          os.close();
          nc.destroy();
          ns.destroy();
        },
      },
      {
        name: 'TLS 1.2 full handshake + 1-byte echo, one at a time',
        ours: async () => oursEchoOnce(...(await oursConnect(ours))),
        baseline: async () => nodeEchoOnce(...(await nodeConnect(theirs))),
        baselineName: 'node:tls connect ∥ secureConnection, same echo (TLS 1.2)',
        warmupMs: JIT_WARMUP_MS,
        dispose: async () => {
          ours.listener.close();
          await new Promise<void>((resolve) => theirs.server.close(() => resolve()));
        },
      },
    ];
  },
};
