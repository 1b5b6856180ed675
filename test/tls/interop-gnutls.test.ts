/**
 * Interop over real TCP with GnuTLS, a TLS stack that shares no code with
 * OpenSSL: our client against `gnutls-serv --echo`, and `gnutls-cli` against
 * our server. Priority strings force each TLS 1.3 suite and group.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TLSError } from '../../src/tls/errors.js';
import { TLS12_SUITES, TLS13_SUITES } from '../../src/tls/registry/suites.js';
import { ECDSA_SECP256R1_SHA256, ECDSA_SECP384R1_SHA384, ED25519, RSA_PSS_RSAE_SHA384, RSA_PSS_RSAE_SHA512, type SignatureScheme } from '../../src/tls/registry/signature-schemes.js';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { TcpPump } from '../helpers/pump.js';
import { GNUTLS_GROUP, HAVE_GNUTLS_CLI, HAVE_GNUTLS_SERV, description, killGnutlsPeers, gnutlsCipher, startGnutlsCli, startGnutlsServ, tls12Priority, tls13Priority, type CliOpts, type GnutlsCli, type ServOpts } from '../helpers/gnutls.js';
import { testPki, LEAF_KINDS, type LeafKind } from './connection-certs.js';
import { Peer, connectWhenListening, digitPayload, listenOnce, sha256 } from './interop-peers.js';

const provider = defaultProvider;
const servSkip = HAVE_GNUTLS_SERV ? false : 'gnutls-serv not installed (apt-get install gnutls-bin)';
const cliSkip = HAVE_GNUTLS_CLI ? false : 'gnutls-cli not installed (apt-get install gnutls-bin)';
const GROUPS: readonly KeyExchangeGroup[] = ['X25519', 'P-256', 'P-384', 'P-521', 'X448'];
const KiB = 1024;
const TIMEOUT = 30_000;
/** gnutls-serv's in-band commands (src/common.c check_command) and its answer. */
const REHANDSHAKE_CMD = '**REHANDSHAKE**\n';
const COMMAND_DONE = 'Successfully executed command\n';

type Closable = { destroy(): void } | { close(): void };
/** Pumps, sockets and listeners a test opened; whatever a failing test left open is released after it. */
const opened = new Set<Closable>();
function track<T extends Closable>(x: T): T {
  opened.add(x);
  return x;
}
afterEach(async () => {
  for (const x of opened) {
    if ('destroy' in x) x.destroy();
    else x.close();
  }
  opened.clear();
  await killGnutlsPeers();
});

// ---- our client against gnutls-serv --echo ----

type ServCase = Partial<ServOpts> & { kind?: LeafKind };

async function gnutlsServ(o: ServCase): Promise<{ peer: Peer; port: number }> {
  const leaf = testPki().servers[o.kind ?? 'p256'];
  return startGnutlsServ({ certFile: leaf.certFile, keyFile: leaf.keyFile, ...o });
}

