/**
 * Interop over real TCP with OpenSSL: our client against `openssl s_server`,
 * and `openssl s_client` against our server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TLSError } from '../../src/tls/errors.js';
import { TLS12_SUITES, TLS13_SUITES } from '../../src/tls/registry/suites.js';
import { TcpPump } from '../helpers/pump.js';
import { testPki, LEAF_KINDS, type LeafKind } from './connection-certs.js';
import { HAVE_OPENSSL, Peer, connectWhenListening, digitPayload, freePort, listenOnce, sha256 } from './interop-peers.js';

const provider = defaultProvider;
const skip = HAVE_OPENSSL ? false : 'openssl not installed';
const MiB = 1 << 20;

interface ServerOpts {
  kind?: LeafKind;
  args?: string[];
  /** The protocol flag: s_server speaks only this version. */
  version?: '-tls1_3' | '-tls1_2';
}

async function sServer(o: ServerOpts = {}): Promise<{ peer: Peer; port: number }> {
  const pki = testPki();
  const leaf = pki.servers[o.kind ?? 'p256'];
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', leaf.certFile, '-key', leaf.keyFile, o.version ?? '-tls1_3', '-naccept', '1', '-brief', ...(o.args ?? [])]);
  return { peer, port };
}

async function ourClient(port: number, config: Partial<ConnectionConfig> = {}): Promise<TcpPump> {
  const socket = await connectWhenListening(port);
  const conn = Connection.client({ provider, serverName: 'localhost', ...config });
  return TcpPump.fromSocket(conn, socket);
}

async function clientRoundTrip(o: ServerOpts, config: Partial<ConnectionConfig>, bytes = 4096): Promise<{ pump: TcpPump; peer: Peer }> {
  const { peer, port } = await sServer(o);
  try {
    const pump = await ourClient(port, config);
    await pump.handshake();
    const up = digitPayload(bytes, 7);
    await pump.write(up);
    const got = await peer.waitStdout(up.length);
    assert.equal(sha256(got.subarray(0, up.length)), sha256(up), 's_server received what we sent');
    const down = digitPayload(bytes, 9);
    peer.proc.stdin.write(down);
    const back = await pump.readExactly(down.length);
    assert.equal(sha256(back), sha256(down), 'we received what s_server sent');
    return { pump, peer };
  } catch (e) {
    peer.kill();
    throw new Error(`${(e as Error).message}\n--- s_server stderr:\n${peer.err}`, { cause: e });
  }
}

async function finish(pump: TcpPump, peer: Peer): Promise<void> {
  await pump.close();
  peer.proc.stdin.end();
  peer.kill();
  await peer.exit();
}

for (const suite of TLS13_SUITES) {
  test(`our client against openssl s_server with ${suite.ianaName}`, { skip }, async () => {
    const { pump, peer } = await clientRoundTrip({ args: ['-ciphersuites', suite.ianaName] }, { cipherSuites: [suite] });
    assert.equal(pump.conn.negotiated.suite, suite);
    assert.match(peer.err, new RegExp(`Ciphersuite: ${suite.ianaName}`));
    await finish(pump, peer);
  });
}

for (const group of ['X25519', 'P-256', 'P-384', 'P-521', 'X448'] as KeyExchangeGroup[]) {
  test(`our client against openssl s_server with group ${group}`, { skip }, async () => {
    const { pump, peer } = await clientRoundTrip({}, { groups: [group] });
    assert.equal(pump.conn.negotiated.group, group);
    assert.equal(pump.conn.negotiated.helloRetry, false);
    await finish(pump, peer);
  });
}

for (const kind of LEAF_KINDS) {
  test(`our client verifies an openssl s_server ${kind} certificate signature`, { skip }, async () => {
    const { pump, peer } = await clientRoundTrip({ kind }, {});
    assert.deepEqual(pump.conn.negotiated.peerCertificates, testPki().servers[kind].chain.slice(0, 1));
    await finish(pump, peer);
  });
}

test('our client retries after a HelloRetryRequest from openssl s_server (-groups P-384)', { skip }, async () => {
  const { pump, peer } = await clientRoundTrip({ args: ['-groups', 'P-384'] }, { groups: ['X25519', 'P-384'] });
  assert.equal(pump.conn.negotiated.helloRetry, true);
  assert.equal(pump.conn.negotiated.group, 'P-384');
  await finish(pump, peer);
});

