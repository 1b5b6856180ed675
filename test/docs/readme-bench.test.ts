/**
 * README.md's "Benchmarks" section is generated, not typed: it must be
 * exactly what scripts/readme-bench.mjs makes of the recorded run in
 * bench/readme-results.json (written by `node scripts/readme-bench.mjs
 * --run`, which runs `npm run bench -- --json` and samples the machine's
 * load meanwhile), and that run must look like the bench's own output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../helpers/readme.js';

interface Side {
  rate: number;
}
interface Row {
  section: string;
  name: string;
  baselineName: string;
  ratio: number;
  spread: [number, number];
  ours: Side;
  baseline: Side;
}
interface Run {
  date: string;
  seconds: number;
  machine: { node: string; cpu: string; cores: number };
  load: { everySeconds: number; samples: number[] };
  results: Row[];
}
interface Generator {
  RESULTS_FILE: string;
  section(run: Run): string;
  readmeSection(readme: string): string | null;
}

const gen = (await import(pathToFileURL(join(REPO, 'scripts', 'readme-bench.mjs')).href)) as Generator;
const run = JSON.parse(readFileSync(join(REPO, gen.RESULTS_FILE), 'utf8')) as Run;

test('the README benchmark section is what scripts/readme-bench.mjs makes of the recorded run', () => {
  const current = gen.readmeSection(readFileSync(join(REPO, 'README.md'), 'utf8'));
  assert.ok(current !== null, 'README.md has a <!-- bench:start --> … <!-- bench:end --> section');
  // If this fails after a change to the generator's format: `node scripts/readme-bench.mjs --write`.
  assert.equal(current, gen.section(run));
});

test('the recorded run is a bench run: its date, machine and load are recorded, its rows are measurements', () => {
  assert.match(run.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(!Number.isNaN(Date.parse(run.date)));
  assert.match(run.machine.node, /^v\d+\./);
  assert.ok(run.machine.cores >= 1 && run.machine.cpu.length > 0);
  assert.ok(run.seconds > 0);
  assert.ok(run.load.samples.length >= 2 && run.load.samples.every((x) => x >= 0));
  assert.ok(run.results.length >= 10, `${run.results.length} rows`);
  for (const r of run.results) {
    const what = `${r.section}: ${r.name}`;
    assert.ok(r.ours.rate > 0 && r.baseline.rate > 0, what);
    // The harness computes the ratio as ours / baseline.
    assert.ok(Math.abs(r.ratio - r.ours.rate / r.baseline.rate) <= 1e-9 * r.ratio, what);
    assert.ok(r.spread[0] <= r.spread[1], what);
  }
});