/** Handshakes with a fresh gnutls-serv, sends `bytes` and checks the echo by SHA-256. The caller finishes. */
async function echoRoundTrip(o: ServCase, config: Partial<ConnectionConfig>, bytes = 4 * KiB): Promise<{ pump: TcpPump; peer: Peer }> {
  const { peer, port } = await gnutlsServ(o);
  let pump: TcpPump | null = null;
  try {
    pump = track(TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost', ...config }), await connectWhenListening(port)));
    await pump.handshake();
    const up = digitPayload(bytes, 7);
    await pump.write(up);
    assert.equal(sha256(await pump.readExactly(up.length)), sha256(up), 'gnutls-serv echoed what we sent');
    return { pump, peer };
  } catch (e) {
    pump?.destroy();
    peer.kill();
    await peer.exit();
    throw new Error(`${(e as Error).message}\n--- gnutls-serv output:\n${peer.out.toString()}${peer.err}`, { cause: e });
  }
}

async function finishServ(pump: TcpPump, peer: Peer): Promise<void> {
  await pump.close();
  pump.destroy();
  peer.kill();
  await peer.exit();
}

/** gnutls-serv prints its view of the session after each handshake. */
async function servDescription(peer: Peer): Promise<string> {
  assert.ok(await peer.waitFor(/- Description: /), 'gnutls-serv reported the session');
  return description(peer.out.toString()) ?? '';
}

for (const suite of TLS13_SUITES) {
  test(`our client against gnutls-serv forcing ${suite.ianaName}`, { skip: servSkip, timeout: TIMEOUT }, async () => {
    const { pump, peer } = await echoRoundTrip({ priority: tls13Priority({ suites: [suite] }) }, {});
    assert.equal(pump.conn.negotiated.suite, suite);
    assert.equal(pump.conn.negotiated.version, 'TLSv1.3');
    assert.match(await servDescription(peer), new RegExp(`^\\(TLS1\\.3-X\\.509\\).*-\\(${gnutlsCipher(suite)}\\)$`));
    await finishServ(pump, peer);
  });
}

for (const group of GROUPS) {
  test(`our client against gnutls-serv forcing group ${group}`, { skip: servSkip, timeout: TIMEOUT }, async () => {
    const { pump, peer } = await echoRoundTrip({ priority: tls13Priority({ groups: [group] }) }, { groups: [group] });
    assert.equal(pump.conn.negotiated.group, group);
    assert.equal(pump.conn.negotiated.helloRetry, false);
    assert.match(await servDescription(peer), new RegExp(`\\(ECDHE-${GNUTLS_GROUP[group]}\\)`));
    await finishServ(pump, peer);
  });
}

test('our client retries after a HelloRetryRequest from gnutls-serv (server allows only SECP384R1)', { skip: servSkip, timeout: TIMEOUT }, async () => {
  // We send a key share for X25519 only; gnutls-serv must ask again for P-384.
  const { pump, peer } = await echoRoundTrip({ priority: tls13Priority({ groups: ['P-384'] }) }, { groups: ['X25519', 'P-384'] });
  assert.equal(pump.conn.negotiated.helloRetry, true);
  assert.equal(pump.conn.negotiated.group, 'P-384');
  assert.match(await servDescription(peer), /\(ECDHE-SECP384R1\)/);
  await finishServ(pump, peer);
});

for (const kind of LEAF_KINDS) {
  test(`our client verifies the CertificateVerify of a gnutls-serv ${kind} key`, { skip: servSkip, timeout: TIMEOUT }, async () => {
    const { pump, peer } = await echoRoundTrip({ kind }, {});
    assert.deepEqual(pump.conn.negotiated.peerCertificates[0], testPki().servers[kind].chain[0]);
    assert.notEqual(pump.conn.negotiated.peerSignatureScheme, null);
    await finishServ(pump, peer);
  });
}

/** Server key, the one scheme our client allows for its CertificateVerify, and GnuTLS's name for it. */
const CLIENT_SCHEME_CASES: readonly [LeafKind, SignatureScheme, string][] = [
  ['rsa2048', RSA_PSS_RSAE_SHA384, 'RSA-PSS-RSAE-SHA384'],
  ['rsa2048', RSA_PSS_RSAE_SHA512, 'RSA-PSS-RSAE-SHA512'],
  ['p384', ECDSA_SECP384R1_SHA384, 'ECDSA-SECP384R1-SHA384'],
];
for (const [kind, scheme, gnutlsName] of CLIENT_SCHEME_CASES) {
  test(`gnutls-serv (${kind}) signs with ${scheme.name}, the only scheme our client offers`, { skip: servSkip, timeout: TIMEOUT }, async () => {
    const { pump, peer } = await echoRoundTrip({ kind }, { signatureSchemes: [scheme, ECDSA_SECP256R1_SHA256] });
    assert.equal(pump.conn.negotiated.peerSignatureScheme, scheme.id);
    assert.ok(await peer.waitFor(new RegExp(`- Server Signature: ${gnutlsName}\\n`)), 'gnutls-serv reports the same scheme');
    await finishServ(pump, peer);
  });
}

test('our client sends its certificate when gnutls-serv requires and verifies one', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const pki = testPki();
  const { pump, peer } = await echoRoundTrip({ clientCa: pki.caFile }, { certificates: [pki.client.certified] });
  assert.notEqual(pump.conn.negotiated.signatureScheme, null, 'we signed a CertificateVerify');
  assert.ok(await peer.waitFor(/- Client Signature: ECDSA-SECP256R1-SHA256/), 'gnutls-serv checked our CertificateVerify');
  assert.match(peer.out.toString(), /Subject: CN=sslsock client,/);
  await finishServ(pump, peer);
});

