/**
 * Section "memory": RSS per idle established connection, both ends in one
 * process (TLS 1.3 AES-256-GCM, X25519, ECDSA P-256; one byte echoed each
 * way, then idle). Each sample is a fresh process (./memory-child.ts), so
 * what one side freed cannot hide what the other allocates; sides
 * alternate. sslsock `SSLSocket` pairs vs node:tls TLSSocket pairs, with a
 * plain node:net pair as the floor. `--conns=N` sets N (default 500); the
 * V8 heap and ArrayBuffer parts of our figure are printed beside it.
 * Both ends take a file descriptor and 600 warm-up connections are held
 * first, so N is bounded by half of `ulimit -n` minus 600; 10,000
 * connections are the scale section's (./scale.ts: one process per end). The row's name also gives the
 * CPU each side spent per connection established (handshake + 1-byte echo,
 * both ends) and what a million such connections would cost in RSS and CPU.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchSection, SampleCase, SectionOptions } from './harness.js';
import type { MemoryPerConnection } from './memory-child.js';

const CHILD = fileURLToPath(new URL('./memory-child.js', import.meta.url));
const REPEATS = 2;
const DEFAULT_MEMORY_CONNS = 500;
const MAX_BUFFER = 1 << 20;
const MILLION = 1e6;
const MS_PER_HOUR = 3.6e6;

/** Runs one child and returns its figures. */
export function measureInChild(kind: 'ours' | 'tls' | 'net', conns: number): Promise<MemoryPerConnection> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', CHILD, kind, String(conns)], { maxBuffer: MAX_BUFFER }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`memory child ${kind} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as MemoryPerConnection);
    });
  });
}

export const memorySection: BenchSection = {
  id: 'memory',
  title: 'memory per idle established connection (both ends, one process, fresh process per sample)',
  setup(options: SectionOptions): SampleCase[] {
    const conns = options.conns ?? DEFAULT_MEMORY_CONNS;
    const details: Record<'ours' | 'tls', MemoryPerConnection[]> = { ours: [], tls: [] };
    const sample = (kind: 'ours' | 'tls') => async (): Promise<number> => {
      const r = await measureInChild(kind, conns);
      details[kind].push(r);
      return r.rssKB;
    };
    const avg = (kind: 'ours' | 'tls', f: (r: MemoryPerConnection) => number): number => details[kind].reduce((a, r) => a + f(r), 0) / Math.max(1, details[kind].length);
    /** A million connections: RSS in GB (10^6 × KB/conn) and CPU-hours to establish them. */
    const million = (kind: 'ours' | 'tls'): string =>
      `1M conns ≈ ${((avg(kind, (r) => r.rssKB) * 1024 * MILLION) / 1e9).toFixed(1)} GB RSS, ${((avg(kind, (r) => r.cpuMsPerConn) * MILLION) / MS_PER_HOUR).toFixed(2)} CPU-h`;
    return [
      {
        kind: 'sample',
        get name(): string {
          return details.ours.length === 0
            ? `RSS per idle connection, ${conns} conns`
            : `RSS per idle connection, ${conns} conns (ours: V8 heap ${avg('ours', (r) => r.heapKB).toFixed(1)} KB, ArrayBuffers ${avg('ours', (r) => r.arrayBuffersKB).toFixed(1)} KB, total RSS ${avg('ours', (r) => r.totalRssMB).toFixed(1)} MB; CPU per connection ours ${avg('ours', (r) => r.cpuMsPerConn).toFixed(2)} ms, node:tls ${avg('tls', (r) => r.cpuMsPerConn).toFixed(2)} ms; ours ${million('ours')}; node:tls ${million('tls')})`;
        },
        unit: 'KB/conn',
        ours: sample('ours'),
        baseline: sample('tls'),
        baselineName: 'node:tls TLSSocket pair',
        references: [{ name: 'node:net pair (floor)', fn: async () => (await measureInChild('net', conns)).rssKB }],
        repeats: REPEATS,
        lowerIsBetter: true,
        goal: '≤ 0.5x',
      },
    ];
  },
};
