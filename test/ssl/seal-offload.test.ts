/**
 * Large SSLSocket writes sealed on the seal worker (src/ssl/seal-offload.ts,
 * src/crypto/seal-pool.ts), over real loopback TCP: byte-exact both ways
 * (SHA-256) with small writes in between, KeyUpdates — requested by us and
 * automatic at the record limit — falling in the middle of worker slices,
 * close()/unwrap() right after a large send, node:tls and openssl s_server
 * as the peer, a seal worker that dies (SSLError, no hang, and the next
 * connection works), and a process that exits by itself afterwards.
 * Each case checks that the worker path was really taken.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { _crashSealWorkerForTesting } from '../../src/crypto/seal-pool.js';
import { JOB_BYTES, sealOffloadSlices, sealOffloadThreshold, setSealOffloadThreshold } from '../../src/ssl/seal-offload.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { payload, recvExactly, sha256 } from '../helpers/data.js';

const MiB = 1 << 20;
const THRESHOLD = 64 * 1024;
const CHILD = fileURLToPath(new URL('./seal-offload-child.js', import.meta.url));
const ca = CA.create({ keyType: 'ecdsa-p256' });
const leaf = ca.issueCert('localhost');

const defaultThreshold = sealOffloadThreshold();
before(() => setSealOffloadThreshold(THRESHOLD));
after(() => setSealOffloadThreshold(defaultThreshold));

function contexts(recordLimit?: number): [ssl.SSLContext, ssl.SSLContext] {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  leaf.configureCert(sctx);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  if (recordLimit !== undefined) {
    // The engine's AEAD-limit KeyUpdate (RFC 8446 §5.5), brought down from 2^24 records so it falls inside worker slices.
    for (const ctx of [sctx, cctx]) {
      const base = ctx.connectionConfig.bind(ctx);
      ctx.connectionConfig = (link): ConnectionConfig => ({ ...base(link), keyUpdateRecordLimit: recordLimit });
    }
  }
  return [cctx, sctx];
}

async function pair(recordLimit?: number): Promise<{ client: ssl.SSLSocket; server: ssl.SSLSocket; close(): void }> {
  const [cctx, sctx] = contexts(recordLimit);
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const port = (listener.getsockname() as [string, number])[1];
  const [raw, [conn]] = await Promise.all([socket.createConnection(['127.0.0.1', port]), listener.accept()]);
  listener.close();
  const [client, server] = (await Promise.all([
    cctx.wrapSocket(raw, { serverHostname: 'localhost' }),
    sctx.wrapSocket(conn, { serverSide: true }),
  ])) as [ssl.SSLSocket, ssl.SSLSocket];
  return { client, server, close: () => (client.close(), server.close()) };
}

/** Sends `parts` in order with sendall; the receiver reads their total and compares digests. */
async function transfer(from: ssl.SSLSocket, to: ssl.SSLSocket, parts: readonly Buffer[]): Promise<void> {
  const all = Buffer.concat(parts);
  const [, got] = await Promise.all([
    (async () => {
      for (const p of parts) await from.sendall(p);
    })(),
    recvExactly(to, all.length),
  ]);
  assert.equal(got.length, all.length);
  assert.equal(sha256(got), sha256(all));
}

test('large sendall through the seal worker: byte-exact both ways at once, small sends in between', async () => {
  const p = await pair();
  try {
    const before = sealOffloadSlices();
    const up = [payload(3 * MiB, 1), Buffer.from('small'), payload(MiB + 7, 2), payload(100, 3), payload(THRESHOLD, 4)];
    const down = [payload(2 * MiB + 1, 5), Buffer.from('x'), payload(MiB, 6)];
    await Promise.all([transfer(p.client, p.server, up), transfer(p.server, p.client, down)]);
    assert.ok(sealOffloadSlices() - before >= (6 * MiB) / JOB_BYTES, `only ${sealOffloadSlices() - before} slices went to the worker`);
  } finally {
    p.close();
  }
});

test('keyUpdate() between and during large sends: records stay in sequence order', async () => {
  const p = await pair();
  try {
    const before = sealOffloadSlices();
    const a = payload(2 * MiB, 11);
    const b = payload(2 * MiB, 12);
    const received = recvExactly(p.server, a.length + b.length);
    const first = p.client.sendall(a);
    // Requested while slices of the first sendall are still with the worker: the KeyUpdate queues behind them.
    await new Promise((r) => setImmediate(r));
    p.client.keyUpdate(true);
    await first;
    p.client.keyUpdate(false);
    await p.client.sendall(b);
    assert.equal(sha256(await received), sha256(Buffer.concat([a, b])));
    // The server answered update_requested: its records under its new key still reach us.
    await transfer(p.server, p.client, [payload(MiB, 13)]);
    assert.ok(sealOffloadSlices() - before >= (4 * MiB) / JOB_BYTES);
  } finally {
    p.close();
  }
});

test('automatic KeyUpdates at the record limit fall inside worker slices', async () => {
  // Every 1.5 slices: every other slice meets one, so slices alternate between the worker and write().
  const p = await pair((3 * JOB_BYTES) / 2 / 16384);
  try {
    const before = sealOffloadSlices();
    await Promise.all([transfer(p.client, p.server, [payload(4 * MiB, 21)]), transfer(p.server, p.client, [payload(2 * MiB, 22)])]);
    assert.ok(sealOffloadSlices() - before > 0, 'no slice went to the worker');
  } finally {
    p.close();
  }
});