test('our client sends its certificate when openssl s_server requires one', { skip }, async () => {
  const pki = testPki();
  const { pump, peer } = await clientRoundTrip({ args: ['-Verify', '1', '-CAfile', pki.caFile] }, { certificates: [pki.client.certified] });
  assert.match(peer.err, /Peer certificate: .*CN ?= ?sslsock client/);
  assert.equal(pump.conn.negotiated.signatureScheme !== null, true);
  await finish(pump, peer);
});

test('openssl s_server rejects our empty client Certificate when it requires one', { skip }, async () => {
  const { peer, port } = await sServer({ args: ['-Verify', '1', '-CAfile', testPki().caFile] });
  const pump = await ourClient(port, {});
  try {
    await pump.handshake();
    // TLS 1.3: the client finishes first; the server's alert arrives on the next read.
    await pump.readExactly(1);
    assert.fail('expected an alert');
  } catch (e) {
    assert.ok(e instanceof TLSError, String(e));
    assert.equal(e.fromPeer, true);
    assert.equal(e.alert, 'certificate_required');
  } finally {
    pump.destroy();
    peer.kill();
  }
});

test('ALPN with openssl s_server: its choice among ours', { skip }, async () => {
  const { pump, peer } = await clientRoundTrip({ args: ['-alpn', 'h2,http/1.1'] }, { alpnProtocols: ['http/1.1', 'h2'] });
  assert.ok(['h2', 'http/1.1'].includes(pump.conn.negotiated.alpn ?? ''));
  await finish(pump, peer);
});

test('1 MiB each way with openssl s_server, checked by SHA-256', { skip }, async () => {
  const { pump, peer } = await clientRoundTrip({}, {}, MiB);
  await finish(pump, peer);
});

test('KeyUpdate with openssl s_server: we update and request an update mid-stream', { skip }, async () => {
  const { pump, peer } = await clientRoundTrip({}, {});
  pump.conn.keyUpdate(true);
  await pump.flush();
  const up = digitPayload(10_000, 3);
  const before = peer.out.length;
  await pump.write(up);
  const got = await peer.waitStdout(before + up.length);
  assert.equal(sha256(got.subarray(before, before + up.length)), sha256(up));
  const down = digitPayload(10_000, 4);
  peer.proc.stdin.write(down);
  assert.equal(sha256(await pump.readExactly(down.length)), sha256(down));
  await finish(pump, peer);
});

// ---- openssl s_client against our server ----

async function sClient(port: number, args: string[] = [], version = '-tls1_3'): Promise<Peer> {
  return Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', version, '-brief', '-CAfile', testPki().caFile, '-verify_return_error', ...args]);
}

async function serverRoundTrip(config: Partial<ConnectionConfig>, clientArgs: string[] = [], bytes = 4096, version = '-tls1_3'): Promise<{ pump: TcpPump; peer: Peer }> {
  const pki = testPki();
  const l = await listenOnce();
  const peer = await sClient(l.port, clientArgs, version);
  try {
    const socket = await l.accepted;
    l.close();
    const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified], ...config }), socket);
    await pump.handshake();
    const down = digitPayload(bytes, 5);
    await pump.write(down);
    const got = await peer.waitStdout(down.length);
    assert.equal(sha256(got.subarray(0, down.length)), sha256(down), 's_client received what we sent');
    const up = digitPayload(bytes, 6);
    peer.proc.stdin.write(up);
    assert.equal(sha256(await pump.readExactly(up.length)), sha256(up), 'we received what s_client sent');
    return { pump, peer };
  } catch (e) {
    peer.kill();
    throw new Error(`${(e as Error).message}\n--- s_client stderr:\n${peer.err}`, { cause: e });
  }
}

for (const suite of TLS13_SUITES) {
  test(`openssl s_client against our server with ${suite.ianaName}`, { skip }, async () => {
    const { pump, peer } = await serverRoundTrip({}, ['-ciphersuites', suite.ianaName]);
    assert.equal(pump.conn.negotiated.suite, suite);
    await finish(pump, peer);
  });
}