test('gnutls-serv rejects our empty client Certificate when it requires one', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { peer, port } = await gnutlsServ({ clientCa: testPki().caFile });
  const pump = track(TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost' }), await connectWhenListening(port)));
  try {
    // TLS 1.3: the client finishes first; the server's alert arrives on the next read.
    await pump.handshake();
    await pump.readExactly(1);
    assert.fail('expected an alert from gnutls-serv');
  } catch (e) {
    assert.ok(e instanceof TLSError, String(e));
    assert.equal(e.fromPeer, true);
    assert.equal(e.alert, 'certificate_required');
  } finally {
    pump.destroy();
    peer.kill();
    await peer.exit();
  }
});

test('ALPN with gnutls-serv: it picks among the protocols we offer', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { pump, peer } = await echoRoundTrip({ alpn: ['h2'] }, { alpnProtocols: ['http/1.1', 'h2'] });
  assert.equal(pump.conn.negotiated.alpn, 'h2');
  assert.ok(await peer.waitFor(/- Application protocol: h2\n/), 'gnutls-serv reports the same protocol');
  await finishServ(pump, peer);
});

test('KeyUpdate with gnutls-serv: we update and request its update mid-stream', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { pump, peer } = await echoRoundTrip({}, {});
  pump.conn.keyUpdate(true);
  const data = digitPayload(20 * KiB, 3);
  await pump.write(data);
  assert.equal(sha256(await pump.readExactly(data.length)), sha256(data), 'echo under the updated keys');
  await finishServ(pump, peer);
});

test('gnutls-serv KeyUpdate with update_requested (its **REHANDSHAKE** command under TLS 1.3)', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { pump, peer } = await echoRoundTrip({}, {});
  // gnutls_rehandshake() under TLS 1.3 is gnutls_session_key_update(GNUTLS_KU_PEER).
  await pump.write(Buffer.from(REHANDSHAKE_CMD));
  assert.ok(await peer.waitFor(/\*\*\* Sending rehandshake request/), 'gnutls-serv sent its KeyUpdate');
  const reply = Buffer.from(COMMAND_DONE);
  assert.deepEqual(await pump.readExactly(reply.length), reply, 'we read its reply under its new keys');
  const data = digitPayload(20 * KiB, 4);
  await pump.write(data);
  assert.equal(sha256(await pump.readExactly(data.length)), sha256(data), 'echo after both sides updated');
  await finishServ(pump, peer);
});

test('1 MiB echoed by gnutls-serv, checked by SHA-256', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { pump, peer } = await echoRoundTrip({}, {}, 1024 * KiB);
  await finishServ(pump, peer);
});

test('SSLSocket (CERT_REQUIRED, check_hostname) against gnutls-serv: 256 KiB echo', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const pki = testPki();
  const { peer, port } = await gnutlsServ({ kind: 'ed25519' });
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(pki.caFile);
  const raw = track(await socket.createConnection(['127.0.0.1', port]));
  const s = (await ctx.wrapSocket(raw, { serverHostname: 'localhost' })) as ssl.SSLSocket;
  try {
    assert.equal(s.version(), 'TLSv1.3');
    const data = digitPayload(256 * KiB, 11);
    await s.sendall(data);
    const parts: Buffer[] = [];
    let got = 0;
    while (got < data.length) {
      const d = await s.recv(65536);
      assert.ok(d.length > 0, `EOF after ${got} echoed bytes`);
      parts.push(d);
      got += d.length;
    }
    assert.equal(sha256(Buffer.concat(parts)), sha256(data));
  } finally {
    s.close();
    peer.kill();
    await peer.exit();
  }
});

test('SSLSocket refuses gnutls-serv\'s certificate for another host name; gnutls-serv gets the alert', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { peer, port } = await gnutlsServ({});
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(testPki().caFile);
  const raw = track(await socket.createConnection(['127.0.0.1', port]));
  await assert.rejects(ctx.wrapSocket(raw, { serverHostname: 'other.example' }), (e: unknown) => e instanceof ssl.SSLCertVerificationError && /Hostname mismatch/i.test(e.verifyMessage ?? ''));
  assert.ok(await peer.waitFor(/Error in handshake: A TLS fatal alert has been received\./), `gnutls-serv saw our alert:\n${peer.out.toString()}${peer.err}`);
});

test('our client offering 1.3 and 1.2 gets TLS 1.3 from gnutls-serv with its default (NORMAL) priority', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { pump, peer } = await echoRoundTrip({ priority: 'NORMAL' }, { minVersion: 'TLSv1.2' });
  assert.equal(pump.conn.negotiated.version, 'TLSv1.3');
  assert.match(await servDescription(peer), /^\(TLS1\.3-X\.509\)/);
  await finishServ(pump, peer);
});

// ---- gnutls-cli against our server ----

