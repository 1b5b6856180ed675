#!/usr/bin/env node
// Runs every compiled test file (build/test/**/*.test.js) with Node's built-in runner.
// Node 20's `node --test` takes no globs, so we list the files ourselves.
// Extra arguments filter by substring of the path: `npm test -- x509`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

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
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
