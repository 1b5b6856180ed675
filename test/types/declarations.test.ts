/**
 * The declarations `npm run build` publishes (the .d.ts files of dist/, emitted here
 * into build/dts-check) contain no `any`: every public type says what it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/readme.js';
import { tsc } from '../helpers/tsc.js';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

test('the published declarations contain no `any`', { timeout: 300_000 }, () => {
  const out = join(REPO, 'build', 'dts-check');
  rmSync(out, { recursive: true, force: true });
  const r = tsc(['-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', out, '--tsBuildInfoFile', join(out, '.tsbuildinfo')]);
  assert.equal(r.status, 0, r.output);
  const found: string[] = [];
  for (const f of walk(out)) {
    // Comments and string literals may say "any"; code may not.
    const code = readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
    code.split('\n').forEach((line, i) => {
      if (/\bany\b/.test(line)) found.push(`${f.slice(out.length + 1)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
