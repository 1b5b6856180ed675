/**
 * Section "scale" (issue 12; run by name only, `npm run bench -- scale`,
 * about 2 minutes): 10,000 idle established connections held in one
 * process, RSS reported. Both ends of 10,000 connections need 20,000 file
 * descriptors, this machine's hard `ulimit -n`, so the server ends live in
 * one process and the client ends in another (./scale-child.ts), each
 * holding all of its 10,000. Per side (sslsock ↔ sslsock, node:tls ↔
 * node:tls, node:net ↔ node:net as the floor), in fresh processes: WARMUP
 * connections opened and held, both processes measured after GC; then N
 * more (`--conns=N`, default 10,000), measured again. The row's figure is
 * RSS per connection, both ends (server process + client process growth
 * over N); its name gives the server process's whole RSS with N + WARMUP
 * connections, each process's share, and the CPU per connection
 * established (handshake + 1-byte echo, both processes), from which the
 * cost of a million connections reads off.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSection, SampleCase, SectionOptions } from './harness.js';
import { CA_FILE, KEY_AND_CHAIN, type Command, type Kind, type Report } from './scale-child.js';
import { certs, type Certs } from './tls-socket.js';

const CHILD = fileURLToPath(new URL('./scale-child.js', import.meta.url));
export const DEFAULT_SCALE_CONNS = 10_000;
/** As memory-child: connections opened and held before the first measurement (V8's heap grows in steps until ~500). */
const WARMUP = 600;
/** A sample that takes longer than this has hung: its processes are killed. */
const SAMPLE_LIMIT_MS = 10 * 60 * 1000;
const KIB = 1024;
const MIB = KIB * KIB;
const MILLION = 1e6;
const MS_PER_HOUR = 3.6e6;

type Memory = Extract<Report, { op: 'memory' }>;

export interface ScaleSample {
  readonly conns: number;
  /** RSS growth per connection: server process, client process, and both. */
  readonly serverKB: number;
  readonly clientKB: number;
  readonly bothKB: number;
  /** Whole RSS of the server process holding conns + WARMUP connections, MB. */
  readonly serverRssMB: number;
  readonly clientRssMB: number;
  /** CPU (both processes) per connection established among the N, ms. */
  readonly cpuMsPerConn: number;
  readonly setupSeconds: number;
}

/** One child, spoken to through its IPC channel: each request waits for the next report. */
class Child {
  private readonly waiting: ((r: Report) => void)[] = [];
  private failure: Error | null = null;

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (r: Report) => {
      if (r.op === 'failed') return this.fail(new Error(`scale child failed: ${r.error}`));
      this.waiting.shift()?.(r);
    });
    proc.on('exit', (code, signal) => this.fail(new Error(`scale child exited (${code ?? signal}) while the parent waited`)));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w({ op: 'failed', error: e.message });
  }

  next(command?: Command): Promise<Report> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const p = new Promise<Report>((resolve, reject) => this.waiting.push((r) => (r.op === 'failed' ? reject(this.failure ?? new Error(r.error)) : resolve(r))));
    if (command !== undefined) this.proc.send(command);
    return p;
  }

  async measure(): Promise<Memory> {
    const r = await this.next({ op: 'measure' });
    if (r.op !== 'memory') throw new Error(`scale: expected memory, got ${r.op}`);
    return r;
  }

  kill(): void {
    this.proc.removeAllListeners('exit');
    this.proc.kill('SIGKILL');
  }
}