/**
 * Our server handshakes with a fresh gnutls-cli, sends `bytes` (read back from
 * gnutls-cli's stdout) and receives `bytes` fed to its stdin. The caller finishes.
 */
async function cliRoundTrip(config: Partial<ConnectionConfig>, cli: Partial<CliOpts> = {}, bytes = 4 * KiB): Promise<{ pump: TcpPump; cli: GnutlsCli }> {
  const pki = testPki();
  const l = track(await listenOnce());
  const c = startGnutlsCli(l.port, { caFile: pki.caFile, ...cli });
  let pump: TcpPump | null = null;
  try {
    const accepted = await Promise.race([l.accepted, c.peer.exit().then(() => null)]);
    if (accepted === null) throw new Error('gnutls-cli exited before connecting');
    pump = track(TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified], ...config }), accepted));
    await pump.handshake();
    const down = digitPayload(bytes, 5);
    await pump.write(down);
    const got = await c.peer.waitStdout(down.length);
    assert.equal(sha256(got.subarray(0, down.length)), sha256(down), 'gnutls-cli received what we sent');
    const up = digitPayload(bytes, 6);
    c.peer.proc.stdin.write(up);
    assert.equal(sha256(await pump.readExactly(up.length)), sha256(up), 'we received what gnutls-cli sent');
    return { pump, cli: c };
  } catch (e) {
    pump?.destroy();
    c.peer.kill();
    await c.peer.exit();
    throw new Error(`${(e as Error).message}\n--- gnutls-cli log:\n${c.log()}${c.peer.err}`, { cause: e });
  } finally {
    l.close();
  }
}

/**
 * We send close_notify; gnutls-cli must see a clean close and exit 0. Returns
 * its log, which it writes through a buffered stream, so complete only at exit.
 */
async function finishCli(pump: TcpPump, c: GnutlsCli): Promise<string> {
  await pump.close();
  const code = await c.peer.exit();
  pump.destroy();
  c.peer.kill();
  const log = c.log();
  assert.equal(code, 0, `gnutls-cli exit status\n${log}${c.peer.err}`);
  assert.match(log, /Peer has closed the GnuTLS connection/);
  return log;
}

for (const suite of TLS13_SUITES) {
  test(`gnutls-cli against our server forcing ${suite.ianaName}`, { skip: cliSkip, timeout: TIMEOUT }, async () => {
    const { pump, cli } = await cliRoundTrip({}, { priority: tls13Priority({ suites: [suite] }) });
    assert.equal(pump.conn.negotiated.suite, suite);
    const log = await finishCli(pump, cli);
    assert.match(description(log) ?? '', new RegExp(`^\\(TLS1\\.3-X\\.509\\).*-\\(${gnutlsCipher(suite)}\\)$`));
  });
}

for (const group of GROUPS) {
  test(`gnutls-cli against our server forcing group ${group}`, { skip: cliSkip, timeout: TIMEOUT }, async () => {
    const { pump, cli } = await cliRoundTrip({ groups: [group] }, { priority: tls13Priority({ groups: [group] }) });
    assert.equal(pump.conn.negotiated.group, group);
    assert.equal(pump.conn.negotiated.helloRetry, false);
    const log = await finishCli(pump, cli);
    assert.match(description(log) ?? '', new RegExp(`\\(ECDHE-${GNUTLS_GROUP[group]}\\)`));
  });
}

test('our server sends a HelloRetryRequest when gnutls-cli shares only a group we do not accept', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const { pump, cli } = await cliRoundTrip({ groups: ['P-256'] }, { priority: tls13Priority({ groups: ['X25519', 'P-256'] }), singleKeyShare: true });
  assert.equal(pump.conn.negotiated.helloRetry, true);
  assert.equal(pump.conn.negotiated.group, 'P-256');
  assert.match(description(await finishCli(pump, cli)) ?? '', /\(ECDHE-SECP256R1\)/);
});

for (const kind of LEAF_KINDS) {
  test(`gnutls-cli verifies our ${kind} certificate and CertificateVerify`, { skip: cliSkip, timeout: TIMEOUT }, async () => {
    const pki = testPki();
    const { pump, cli } = await cliRoundTrip({ certificates: [pki.servers[kind].certified] });
    assert.match(await finishCli(pump, cli), /- Status: The certificate is trusted\./);
  });
}

/**
 * The one CertificateVerify scheme gnutls-cli allows (its priority name
 * SIGN-…), the key our server must pick for it, and how gnutls-cli's
 * Description line spells the scheme.
 */
