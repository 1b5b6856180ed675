/**
 * Section "tls-socket": TLS over loopback TCP, client and server in this one
 * process, TLS 1.3 with TLS_AES_256_GCM_SHA384, X25519 and an ECDSA P-256
 * certificate from the test CA, the client verifying chain and hostname.
 *
 * - bulk: one connection; per call the client `sendall`s 16 MiB in 64 KiB
 *   chunks while the server `recv(65536)`s them. sslsock `SSLSocket` pair
 *   vs `node:tls` TLSSocket pair (client writes honouring 'drain', server
 *   counts 'data'), with the raw crypto ceiling (./raw-aead.ts) measured in
 *   the same rounds.
 * - crossover of the seal worker (src/ssl/seal-offload.ts): the same pair,
 *   sendall of 16 KiB … 1 MiB chunks (8 MiB per call) with every write
 *   sealed on the worker vs every write sealed on the main thread, in the
 *   same rounds; the ratio is what the worker buys at that write size (the
 *   threshold, `setSealOffloadThreshold`, belongs where it crosses 1).
 * - handshakes: a new TCP connection and full handshake per call, then one
 *   byte echoed (client → server → client), both ends closed afterwards:
 *   `connect + wrapSocket` ∥ `accept` vs `tls.connect` ∥ 'secureConnection'.
 *   One at a time, and 32 at once.
 *
 * Other sections reuse the endpoints (`oursEndpoint`, `oursConnect`,
 * `nodeEndpoint`, `nodeConnect`, `echoOnce…`) for their rows (e.g.
 * resumed handshakes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as socket from '../src/socket/index.js';
import * as ssl from '../src/ssl/index.js';
import { CA } from '../src/testing/index.js';
import { JIT_WARMUP_MS, type BenchCase, type BenchSection } from './harness.js';
import { rawAes256Gcm } from './raw-aead.js';
import { sealOffloadThreshold, setSealOffloadThreshold } from '../src/ssl/seal-offload.js';

const MIB = 1024 * 1024;
const BULK_BYTES = 16 * MIB;
const CHUNK = 64 * 1024;
export const SUITE = 'TLS_AES_256_GCM_SHA384';
export const GROUP = 'X25519';
export const HOSTNAME = 'localhost';
export const LOOPBACK = '127.0.0.1';
/** Handshakes in flight at once for the concurrent row. */
const CONCURRENT = 32;
const ONE_BYTE = Buffer.from([0x2a]);
/** Write sizes of the seal-worker crossover rows, and the bytes each call moves. */
const CROSSOVER_CHUNKS = [16 * 1024, 64 * 1024, 256 * 1024, MIB] as const;
const CROSSOVER_BYTES = 8 * MIB;

export interface Certs {
  readonly ca: CA;
  readonly keyPem: string;
  readonly chainPem: string;
}

export function certs(): Certs {
  const ca = CA.create({ keyType: 'ecdsa-p256' });
  const leaf = ca.issueCert(HOSTNAME);
  return { ca, keyPem: leaf.privateKeyPem, chainPem: leaf.certChainPems.join('') };
}

// ───────────── sslsock ─────────────

export interface OursEndpoint {
  readonly listener: ssl.SSLSocket;
  readonly port: number;
  readonly cctx: ssl.SSLContext;
}

/** `tls12Cipher`: a TLS 1.2 endpoint with this one OpenSSL suite (the client limited to TLS 1.2), for the tls12 section. */
export async function oursEndpoint(c: Certs, tls12Cipher?: string): Promise<OursEndpoint> {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sctx.loadCertChain(writeTemp(c));
  sctx.setCiphersuites(SUITE);
  sctx.setGroups(GROUP);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  c.ca.configureTrust(cctx);
  cctx.setCiphersuites(SUITE);
  cctx.setGroups(GROUP);
  if (tls12Cipher !== undefined) {
    cctx.maximumVersion = ssl.TLSVersion.TLSv1_2;
    cctx.setCiphers(tls12Cipher);
    // RFC 8422 §5.1: a TLS 1.2 server uses its ECDSA P-256 certificate only if the client lists P-256 (the key exchange stays X25519).
    cctx.setGroups(`${GROUP}:P-256`);
  }
  const raw = await socket.createServer([LOOPBACK, 0]);
  const listener = (await sctx.wrapSocket(raw, { serverSide: true })) as ssl.SSLSocket;
  return { listener, port: (listener.getsockname() as [string, number])[1], cctx };
}

