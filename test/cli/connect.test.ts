/**
 * `sslsock connect`, the built binary, against `openssl s_server`: the
 * handshake summary and chain, the relay, verification failures and their
 * exit codes, client certificates, key log, and the plain output a pipe gets.
 */
import { afterEach, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import type { Peer } from '../tls/interop-peers.js';
import { ESC, exitCode, assertUsage, killAll, peerSkip, runCli, startCli, startPeer } from './cli-helpers.js';

const skip = peerSkip('openssl', 'openssl', 'version');
const HTTP_GET = 'GET / HTTP/1.0\r\n\r\n';
const TIMEOUT = 60_000;

let dir = '';
let cleanup = (): void => undefined;
let files: { ca: string; chain: string; intermediate: string; key: string; otherCa: string; client: string; clientKey: string; clientCa: string };
before(() => {
  ({ dir, cleanup } = tempDir('sslsock-connect-'));
  const ca = CA.create();
  const leaf = ca.createChildCA().issueCert('localhost', '127.0.0.1');
  const server = leaf.writeFiles(dir, 'server');
  const intermediate = join(dir, 'intermediate.pem');
  writeFileSync(intermediate, leaf.certChainPems.slice(1).join(''));
  const clientCa = CA.create();
  const client = clientCa.issueClientCert('alice@example.org').writeFiles(dir, 'client');
  files = {
    ca: ca.writeFiles(dir, 'ca').certFile,
    chain: server.certFile,
    intermediate,
    key: server.keyFile,
    otherCa: CA.create().writeFiles(dir, 'other-ca').certFile,
    client: client.certFile,
    clientKey: client.keyFile,
    clientCa: clientCa.writeFiles(dir, 'client-ca').certFile,
  };
});
after(() => cleanup());
afterEach(killAll);

/** `openssl s_server -www` for one connection, once it listens. */
async function sServer(...extra: string[]): Promise<{ peer: Peer; port: number }> {
  return sServerFor(1, ...extra);
}

async function sServerFor(naccept: number, ...extra: string[]): Promise<{ peer: Peer; port: number }> {
  const peer = startPeer('openssl', ['s_server', '-accept', '0', '-naccept', String(naccept), '-www', '-cert', files.chain, '-cert_chain', files.intermediate, '-key', files.key, ...extra]);
  assert.ok(await peer.waitFor(/ACCEPT \S+:\d+/), `s_server did not start: ${peer.err}`);
  return { peer, port: Number(/ACCEPT \S+:(\d+)/.exec(peer.out.toString())![1]) };
}

/** `sslsock connect ARGS` with `input` on stdin; resolves once it exits. */
async function connect(args: string[], input = HTTP_GET): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const p = startCli(['connect', ...args]);
  p.proc.stdin.end(input);
  const status = await exitCode(p, 30_000);
  return { status, stdout: p.out.toString(), stderr: p.err };
}

