import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { opensslSkipReason, runOpenssl, tempDir } from '../helpers/openssl.js';

/** The compiled CLI next to this compiled test: build/src/cli/main.js. */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const skip = opensslSkipReason() ?? false;

function sslsock(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('sslsock cert writes a CA and a server chain that openssl verifies for the requested names', { skip }, () => {
  const { dir, cleanup } = tempDir('sslsock-cli-');
  try {
    const r = sslsock('cert', '--out', dir, '--intermediate', '--key-type', 'ecdsa-p384', 'localhost', '127.0.0.1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /server chain: +.*server\.pem/);
    const chain = readFileSync(join(dir, 'server.pem'), 'utf8');
    assert.equal(chain.match(/BEGIN CERTIFICATE/g)?.length, 2);
    const ok = runOpenssl(['verify', '-CAfile', join(dir, 'ca.pem'), '-untrusted', join(dir, 'server.pem'), '-verify_hostname', 'localhost', '-verify_ip', '127.0.0.1', join(dir, 'server.pem')]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const text = runOpenssl(['x509', '-in', join(dir, 'server.pem'), '-noout', '-text']).stdout;
    assert.match(text, /ecdsa-with-SHA384/);
    assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1/);
  } finally {
    cleanup();
  }
});

test('sslsock cert --client --days -1 issues an expired client certificate (openssl error 10)', { skip }, () => {
  const { dir, cleanup } = tempDir('sslsock-cli-');
  try {
    const r = sslsock('cert', '--out', dir, '--client', '--days', '-1', 'alice@example.org');
    assert.equal(r.status, 0, r.stderr);
    const v = runOpenssl(['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'client.pem')]);
    assert.notEqual(v.status, 0);
    assert.match(v.stdout + v.stderr, /error 10 at 0 depth lookup: certificate has expired/);
    assert.match(runOpenssl(['x509', '-in', join(dir, 'client.pem'), '-noout', '-ext', 'extendedKeyUsage']).stdout, /TLS Web Client Authentication\s*$/);
  } finally {
    cleanup();
  }
});

test('sslsock reports usage errors with exit status 2 and says what was wrong', () => {
  const none = sslsock();
  assert.equal(none.status, 2);
  assert.match(none.stdout, /usage: sslsock <command>/);
  const unknown = sslsock('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badOpt = sslsock('cert', '--colour', 'blue', 'x.test');
  assert.equal(badOpt.status, 2);
  assert.match(badOpt.stderr, /unknown option --colour/);
  const badKey = sslsock('cert', '--key-type', 'dsa', 'x.test');
  assert.equal(badKey.status, 2);
  assert.match(badKey.stderr, /unknown key type 'dsa'/);
  const noIds = sslsock('cert');
  assert.equal(noIds.status, 2);
  assert.match(noIds.stderr, /at least one identity/);
  const help = sslsock('cert', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--key-type TYPE/);
});

test('sslsock cert --ca/--ca-key issues from an existing CA, so server and client certificates share one root', { skip }, () => {
  const { dir, cleanup } = tempDir('sslsock-cli-');
  try {
    assert.equal(sslsock('cert', '--out', dir, 'localhost').status, 0);
    const r = sslsock('cert', '--out', dir, '--ca', join(dir, 'ca.pem'), '--ca-key', join(dir, 'ca.key'), '--client', 'bob@example.org');
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /CA key:/);
    for (const file of ['server.pem', 'client.pem']) {
      const v = runOpenssl(['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, file)]);
      assert.equal(v.status, 0, `${file}: ${v.stdout}${v.stderr}`);
    }
    const half = sslsock('cert', '--ca', join(dir, 'ca.pem'), 'x.test');
    assert.equal(half.status, 2);
    assert.match(half.stderr, /--ca and --ca-key go together/);
  } finally {
    cleanup();
  }
});
