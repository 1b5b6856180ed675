/**
 * The benchmark harness: sections of cases, each case sslsock against a
 * node baseline measured side by side in one process. Sections register in
 * `bench/main.ts`; a section only describes its cases, the harness times them.
 *
 * Two kinds of case:
 * - a rate case (`BenchCase`): functions called repeatedly. Each side is
 *   warmed up, then the sides alternate in short rounds until each has run
 *   for the case's duration. Alternating (rather than "all of ours, then all
 *   of theirs") keeps thermal/JIT/GC drift and other processes' load from
 *   favouring one side. Reported: the rate over all rounds, the ratio, the
 *   spread of the per-round ratios (min–max), and the rate per CPU-second
 *   (process.cpuUsage, all threads of this process) — on a shared machine
 *   CPU time per unit of work is steadier than the wall clock.
 * - a sample case (`SampleCase`): each side returns one measured value per
 *   call (e.g. KB of RSS per connection); sides alternate `repeats` times.
 *
 * Both may name `references`: further sides measured in the same rounds
 * (e.g. the raw crypto ceiling beside node:tls), reported as extra ratios.
 *
 * Adding a row: return one more `BenchCase` (or `SampleCase`) from a
 * section's `setup()`; nothing else to register.
 */

/** One side of a rate case: a function doing `opsPerCall` operations (or processing `bytesPerCall` bytes). */
export type BenchFn = () => void | Promise<void>;

/** A further side measured in the same alternating rounds as ours and the baseline. */
export interface Reference<F> {
  readonly name: string;
  readonly fn: F;
}

export interface BenchCase {
  readonly kind?: 'rate';
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
  /** Further sides (same unit), e.g. the crypto ceiling beside node:tls. */
  readonly references?: readonly Reference<BenchFn>[];
  /** The target, printed beside the ratio, e.g. "≥ 0.95x". */
  readonly goal?: string;
  /**
   * Warm-up per side for this case, when longer than the run's (`--warmup`):
   * for code that V8 keeps compiling for seconds (JIT_WARMUP_MS). Both sides
   * get the same; the row also reports the ratio measured during it.
   */
  readonly warmupMs?: number;
  /** Optional teardown (close sockets, servers). */
  readonly dispose?: () => void | Promise<void>;
}

/**
 * Warm-up for the handshake rows. A handshake runs some 500 of our
 * functions, and V8 optimizes them over seconds, not milliseconds: with
 * `--trace-opt` one-at-a-time socket handshakes still complete 280, 176,
 * 144, 84 … 24 TurboFan compilations in seconds 1, 2, 3, 4 … 10, and those
 * compilations (on V8's worker threads) cost us about 0.7–0.9 ms of CPU per
 * handshake in the first seconds against 0.06–0.12 ms after 12 s. node:tls
 * runs its handshake in C++ and barely warms up. After the default 300 ms
 * the rows measured neither cold nor steady state; they now measure after
 * this warm-up and show the warm-up's own ratio beside it (closer to a
 * cold start).
 */
export const JIT_WARMUP_MS = 3000;

/** One measurement per call; lower is better when `lowerIsBetter` (memory). */
export type SampleFn = () => Promise<number>;

export interface SampleCase {
  readonly kind: 'sample';
  readonly name: string;
  readonly unit: string;
  readonly ours: SampleFn;
  readonly baseline: SampleFn;
  readonly baselineName: string;
  readonly references?: readonly Reference<SampleFn>[];
  /** How many alternating samples per side (default 3). */
  readonly repeats?: number;
  readonly lowerIsBetter?: boolean;
  readonly goal?: string;
  readonly dispose?: () => void | Promise<void>;
}

export type AnyCase = BenchCase | SampleCase;

/** Command-line settings a section may read (`--conns=N`). */
export interface SectionOptions {
  /** Idle connections held (`--conns=N`); each section that holds connections has its own default. */
  readonly conns?: number;
}