export async function oursConnect(e: OursEndpoint, session: ssl.SSLSession | null = null): Promise<[ssl.SSLSocket, ssl.SSLSocket]> {
  const [client, [server]] = await Promise.all([
    (async () => (await e.cctx.wrapSocket(await socket.createConnection([LOOPBACK, e.port]), { serverHostname: HOSTNAME, session })) as ssl.SSLSocket)(),
    e.listener.accept(),
  ]);
  return [client, server];
}

export async function oursBulk(client: ssl.SSLSocket, server: ssl.SSLSocket, chunk: Buffer, total: number): Promise<void> {
  const send = async (): Promise<void> => {
    for (let sent = 0; sent < total; sent += chunk.length) await client.sendall(chunk);
  };
  const receive = async (): Promise<void> => {
    let received = 0;
    while (received < total) {
      const data = await server.recv(CHUNK);
      if (data.length === 0) throw new Error(`tls-socket: EOF after ${received} of ${total} bytes`);
      received += data.length;
    }
  };
  await Promise.all([send(), receive()]);
}

/** One byte client → server → client over a fresh sslsock pair, then both closed. */
export async function oursEchoOnce(client: ssl.SSLSocket, server: ssl.SSLSocket): Promise<void> {
  const echo = (async () => {
    const b = await server.recv(1);
    await server.sendall(b);
  })();
  await client.sendall(ONE_BYTE);
  const back = await client.recv(1);
  await echo;
  if (back.length !== 1) throw new Error('tls-socket: echo lost its byte');
  client.close();
  server.close();
}

// ───────────── node:tls ─────────────

export interface NodeEndpoint {
  readonly server: tls.Server;
  readonly port: number;
  readonly clientOptions: tls.ConnectionOptions;
  /** Resolves with the server side of the next connection, once its handshake is done. */
  nextConnection(): Promise<tls.TLSSocket>;
}

