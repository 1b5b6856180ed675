/**
 * The long fuzz run: `npm run fuzz -- --minutes N [--workers W] [--seed S]
 * [--targets pair,replay,decoders] [--out file]`. Workers (worker_threads)
 * run the targets of targets.ts, each for its share of the time; the main
 * thread prints inputs/s every 10 s, watches for a hang (a worker whose
 * counter stops for 30 s is stopped and its input reported), and at the end
 * prints the totals per target and writes every failing input (target, seed,
 * input JSON, error) to the out file. Exit status 1 when anything failed.
 *
 * `--repro file` re-runs the inputs of a failures file (or regressions.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runSeed, TARGETS, targetByName, type FailingInput } from './targets.js';

const HANG_MS = 30_000;
const REPORT_MS = 10_000;
const SLICE_MS = 50;

interface Options {
  minutes: number;
  workers: number;
  seed: number;
  targets: string[];
  out: string;
  repro: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { minutes: 1, workers: 1, seed: (Date.now() & 0x7fffffff) >>> 0, targets: TARGETS.map((t) => t.name), out: 'fuzz-failures.json', repro: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--minutes') o.minutes = Number(v());
    else if (a === '--workers') o.workers = Math.max(1, Number(v()));
    else if (a === '--seed') o.seed = Number(v()) >>> 0;
    else if (a === '--targets') o.targets = v().split(',');
    else if (a === '--out') o.out = v();
    else if (a === '--repro') o.repro = v();
    else throw new Error(`unknown argument ${a}`);
  }
  for (const t of o.targets) targetByName(t);
  if (!(o.minutes > 0)) throw new Error('--minutes must be positive');
  return o;
}

// Shared counters per worker: [inputs of target 0, 1, 2, current target, current seed, heartbeat]
const SLOTS = TARGETS.length + 3;

/** The worker loop: seeds seed0 + k*stride, each target for its share of every slice round. */
function workerLoop(): void {
  const { names, seed0, stride, buffer, until } = workerData as { names: string[]; seed0: number; stride: number; buffer: SharedArrayBuffer; until: number };
  const shared = new Int32Array(buffer);
  const targets = names.map(targetByName);
  const total = targets.reduce((n, t) => n + t.weight, 0);
  let seed = seed0;
  while (Date.now() < until) {
    for (const t of targets) {
      const ti = TARGETS.indexOf(t);
      const sliceEnd = Date.now() + (SLICE_MS * t.weight * targets.length) / total;
      Atomics.store(shared, TARGETS.length, ti);
      do {
        Atomics.store(shared, TARGETS.length + 1, seed | 0);
        const f = runSeed(t, seed);
        if (f) parentPort!.postMessage(f);
        Atomics.add(shared, ti, 1);
        Atomics.add(shared, TARGETS.length + 2, 1);
        seed = (seed + stride) >>> 0;
      } while (Date.now() < sliceEnd);
    }
  }
}

function repro(file: string): number {
  const cases = JSON.parse(readFileSync(file, 'utf8')) as FailingInput[];
  let failed = 0;
  for (const c of cases) {
    const t = targetByName(c.target);
    try {
      t.run(c.input);
      console.log(`ok   ${c.target} seed ${c.seed}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${c.target} seed ${c.seed}: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  return failed ? 1 : 0;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (o.repro) return repro(o.repro);
  const started = Date.now();
  const until = started + o.minutes * 60_000;
  const failures: FailingInput[] = [];
  console.log(`fuzz: ${o.minutes} min, ${o.workers} worker(s), targets ${o.targets.join(', ')}, seed ${o.seed}`);
  type W = { worker: Worker; shared: Int32Array; lastBeat: number; beatAt: number; done: Promise<void> };
  const workers: W[] = [];
  const counted = new Array<number>(TARGETS.length).fill(0);
  const start = (k: number, seed0: number): W => {
    const buffer = new SharedArrayBuffer(SLOTS * 4);
    const worker = new Worker(new URL(import.meta.url), { workerData: { names: o.targets, seed0, stride: o.workers, buffer, until } });
    worker.on('message', (f: FailingInput) => {
      failures.push(f);
      console.log(`FAIL ${f.target} seed ${f.seed}: ${f.message.split('\n')[0]}`);
    });
    const done = new Promise<void>((resolve) => worker.on('exit', () => resolve()));
    worker.on('error', (e) => {
      failures.push({ target: 'worker', seed: seed0, input: null, message: e.stack ?? String(e) });
      console.log(`FAIL worker ${k}: ${e.message}`);
    });
    return { worker, shared: new Int32Array(buffer), lastBeat: 0, beatAt: Date.now(), done };
  };
  for (let k = 0; k < o.workers; k++) workers.push(start(k, (o.seed + k) >>> 0));

  const totals = () => {
    const per = TARGETS.map((_, i) => counted[i]! + workers.reduce((n, w) => n + Atomics.load(w.shared, i), 0));
    return { per, all: per.reduce((a, b) => a + b, 0) };
  };
  let lastAll = 0;
  let lastAt = started;
  while (Date.now() < until + 1000 && workers.some((w) => w.worker.threadId !== -1)) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = Date.now();
    for (let k = 0; k < workers.length; k++) {
      const w = workers[k]!;
      const beat = Atomics.load(w.shared, TARGETS.length + 2);
      if (beat !== w.lastBeat) {
        w.lastBeat = beat;
        w.beatAt = now;
      } else if (now - w.beatAt > HANG_MS && now < until) {
        const t = TARGETS[Atomics.load(w.shared, TARGETS.length)]!;
        const seed = Atomics.load(w.shared, TARGETS.length + 1) >>> 0;
        const input = t.generate(new (await import('./mutate.js')).Rng(seed));
        failures.push({ target: t.name, seed, input, message: `hang: no progress for ${HANG_MS / 1000} s` });
        console.log(`FAIL ${t.name} seed ${seed}: hang`);
        for (let i = 0; i < TARGETS.length; i++) counted[i]! += Atomics.load(w.shared, i);
        await w.worker.terminate();
        workers[k] = start(k, (seed + o.workers) >>> 0);
      }
    }
    if (now - lastAt >= REPORT_MS) {
      const { per, all } = totals();
      const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
      const load = loadavg()[0]!.toFixed(1);
      console.log(`${Math.round((now - started) / 1000)} s: ${all} inputs (${TARGETS.map((t, i) => `${t.name} ${per[i]}`).join(', ')}), ${Math.round(((all - lastAll) * 1000) / (now - lastAt))}/s, rss ${rss} MiB, load ${load}/${availableParallelism()} cpus, failures ${failures.length}`);
      lastAll = all;
      lastAt = now;
    }
    if (now >= until) break;
  }
  await Promise.all(workers.map((w) => w.done));
  const { per, all } = totals();
  const secs = (Date.now() - started) / 1000;
  console.log(`total: ${all} inputs in ${secs.toFixed(0)} s = ${Math.round(all / secs)}/s (${TARGETS.map((t, i) => `${t.name} ${per[i]}`).join(', ')}); failures ${failures.length}`);
  if (failures.length > 0) {
    writeFileSync(o.out, JSON.stringify(failures, null, 1) + '\n');
    console.log(`failing inputs written to ${o.out} (re-run: npm run fuzz -- --repro ${o.out})`);
    return 1;
  }
  return 0;
}

if (isMainThread) process.exit(await main());
else workerLoop();