export interface BenchSection {
  /** Short id used on the command line: `npm run bench -- x509`. */
  readonly id: string;
  readonly title: string;
  /** Runs only when named on the command line (too long for the default run's 3 minutes). */
  readonly optIn?: boolean;
  /** Builds the cases (keys, certificates, servers). Not timed. */
  setup(options: SectionOptions): AnyCase[] | Promise<AnyCase[]>;
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
  readonly name: string;
  /** Operations per second, or MB/s (10^6 bytes) for byte cases; the mean value for sample cases. */
  readonly rate: number;
  /** Rate cases: calls made and wall seconds spent over all rounds. */
  readonly calls?: number;
  readonly seconds?: number;
  /** Rate cases: CPU seconds (user + system, whole process) spent over all rounds … */
  readonly cpuSeconds?: number;
  /** … and the rate per CPU-second (ops or MB per CPU-second). */
  readonly perCpuSecond?: number;
  /** The per-round (or per-sample) values. */
  readonly samples: readonly number[];
}

export interface RatioResult {
  /** ours / side (for lower-is-better samples: ours / side too, so below 1 is better). */
  readonly ratio: number;
  /** Min and max of the per-round ratios. */
  readonly spread: readonly [number, number];
  /** Rate cases: ours per CPU-second / side per CPU-second. */
  readonly cpuRatio?: number;
}

export interface CaseResult {
  readonly section: string;
  readonly name: string;
  readonly baselineName: string;
  readonly unit: string;
  readonly lowerIsBetter: boolean;
  readonly goal: string | null;
  readonly ours: SideResult;
  readonly baseline: SideResult;
  /** ours.rate / baseline.rate: above 1 means sslsock is faster (below 1 is better when lowerIsBetter). */
  readonly ratio: number;
  readonly spread: readonly [number, number];
  readonly cpuRatio: number | null;
  readonly references: readonly (SideResult & RatioResult)[];
  /** For a case with its own warm-up: ours vs the baseline during that warm-up (one stretch per side, not alternated). */
  readonly warmup: { readonly ms: number; readonly ratio: number; readonly cpuRatio: number } | null;
}

const NS_PER_S = 1e9;
const NS_PER_MS = 1_000_000n;
const US_PER_S = 1e6;
const BYTES_PER_MB = 1_000_000;
const DEFAULT_REPEATS = 3;

/** Runs `fn` repeatedly for at least `ms`; returns calls made, wall nanoseconds and CPU microseconds spent. */
async function runFor(fn: BenchFn, ms: number): Promise<{ calls: number; ns: number; cpuUs: number }> {
  const budget = BigInt(ms) * NS_PER_MS;
  const cpu0 = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpu0);
  return { calls, ns: Number(elapsed), cpuUs: cpu.user + cpu.system };
}

interface Tally {
  calls: number;
  ns: number;
  cpuUs: number;
  rates: number[];
}

function perCallUnits(c: BenchCase): number {
  return c.bytesPerCall !== undefined ? c.bytesPerCall / BYTES_PER_MB : (c.opsPerCall ?? 1);
}

function sideOf(name: string, t: Tally, units: number): SideResult {
  const seconds = t.ns / NS_PER_S;
  const cpuSeconds = t.cpuUs / US_PER_S;
  return {
    name,
    calls: t.calls,
    seconds,
    cpuSeconds,
    rate: (t.calls * units) / seconds,
    perCpuSecond: cpuSeconds > 0 ? (t.calls * units) / cpuSeconds : Number.NaN,
    samples: t.rates,
  };
}

function ratioOf(ours: SideResult, other: SideResult): RatioResult {
  const rounds = ours.samples.map((v, i) => v / other.samples[i]!);
  const cpuRatio = ours.perCpuSecond !== undefined && other.perCpuSecond !== undefined ? ours.perCpuSecond / other.perCpuSecond : undefined;
  return { ratio: ours.rate / other.rate, spread: [Math.min(...rounds), Math.max(...rounds)], ...(cpuRatio !== undefined ? { cpuRatio } : {}) };
}