export async function nodeEndpoint(c: Certs, tls12Cipher?: string): Promise<NodeEndpoint> {
  const waiting: ((s: tls.TLSSocket) => void)[] = [];
  const arrived: tls.TLSSocket[] = [];
  // TLS 1.2: OpenSSL serves an ECDSA P-256 certificate only to a client that lists P-256 (RFC 8422 §5.1); X25519 stays first.
  const versions: tls.SecureContextOptions =
    tls12Cipher === undefined ? { ciphers: SUITE, minVersion: 'TLSv1.3' } : { ciphers: tls12Cipher, maxVersion: 'TLSv1.2', ecdhCurve: `${GROUP}:P-256` };
  const server = tls.createServer({ key: c.keyPem, cert: c.chainPem, ecdhCurve: GROUP, ...versions }, (s) => {
    const w = waiting.shift();
    if (w !== undefined) w(s);
    else arrived.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    clientOptions: { host: LOOPBACK, port, ca: c.ca.root.certPem, servername: HOSTNAME, ecdhCurve: GROUP, ...versions },
    nextConnection: () => {
      const s = arrived.shift();
      return s !== undefined ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

export async function nodeConnect(e: NodeEndpoint): Promise<[tls.TLSSocket, tls.TLSSocket]> {
  const client = tls.connect(e.clientOptions);
  const [server] = await Promise.all([
    e.nextConnection(),
    new Promise<void>((resolve, reject) => {
      client.once('secureConnect', resolve);
      client.once('error', reject);
    }),
  ]);
  return [client, server];
}

/** Counts bytes arriving on `server` and resolves each `expect(n)` when n more have arrived. */
export function nodeReceiver(server: tls.TLSSocket): (n: number) => Promise<void> {
  let received = 0;
  let target = 0;
  let done: (() => void) | null = null;
  server.on('data', (d: Buffer) => {
    received += d.length;
    if (done !== null && received >= target) {
      const d2 = done;
      done = null;
      d2();
    }
  });
  return (n) => {
    target += n;
    if (received >= target) return Promise.resolve();
    return new Promise((resolve) => (done = resolve));
  };
}

export async function nodeSend(client: tls.TLSSocket, chunk: Buffer, total: number): Promise<void> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!client.write(chunk)) await new Promise<void>((resolve) => client.once('drain', resolve));
  }
}

/** One byte client → server → client over a fresh node:tls pair, then both destroyed. */
export async function nodeEchoOnce(client: tls.TLSSocket, server: tls.TLSSocket): Promise<void> {
  server.once('data', (d: Buffer) => server.write(d));
  const back = new Promise<Buffer>((resolve) => client.once('data', resolve));
  client.write(ONE_BYTE);
  if ((await back).length !== 1) throw new Error('tls-socket: echo lost its byte');
  client.destroy();
  server.destroy();
}

// ───────────── section ─────────────


/** loadCertChain reads files, as Python's does: key and chain into a temporary file, removed at once. */
function writeTemp(c: Certs): string {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-bench-'));
  const file = join(dir, 'key-and-chain.pem');
  writeFileSync(file, c.keyPem + c.chainPem);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return file;
}

export const tlsSocketSection: BenchSection = {
  id: 'tls-socket',
  title: `loopback TCP, one process: TLS 1.3 ${SUITE}, ${GROUP}, ECDSA P-256`,
  async setup(): Promise<BenchCase[]> {
    const c = certs();
    const ours = await oursEndpoint(c);
    const theirs = await nodeEndpoint(c);
    const chunk = Buffer.alloc(CHUNK, 0x5a);
    const ceiling = rawAes256Gcm();

    const [oc, os] = await oursConnect(ours);
    if (oc.cipher()?.[0] !== SUITE || oc.version() !== 'TLSv1.3') throw new Error(`tls-socket: sslsock negotiated ${String(oc.cipher())}`);
    const [nc, ns] = await nodeConnect(theirs);
    if (nc.getCipher().standardName !== SUITE || nc.getProtocol() !== 'TLSv1.3') throw new Error(`tls-socket: node negotiated ${nc.getCipher().standardName}`);
    const expect = nodeReceiver(ns);

    return [
      {
        name: 'SSLSocket pair sendall → recv, 16 MiB',
        ours: () => oursBulk(oc, os, chunk, BULK_BYTES),
        baseline: () => Promise.all([nodeSend(nc, chunk, BULK_BYTES), expect(BULK_BYTES)]).then(() => undefined),
        baselineName: 'node:tls TLSSocket write → data',
        bytesPerCall: BULK_BYTES,
        references: [{ name: 'ceiling (raw seal+open)', fn: () => void ceiling.move(BULK_BYTES) }],
        goal: '≥ 0.95x ceiling; ≥ 1.2x node:tls',
        dispose: () => {
          nc.destroy();
          ns.destroy();
        },
      },
      ...CROSSOVER_CHUNKS.map((size): BenchCase => {
        const c = Buffer.alloc(size, 0x5a);
        const run = (threshold: number | null) => async (): Promise<void> => {
          const saved = sealOffloadThreshold();
          setSealOffloadThreshold(threshold);
          try {
            await oursBulk(oc, os, c, CROSSOVER_BYTES);
          } finally {
            setSealOffloadThreshold(saved);
          }
        };
        return {
          name: `SSLSocket pair sendall ${size >= MIB ? `${size / MIB} MiB` : `${size / 1024} KiB`} chunks: sealed on the worker`,
          ours: run(1),
          baseline: run(null),
          baselineName: 'same, sealed on the main thread',
          bytesPerCall: CROSSOVER_BYTES,
          goal: 'crossover: > 1 from here on',
          dispose: size === MIB ? () => (oc.close(), os.close()) : undefined,
        };
      }),
      {
        name: 'full handshake + 1-byte echo, one at a time',
        ours: async () => oursEchoOnce(...(await oursConnect(ours))),
        baseline: async () => nodeEchoOnce(...(await nodeConnect(theirs))),
        baselineName: 'node:tls connect ∥ secureConnection, same echo',
        goal: '≥ 1.0x per CPU-s, ≥ 1.5x wall',
        warmupMs: JIT_WARMUP_MS,
      },
      {
        name: `full handshake + 1-byte echo, ${CONCURRENT} at once`,
        ours: async () => void (await Promise.all(Array.from({ length: CONCURRENT }, async () => oursEchoOnce(...(await oursConnect(ours)))))),
        baseline: async () => void (await Promise.all(Array.from({ length: CONCURRENT }, async () => nodeEchoOnce(...(await nodeConnect(theirs)))))),
        baselineName: 'node:tls, same',
        opsPerCall: CONCURRENT,
        goal: '≥ 1.5x wall',
        warmupMs: JIT_WARMUP_MS / 3, // the row above has warmed the same code
        dispose: async () => {
          ours.listener.close();
          await new Promise<void>((resolve) => theirs.server.close(() => resolve()));
        },
      },
    ];
  },
};
