/**
 * Section "tls-socket": TLS over loopback TCP, client and server in this one
 * process, TLS 1.3 with TLS_AES_256_GCM_SHA384, X25519 and an ECDSA P-256
 * certificate from the test CA, the client verifying chain and hostname.
 *
 * - bulk: one connection; per call the client `sendall`s 16 MiB in 64 KiB
 *   chunks while the server `recv(65536)`s them. sslsock `SSLSocket` pair
 *   vs `node:tls` TLSSocket pair (client writes honouring 'drain', server
 *   counts 'data').
 * - handshakes: a new TCP connection and full handshake per call
 *   (sequential, no resumption), both ends closed afterwards.
 *   `connect + wrapSocket` ∥ `accept` vs `tls.connect` ∥ 'secureConnection'.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as socket from '../src/socket/index.js';
import * as ssl from '../src/ssl/index.js';
import { CA } from '../src/testing/index.js';
import type { BenchCase, BenchSection } from './harness.js';

const MIB = 1024 * 1024;
const BULK_BYTES = 16 * MIB;
const CHUNK = 64 * 1024;
const SUITE = 'TLS_AES_256_GCM_SHA384';
const GROUP = 'X25519';
const HOSTNAME = 'localhost';
const LOOPBACK = '127.0.0.1';

interface Certs {
  readonly ca: CA;
  readonly keyPem: string;
  readonly chainPem: string;
}

function certs(): Certs {
  const ca = CA.create({ keyType: 'ecdsa-p256' });
  const leaf = ca.issueCert(HOSTNAME);
  return { ca, keyPem: leaf.privateKeyPem, chainPem: leaf.certChainPems.join('') };
}

// ───────────── sslsock ─────────────

interface OursEndpoint {
  readonly listener: ssl.SSLSocket;
  readonly port: number;
  readonly cctx: ssl.SSLContext;
}

async function oursEndpoint(c: Certs): Promise<OursEndpoint> {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sctx.loadCertChain(writeTemp(c));
  sctx.setCiphersuites(SUITE);
  sctx.setGroups(GROUP);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  c.ca.configureTrust(cctx);
  cctx.setCiphersuites(SUITE);
  cctx.setGroups(GROUP);
  const raw = await socket.createServer([LOOPBACK, 0]);
  const listener = (await sctx.wrapSocket(raw, { serverSide: true })) as ssl.SSLSocket;
  return { listener, port: (listener.getsockname() as [string, number])[1], cctx };
}

async function oursConnect(e: OursEndpoint): Promise<[ssl.SSLSocket, ssl.SSLSocket]> {
  const [client, [server]] = await Promise.all([
    (async () => (await e.cctx.wrapSocket(await socket.createConnection([LOOPBACK, e.port]), { serverHostname: HOSTNAME })) as ssl.SSLSocket)(),
    e.listener.accept(),
  ]);
  return [client, server];
}

async function oursBulk(client: ssl.SSLSocket, server: ssl.SSLSocket, chunk: Buffer, total: number): Promise<void> {
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

// ───────────── node:tls ─────────────

interface NodeEndpoint {
  readonly server: tls.Server;
  readonly port: number;
  readonly clientOptions: tls.ConnectionOptions;
  /** Resolves with the server side of the next connection, once its handshake is done. */
  nextConnection(): Promise<tls.TLSSocket>;
}

async function nodeEndpoint(c: Certs): Promise<NodeEndpoint> {
  const waiting: ((s: tls.TLSSocket) => void)[] = [];
  const arrived: tls.TLSSocket[] = [];
  const server = tls.createServer({ key: c.keyPem, cert: c.chainPem, ciphers: SUITE, ecdhCurve: GROUP, minVersion: 'TLSv1.3' }, (s) => {
    const w = waiting.shift();
    if (w !== undefined) w(s);
    else arrived.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    clientOptions: { host: LOOPBACK, port, ca: c.ca.root.certPem, servername: HOSTNAME, ciphers: SUITE, ecdhCurve: GROUP, minVersion: 'TLSv1.3' },
    nextConnection: () => {
      const s = arrived.shift();
      return s !== undefined ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

async function nodeConnect(e: NodeEndpoint): Promise<[tls.TLSSocket, tls.TLSSocket]> {
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
function nodeReceiver(server: tls.TLSSocket): (n: number) => Promise<void> {
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

async function nodeSend(client: tls.TLSSocket, chunk: Buffer, total: number): Promise<void> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!client.write(chunk)) await new Promise<void>((resolve) => client.once('drain', resolve));
  }
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

    const [oc, os] = await oursConnect(ours);
    if (oc.cipher()?.[0] !== SUITE || oc.version() !== 'TLSv1.3') throw new Error(`tls-socket: sslsock negotiated ${String(oc.cipher())}`);
    const [nc, ns] = await nodeConnect(theirs);
    if (nc.getCipher().standardName !== SUITE || nc.getProtocol() !== 'TLSv1.3') throw new Error(`tls-socket: node negotiated ${nc.getCipher().standardName}`);
    const expect = nodeReceiver(ns);

    return [
      {
        name: 'SSLSocket sendall → recv, 16 MiB',
        ours: () => oursBulk(oc, os, chunk, BULK_BYTES),
        baseline: () => Promise.all([nodeSend(nc, chunk, BULK_BYTES), expect(BULK_BYTES)]).then(() => undefined),
        baselineName: 'node:tls TLSSocket write → data',
        bytesPerCall: BULK_BYTES,
        dispose: () => {
          oc.close();
          os.close();
          nc.destroy();
          ns.destroy();
        },
      },
      {
        name: 'full handshake (connect ∥ accept), sequential',
        ours: async () => {
          const [a, b] = await oursConnect(ours);
          a.close();
          b.close();
        },
        baseline: async () => {
          const [a, b] = await nodeConnect(theirs);
          a.destroy();
          b.destroy();
        },
        baselineName: 'node:tls connect ∥ secureConnection',
        dispose: async () => {
          ours.listener.close();
          await new Promise<void>((resolve) => theirs.server.close(() => resolve()));
        },
      },
    ];
  },
};