async function measureRate(section: string, c: BenchCase, t: TimingOptions): Promise<CaseResult> {
  const sides: { name: string; fn: BenchFn }[] = [{ name: 'sslsock', fn: c.ours }, { name: c.baselineName, fn: c.baseline }, ...(c.references ?? [])];
  const warmupMs = Math.max(t.warmupMs, c.warmupMs ?? 0);
  const warm: { calls: number; ns: number; cpuUs: number }[] = [];
  for (const s of sides) warm.push(await runFor(s.fn, warmupMs));
  const tallies: Tally[] = sides.map(() => ({ calls: 0, ns: 0, cpuUs: 0, rates: [] }));
  const units = perCallUnits(c);
  const rounds = Math.max(1, Math.ceil(t.durationMs / t.roundMs));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < sides.length; k++) {
      const r = await runFor(sides[k]!.fn, t.roundMs);
      const tally = tallies[k]!;
      tally.calls += r.calls;
      tally.ns += r.ns;
      tally.cpuUs += r.cpuUs;
      tally.rates.push((r.calls * units) / (r.ns / NS_PER_S));
    }
  }
  const results = sides.map((s, k) => sideOf(s.name, tallies[k]!, units));
  const result = assemble(section, c, c.bytesPerCall !== undefined ? 'MB/s' : 'ops/s', false, results);
  if (c.warmupMs === undefined) return result;
  const [wo, wb] = [warm[0]!, warm[1]!];
  const ratio = wo.calls / wo.ns / (wb.calls / wb.ns);
  const cpuRatio = wo.calls / wo.cpuUs / (wb.calls / wb.cpuUs);
  return { ...result, warmup: { ms: warmupMs, ratio, cpuRatio } };
}

async function measureSample(section: string, c: SampleCase): Promise<CaseResult> {
  const sides: { name: string; fn: SampleFn }[] = [{ name: 'sslsock', fn: c.ours }, { name: c.baselineName, fn: c.baseline }, ...(c.references ?? [])];
  const values: number[][] = sides.map(() => []);
  for (let i = 0; i < (c.repeats ?? DEFAULT_REPEATS); i++) {
    for (let k = 0; k < sides.length; k++) values[k]!.push(await sides[k]!.fn());
  }
  const results = sides.map((s, k): SideResult => ({ name: s.name, rate: mean(values[k]!), samples: values[k]! }));
  return assemble(section, c, c.unit, c.lowerIsBetter ?? false, results);
}

function assemble(section: string, c: AnyCase, unit: string, lowerIsBetter: boolean, sides: SideResult[]): CaseResult {
  const [ours, baseline, ...refs] = sides as [SideResult, SideResult, ...SideResult[]];
  const main = ratioOf(ours, baseline);
  return {
    section,
    name: c.name,
    baselineName: c.baselineName,
    unit,
    lowerIsBetter,
    goal: c.goal ?? null,
    ours,
    baseline,
    ratio: main.ratio,
    spread: main.spread,
    cpuRatio: main.cpuRatio ?? null,
    references: refs.map((r) => ({ ...r, ...ratioOf(ours, r) })),
    warmup: null,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export async function measureCase(section: string, c: AnyCase, t: TimingOptions): Promise<CaseResult> {
  return c.kind === 'sample' ? measureSample(section, c) : measureRate(section, c, t);
}

function formatRate(rate: number): string {
  if (rate >= 100) return Math.round(rate).toLocaleString('en-US');
  return rate.toPrecision(3);
}

function formatRatio(r: { ratio: number; spread: readonly [number, number] }): string {
  return `${r.ratio.toFixed(2)}x (${r.spread[0].toFixed(2)}–${r.spread[1].toFixed(2)})`;
}

/**
 * A plain-text table: one row per case, grouped under section titles. A
 * row shows ours, the baseline, the ratio with the spread of the per-round
 * ratios, the ratio per CPU-second, and each reference with its ratio.
 */
export function formatTable(sections: ReadonlyArray<{ title: string; results: readonly CaseResult[] }>): string {
  const header = ['case', 'sslsock', 'baseline', 'unit', 'ratio (spread)', 'per CPU-s', 'goal', 'baseline is; references'];
  const lines: string[][] = [];
  const titles = new Map<number, string>();
  for (const s of sections) {
    titles.set(lines.length, s.title);
    for (const r of s.results) {
      const refs = r.references.map((x) => `${x.name} ${formatRate(x.rate)} → ${formatRatio(x)}${x.cpuRatio !== undefined ? `, ${x.cpuRatio.toFixed(2)}x per CPU-s` : ''}`);
      lines.push([
        r.name,
        formatRate(r.ours.rate),
        formatRate(r.baseline.rate),
        r.unit,
        formatRatio(r),
        r.cpuRatio === null ? '' : `${r.cpuRatio.toFixed(2)}x`,
        r.goal ?? '',
        [r.baselineName, ...refs, ...(r.warmup === null ? [] : [`after ${r.warmup.ms / 1000} s warm-up per side; during it ${r.warmup.ratio.toFixed(2)}x, ${r.warmup.cpuRatio.toFixed(2)}x per CPU-s`])].join('; '),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const rightAligned = new Set([1, 2, 4, 5]);
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
