/**
 * `npm run bench [-- <section id>…] [--all] [--case=text] [--duration=ms] [--warmup=ms] [--conns=N] [--json]`
 * (`--case=text`: only the rows whose name contains `text`; `--all`: the
 * opt-in sections too, e.g. `scale`, which otherwise run only when named)
 *
 * Prints one table: each row is sslsock vs a node baseline measured side by
 * side in this run, with the ratio (above 1 = sslsock faster; for memory,
 * below 1 is better), the spread of the per-round ratios, the ratio per
 * CPU-second and any references (e.g. the crypto ceiling). `--json` prints
 * the same results as JSON (one object per row, see `CaseResult`). To add a
 * row, return one more case from a section's `setup()`; to add a section,
 * write `bench/<name>.ts` exporting a `BenchSection` and add it to SECTIONS.
 */
import { DEFAULT_TIMING, JIT_WARMUP_MS, formatTable, measureCase, type BenchSection, type CaseResult, type SectionOptions, type TimingOptions } from './harness.js';
import { cryptoSection } from './crypto.js';
import { memorySection } from './memory.js';
import { scaleSection } from './scale.js';
import { tlsHandshakeSection } from './tls-handshake.js';
import { tlsBulkSection } from './tls-bulk.js';
import { tlsRecordSection } from './tls-record.js';
import { tlsSocketSection } from './tls-socket.js';
import { tlsResumeSection } from './tls-resume.js';
import { tls12Section } from './tls12.js';
import { x509Section } from './x509.js';

/** Every section, in the order they run (opt-in ones only when named). */
const SECTIONS: readonly BenchSection[] = [
  x509Section,
  cryptoSection,
  tlsRecordSection,
  tlsBulkSection,
  tlsSocketSection,
  tlsHandshakeSection,
  tlsResumeSection,
  tls12Section,
  memorySection,
  scaleSection,
];

/** A command-line mistake: reported as one line, exit status 2. */
class UsageError extends Error {}
const EXIT_USAGE = 2;

interface Args {
  readonly ids: string[];
  readonly timing: TimingOptions;
  readonly json: boolean;
  readonly options: SectionOptions;
  /** The opt-in sections too (`--all`). */
  readonly all: boolean;
  /** Only rows whose name contains this (`--case=text`). */
  readonly only: string | null;
}


function parseArgs(argv: readonly string[]): Args {
  const ids: string[] = [];
  let timing: TimingOptions = DEFAULT_TIMING;
  let json = false;
  let all = false;
  let conns: number | undefined;
  let only: string | null = null;
  for (const a of argv) {
    const m = /^--(duration|warmup|conns)=(\d+)$/.exec(a);
    if (m !== null && m[1] === 'conns') {
      conns = Number(m[2]);
    } else if (m !== null) {
      const ms = Number(m[2]);
      timing = m[1] === 'duration' ? { ...timing, durationMs: ms } : { ...timing, warmupMs: ms };
    } else if (a.startsWith('--case=')) {
      only = a.slice('--case='.length);
    } else if (a === '--json') {
      json = true;
    } else if (a === '--all') {
      all = true;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a} (known: --all, --case=text, --duration=ms, --warmup=ms, --conns=N, --json)`);
    } else {
      ids.push(a);
    }
  }
  return { ids, timing, json, all, options: { conns }, only };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const known = new Set(SECTIONS.map((s) => s.id));
  const unknown = args.ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`unknown section(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  const chosen = args.ids.length === 0 ? SECTIONS.filter((s) => args.all || s.optIn !== true) : SECTIONS.filter((s) => args.ids.includes(s.id));

  const started = Date.now();
  const results: { title: string; results: CaseResult[] }[] = [];
  for (const section of chosen) {
    const cases = await section.setup(args.options);
    const sectionResults: CaseResult[] = [];
    for (const c of cases) {
      if (args.only !== null && !c.name.includes(args.only)) {
        await c.dispose?.();
        continue;
      }
      if (!args.json) process.stderr.write(`  ${section.id}: ${c.name} …\n`);
      try {
        sectionResults.push(await measureCase(section.id, c, args.timing));
      } finally {
        await c.dispose?.();
      }
    }
    results.push({ title: `${section.id}: ${section.title}`, results: sectionResults });
  }

  const seconds = (Date.now() - started) / 1000;
  if (args.json) {
    process.stdout.write(`${JSON.stringify(results.flatMap((s) => s.results), null, 2)}\n`);
  } else {
    process.stdout.write(
      `sslsock benchmarks — node ${process.version}, ${args.timing.durationMs} ms per side after ${args.timing.warmupMs} ms warm-up (handshake rows: ${JIT_WARMUP_MS / 1000} s, see their last column), sides alternating\n\n`,
    );
    process.stdout.write(`${formatTable(results)}\n\n(${seconds.toFixed(0)} s; spread = min–max of the per-round ratios; per CPU-s = ratio of work per CPU-second of this whole process)\n`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  // A failed section may leave servers listening: exit rather than wait for them forever.
  process.exit(1);
});
