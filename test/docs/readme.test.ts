/**
 * Every TypeScript example in README.md runs, as written: each program
 * (see test/helpers/readme.ts) is transpiled, its `sslsock` imports pointed
 * at this build, and run in its own process. Where a `console.log(…)` line
 * ends with a `// comment`, the comment is the output that line must print
 * (in order). Type-checking the same programs is test/types/types.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { REPO, readmePrograms } from '../helpers/readme.js';

const ENTRY: Record<string, string> = {
  sslsock: 'build/src/ssl/index.js',
  'sslsock/socket': 'build/src/socket/index.js',
  'sslsock/testing': 'build/src/testing/index.js',
  'sslsock/select': 'build/src/select/index.js',
  'sslsock/selectors': 'build/src/select/selectors.js',
};

/** The outputs the README promises: the trailing comments of console.log lines. */
function expectedOutput(source: string): string[] {
  const out: string[] = [];
  for (const line of source.split('\n')) {
    const m = /^\s*console\.log\(.*\);\s*\/\/\s?(.*)$/.exec(line);
    if (m) out.push(m[1]!.trim());
  }
  return out;
}

const programs = readmePrograms();
const dir = join(REPO, 'build', 'readme-examples');
mkdirSync(dir, { recursive: true });

test('README.md has the examples the issue asks for', () => {
  const all = programs.map((p) => p.source).join('\n');
  for (const needle of ['createDefaultContext', 'wrapSocket', 'sendall', 'recv(', 'PROTOCOL_TLS_SERVER', 'accept()', 'wrapBio', 'unwrap()', "from 'sslsock/testing'", 'wrapStream']) {
    assert.ok(all.includes(needle), `no README example uses ${needle}`);
  }
});

for (const p of programs) {
  test(`README example "${p.name}" (README.md line ${p.line}) runs and prints what it says`, { timeout: 120_000 }, () => {
    let js = ts.transpileModule(p.source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    js = js.replace(/from '(sslsock(?:\/\w+)?)'/g, (whole, spec: string) => {
      const file = ENTRY[spec];
      assert.ok(file, `unknown import ${spec}`);
      return `from '${pathToFileURL(join(REPO, file)).href}'`;
    });
    const file = join(dir, `${p.name}.mjs`);
    writeFileSync(file, js);
    const r = spawnSync(process.execPath, [file], { cwd: REPO, encoding: 'utf8', timeout: 100_000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`);
    const printed = r.stdout.trimEnd().split('\n');
    const expected = expectedOutput(p.source);
    // A line whose comment is a prose note (not output) is not promised: only compare promised lines.
    assert.deepEqual(printed.slice(0, expected.length), expected, r.stdout);
  });
}