test('unwrap() right after a large send: all data, then close_notify, then plain bytes', async () => {
  const p = await pair();
  try {
    const data = payload(3 * MiB, 31);
    const received = recvExactly(p.server, data.length);
    await p.client.sendall(data);
    const clientPlain = p.client.unwrap();
    assert.equal(sha256(await received), sha256(data));
    await p.server.unwrap();
    await clientPlain;
    await p.client.sendall(Buffer.from('plain now'));
    assert.deepEqual(await recvExactly(p.server, 9), Buffer.from('plain now'));
  } finally {
    p.close();
  }
});

test('close() right after a large send: the peer still gets every byte, then EOF', async () => {
  const p = await pair();
  try {
    const data = payload(2 * MiB + 5, 41);
    await p.client.sendall(data);
    p.client.close();
    const got = await recvExactly(p.server, data.length + 1);
    assert.equal(got.length, data.length);
    assert.equal(sha256(got), sha256(data));
  } finally {
    p.close();
  }
});

test('node:tls peer: it decrypts our worker-sealed records and answers with their digest', async () => {
  const server = tls.createServer({ key: leaf.privateKeyPem, cert: leaf.certChainPems.join(''), minVersion: 'TLSv1.3' }, (s) => {
    const h = createHash('sha256');
    let n = 0;
    s.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
      if (n === 4 * MiB) s.end(h.digest('hex'));
    });
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const [cctx] = contexts();
  const sock = (await cctx.wrapSocket(await socket.createConnection(['127.0.0.1', (server.address() as net.AddressInfo).port]), { serverHostname: 'localhost' })) as ssl.SSLSocket;
  try {
    const before = sealOffloadSlices();
    const data = payload(4 * MiB, 51);
    await sock.sendall(data.subarray(0, MiB));
    await sock.sendall(Buffer.from(data.subarray(MiB, MiB + 10)));
    sock.keyUpdate(true);
    await sock.sendall(data.subarray(MiB + 10));
    assert.equal((await recvExactly(sock, 64)).toString(), sha256(data));
    assert.ok(sealOffloadSlices() - before >= (3 * MiB) / JOB_BYTES);
  } finally {
    sock.close();
    await new Promise((r) => server.close(r));
  }
});

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

test('openssl s_server peer: what it decrypts from our worker-sealed records is what we sent', { skip: opensslMissing && !process.env.CI ? 'openssl not installed' : false }, async () => {
  // s_server prints what it receives (its stdin stays open: at EOF there it would hang up).
  const dir = leaf.writeFiles(`${process.env.TMPDIR ?? '/tmp'}/sslsock-seal-${process.pid}`);
  const port = await freePort();
  const srv = spawn('openssl', ['s_server', '-accept', String(port), '-cert', dir.certFile, '-key', dir.keyFile, '-tls1_3', '-naccept', '1', '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const h = createHash('sha256');
  let n = 0;
  const data = payload(3 * MiB, 61);
  const done = new Promise<void>((resolve) => srv.stdout!.on('data', (d: Buffer) => ((n += d.length), h.update(d), n >= data.length && resolve())));
  let sock: ssl.SSLSocket | null = null;
  try {
    const [cctx] = contexts();
    for (let i = 0; sock === null; i++) {
      try {
        sock = (await cctx.wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost' })) as ssl.SSLSocket;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const before = sealOffloadSlices();
    await sock.sendall(data);
    await done;
    assert.equal(n, data.length);
    assert.equal(h.digest('hex'), sha256(data));
    assert.ok(sealOffloadSlices() - before >= (3 * MiB) / JOB_BYTES);
  } finally {
    sock?.close();
    if (srv.exitCode === null) {
      srv.kill();
      await once(srv, 'exit');
    }
    rmSync(dir.certFile.replace(/\/cert\.pem$/, ''), { recursive: true, force: true });
  }
});

test('the seal worker dies mid-send: SSLError for the writer (no hang), later writes too; a new connection works', async () => {
  const p = await pair();
  try {
    // The server does not read, so slices are still queued when the worker dies.
    const sending = p.client.sendall(payload(16 * MiB, 71));
    _crashSealWorkerForTesting();
    await assert.rejects(sending, (e: unknown) => {
      assert.ok(e instanceof ssl.SSLError, String(e));
      assert.match((e as Error).message, /^\[SSL: INTERNAL_ERROR\] internal error \(record sealing: seal worker exited/);
      return true;
    });
    await assert.rejects(p.client.sendall(payload(MiB, 72)), ssl.SSLError);
  } finally {
    p.close();
  }
  const q = await pair();
  try {
    await transfer(q.client, q.server, [payload(MiB, 73)]);
  } finally {
    q.close();
  }
});

test('a process that used the seal worker exits by itself once its sockets are closed', async () => {
  const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const timer = setTimeout(() => child.kill(), 60_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  assert.equal(signal, null, `the child was killed: it did not exit by itself\n${out}`);
  assert.equal(code, 0, out);
  assert.match(out, /slices=([1-9]\d*) ok=true/);
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
