/**
 * Section "memory": RSS per idle established connection, both ends in one
 * process (TLS 1.3 AES-256-GCM, X25519, ECDSA P-256; one byte echoed each
 * way, then idle). Each sample is a fresh process (./memory-child.ts), so
 * what one side freed cannot hide what the other allocates; sides
 * alternate. sslsock `SSLSocket` pairs vs node:tls TLSSocket pairs, with a
 * plain node:net pair as the floor. `--conns=N` sets N (default 500); the
 * V8 heap and ArrayBuffer parts of our figure are printed beside it.
 * For scale (`npm run bench -- memory --conns=9700`, or one side alone:
 * `node --expose-gc build/bench/memory-child.js ours 9700`): both ends take
 * a file descriptor and 200 warm-up connections are held first, so N is
 * bounded by half of `ulimit -n` minus 200.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchSection, SampleCase, SectionOptions } from './harness.js';
import type { MemoryPerConnection } from './memory-child.js';

const CHILD = fileURLToPath(new URL('./memory-child.js', import.meta.url));
const REPEATS = 2;
const MAX_BUFFER = 1 << 20;

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
    const conns = options.conns;
    const details: MemoryPerConnection[] = [];
    const ours = async (): Promise<number> => {
      const r = await measureInChild('ours', conns);
      details.push(r);
      return r.rssKB;
    };
    const avg = (f: (r: MemoryPerConnection) => number): string => (details.reduce((a, r) => a + f(r), 0) / Math.max(1, details.length)).toFixed(1);
    return [
      {
        kind: 'sample',
        get name(): string {
          return details.length === 0
            ? `RSS per idle connection, ${conns} conns`
            : `RSS per idle connection, ${conns} conns (ours: V8 heap ${avg((r) => r.heapKB)} KB, ArrayBuffers ${avg((r) => r.arrayBuffersKB)} KB, total RSS ${avg((r) => r.totalRssMB)} MB)`;
        },
        unit: 'KB/conn',
        ours,
        baseline: async () => (await measureInChild('tls', conns)).rssKB,
        baselineName: 'node:tls TLSSocket pair',
        references: [{ name: 'node:net pair (floor)', fn: async () => (await measureInChild('net', conns)).rssKB }],
        repeats: REPEATS,
        lowerIsBetter: true,
        goal: '≤ 0.5x',
      },
    ];
  },
};
