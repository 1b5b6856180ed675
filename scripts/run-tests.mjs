#!/usr/bin/env node
// Runs every compiled test file (build/test/**/*.test.js) with Node's built-in runner.
// Node 20's `node --test` takes no globs, so we list the files ourselves.
// Extra arguments filter by substring of the path: `npm test -- x509`.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { interopTable, readResults } from './interop-table.mjs';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('build/test', []).sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files found under build/test');
  process.exit(1);
}
const concurrency = Math.max(2, availableParallelism());
// A hung test (a peer process that never answers) fails after 5 minutes
// instead of stalling the whole run; tests that need longer say so themselves.
// Besides the usual report, every test's outcome goes to a JSON lines file
// (scripts/interop-reporter.mjs), from which the interop table is printed.
const resultsDir = mkdtempSync(join(tmpdir(), 'sslsock-test-results-'));
const resultsFile = join(resultsDir, 'results.jsonl');
// Node's own default report: spec on a terminal, TAP otherwise (spec always from Node 23 on).
const defaultReporter = process.stdout.isTTY || Number(process.versions.node.split('.')[0]) >= 23 ? 'spec' : 'tap';
const reporters = [
  `--test-reporter=${defaultReporter}`,
  '--test-reporter-destination=stdout',
  `--test-reporter=${fileURLToPath(new URL('./interop-reporter.mjs', import.meta.url))}`,
  `--test-reporter-destination=${resultsFile}`,
];
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...reporters, ...files], { stdio: 'inherit' });
let status = r.status ?? 1;
const table = interopTable(readResults(resultsFile));
rmSync(resultsDir, { recursive: true, force: true });
if (table.total > 0) {
  console.log(`\n${table.text}`);
  // .ci/run installs every peer: a skipped interop test there is a hole in the table.
  if (process.env['CI'] && table.skipped.length > 0) {
    console.log(`CI is set and ${table.skipped.length} interop test(s) were skipped: failing the run`);
    status = status || 1;
  }
}
process.exit(status);
