import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pythonJson, pythonSkipReason } from '../helpers/openssl.js';

/** The compiled CLI next to this compiled test: build/src/cli/main.js (what `npm run demo` runs from dist/). */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function demo(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'demo', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

interface Report {
  server: { identities: string[]; certPem: string };
  validations: { case: string; ok: boolean; verifyCode: number; chain?: string[] }[];
  peercert: Record<string, unknown>;
  failures: { case: string; ok: boolean; verifyCode: number; verifyMessage: string }[];
  tls: { case: string; ok: boolean; version?: string; cipher?: string; echoed?: string; alert?: string; verifyCode?: number; verifyMessage?: string }[];
}

const report = (): Report => JSON.parse(demo('--json')) as Report;

test('the demo validates the server certificate for localhost and 127.0.0.1 through leaf, intermediate and root', () => {
  const r = report();
  assert.deepEqual(r.server.identities, ['localhost', '127.0.0.1']);
  assert.deepEqual(
    r.validations.map((v) => [v.case, v.ok, v.verifyCode, v.chain]),
    [
      ['localhost', true, 0, ['localhost', 'sslsock demo intermediate', 'sslsock demo root']],
      ['127.0.0.1', true, 0, ['localhost', 'sslsock demo intermediate', 'sslsock demo root']],
    ],
  );
});

test("the demo's failures carry OpenSSL's verify codes and Python's messages", () => {
  const r = report();
  assert.ok(r.failures.every((f) => !f.ok));
  assert.deepEqual(
    r.failures.map((f) => [f.case, f.verifyCode, f.verifyMessage]),
    [
      ["host name 'example.com'", 62, "Hostname mismatch, certificate is not valid for 'example.com'."],
      ['IP address 127.0.0.2', 64, "IP address mismatch, certificate is not valid for '127.0.0.2'."],
      ['expired certificate', 10, 'certificate has expired'],
      ['certificate not yet valid', 9, 'certificate is not yet valid'],
      ['issuer not trusted', 20, 'unable to get local issuer certificate'],
      ['intermediate not sent', 20, 'unable to get local issuer certificate'],
      ['revoked (VERIFY_CRL_CHECK_LEAF)', 23, 'certificate revoked'],
      ['client-only certificate on a server', 26, 'unsuitable certificate purpose'],
    ],
  );
});

test('the demo completes a TLS 1.3 handshake between our engines and fails the wrong host name with bad_certificate / 62', () => {
  const [good, bad] = report().tls;
  assert.deepEqual([good!.ok, good!.version, good!.echoed], [true, 'TLSv1.3', 'hello from the sslsock client']);
  assert.match(good!.cipher!, /^TLS_(AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_GCM_SHA256)$/);
  assert.deepEqual([bad!.ok, bad!.alert, bad!.verifyCode, bad!.verifyMessage], [false, 'bad_certificate', 62, "Hostname mismatch, certificate is not valid for 'example.com'."]);
});

test("the demo's getpeercert() dict is exactly what Python's ssl module decodes from the same certificate", { skip: pythonSkipReason() ?? false }, () => {
  const r = report();
  const python = pythonJson<Record<string, unknown>>(
    `
import json, ssl, sys, tempfile
pem = json.load(sys.stdin)
with tempfile.NamedTemporaryFile('w', suffix='.pem') as f:
    f.write(pem); f.flush()
    print(json.dumps(ssl._ssl._test_decode_cert(f.name)))
`,
    r.server.certPem,
  );
  assert.deepEqual(r.peercert, python);
});

test('the text demo shows each step with its outcome', () => {
  const text = demo();
  assert.match(text, /^1\. A throwaway CA/m);
  assert.match(text, /OK   localhost +chain: localhost {2}<- {2}sslsock demo intermediate {2}<- {2}sslsock demo root/);
  assert.match(text, /"subjectAltName": \[\["DNS","localhost"\],\["IP Address","127\.0\.0\.1"\]\]/);
  assert.match(text, /FAIL host name 'example\.com' +62 {2}Hostname mismatch, certificate is not valid for 'example\.com'\./);
  assert.match(text, /FAIL expired certificate +10 {2}certificate has expired/);
  assert.match(text, /OK   TLS 1\.3 to 'localhost': TLSv1\.3 TLS_\w+ \(\w+\), echoed "hello from the sslsock client"/);
  assert.match(text, /FAIL TLS 1\.3 to 'example\.com': client sent bad_certificate alert; verify_code 62/);
});
