/**
 * scripts/interop-table.mjs: interop tests land in the cell their name
 * names (peer × direction × scenario), and a failing one is shown in its
 * cell and by name under the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Cell {
  peer: string;
  direction: string;
  scenario: string;
}
interface Result {
  file: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
}
interface TableModule {
  cellsOf(name: string): Cell[];
  interopTable(results: Result[]): { text: string; failed: Result[]; skipped: Result[]; total: number };
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const table = (await import(pathToFileURL(join(ROOT, 'scripts', 'interop-table.mjs')).href)) as TableModule;
const cell = (name: string): string[] => table.cellsOf(name).map((c) => `${c.peer} ${c.direction} ${c.scenario}`);

test('the cell comes from the name: peer, who is the client, scenario', () => {
  assert.deepEqual(cell('our client against openssl s_server with TLS_AES_256_GCM_SHA384'), ['openssl us→server 1.3']);
  assert.deepEqual(cell('openssl s_client against our server with group X448'), ['openssl client→us 1.3']);
  assert.deepEqual(cell('TLS 1.2: gnutls-cli forcing ECDHE-RSA-AES128-GCM-SHA256 against our server, ALPN'), ['gnutls client→us 1.2']);
  assert.deepEqual(cell('1 MiB echoed by gnutls-serv, checked by SHA-256'), ['gnutls us→server 1.3']);
  assert.deepEqual(cell('Go crypto/tls 1.2, our server: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rsa2048 server key'), ['go client→us 1.2']);
  assert.deepEqual(cell('Java JSSE 1.3, our client: TLS_AES_128_GCM_SHA256'), ['java us→server 1.3']);
  assert.deepEqual(cell('post-handshake auth: Python\'s client (post_handshake_auth) against our server'), ['python client→us PHA']);
  assert.deepEqual(cell('node:tls resumes with our server, and our client with a node:tls server'), ['node:tls client→us resume', 'node:tls us→server resume']);
  assert.deepEqual(cell('a Node 24 node:tls client limited to X25519MLKEM768 against our server'), ['node:tls 24 client→us 1.3']);
  assert.deepEqual(cell('exportKeyingMaterial on our client equals openssl s_server -keymatexport'), ['openssl us→server export']);
  assert.deepEqual(cell('two certificates on one context: openssl asking for ECDSA gets the ECDSA one'), ['openssl client→us 1.3']);
  assert.deepEqual(cell('exportKeyingMaterial argument and state errors'), []);
});

test('a failing test shows in its cell and by name; skips are counted', () => {
  const file = '/x/build/test/tls/interop-openssl.test.js';
  const t = table.interopTable([
    { file, name: 'our client against openssl s_server with group X25519', status: 'pass' },
    { file, name: 'our client against openssl s_server with group P-256', status: 'fail' },
    { file, name: 'openssl s_client against our server with group X25519', status: 'skip' },
    { file: '/x/build/test/x509/verify.test.js', name: 'our client against openssl s_server (not an interop file)', status: 'fail' },
    { file, name: 'our client and our server resume by session id (no peer: not interop)', status: 'fail' },
  ]);
  assert.equal(t.total, 3);
  assert.deepEqual(t.failed.map((r) => r.name), ['our client against openssl s_server with group P-256']);
  assert.equal(t.skipped.length, 1);
  const row = t.text.split('\n').find((l) => l.startsWith('openssl'))!;
  assert.match(row, /skip 1 .*│ FAIL 1\/2/);
  assert.match(t.text, /^FAILED: our client against openssl s_server with group P-256/m);
});
