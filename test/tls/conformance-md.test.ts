/**
 * test/tls/CONFORMANCE.md cannot go stale: scripts/conformance.mjs extracts
 * every MUST / SHALL / REQUIRED sentence of RFC 9846 §4–6 and Appendix D and
 * checks that each has its row, that every `path:function` named exists, and
 * that every test cited exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'conformance.mjs');
const TABLE = join(ROOT, 'test', 'tls', 'CONFORMANCE.md');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: r.stdout + r.stderr };
}

const rfcMissing = run(['--stats']).status === 2 ? 'the RFC 9846 text (../shared/reference/rfc/rfc9846-tls13.md) is not here' : false;

test('CONFORMANCE.md has one row per RFC 9846 §4–6 / Appendix D requirement, and every cited function and test exists', { skip: rfcMissing }, () => {
  const r = run(['--check']);
  assert.equal(r.status, 0, r.out);
  const m = /(\d+) requirements, (\d+) rows: (\d+) tested, (\d+) untested, (\d+) n\/a; 0 problem/.exec(r.out);
  assert.ok(m, r.out);
  assert.equal(m[1], m[2]);
  assert.ok(Number(m[1]) > 250, `only ${m[1]} requirements extracted`);
  // The TLS 1.2 table: rows for each of its four RFCs.
  const t12 = /TLS 1\.2: RFC 5246 (\d+) rows .*RFC 7627 (\d+) rows .*RFC 5746 (\d+) rows .*RFC 8422 (\d+) rows/.exec(r.out);
  assert.ok(t12, r.out);
  assert.ok(Number(t12[1]) > 60 && Number(t12[2]) > 10 && Number(t12[3]) > 10 && Number(t12[4]) > 10, t12[0]);
});

test('the conformance check fails on a missing row, a test that does not exist, a function that does not exist and a misnumbered TLS 1.2 row', { skip: rfcMissing }, () => {
  assert.ok(existsSync(TABLE));
  // Built at run time: the checker searches the test sources, this file included.
  const bogus = ['a test', 'nobody', 'wrote'].join(' ');
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-conformance-'));
  try {
    const rows = readFileSync(TABLE, 'utf8').split('\n');
    const first = rows.findIndex((l) => l.startsWith('| `'));
    const edited = rows
      .filter((_, i) => i !== first)
      .map((l) => (l.startsWith('| `5.2#3`') ? l.replace(/\| [^|]* \|$/, `| \`${bogus}\` |`) : l))
      .map((l) => (l.startsWith('| `5.4#4`') ? l.replace('src/tls/record-protection.ts:openRecord', 'src/tls/record-protection.ts:noSuchFunction') : l))
      .map((l) => (l.startsWith('| `5246/7.4.9#1`') ? l.replace(/\| [^|]* \|$/, `| \`${bogus}\` |`) : l))
      .map((l) => (l.startsWith('| `7627/5.1#1`') ? l.replace('| `7627/5.1#1`', '| `7627/5.1#3`') : l));
    const table = join(dir, 'CONFORMANCE.md');
    writeFileSync(table, edited.join('\n'));
    const r = run(['--check'], { SSLSOCK_CONFORMANCE_TABLE: table });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /no row for/);
    assert.ok(r.out.includes(`5.2#3: cites test "${bogus}"`), r.out);
    assert.match(r.out, /5\.4#4: src\/tls\/record-protection\.ts has no noSuchFunction/);
    assert.ok(r.out.includes(`5246/7.4.9#1: cites test "${bogus}"`), r.out);
    assert.match(r.out, /7627\/5\.1#3: numbered out of order/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
