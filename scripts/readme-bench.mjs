#!/usr/bin/env node
// Writes README.md's "Benchmarks" section from a real `npm run bench -- --json`
// run, so the figures are never typed by hand:
//
//   npm run build:test && node scripts/readme-bench.mjs --run [bench args…]
//       runs the bench (node build/bench/main.js --json --all …: every
//       section, the opt-in scale section too, about 4 minutes), sampling the
//       machine's load average every 5 s while it runs, then writes
//   bench/readme-results.json   the run: the bench's JSON rows plus when, where
//                               (Node, CPU, cores, memory) and under what load
//   README.md                   the section between <!-- bench:start --> and
//                               <!-- bench:end -->, made from that file alone
//
//   node scripts/readme-bench.mjs --write   rewrites the section from
//       bench/readme-results.json (after a change to the format here).
//
// test/docs/readme-bench.test.ts checks that the README's section is exactly
// what section() makes of bench/readme-results.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';
export const RESULTS_FILE = 'bench/readme-results.json';
const README = 'README.md';
const LOAD_SAMPLE_MS = 5000;
/** A bench that fails can leave its servers open and never exit: give up after this long. */
const BENCH_LIMIT_MS = 15 * 60 * 1000;

function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function table(results) {
  const rows = ['| case | sslsock | baseline | ratio | spread of the ratio | per CPU-second |', '| --- | ---: | --- | ---: | ---: | ---: |'];
  for (const r of results) {
    const unit = r.unit ? ` ${r.unit}` : '';
    const better = r.lowerIsBetter ? ' (lower is better)' : '';
    const spread = `${fmt(r.spread[0])}–${fmt(r.spread[1])}`;
    const perCpu = r.cpuRatio === null || r.cpuRatio === undefined ? '' : `${fmt(r.cpuRatio)}×`;
    // Rows with a long warm-up (handshakes: the JIT) also give the ratio measured during it.
    const warm = r.warmup ? ` (after ${r.warmup.ms / 1000} s warm-up per side; during it ${fmt(r.warmup.ratio)}×, ${fmt(r.warmup.cpuRatio)}× per CPU-s)` : '';
    rows.push(`| ${r.section}: ${r.name}${warm} | ${fmt(r.ours.rate)}${unit} | ${r.baselineName}: ${fmt(r.baseline.rate)}${unit} | ${fmt(r.ratio)}×${better} | ${spread} | ${perCpu} |`);
  }
  return rows.join('\n');
}

/** The commit the bench ran at (`-dirty` with uncommitted changes). */
function commit() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim() !== '';
  return `${head}${dirty ? '-dirty' : ''}`;
}

/** What this machine is, for the record. */
export function machine() {
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? 'unknown CPU',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()}/${arch()}`,
  };
}

/**
 * CPU seconds used by this process's reaped children (cutime + cstime of
 * /proc/self/stat), or null where there is no /proc: the difference across
 * the run is what the bench itself used, which the load average includes.
 */
function childrenCpuSeconds() {
  if (!existsSync('/proc/self/stat')) return null;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17 of the whole line.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[13]) + Number(rest[14]);
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return Number.isFinite(ticks) ? ticks / hz : null;
}

function loadSentence(run) {
  const { load, machine: m } = run;
  if (!load || load.samples.length === 0) return 'The machine load during the run was not recorded.';
  const min = Math.min(...load.samples);
  const max = Math.max(...load.samples);
  const range = min === max ? fmt(min) : `${fmt(min)}–${fmt(max)}`;
  const own = typeof load.benchCores === 'number' ? `; the bench itself kept ${fmt(load.benchCores)} cores busy on average` : '';
  const measured = `1-minute load average ${range} on ${m.cores} cores, sampled every ${load.everySeconds} s${own}`;
  // The load average counts the bench's own threads (both sides, V8's compiler and GC threads, seal workers):
  // only what is left over is other work.
  const mean = load.samples.reduce((a, b) => a + b, 0) / load.samples.length;
  const other = typeof load.benchCores === 'number' ? mean - load.benchCores : max - m.cores;
  if (other > 0.5) {
    return (
      `The machine was busy with other work during the run (${measured}): absolute figures are lower and noisier ` +
      'than on an idle machine; each ratio compares two sides measured alternately in the same run, which load disturbs less.'
    );
  }
  return `Machine load during the run: ${measured}.`;
}

/** The README section for a recorded run (`bench/readme-results.json`); a pure function of `run`. */
export function section(run) {
  const m = run.machine;
  return [
    START,
    `Generated by \`scripts/readme-bench.mjs --run\` from \`npm run bench -- --json\` (the run is kept in \`${RESULTS_FILE}\`) ` +
      `at commit ${run.commit} on ${run.date}, Node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; the bench took ${Math.round(run.seconds)} s. ` +
      loadSentence(run),
    '',
    'Ratios above 1 mean sslsock is faster than the baseline measured beside it in the same run (below 1 where lower is better); ' +
      'the spread is the lowest and highest ratio of the rounds.',
    '',
    table(run.results),
    END,
  ].join('\n');
}

/** The README's section (START … END inclusive), or null when it has none. */
export function readmeSection(readme) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) return null;
  return readme.slice(a, b + END.length);
}

function writeReadme(run) {
  const readme = readFileSync(README, 'utf8');
  const current = readmeSection(readme);
  if (current === null) throw new Error(`${README} has no ${START} … ${END} section`);
  writeFileSync(README, readme.replace(current, () => section(run)));
}

/** Runs the bench with `args`, sampling the load average meanwhile; resolves to the recorded run. */
function runBench(args) {
  const samples = [loadavg()[0]];
  const started = Date.now();
  const cpuBefore = childrenCpuSeconds();
  const timer = setInterval(() => samples.push(loadavg()[0]), LOAD_SAMPLE_MS);
  const child = spawn(process.execPath, ['build/bench/main.js', '--json', '--all', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  const limit = setTimeout(() => child.kill(), BENCH_LIMIT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      clearTimeout(limit);
      samples.push(loadavg()[0]);
      const cpuAfter = childrenCpuSeconds();
      const seconds = (Date.now() - started) / 1000;
      const benchCores = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) / seconds) * 100) / 100;
      if (code !== 0) return reject(new Error(`the bench exited with status ${code}`));
      const results = JSON.parse(out);
      if (!Array.isArray(results) || results.length === 0) return reject(new Error('expected the JSON array that `npm run bench -- --json` prints'));
      resolve({
        date: new Date(started).toISOString().slice(0, 10),
        seconds,
        args,
        commit: commit(),
        machine: machine(),
        load: { everySeconds: LOAD_SAMPLE_MS / 1000, samples: samples.map((x) => Math.round(x * 100) / 100), benchCores },
        results,
      });
    });
  });
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--run') {
    const run = await runBench(rest);
    writeFileSync(RESULTS_FILE, `${JSON.stringify(run, null, 2)}\n`);
    writeReadme(run);
    process.stdout.write(`${RESULTS_FILE} and ${README}: ${run.results.length} benchmark rows written\n`);
  } else if (mode === '--write') {
    writeReadme(JSON.parse(readFileSync(RESULTS_FILE, 'utf8')));
    process.stdout.write(`${README}: section rewritten from ${RESULTS_FILE}\n`);
  } else {
    process.stderr.write('usage: node scripts/readme-bench.mjs --run [bench args…] | --write\n');
    process.exitCode = 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`readme-bench: ${e.message}\n`);
    process.exitCode = 1;
  });
}