for (const kind of LEAF_KINDS) {
  test(`openssl s_client verifies our ${kind} certificate`, { skip }, async () => {
    const pki = testPki();
    const { pump, peer } = await serverRoundTrip({ certificates: [pki.servers[kind].certified] });
    assert.match(peer.err, /Verification: OK/);
    await finish(pump, peer);
  });
}

/** How s_client names each group in its "Server Temp Key" line. */
const OPENSSL_TEMP_KEY: Partial<Record<KeyExchangeGroup, string>> = {
  X25519: 'X25519, 253 bits',
  X448: 'X448, 448 bits',
  'P-256': 'ECDH, prime256v1, 256 bits',
  'P-384': 'ECDH, secp384r1, 384 bits',
  'P-521': 'ECDH, secp521r1, 521 bits',
};

for (const group of ['X25519', 'P-256', 'P-384', 'P-521', 'X448'] as KeyExchangeGroup[]) {
  test(`openssl s_client against our server with group ${group}`, { skip }, async () => {
    const { pump, peer } = await serverRoundTrip({ groups: [group] }, ['-groups', group]);
    assert.equal(pump.conn.negotiated.group, group);
    await finish(pump, peer);
    // s_client's own view of the key exchange.
    assert.match(peer.out.toString() + peer.err, new RegExp(`Server Temp Key: ${OPENSSL_TEMP_KEY[group]}`));
  });
}

test('our server sends a HelloRetryRequest when openssl s_client offers no share for our group', { skip }, async () => {
  // s_client sends a share for its first group only (X25519); we accept only P-256.
  const { pump, peer } = await serverRoundTrip({ groups: ['P-256'] }, ['-groups', 'X25519:P-256']);
  assert.equal(pump.conn.negotiated.helloRetry, true);
  assert.equal(pump.conn.negotiated.group, 'P-256');
  await finish(pump, peer);
});

test('our server requests and receives an openssl s_client certificate', { skip }, async () => {
  const pki = testPki();
  const { pump, peer } = await serverRoundTrip({ clientAuth: 'required' }, ['-cert', pki.client.certFile, '-key', pki.client.keyFile]);
  assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
  await finish(pump, peer);
});

test('our server picks ALPN by its own preference with openssl s_client', { skip }, async () => {
  const { pump, peer } = await serverRoundTrip({ alpnProtocols: ['h2', 'http/1.1'] }, ['-alpn', 'http/1.1,h2']);
  assert.equal(pump.conn.negotiated.alpn, 'h2');
  await finish(pump, peer);
});

test('1 MiB each way between openssl s_client and our server, checked by SHA-256', { skip }, async () => {
  const { pump, peer } = await serverRoundTrip({}, [], MiB);
  await finish(pump, peer);
});

test('openssl s_client requests a KeyUpdate (K); our server updates and answers with its own', { skip }, async () => {
  const pki = testPki();
  const l = await listenOnce();
  // -msg traces every message on stdout, mixed with the data.
  const peer = await sClient(l.port, ['-msg']);
  const socket = await l.accepted;
  l.close();
  const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified] }), socket);
  try {
    await pump.handshake();
    peer.proc.stdin.write('K\n');
    assert.ok(await peer.waitFor(/>>> TLS 1.3, Handshake \[length 0005\], KeyUpdate/), 's_client sent a KeyUpdate');
    // Data after the update flows both ways under the new keys.
    const up = digitPayload(5000, 12);
    peer.proc.stdin.write(up);
    assert.equal(sha256(await pump.readExactly(up.length)), sha256(up));
    assert.ok(await peer.waitFor(/<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate/), 'our KeyUpdate reached s_client');
    const marker = 'after-update-' + '0123456789'.repeat(3);
    await pump.write(Buffer.from(marker + '\n'));
    assert.ok(await peer.waitFor(new RegExp(marker)), 's_client decrypted our data after the update');
  } finally {
    await finish(pump, peer);
  }
});

// ---- TLS 1.2 (RFC 5246 + 8422, ECDHE + AEAD), both directions ----

const TLS12 = '-tls1_2';

