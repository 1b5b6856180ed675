/**
 * Half-open connections against our server (issue 9): an SSLSocket server
 * accepting concurrently (accept, then each connection's handshake and echo
 * in a task of its own) holds N TCP connections that never finish a
 * ClientHello — half send nothing, half send half of a real one — and must
 * stay responsive: real clients (ours, and `openssl s_client` when it is
 * installed) complete a handshake and an echo, timed one after another
 * before and during the load. Reports p50/p99 latencies, what the
 * half-open connections hold, and that they all end when their peers leave.
 */
import * as net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { checkFdLimit, rss } from '../soak/resources.js';

export type Version = '1.3' | '1.2';

export interface HalfOpenOptions {
  /** TCP connections that never complete a ClientHello. */
  readonly halfOpen: number;
  /** Timed probe connections per client kind, before and during the load. */
  readonly probes: number;
  readonly version?: Version;
  /** Also probe with `openssl s_client` (default: when openssl is installed). */
  readonly openssl?: boolean;
  readonly log?: (line: string) => void;
}

export interface Latencies {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: readonly string[];
}

export interface HalfOpenReport {
  readonly halfOpen: number;
  readonly version: Version;
  readonly fdLimit: number | null;
  /** Connections the server had accepted when the load was in place. */
  readonly accepted: number;
  /** Bytes the half-open connections sent, and what the server held for them (its buffered, unfinished records). */
  readonly bytesSent: number;
  readonly bytesHeld: number;
  readonly chunksHeld: number;
  readonly idle: { readonly ours: Latencies; readonly openssl: Latencies | null };
  readonly loaded: { readonly ours: Latencies; readonly openssl: Latencies | null };
  readonly rssIdle: number;
  readonly rssLoaded: number;
  /** Half-open connections whose server task ended once their peers left (EOF), of `halfOpen`. */
  readonly endedAfterPeersLeft: number;
  /** Server tasks that ended in an error other than the half-open peers' EOF. */
  readonly serverErrors: readonly string[];
}