const SERVER_SCHEME_CASES: readonly [string, LeafKind, SignatureScheme, string][] = [
  ['ECDSA-SECP256R1-SHA256', 'p256', ECDSA_SECP256R1_SHA256, 'ECDSA-SECP256R1-SHA256'],
  ['ECDSA-SECP384R1-SHA384', 'p384', ECDSA_SECP384R1_SHA384, 'ECDSA-SECP384R1-SHA384'],
  ['EDDSA-ED25519', 'ed25519', ED25519, 'EdDSA-Ed25519'],
  ['RSA-PSS-RSAE-SHA512', 'rsa2048', RSA_PSS_RSAE_SHA512, 'RSA-PSS-RSAE-SHA512'],
];
for (const [gnutlsName, kind, scheme, shown] of SERVER_SCHEME_CASES) {
  test(`our server with four keys picks ${kind} for gnutls-cli allowing only ${gnutlsName}`, { skip: cliSkip, timeout: TIMEOUT }, async () => {
    const pki = testPki();
    const certificates = LEAF_KINDS.map((k) => pki.servers[k].certified);
    const { pump, cli } = await cliRoundTrip({ certificates }, { priority: `${tls13Priority()}:-SIGN-ALL:+SIGN-${gnutlsName}` });
    assert.equal(pump.conn.negotiated.signatureScheme, scheme.id);
    assert.deepEqual(pump.conn.negotiated.ourCertificates[0], pki.servers[kind].chain[0]);
    assert.match(description(await finishCli(pump, cli)) ?? '', new RegExp(`-\\(${shown}\\)-`));
  });
}

test('our server requires and receives a gnutls-cli client certificate', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const pki = testPki();
  const { pump, cli } = await cliRoundTrip({ clientAuth: 'required' }, { certFile: pki.client.certFile, keyFile: pki.client.keyFile });
  assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
  assert.notEqual(pump.conn.negotiated.peerSignatureScheme, null);
  assert.match(await finishCli(pump, cli), /Successfully sent 1 certificate\(s\) to server/);
});

test('our server picks ALPN by its own preference with gnutls-cli', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const { pump, cli } = await cliRoundTrip({ alpnProtocols: ['h2', 'http/1.1'] }, { alpn: ['http/1.1', 'h2'] });
  assert.equal(pump.conn.negotiated.alpn, 'h2');
  assert.match(await finishCli(pump, cli), /- Application protocol: h2\n/);
});

test('gnutls-cli with its default (NORMAL) priority, offering 1.3 and 1.2, gets TLS 1.3 from our server', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const { pump, cli } = await cliRoundTrip({}, { priority: 'NORMAL' });
  assert.equal(pump.conn.negotiated.version, 'TLSv1.3');
  assert.match(description(await finishCli(pump, cli)) ?? '', /^\(TLS1\.3-X\.509\)/);
});

test('256 KiB each way between gnutls-cli and our server, checked by SHA-256', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const { pump, cli } = await cliRoundTrip({}, {}, 256 * KiB);
  await finishCli(pump, cli);
});

test('gnutls-cli KeyUpdates (^rekey^, then ^rekey1^ requesting ours) mid-stream', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const { pump, cli } = await cliRoundTrip({}, { inlineCommands: true });
  const before = cli.peer.out.length;
  cli.peer.proc.stdin.write('^rekey^\n123\n^rekey1^\n456\n');
  const up = Buffer.from('123\n456\n');
  assert.deepEqual(await pump.readExactly(up.length), up, 'we read its data under each of its new keys');
  const down = digitPayload(10 * KiB, 8);
  await pump.write(down);
  const got = await cli.peer.waitStdout(before + down.length);
  assert.equal(sha256(got.subarray(before, before + down.length)), sha256(down), 'gnutls-cli read ours under our new keys');
  assert.equal((await finishCli(pump, cli)).match(/- Rekey was completed/g)?.length, 2);
});

test('our server aborts with certificate_required when gnutls-cli sends no certificate', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const pki = testPki();
  const l = track(await listenOnce());
  const c = startGnutlsCli(l.port, { caFile: pki.caFile });
  const pump = track(TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified], clientAuth: 'required' }), await l.accepted));
  l.close();
  try {
    await assert.rejects(pump.handshake(), (e: unknown) => e instanceof TLSError && e.alert === 'certificate_required' && !e.fromPeer);
    assert.notEqual(await c.peer.exit(), 0);
    assert.match(c.log(), /Received alert \[116\]: Certificate is required/);
  } finally {
    pump.destroy();
    c.peer.kill();
  }
});

