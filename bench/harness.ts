/**
 * The benchmark harness: sections of cases, each case a pair (sslsock, node
 * baseline) measured side by side in one process. Sections register in
 * `bench/main.ts`; a section only describes its cases, the harness times them.
 *
 * Timing: each side is warmed up, then the two sides alternate in short
 * rounds until each has run for the case's duration. Alternating (rather
 * than "all of ours, then all of theirs") keeps thermal/JIT/GC drift from
 * favouring whichever side ran second.
 */

/** One side of a case: a function doing `opsPerCall` operations (or processing `bytesPerCall` bytes). */
export type BenchFn = () => void | Promise<void>;

export interface BenchCase {
  /** Row label, e.g. "RSA-2048 chain: parse + verify + hostname". */
  readonly name: string;
  readonly ours: BenchFn;
  readonly baseline: BenchFn;
  /** Label for the baseline column, e.g. "node:crypto X509Certificate". */
  readonly baselineName: string;
  /** What one call does, for the unit: operations (default 1) … */
  readonly opsPerCall?: number;
  /** … or bytes, in which case the row reports MB/s instead of ops/s. */
  readonly bytesPerCall?: number;
  /** Optional teardown (close sockets, servers). */
  readonly dispose?: () => void | Promise<void>;
}

export interface BenchSection {
  /** Short id used on the command line: `npm run bench -- x509`. */
  readonly id: string;
  readonly title: string;
  /** Builds the cases (keys, certificates, servers). Not timed. */
  setup(): BenchCase[] | Promise<BenchCase[]>;
}

export interface TimingOptions {
  /** Warm-up per side before measuring. */
  readonly warmupMs: number;
  /** Measured time per side. */
  readonly durationMs: number;
  /** Length of one alternating round. */
  readonly roundMs: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmupMs: 300, durationMs: 2000, roundMs: 250 };

export interface SideResult {
  readonly calls: number;
  readonly seconds: number;
  /** Operations per second, or MB/s (10^6 bytes) for byte cases. */
  readonly rate: number;
}

export interface CaseResult {
  readonly section: string;
  readonly name: string;
  readonly baselineName: string;
  readonly unit: 'ops/s' | 'MB/s';
  readonly ours: SideResult;
  readonly baseline: SideResult;
  /** ours.rate / baseline.rate: above 1 means sslsock is faster. */
  readonly ratio: number;
}

const NS_PER_MS = 1_000_000n;
const MS_PER_S = 1000;
const BYTES_PER_MB = 1_000_000;

/** Runs `fn` repeatedly for at least `ms`; returns calls made and nanoseconds spent. */
async function runFor(fn: BenchFn, ms: number): Promise<{ calls: number; ns: bigint }> {
  const budget = BigInt(ms) * NS_PER_MS;
  const start = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0n;
  // Check the clock in batches that grow while calls are cheap, so timer reads
  // do not dominate sub-microsecond operations.
  let batch = 1;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (r !== undefined) await r;
    }
    calls += batch;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed * 10n < budget) batch *= 2;
  }
  return { calls, ns: elapsed };
}

function sideResult(calls: number, ns: bigint, c: BenchCase): SideResult {
  const seconds = Number(ns) / (Number(NS_PER_MS) * MS_PER_S);
  const perCall = c.bytesPerCall !== undefined ? c.bytesPerCall / BYTES_PER_MB : (c.opsPerCall ?? 1);
  return { calls, seconds, rate: (calls * perCall) / seconds };
}

export async function measureCase(section: string, c: BenchCase, t: TimingOptions): Promise<CaseResult> {
  await runFor(c.ours, t.warmupMs);
  await runFor(c.baseline, t.warmupMs);
  let oursCalls = 0;
  let oursNs = 0n;
  let baseCalls = 0;
  let baseNs = 0n;
  const rounds = Math.max(1, Math.ceil(t.durationMs / t.roundMs));
  for (let i = 0; i < rounds; i++) {
    const a = await runFor(c.ours, t.roundMs);
    oursCalls += a.calls;
    oursNs += a.ns;
    const b = await runFor(c.baseline, t.roundMs);
    baseCalls += b.calls;
    baseNs += b.ns;
  }
  const ours = sideResult(oursCalls, oursNs, c);
  const baseline = sideResult(baseCalls, baseNs, c);
  return {
    section,
    name: c.name,
    baselineName: c.baselineName,
    unit: c.bytesPerCall !== undefined ? 'MB/s' : 'ops/s',
    ours,
    baseline,
    ratio: ours.rate / baseline.rate,
  };
}

function formatRate(rate: number): string {
  if (rate >= 100) return Math.round(rate).toLocaleString('en-US');
  return rate.toPrecision(3);
}

/** A plain-text table: one row per case, grouped under section titles. */
export function formatTable(sections: ReadonlyArray<{ title: string; results: readonly CaseResult[] }>): string {
  const header = ['case', 'sslsock', 'baseline', 'unit', 'ratio', 'baseline is'];
  const lines: string[][] = [];
  const titles = new Map<number, string>();
  for (const s of sections) {
    titles.set(lines.length, s.title);
    for (const r of s.results) {
      lines.push([r.name, formatRate(r.ours.rate), formatRate(r.baseline.rate), r.unit, `${r.ratio.toFixed(2)}x`, r.baselineName]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const rightAligned = new Set([1, 2, 4]);
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  lines.forEach((l, i) => {
    const title = titles.get(i);
    if (title !== undefined) out.push(`[${title}]`);
    out.push(fmt(l));
  });
  return out.join('\n');
}