const PAYLOAD = Buffer.from('half-open probe: a handshake and this echo\n');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarize(times: number[], errors: string[]): Latencies {
  const sorted = [...times].sort((a, b) => a - b);
  return { n: times.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, errors };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `ready()` or throws after `ms`. */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`half-open: timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Server {
  readonly port: number;
  readonly tasks: Set<ssl.SSLSocket>;
  accepted: number;
  readonly errors: string[];
  close(): Promise<void>;
}

/** Our server: accepts in a loop; each connection handshakes and echoes in its own task. */
async function startServer(ctx: ssl.SSLContext): Promise<Server> {
  const listener = await socket.createServer(['127.0.0.1', 0], { backlog: 4096 });
  const ls = await ctx.wrapSocket(listener, { serverSide: true, doHandshakeOnConnect: false });
  const server: Server = {
    port: (ls.getsockname() as [string, number])[1],
    tasks: new Set(),
    accepted: 0,
    errors: [],
    close: async () => {},
  };
  const serve = async (conn: ssl.SSLSocket): Promise<void> => {
    try {
      await conn.doHandshake();
      for (;;) {
        const data = await conn.recv(65536);
        if (data.length === 0) break;
        await conn.sendall(data);
      }
    } catch (e) {
      // A peer that leaves before its handshake is over is an EOF (or a reset): expected of the half-open ones.
      if (!(e instanceof ssl.SSLEOFError || e instanceof ssl.ConnectionResetError || e instanceof ssl.SSLZeroReturnError)) {
        server.errors.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
    } finally {
      conn.close();
      server.tasks.delete(conn);
    }
  };
  let open = true;
  const loop = (async () => {
    while (open) {
      let conn: ssl.SSLSocket;
      try {
        [conn] = (await ls.accept()) as [ssl.SSLSocket, unknown];
      } catch (e) {
        if (open) server.errors.push(`accept: ${(e as Error).message}`);
        return;
      }
      server.accepted++;
      server.tasks.add(conn);
      void serve(conn);
    }
  })();
  server.close = async () => {
    open = false;
    ls.close();
    await loop;
  };
  return server;
}

/** One timed probe with our client: connect, handshake, echo, close. */
async function probeOurs(ctx: ssl.SSLContext, port: number): Promise<number> {
  const started = performance.now();
  const raw = await socket.createConnection(['127.0.0.1', port], 30);
  try {
    const s = await ctx.wrapSocket(raw, { serverHostname: 'localhost' });
    try {
      await s.sendall(PAYLOAD);
      let got = 0;
      while (got < PAYLOAD.length) {
        const d = await s.recv(PAYLOAD.length - got);
        if (d.length === 0) throw new Error('EOF before the echo');
        got += d.length;
      }
      return performance.now() - started;
    } finally {
      s.close();
    }
  } finally {
    raw.close();
  }
}

/** One timed probe with `openssl s_client` (its process start included): handshake, echo of one line. */
function probeOpenssl(caFile: string, port: number, version: Version): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-quiet', version === '1.3' ? '-tls1_3' : '-tls1_2'];
    const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error('openssl s_client: no echo within 30 s')), 30_000);
    const finish = (e: Error | null): void => {
      clearTimeout(timer);
      proc.kill();
      if (e === null) resolve(performance.now() - started);
      else reject(new Error(`${e.message}${err ? `: ${err.trim().split('\n').pop()}` : ''}`));
    };
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes(PAYLOAD.toString())) finish(null);
    });
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.on('error', (e) => finish(e));
    proc.on('exit', (code) => {
      if (!out.includes(PAYLOAD.toString())) finish(new Error(`openssl s_client exited (${code}) before the echo`));
    });
    proc.stdin.on('error', () => {});
    proc.stdin.write(PAYLOAD);
  });
}

async function probeRound(n: number, probe: () => Promise<number>): Promise<Latencies> {
  const times: number[] = [];
  const errors: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      times.push(await probe());
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return summarize(times, errors);
}

/** A real ClientHello for `version`, from a sans-IO client. */
function clientHello(ctx: ssl.SSLContext): Buffer {
  const out = new ssl.MemoryBIO();
  const obj = ctx.wrapBio(new ssl.MemoryBIO(), out, { serverHostname: 'localhost' });
  try {
    obj.doHandshake();
  } catch (e) {
    if (!(e instanceof ssl.SSLWantReadError)) throw e;
  }
  return out.read();
}

/** Opens `n` raw TCP connections, a batch at a time; the odd ones send `half`. */
async function openHalfOpen(port: number, n: number, half: Buffer): Promise<{ sockets: net.Socket[]; bytesSent: number }> {
  const sockets: net.Socket[] = [];
  let bytesSent = 0;
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, (_, k) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      sockets.push(s);
      return new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.once('connect', () => {
          if ((i + k) % 2 === 1) {
            s.write(half);
            bytesSent += half.length;
          }
          resolve();
        });
      });
    });
    await Promise.all(batch);
  }
  return { sockets, bytesSent };
}

export function haveOpenssl(): boolean {
  const r = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export async function runHalfOpen(o: HalfOpenOptions): Promise<HalfOpenReport> {
  const version = o.version ?? '1.3';
  const log = o.log ?? (() => {});
  const useOpenssl = o.openssl ?? haveOpenssl();
  // The half-open clients live in this process too: two descriptors per connection, plus the probes.
  const fdLimit = checkFdLimit(2 * o.halfOpen + 16);
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-halfopen-'));
  const ca = CA.create();
  const caFile = ca.writeFiles(dir, 'ca').certFile;
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ca.issueCert('localhost', '127.0.0.1').configureCert(sctx);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  const tls = version === '1.3' ? ssl.TLSVersion.TLSv1_3 : ssl.TLSVersion.TLSv1_2;
  sctx.maximumVersion = tls;
  cctx.maximumVersion = tls;
  const server = await startServer(sctx);
  let half: net.Socket[] = [];
  try {
    // Warm up (JIT, first-use costs), then the idle figures.
    await probeRound(Math.min(5, o.probes), () => probeOurs(cctx, server.port));
    log(`idle: probing ${o.probes}× with our client${useOpenssl ? ' and openssl s_client' : ''}`);
    const idleOurs = await probeRound(o.probes, () => probeOurs(cctx, server.port));
    const idleOpenssl = useOpenssl ? await probeRound(o.probes, () => probeOpenssl(caFile, server.port, version)) : null;
    const rssIdle = rss();

    log(`opening ${o.halfOpen} half-open connections`);
    const before = server.accepted;
    const hello = clientHello(cctx);
    const opened = await openHalfOpen(server.port, o.halfOpen, hello.subarray(0, hello.length >> 1));
    half = opened.sockets;
    await until(() => server.accepted - before >= o.halfOpen, 60_000, `the server to accept ${o.halfOpen} connections`);
    // Let the half ClientHellos arrive and be taken in.
    await sleep(200);
    let bytesHeld = 0;
    let chunksHeld = 0;
    for (const t of server.tasks) {
      const b = t._sslobj?._inboundBuffered;
      bytesHeld += b?.bytes ?? 0;
      chunksHeld += b?.chunks ?? 0;
    }
    const accepted = server.accepted - before;

    log(`loaded: probing ${o.probes}× again with ${server.tasks.size} half-open connections held`);
    const loadedOurs = await probeRound(o.probes, () => probeOurs(cctx, server.port));
    const loadedOpenssl = useOpenssl ? await probeRound(o.probes, () => probeOpenssl(caFile, server.port, version)) : null;
    const rssLoaded = rss();

    // The probes' tasks are over once only the half-open ones are left; then those peers
    // leave, and every one of their server tasks must end.
    await until(() => server.tasks.size <= accepted, 30_000, 'the probe connections to end').catch(() => {});
    const halfTasks = [...server.tasks];
    for (const s of half) s.destroy();
    const endedCount = (): number => halfTasks.filter((t) => !server.tasks.has(t)).length;
    await until(() => endedCount() === halfTasks.length, 60_000, 'the half-open connections to end').catch(() => {});
    return {
      halfOpen: o.halfOpen,
      version,
      fdLimit,
      accepted,
      bytesSent: opened.bytesSent,
      bytesHeld,
      chunksHeld,
      idle: { ours: idleOurs, openssl: idleOpenssl },
      loaded: { ours: loadedOurs, openssl: loadedOpenssl },
      rssIdle,
      rssLoaded,
      endedAfterPeersLeft: endedCount(),
      serverErrors: [...server.errors],
    };
  } finally {
    for (const s of half) s.destroy();
    for (const t of server.tasks) t.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every probe answered, every half-open connection accepted and ended, nothing held beyond what was sent. */
export function problems(r: HalfOpenReport): string[] {
  const out: string[] = [];
  for (const [when, l] of [
    ['idle, our client', r.idle.ours],
    ['idle, openssl s_client', r.idle.openssl],
    ['loaded, our client', r.loaded.ours],
    ['loaded, openssl s_client', r.loaded.openssl],
  ] as const) {
    if (l !== null && l.errors.length > 0) out.push(`${when}: ${l.errors.length} probe(s) failed: ${l.errors[0]}`);
  }
  if (r.accepted < r.halfOpen) out.push(`the server accepted ${r.accepted} of ${r.halfOpen} half-open connections`);
  if (r.bytesHeld > r.bytesSent) out.push(`the server holds ${r.bytesHeld} bytes for half-open peers that sent ${r.bytesSent}`);
  if (r.endedAfterPeersLeft < r.halfOpen) out.push(`${r.halfOpen - r.endedAfterPeersLeft} half-open connection(s) did not end when their peers left`);
  for (const e of r.serverErrors) out.push(`server: ${e}`);
  return out;
}

const MIB = 1024 * 1024;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function latencyLine(label: string, l: Latencies | null): string {
  if (l === null) return `  ${label.padEnd(40)} (openssl not installed)`;
  return `  ${label.padEnd(40)} p50 ${ms(l.p50).padStart(9)}  p99 ${ms(l.p99).padStart(9)}  max ${ms(l.max).padStart(9)}  (${l.n} ok, ${l.errors.length} failed)`;
}

export function formatReport(r: HalfOpenReport): string {
  return [
    `half-open: ${r.halfOpen} TCP connections without a whole ClientHello (half silent, half with half of one) against our SSLSocket server, TLS ${r.version}, fd limit ${r.fdLimit ?? 'unknown'}`,
    `  accepted and held: ${r.accepted}; they sent ${r.bytesSent} bytes, the server holds ${r.bytesHeld} bytes in ${r.chunksHeld} chunks`,
    `  handshake + echo latency, one probe at a time:`,
    latencyLine('idle, our client', r.idle.ours),
    latencyLine(`with ${r.halfOpen} half-open, our client`, r.loaded.ours),
    latencyLine('idle, openssl s_client (+ spawn)', r.idle.openssl),
    latencyLine(`with ${r.halfOpen} half-open, openssl s_client`, r.loaded.openssl),
    `  RSS: ${(r.rssIdle / MIB).toFixed(1)} MiB idle, ${(r.rssLoaded / MIB).toFixed(1)} MiB with the half-open connections`,
    `  after their peers left: ${r.endedAfterPeersLeft} of ${r.halfOpen} half-open connections ended (EOF); server errors: ${r.serverErrors.length}`,
  ].join('\n');
}
