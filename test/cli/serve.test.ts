/**
 * `sslsock serve`, the built binary: `--www` answering curl, openssl
 * s_client and `sslsock connect` with a 200 page; client certificates;
 * concurrent connections; `--naccept`; graceful SIGTERM; `--echo`; exit
 * codes.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultProvider } from '../../src/crypto/index.js';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { ESC, exitCode, assertUsage, killAll, labelled, peerSkip, runCli, startCli, startPeer, startServe } from './cli-helpers.js';

const opensslSkip = peerSkip('openssl', 'openssl', 'version');
const curlSkip = peerSkip('curl', 'curl');
const TIMEOUT = 60_000;
const SOCKET_TIMEOUT_S = 20;
const HTTP_GET = 'GET / HTTP/1.0\r\n\r\n';

let dir = '';
let cleanup = (): void => undefined;
let files: { clientCa: string; client: string; clientKey: string };
before(() => {
  ({ dir, cleanup } = tempDir('sslsock-serve-'));
  const clientCa = CA.create();
  const client = clientCa.issueClientCert('alice@example.org').writeFiles(dir, 'client');
  files = { clientCa: clientCa.writeFiles(dir, 'client-ca').certFile, client: client.certFile, clientKey: client.keyFile };
});
after(() => cleanup());

const opened = new Set<{ close(): void }>();
afterEach(async () => {
  for (const s of opened) s.close();
  opened.clear();
  await killAll();
});

let caFiles = 0;
/** `sslsock serve --www` (or other modes) with its throwaway CA written to a fresh file. */
async function serve(...args: string[]) {
  const caFile = join(dir, `serve-ca-${++caFiles}.pem`);
  const started = await startServe(['--ca-out', caFile, ...args]);
  return { ...started, caFile };
}

/** A client from the library itself, trusting `caFile`. */
async function tlsClient(port: number, caFile: string): Promise<ssl.SSLSocket> {
  const ctx = ssl.createDefaultContext();
  ctx.loadVerifyLocations(caFile);
  const raw = await socket.createConnection(['127.0.0.1', port], SOCKET_TIMEOUT_S);
  opened.add(raw);
  const s = await ctx.wrapSocket(raw, { serverHostname: 'localhost' });
  opened.add(s);
  return s;
}

async function readToEnd(s: ssl.SSLSocket): Promise<string> {
  const parts: Buffer[] = [];
  for (let d = await s.recv(4096); d.length > 0; d = await s.recv(4096)) parts.push(d);
  return Buffer.concat(parts).toString('utf8');
}

