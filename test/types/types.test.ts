/**
 * The types a TypeScript user sees: the README's examples (and the
 * guides' in docs/), and
 * test/types/cases/*.ts (expected errors marked `@ts-expect-error`) compiled
 * with `tsc --noEmit --strict` against the package's entry points
 * (`sslsock`, `sslsock/socket`, … mapped to src/). The published
 * declarations are checked for `any` by declarations.test.ts (a file of its
 * own: each is one tsc run, and the runner's time limit is per file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, readmePrograms } from '../helpers/readme.js';
import { tsc } from '../helpers/tsc.js';

test('README examples and the expected-error cases compile under tsc --strict (and the errors are errors)', { timeout: 300_000 }, () => {
  const dir = join(REPO, 'build', 'types-test');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const p of readmePrograms()) {
    const f = join(dir, `readme-${p.name}.ts`);
    writeFileSync(f, `// README.md line ${p.line}\n${p.source}\nexport {};\n`);
    files.push(f);
  }
  assert.ok(files.length >= 5, `README has ${files.length} TypeScript examples`);
  // The guides' examples are compiled too (not run: they need servers of their own).
  const docs = join(REPO, 'docs');
  for (const md of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
    for (const p of readmePrograms(join(docs, md))) {
      const f = join(dir, `${md.replace(/\.md$/, '')}-${p.name}.ts`);
      writeFileSync(f, `// docs/${md} line ${p.line}\n${p.source}\nexport {};\n`);
      files.push(f);
    }
  }
  const cases = join(REPO, 'test', 'types', 'cases');
  for (const f of readdirSync(cases)) if (f.endsWith('.ts')) files.push(join(cases, f));
  const config = {
    extends: join(REPO, 'tsconfig.base.json'),
    compilerOptions: {
      strict: true,
      noEmit: true,
      incremental: false,
      noUnusedLocals: false,
      paths: {
        sslsock: [join(REPO, 'src/ssl/index.ts')],
        'sslsock/socket': [join(REPO, 'src/socket/index.ts')],
        'sslsock/testing': [join(REPO, 'src/testing/index.ts')],
        'sslsock/select': [join(REPO, 'src/select/index.ts')],
        'sslsock/selectors': [join(REPO, 'src/select/selectors.ts')],
      },
    },
    files,
  };
  const configFile = join(dir, 'tsconfig.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const r = tsc(['-p', configFile]);
  assert.equal(r.status, 0, r.output);
});