test('gnutls-cli rejects our certificate for another host name with bad_certificate', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const pki = testPki();
  const l = track(await listenOnce());
  const c = startGnutlsCli(l.port, { caFile: pki.caFile, verifyHostname: 'other.example' });
  const pump = track(TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified] }), await l.accepted));
  l.close();
  try {
    await assert.rejects(
      (async () => {
        await pump.handshake();
        await pump.readExactly(1);
      })(),
      (e: unknown) => e instanceof TLSError && e.alert === 'bad_certificate' && e.fromPeer,
    );
    assert.notEqual(await c.peer.exit(), 0);
    assert.match(c.log(), /The name in the certificate does not match the expected/);
  } finally {
    pump.destroy();
    c.peer.kill();
  }
});

// ---- TLS 1.2 (ECDHE + AEAD), both directions, every suite ----

for (const suite of TLS12_SUITES) {
  const kind: LeafKind = suite.auth === 'RSA' ? 'rsa2048' : 'p256';
  // GnuTLS prints e.g. (TLS1.2-X.509)-(ECDHE-X25519)-(RSA-SHA256)-(AES-256-GCM).
  const shown = new RegExp(`^\\(TLS1\\.2-X\\.509\\)-\\(ECDHE-X25519\\)-\\(${suite.auth === 'RSA' ? 'RSA' : 'ECDSA'}-.*\\)-\\(${gnutlsCipher(suite)}\\)$`);
  for (const clientCert of [false, true]) {
    const withCert = clientCert ? ', client certificate' : '';
    test(`TLS 1.2: our client against gnutls-serv forcing ${suite.opensslName}${withCert}, ALPN, 1 MiB echoed, close_notify`, { skip: servSkip, timeout: TIMEOUT }, async () => {
      const pki = testPki();
      const { pump, peer } = await echoRoundTrip(
        { priority: tls12Priority(suite), kind, alpn: ['http/1.1'], clientCa: clientCert ? pki.caFile : undefined },
        { alpnProtocols: ['h2', 'http/1.1'], certificates: clientCert ? [pki.client.certified] : [] },
        1024 * KiB,
      );
      assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
      assert.equal(pump.conn.negotiated.suite, suite);
      assert.equal(pump.conn.negotiated.alpn, 'http/1.1');
      assert.match(await servDescription(peer), shown);
      await finishServ(pump, peer);
    });

    // 256 KiB, as the TLS 1.3 bulk case with gnutls-cli: its stdout relay does not carry 1 MiB within the timeout.
    test(`TLS 1.2: gnutls-cli forcing ${suite.opensslName}${withCert} against our server, ALPN, 256 KiB each way, close_notify`, { skip: cliSkip, timeout: TIMEOUT }, async () => {
      const pki = testPki();
      const { pump, cli } = await cliRoundTrip(
        { certificates: [pki.servers[kind].certified], clientAuth: clientCert ? 'required' : 'none', alpnProtocols: ['http/1.1'] },
        { priority: tls12Priority(suite), alpn: ['h2', 'http/1.1'], ...(clientCert ? { certFile: pki.client.certFile, keyFile: pki.client.keyFile } : {}) },
        256 * KiB,
      );
      assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
      assert.equal(pump.conn.negotiated.suite, suite);
      assert.equal(pump.conn.negotiated.alpn, 'http/1.1');
      if (clientCert) assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
      assert.match(description(await finishCli(pump, cli)) ?? '', shown);
    });
  }
}

test('TLS 1.2: gnutls-cli offering 1.3 and 1.2 (NORMAL) and our 1.2-only server settle on TLS 1.2', { skip: cliSkip, timeout: TIMEOUT }, async () => {
  const { pump, cli } = await cliRoundTrip({ maxVersion: 'TLSv1.2' }, { priority: 'NORMAL' });
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  assert.match(description(await finishCli(pump, cli)) ?? '', /^\(TLS1\.2-X\.509\)/);
});

test('TLS 1.2: our 1.3-capable client and gnutls-serv limited to TLS 1.2 settle on TLS 1.2', { skip: servSkip, timeout: TIMEOUT }, async () => {
  const { pump, peer } = await echoRoundTrip({ priority: tls12Priority() }, {});
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  assert.match(await servDescription(peer), /^\(TLS1\.2-X\.509\)/);
  await finishServ(pump, peer);
});