test('sslsock serve --www answers curl with a 200 page describing the connection; the printed CA fingerprint is openssl\'s', { skip: curlSkip || opensslSkip, timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--alpn', 'http/1.1', '--naccept', '1');
  const curl = startPeer('curl', ['-sS', '--cacert', caFile, '-w', '\\n%{http_code}', `https://localhost:${port}/hello`]);
  assert.equal(await exitCode(curl), 0, curl.err);
  const page = curl.out.toString();
  assert.match(page, /\n200$/);
  assert.match(page, /^sslsock serve: connection 1 from 127\.0\.0\.1:\d+$/m);
  assert.match(page, /^request +GET \/hello HTTP\/1\.1$/m);
  assert.match(page, /^version +TLSv1\.3$/m);
  assert.match(page, /^group +x25519$/m);
  assert.match(page, /^alpn +http\/1\.1$/m);
  assert.match(page, /^sni +localhost$/m);
  assert.match(page, /^resumed +no$/m);
  assert.match(page, /^client certificate\n {2}\(no certificate\)$/m);
  assert.equal(await exitCode(peer), 0, peer.err);
  const out = peer.out.toString();
  assert.match(out, /^served 1 connection\(s\)$/m);
  const fp = openssl(['x509', '-in', caFile, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
  assert.equal(labelled(out, 'CA certificate SHA-256'), fp);
  assert.ok(!out.includes(ESC) && !peer.err.includes(ESC), 'piped output carries no escape codes');
});

test('sslsock serve --www answers openssl s_client with a 200 page, and s_client verifies the throwaway certificate', { skip: opensslSkip, timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--naccept', '1');
  const client = startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-ign_eof']);
  client.proc.stdin.end(HTTP_GET);
  assert.equal(await exitCode(client), 0, client.err);
  const text = client.out.toString();
  assert.match(text, /^HTTP\/1\.0 200 OK\r$/m);
  assert.match(text, /^request +GET \/ HTTP\/1\.0$/m);
  assert.match(text, /Verify return code: 0 \(ok\)/);
  assert.equal(await exitCode(peer), 0);
});

test('sslsock serve --tls1_2 answers openssl s_client over TLS 1.2 (ECDHE, AEAD) and its page says so', { skip: opensslSkip, timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--tls1_2', '--naccept', '1');
  const client = startPeer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-ign_eof']);
  client.proc.stdin.end(HTTP_GET);
  assert.equal(await exitCode(client), 0, client.err);
  const text = client.out.toString();
  assert.match(text, /^ {4}Protocol {2}: TLSv1\.2$/m);
  assert.match(text, /^version +TLSv1\.2$/m);
  assert.match(text, /^cipher +ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305) \(\d+ bits\)$/m);
  assert.match(text, /^group +x25519$/m);
  assert.equal(await exitCode(peer), 0);
});

test('sslsock connect talks to sslsock serve: client certificate on the page, fingerprints agree', { skip: opensslSkip, timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--verify', '--cafile', files.clientCa, '--naccept', '1');
  const client = startCli(['connect', '--json', '--cafile', caFile, '--cert', files.client, '--key', files.clientKey, `localhost:${port}`]);
  client.proc.stdin.end(HTTP_GET);
  assert.equal(await exitCode(client), 0, client.err);
  const doc = JSON.parse(client.out.toString()) as { version: string; verify: { code: number }; peerChain: { sha256: string }[]; received: string };
  assert.equal(doc.version, 'TLSv1.3');
  assert.equal(doc.verify.code, 0);
  assert.match(doc.received, /^HTTP\/1\.0 200 OK\r\n/);
  assert.match(doc.received, /^client certificate\n {2}0 s: OU=Testing cert #\w+,O=sslsock testing\n {4}i: OU=Testing CA #\w+,O=sslsock testing$/m);
  assert.equal(await exitCode(peer), 0);
  assert.equal(doc.peerChain[0]!.sha256, labelled(peer.out.toString(), 'server certificate SHA-256'));
  // sslsock on both ends: the default group is X25519MLKEM768 where node:crypto has ML-KEM (Node 24), else x25519.
  const group = defaultProvider.supportsKeyExchange('X25519MLKEM768') ? 'X25519MLKEM768' : 'x25519';
  assert.match(peer.out.toString(), new RegExp(`^\\[1\\] 127\\.0\\.0\\.1:\\d+ TLSv1\\.3 TLS_\\w+ group ${group} alpn - sni localhost client-cert OU=Testing cert #\\w+,O=sslsock testing$`, 'm'));
});

test('sslsock serve resumes the session sslsock connect saved (--sess-out / --sess-in): the page and the log say so', { timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--naccept', '2');
  const sess = join(dir, 'serve-session.json');
  for (const [args, resumed] of [[['--sess-out', sess], 'no'], [['--sess-in', sess], 'yes']] as const) {
    const client = startCli(['connect', '--quiet', '--cafile', caFile, ...args, `localhost:${port}`]);
    client.proc.stdin.end(HTTP_GET);
    assert.equal(await exitCode(client), 0, client.err);
    assert.match(client.out.toString(), new RegExp(`^resumed +${resumed}$`, 'm'));
  }
  assert.equal(await exitCode(peer), 0);
  assert.match(peer.out.toString(), /^\[2\] 127\.0\.0\.1:\d+ TLSv1\.3 .* resumed$/m);
});

test('sslsock serve --verify refuses a client without a certificate: connect exits 1, serve logs it and goes on', { timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--verify', '--cafile', files.clientCa, '--naccept', '1');
  const client = startCli(['connect', '--cafile', caFile, `localhost:${port}`]);
  client.proc.stdin.end(HTTP_GET);
  assert.equal(await exitCode(client), 1);
  assert.match(client.err, /\nsslsock connect: SSLError: \[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED\] tlsv13 alert certificate required\n$/);
  assert.equal(await exitCode(peer), 0);
  assert.match(peer.err, /^\[1\] 127\.0\.0\.1:\d+ SSLError: \[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE\] peer did not return a certificate$/m);
  assert.match(peer.out.toString(), /^served 0 connection\(s\), 1 failed$/m);
});

test('sslsock serve handles connections concurrently: two clients handshaken at once both get their page', { timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www', '--naccept', '2');
  const a = await tlsClient(port, caFile);
  const b = await tlsClient(port, caFile);
  // Both handshakes are complete before either sends its request: one is not waiting behind the other.
  await b.sendall(Buffer.from('GET /b HTTP/1.0\r\n\r\n'));
  const pageB = await readToEnd(b);
  await a.sendall(Buffer.from('GET /a HTTP/1.0\r\n\r\n'));
  const pageA = await readToEnd(a);
  assert.match(pageA, /^request +GET \/a HTTP\/1\.0$/m);
  assert.match(pageB, /^request +GET \/b HTTP\/1\.0$/m);
  assert.notEqual(/connection (\d)/.exec(pageA)![1], /connection (\d)/.exec(pageB)![1]);
  assert.equal(await exitCode(peer), 0);
  assert.match(peer.out.toString(), /^served 2 connection\(s\)$/m);
});

test('SIGTERM: sslsock serve stops accepting, finishes the open connection, prints the count and exits 0', { timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--www');
  const open = await tlsClient(port, caFile);
  assert.ok(await peer.waitFor(/^\[1\] /m), 'the server has the connection');
  peer.proc.kill('SIGTERM');
  assert.ok(await peer.waitFor(/^stopping \(SIGTERM\): 1 open connection\(s\) finishing/m), peer.out.toString());
  await assert.rejects(socket.createConnection(['127.0.0.1', port], SOCKET_TIMEOUT_S), socket.ConnectionRefusedError, 'no longer accepting');
  await open.sendall(Buffer.from(HTTP_GET));
  assert.match(await readToEnd(open), /^HTTP\/1\.0 200 OK\r\n/);
  assert.equal(await exitCode(peer), 0, peer.err);
  assert.match(peer.out.toString(), /\nserved 1 connection\(s\)\n$/);
});

test('sslsock serve --echo echoes to sslsock connect; Ctrl-C ends the client with 130, a second SIGINT closes the server', { timeout: TIMEOUT }, async () => {
  const { peer, port, caFile } = await serve('--echo');
  const client = startCli(['connect', '--quiet', '--cafile', caFile, `localhost:${port}`]);
  client.proc.stdin.write('hello over TLS\n');
  assert.ok(await client.waitFor(/hello over TLS\n/), client.err);
  client.proc.kill('SIGINT');
  assert.equal(await exitCode(client), 130);
  assert.ok(await peer.waitFor(/^\[1\] echoed 15 bytes, closed$/m), peer.out.toString() + peer.err);
  peer.proc.kill('SIGINT');
  assert.equal(await exitCode(peer), 0);
  assert.match(peer.out.toString(), /^stopping \(SIGINT\)\nserved 1 connection\(s\)\n$/m);
});

test('sslsock serve usage errors exit 2 and say what was wrong; --help exits 0', () => {
  const cases: [string[], RegExp][] = [
    [['--echo', '--www'], /--echo and --www exclude each other/],
    [['--verify'], /--verify needs --cafile/],
    [['--port', '70000'], /--port needs a port number 0-65535, got '70000'/],
    [['--naccept', '0'], /--naccept needs a positive count/],
    [['extra'], /unexpected argument 'extra'/],
    [['--cert', 'x.pem', '--ca-out', 'ca.pem'], /--ca-out is for the throwaway CA/],
  ];
  assertUsage('serve', cases, /--naccept N/);
  const bench = runCli(['bench', '--help']);
  assert.equal(bench.status, 0);
  assert.match(bench.stdout, /npm run bench/);
});