function spawnChild(args: string[]): Child {
  return new Child(fork(CHILD, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}

/** One sample of one kind: fresh server and client processes, WARMUP then N connections. */
export async function measureScale(kind: Kind, dir: string, n: number): Promise<ScaleSample> {
  const children: Child[] = [];
  const limit = setTimeout(() => children.forEach((c) => c.kill()), SAMPLE_LIMIT_MS);
  try {
    const server = spawnChild(['server', kind, dir]);
    children.push(server);
    const listening = await server.next();
    if (listening.op !== 'listening') throw new Error(`scale: expected listening, got ${listening.op}`);
    const client = spawnChild(['client', kind, dir, String(listening.port)]);
    children.push(client);
    const open = async (count: number, expect: number): Promise<void> => {
      const r = await client.next({ op: 'open', n: count });
      if (r.op !== 'opened' || r.held !== expect) throw new Error(`scale: client holds ${r.op === 'opened' ? r.held : r.op}, expected ${expect}`);
    };
    await open(WARMUP, WARMUP);
    const [s0, c0] = [await server.measure(), await client.measure()];
    const started = Date.now();
    await open(n, WARMUP + n);
    const setupSeconds = (Date.now() - started) / 1000;
    const [s1, c1] = [await server.measure(), await client.measure()];
    if (s1.held !== WARMUP + n) throw new Error(`scale: server holds ${s1.held}, expected ${WARMUP + n}`);
    const per = (a: Memory, b: Memory): number => (a.usage.rss - b.usage.rss) / n / KIB;
    return {
      conns: n,
      serverKB: per(s1, s0),
      clientKB: per(c1, c0),
      bothKB: per(s1, s0) + per(c1, c0),
      serverRssMB: s1.usage.rss / MIB,
      clientRssMB: c1.usage.rss / MIB,
      // The measurements' own GC passes sit in both figures alike; they are a few ms against seconds of handshakes.
      cpuMsPerConn: (s1.cpuMs - s0.cpuMs + c1.cpuMs - c0.cpuMs) / n,
      setupSeconds,
    };
  } finally {
    clearTimeout(limit);
    for (const c of children) c.kill();
  }
}

/** Writes what the children read into `dir`: the server's key and chain (of `server`), and the client's trust anchor (of `trusted`). */
export function writeScaleCerts(dir: string, server: Certs, trusted: Certs = server): void {
  writeFileSync(join(dir, KEY_AND_CHAIN), server.keyPem + server.chainPem);
  writeFileSync(join(dir, CA_FILE), trusted.ca.root.certPem);
}

/** Fresh certificates in a directory removed when this process exits. */
function writeCerts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-scale-'));
  writeScaleCerts(dir, certs());
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const scaleSection: BenchSection = {
  id: 'scale',
  title: 'idle connections held by one process each end (server ends in one process, client ends in another)',
  optIn: true,
  setup(options: SectionOptions): SampleCase[] {
    const n = options.conns ?? DEFAULT_SCALE_CONNS;
    const dir = writeCerts();
    const got: Record<'ours' | 'tls', ScaleSample[]> = { ours: [], tls: [] };
    const sample = (kind: 'ours' | 'tls') => async (): Promise<number> => {
      const r = await measureScale(kind, dir, n);
      got[kind].push(r);
      return r.bothKB;
    };
    const last = (kind: 'ours' | 'tls'): ScaleSample => got[kind][got[kind].length - 1]!;
    const million = (r: ScaleSample): string =>
      `1M conns ≈ ${((r.bothKB * KIB * MILLION) / 1e9).toFixed(1)} GB RSS, ${((r.cpuMsPerConn * MILLION) / MS_PER_HOUR).toFixed(2)} CPU-h`;
    const describe = (label: string, r: ScaleSample): string =>
      `${label}: server process ${r.serverRssMB.toFixed(0)} MB RSS (${r.serverKB.toFixed(1)} KB/conn), client process ${r.clientRssMB.toFixed(0)} MB (${r.clientKB.toFixed(1)} KB/conn), ${r.cpuMsPerConn.toFixed(2)} ms CPU/conn, ${r.setupSeconds.toFixed(0)} s; ${million(r)}`;
    return [
      {
        kind: 'sample',
        get name(): string {
          const head = `RSS per idle connection, both ends, ${n} conns held per process (+${WARMUP} warm-up)`;
          return got.ours.length === 0 || got.tls.length === 0 ? head : `${head} (${describe('ours', last('ours'))}; ${describe('node:tls', last('tls'))})`;
        },
        unit: 'KB/conn',
        ours: sample('ours'),
        baseline: sample('tls'),
        baselineName: 'node:tls TLSSocket pair',
        references: [{ name: 'node:net pair (floor)', fn: async () => (await measureScale('net', dir, n)).bothKB }],
        repeats: 1,
        lowerIsBetter: true,
        goal: '≤ 0.5x',
      },
    ];
  },
};
