/**
 * One memory measurement in a fresh process (run by ./memory.ts as
 * `node --expose-gc build/bench/memory-child.js <ours|tls|net> <N>`):
 * establishes N connections, both ends in this process, each with one byte
 * echoed each way, then holds them idle and prints, as one JSON line, the
 * growth per connection (both ends) of RSS, V8 heap, external memory and
 * ArrayBuffers, measured after garbage collection against the same process
 * before the N connections (server, contexts and WARMUP connections already
 * made and held, so code, caches and the V8 heap's own growth to a working
 * size are not counted: the figure is the cost of one more connection).
 * WARMUP is 600: our side's V8 heap still grows in steps of ~19 MB up to
 * about 500 held pairs (measured per 100: 170, 32, 23, 167, 74, then 20-30
 * KB/pair from 600 on), which at 200 counted ~35 KB/pair of one-off growth
 * in a 500-connection figure; node:tls is flat from the first 100. Also the
 * CPU spent establishing them (process.cpuUsage, both ends), per connection.
 * TLS: 1.3, TLS_AES_256_GCM_SHA384, X25519, ECDSA P-256, client verifying.
 */
import * as net from 'node:net';
import { pathToFileURL } from 'node:url';
import type * as tls from 'node:tls';
import type * as ssl from '../src/ssl/index.js';
import { certs, nodeConnect, nodeEndpoint, oursConnect, oursEndpoint } from './tls-socket.js';

/** Connections set up at once (handshakes in flight); enough to hide the 40 ms ACK stalls, few enough not to swamp the loop. */
const BATCH = 32;
const KIB = 1024;
const GC_PASSES = 4;
/** Connections opened (and held) before the baseline is taken. */
const WARMUP = 600;
const SETTLE_MS = 50;
const ONE_BYTE = Buffer.from([0x2a]);

export interface MemoryPerConnection {
  readonly conns: number;
  readonly rssKB: number;
  readonly heapKB: number;
  readonly externalKB: number;
  readonly arrayBuffersKB: number;
  /** Whole-process RSS with the N connections open, MB. */
  readonly totalRssMB: number;
  /** Wall seconds to establish them (handshake + echo). */
  readonly setupSeconds: number;
  /** CPU milliseconds (user + system, this process: both ends) per connection established (handshake + echo). */
  readonly cpuMsPerConn: number;
}

export type Opener = () => Promise<unknown>;

async function oursOpener(): Promise<Opener> {
  const e = await oursEndpoint(certs());
  return async () => {
    const [c, s] = await oursConnect(e);
    await echo(
      () => c.sendall(ONE_BYTE),
      () => c.recv(1),
      async () => s.sendall(await s.recv(1)),
    );
    return [c, s] satisfies [ssl.SSLSocket, ssl.SSLSocket];
  };
}

async function tlsOpener(): Promise<Opener> {
  const e = await nodeEndpoint(certs());
  return async () => {
    const [c, s] = await nodeConnect(e);
    s.on('data', (d: Buffer) => s.write(d));
    const back = new Promise<unknown>((resolve) => c.once('data', resolve));
    c.write(ONE_BYTE);
    await back;
    return [c, s] satisfies [tls.TLSSocket, tls.TLSSocket];
  };
}

async function netOpener(): Promise<Opener> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return async () => {
    const c = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
    const back = new Promise<unknown>((resolve) => c.once('data', resolve));
    c.write(ONE_BYTE);
    await back;
    return c;
  };
}

export async function openMany(opener: Opener, n: number, held: unknown[]): Promise<void> {
  for (let opened = 0; opened < n; ) {
    const k = Math.min(BATCH, n - opened);
    held.push(...(await Promise.all(Array.from({ length: k }, opener))));
    opened += k;
  }
}

async function echo(send: () => Promise<void>, receive: () => Promise<Buffer>, serve: () => Promise<void>): Promise<void> {
  const served = serve();
  await send();
  const back = await receive();
  await served;
  if (back.length !== 1) throw new Error('memory: echo lost its byte');
}

export async function settle(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('memory-child needs --expose-gc');
  for (let i = 0; i < GC_PASSES; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
  return process.memoryUsage();
}

export async function measure(kind: string, n: number): Promise<MemoryPerConnection> {
  const opener = kind === 'ours' ? await oursOpener() : kind === 'tls' ? await tlsOpener() : kind === 'net' ? await netOpener() : null;
  if (opener === null) throw new Error(`memory-child: unknown kind ${kind}`);
  const held: unknown[] = [];
  await openMany(opener, WARMUP, held);
  const before = await settle();
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await openMany(opener, n, held);
  const cpu = process.cpuUsage(cpu0);
  const setupSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const after = await settle();
  const per = (a: number, b: number): number => (a - b) / n / KIB;
  if (held.length !== n + WARMUP) throw new Error('memory-child: lost connections');
  return {
    conns: n,
    rssKB: per(after.rss, before.rss),
    heapKB: per(after.heapUsed, before.heapUsed),
    externalKB: per(after.external, before.external),
    arrayBuffersKB: per(after.arrayBuffers, before.arrayBuffers),
    totalRssMB: after.rss / KIB / KIB,
    setupSeconds,
    cpuMsPerConn: (cpu.user + cpu.system) / 1000 / n,
  };
}

const [kind, count] = process.argv.slice(2);
// ./scale-child.ts imports this file for settle() and openMany(): measure only when run as the program.
if (kind !== undefined && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  measure(kind, Number(count ?? 500)).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`memory-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