test('sslsock connect talks to openssl s_server: summary and chain on stderr, the page on stdout, exit 0, no escape codes when piped', { skip, timeout: TIMEOUT }, async () => {
  const { port } = await sServer();
  const r = await connect(['--cafile', files.ca, `localhost:${port}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.0 200 ok\r\n/);
  assert.match(r.stdout, /Protocol {2}: TLSv1\.3/, "s_server's page reports the protocol it negotiated with us");
  assert.match(r.stderr, /^connected to localhost:\d+$/m);
  assert.match(r.stderr, /^ {2}version +TLSv1\.3$/m);
  assert.match(r.stderr, /^ {2}cipher +TLS_\w+ \((128|256) bits\)$/m);
  assert.match(r.stderr, /^ {2}sni +localhost$/m);
  assert.match(r.stderr, /^ {2}group +x25519$/m);
  assert.match(r.stderr, /^ {2}verify +0 \(ok\)$/m);
  // Our chain display: both certificates s_server sent, leaf first, issuer of each shown.
  assert.match(r.stderr, /^ {2}0 s: OU=Testing cert #\w+,O=sslsock testing$/m);
  assert.match(r.stderr, /^ {2}1 s: OU=Testing CA #\w+,O=sslsock testing$/m);
  assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), 'piped output carries no escape codes');
});

test('sslsock connect --json reports ALPN, SNI and the chain with SHA-256 fingerprints openssl agrees with', { skip, timeout: TIMEOUT }, async () => {
  const { port } = await sServer('-alpn', 'h2');
  const r = await connect(['--json', '--cafile', files.ca, '--alpn', 'h2,http/1.1', `127.0.0.1:${port}`, '--servername', 'localhost']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as { version: string; alpn: string; sni: string; resumed: boolean; verify: { code: number }; peerChain: { sha256: string; subject: string }[]; received: string };
  assert.equal(doc.version, 'TLSv1.3');
  assert.equal(doc.alpn, 'h2');
  assert.equal(doc.sni, 'localhost');
  assert.equal(doc.resumed, false);
  assert.equal(doc.verify.code, 0);
  assert.equal(doc.peerChain.length, 2);
  const leafFingerprint = openssl(['x509', '-in', files.chain, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
  assert.equal(doc.peerChain[0]!.sha256, leafFingerprint);
  assert.match(doc.received, /^HTTP\/1\.0 200 ok/);
});

test('sslsock connect exits 1 with one line naming the verify code: untrusted CA (20), wrong host name (62)', { skip, timeout: TIMEOUT }, async () => {
  const untrusted = await sServer();
  const r20 = await connect(['--cafile', files.otherCa, `localhost:${untrusted.port}`]);
  assert.equal(r20.status, 1);
  assert.equal(r20.stdout, '');
  assert.equal(r20.stderr, 'sslsock connect: SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (verify code 20)\n');
  await exitCode(untrusted.peer);

  const wrongName = await sServer();
  const r62 = await connect(['--json', '--cafile', files.ca, '--servername', 'example.com', `127.0.0.1:${wrongName.port}`]);
  assert.equal(r62.status, 1);
  const doc = JSON.parse(r62.stdout) as { error: { class: string; verifyCode: number; verifyMessage: string } };
  assert.deepEqual(doc.error.class, 'SSLCertVerificationError');
  assert.equal(doc.error.verifyCode, 62);
  assert.equal(doc.error.verifyMessage, "Hostname mismatch, certificate is not valid for 'example.com'.");
});

test('sslsock connect --insecure connects to an untrusted server and still reports what verification found (20; 62 for a wrong name)', { skip, timeout: TIMEOUT }, async () => {
  const { port } = await sServer();
  const r = await connect(['--insecure', '--cafile', files.otherCa, `localhost:${port}`]);
  assert.equal(r.status, 0, r.stderr);
  // As s_client: the result is still reported, it just does not stop the connection.
  assert.match(r.stderr, /^ {2}verify +20 \(unable to get local issuer certificate\), not enforced \(--insecure\)$/m);
  assert.match(r.stdout, /^HTTP\/1\.0 200 ok/);
  const wrongName = await sServer();
  const r62 = await connect(['--insecure', '--json', '--cafile', files.ca, '--servername', 'example.com', `127.0.0.1:${wrongName.port}`]);
  assert.equal(r62.status, 0, r62.stderr);
  assert.deepEqual((JSON.parse(r62.stdout) as { verify: unknown }).verify, { code: 62, message: "Hostname mismatch, certificate is not valid for 'example.com'.", enforced: false });
});

test('sslsock connect --cert/--key authenticates to s_server -Verify; without them the server refuses (exit 1)', { skip, timeout: TIMEOUT }, async () => {
  const withCert = await sServer('-Verify', '1', '-CAfile', files.clientCa);
  const ok = await connect(['--cafile', files.ca, '--cert', files.client, '--key', files.clientKey, `localhost:${withCert.port}`]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^HTTP\/1\.0 200 ok/);
  await exitCode(withCert.peer);

  const without = await sServer('-Verify', '1', '-CAfile', files.clientCa);
  const refused = await connect(['--cafile', files.ca, `localhost:${without.port}`]);
  assert.equal(refused.status, 1);
  // TLS 1.3: our handshake completes before the server checks, so its alert arrives with the first read (as in Python).
  assert.match(refused.stderr, /\nsslsock connect: SSLError: \[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED\] tlsv13 alert certificate required\n$/);
  assert.doesNotMatch(refused.stderr, /^ +at /m, 'one line, no stack trace');
});

test('sslsock connect --keylog writes the TLS 1.3 secrets in NSS key log format', { skip, timeout: TIMEOUT }, async () => {
  const { port } = await sServer();
  const keylog = join(dir, 'keys.log');
  const r = await connect(['--cafile', files.ca, '--keylog', keylog, `localhost:${port}`]);
  assert.equal(r.status, 0, r.stderr);
  const labels = readFileSync(keylog, 'utf8').trim().split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split(' ')[0]);
  for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) assert.ok(labels.includes(label), label);
});

test('sslsock connect --sess-out / --sess-in resumes a TLS 1.3 session with openssl s_server across two runs', { skip, timeout: TIMEOUT }, async () => {
  // Two connections to one s_server: its ticket key lives as long as the process.
  const { port } = await sServerFor(2);
  const sess = join(dir, 'session.json');
  const first = await connect(['--cafile', files.ca, '--sess-out', sess, `localhost:${port}`]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /^ {2}resumed +no$/m);
  assert.match(first.stderr, /^session saved to .*session\.json$/m);
  assert.match(first.stdout, /\nNew, TLSv1\.3, Cipher is /);
  assert.equal(statSync(sess).mode & 0o777, 0o600, 'the file holds the resumption secret: owner only');
  const second = await connect(['--cafile', files.ca, '--sess-in', sess, `localhost:${port}`]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /^ {2}resumed +yes$/m);
  assert.match(second.stdout, /\nReused, TLSv1\.3, Cipher is /, "s_server's page says it resumed");
  // The certificate chain is the one from the original handshake, carried in the session.
  assert.match(second.stderr, /^ {2}0 s: OU=Testing cert #\w+,O=sslsock testing$/m);

  writeFileSync(sess, '{"format": "something else"}');
  const bad = await connect(['--cafile', files.ca, '--sess-in', sess, `localhost:${port}`]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^sslsock connect: SessionFileError: .*session\.json: not an sslsock session file \(bad 'format'\)\n$/);
});

test('sslsock connect --tls1_2 negotiates TLS 1.2 where this build has it, else fails with one line', { skip, timeout: TIMEOUT }, async () => {
  const { port } = await sServer();
  const r = await connect(['--cafile', files.ca, '--tls1_2', `localhost:${port}`]);
  if (ssl.HAS_TLSv1_2) {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^ {2}version +TLSv1\.2$/m);
  } else {
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^sslsock connect: \w+Error: .+\n$/);
  }
});

test('sslsock connect usage errors exit 2 and say what was wrong; --help exits 0', () => {
  const cases: [string[], RegExp][] = [
    [[], /give exactly one HOST:PORT/],
    [['a:1', 'b:2'], /give exactly one HOST:PORT/],
    [['localhost:99999'], /needs a port number 0-65535, got '99999'/],
    [['--tls1_2', '--tls1_3', 'localhost:1'], /--tls1_2 and --tls1_3 exclude each other/],
    [['--starttls', 'imap', 'localhost:1'], /unknown --starttls protocol 'imap' \(known: smtp\)/],
    [['--alpn', 'h2,,x', 'localhost:1'], /without empty entries/],
    [['--timeout', '-1', 'localhost:1'], /--timeout needs a positive number/],
    [['--key', 'k.pem', 'localhost:1'], /--key needs --cert/],
  ];
  assertUsage('connect', cases, /--starttls PROTO/);
});

test('sslsock connect to a closed port exits 1 with one line; --debug adds the stack trace', async () => {
  const r = runCli(['connect', '127.0.0.1:1']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'sslsock connect: ConnectionRefusedError: [Errno 111] Connection refused\n');
  const debug = runCli(['connect', '--debug', '127.0.0.1:1']);
  assert.equal(debug.status, 1);
  assert.match(debug.stderr, /^sslsock connect: ConnectionRefusedError: \[Errno 111\] Connection refused\n {4}at /);
});