for (const suite of TLS12_SUITES) {
  const kind: LeafKind = suite.auth === 'RSA' ? 'rsa2048' : 'p256';
  for (const clientCert of [false, true]) {
    const withCert = clientCert ? ', client certificate' : '';
    test(`TLS 1.2: our client against openssl s_server -tls1_2 with ${suite.opensslName}${withCert}, ALPN, 1 MiB each way, close_notify`, { skip }, async () => {
      const pki = testPki();
      const certArgs = clientCert ? ['-Verify', '1', '-CAfile', pki.caFile] : [];
      const { pump, peer } = await clientRoundTrip(
        { kind, version: TLS12, args: ['-cipher', suite.opensslName, '-alpn', 'http/1.1', ...certArgs] },
        { alpnProtocols: ['h2', 'http/1.1'], certificates: clientCert ? [pki.client.certified] : [] },
        MiB,
      );
      assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
      assert.equal(pump.conn.negotiated.suite, suite);
      assert.equal(pump.conn.negotiated.alpn, 'http/1.1');
      assert.match(peer.err, /Protocol version: TLSv1\.2/);
      assert.match(peer.err, new RegExp(`Ciphersuite: ${suite.opensslName}`));
      if (clientCert) assert.match(peer.err, /Peer certificate: .*CN ?= ?sslsock client/);
      // s_server answers our close_notify with its own (SSL_shutdown), which we read as a clean close.
      pump.conn.close();
      await pump.flush();
      await pump.readToClose();
      assert.equal(pump.conn.peerClosed, true);
      await finish(pump, peer);
    });

    test(`TLS 1.2: openssl s_client -tls1_2 against our server with ${suite.opensslName}${withCert}, ALPN, 1 MiB each way, close_notify`, { skip }, async () => {
      const pki = testPki();
      const certArgs = clientCert ? ['-cert', pki.client.certFile, '-key', pki.client.keyFile] : [];
      const { pump, peer } = await serverRoundTrip(
        { certificates: [pki.servers[kind].certified], clientAuth: clientCert ? 'required' : 'none', alpnProtocols: ['http/1.1'] },
        ['-cipher', suite.opensslName, '-alpn', 'h2,http/1.1', ...certArgs],
        MiB,
        TLS12,
      );
      assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
      assert.equal(pump.conn.negotiated.suite, suite);
      assert.equal(pump.conn.negotiated.alpn, 'http/1.1');
      assert.match(peer.err, /Protocol version: TLSv1\.2/);
      assert.match(peer.err, new RegExp(`Ciphersuite: ${suite.opensslName}`));
      assert.match(peer.err, /Verification: OK/);
      if (clientCert) assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
      // s_client ends on stdin EOF with close_notify; we see it as a clean close.
      peer.proc.stdin.end();
      await pump.readToClose();
      assert.equal(pump.conn.peerClosed, true);
      await finish(pump, peer);
    });
  }
}

test('TLS 1.2: our 1.3-capable client and openssl s_server -tls1_2 settle on TLS 1.2 (no sentinel from a 1.2-only server)', { skip }, async () => {
  const { pump, peer } = await clientRoundTrip({ version: TLS12 }, { maxVersion: 'TLSv1.3' });
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  await finish(pump, peer);
});

test('TLS 1.2: openssl s_client -tls1_2 and our 1.3-capable server settle on TLS 1.2; s_client accepts our downgrade sentinel', { skip }, async () => {
  const { pump, peer } = await serverRoundTrip({}, [], 4096, TLS12);
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  await finish(pump, peer);
});

test('TLS 1.2: openssl s_client offering 1.3 and 1.2 against our 1.2-only server settles on TLS 1.2 (s_client checks our random has no sentinel)', { skip }, async () => {
  const { pump, peer } = await serverRoundTrip({ maxVersion: 'TLSv1.2' }, [], 4096, '-no_ssl3');
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  assert.match(peer.err, /Protocol version: TLSv1\.2/);
  await finish(pump, peer);
});

test('TLS 1.2: our 1.2-only client against openssl s_server offering 1.3: TLS 1.2', { skip }, async () => {
  const { pump, peer } = await clientRoundTrip({ version: '-no_ssl3' as never }, { maxVersion: 'TLSv1.2' });
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  await finish(pump, peer);
});
