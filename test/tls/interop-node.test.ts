/**
 * Interop over real TCP with node:tls (OpenSSL in this Node) limited to
 * TLS 1.2 (maxVersion 'TLSv1.2'): every TLS 1.2 suite both directions, with
 * and without client certificates, ALPN, 1 MiB each way checked by SHA-256,
 * close_notify; version and suite asserted from both sides. The same for
 * TLS 1.3 (minVersion 'TLSv1.3'): each suite with and without a client
 * certificate, over the four server key kinds. Then P-521 and X448 cells for
 * TLS 1.3 and 1.2 in both directions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import { TLS12_SUITES, TLS13_SUITES, type CipherSuite } from '../../src/tls/registry/suites.js';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import { TcpPump } from '../helpers/pump.js';
import { testPki, type LeafKind } from './connection-certs.js';
import { digitPayload, listenOnce, sha256 } from './interop-peers.js';

const provider = defaultProvider;
const MiB = 1 << 20;

function collect(sock: tls.TLSSocket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      have += d.length;
      if (have >= n) {
        sock.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
  });
}

/** One cell of the matrix: version, suite, our server's key, and whether the client presents a certificate. */
interface Cell {
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  readonly suite: CipherSuite;
  readonly kind: LeafKind;
  readonly clientCert: boolean;
}

/** node:tls options that pin the cell's version and suite (node takes TLS 1.3 suites in `ciphers` too, by their TLS_ names). */
function nodeVersionOptions(c: Cell): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion; ciphers: string } {
  return { minVersion: c.version, maxVersion: c.version, ciphers: c.suite.opensslName };
}

/** Our client against a node:tls server: ALPN, 1 MiB each way by SHA-256, close_notify; version and suite from both sides. */
async function ourClientAgainstNode(c: Cell): Promise<void> {
  const pki = testPki();
  const leaf = pki.servers[c.kind];
  const server = tls.createServer({
    cert: readFileSync(leaf.certFile),
    key: readFileSync(leaf.keyFile),
    ...nodeVersionOptions(c),
    ALPNProtocols: ['http/1.1'],
    requestCert: c.clientCert,
    rejectUnauthorized: c.clientCert,
    ca: c.clientCert ? readFileSync(pki.caFile) : undefined,
  });
  const accepted = new Promise<tls.TLSSocket>((resolve) => server.once('secureConnection', resolve));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const pump = TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost', alpnProtocols: ['h2', 'http/1.1'], certificates: c.clientCert ? [pki.client.certified] : [] }), socket);
  try {
    await pump.handshake();
    const peer = await accepted;
    assert.equal(peer.getProtocol(), c.version);
    assert.equal(peer.getCipher().name, c.suite.opensslName);
    assert.equal(peer.alpnProtocol, 'http/1.1');
    if (c.clientCert) assert.match(JSON.stringify(peer.getPeerCertificate().subject), /sslsock client/);
    assert.equal(pump.conn.negotiated.version, c.version);
    assert.equal(pump.conn.negotiated.suite, c.suite);
    assert.equal(pump.conn.negotiated.alpn, 'http/1.1');
    const up = digitPayload(MiB, 3);
    const got = collect(peer, MiB);
    await pump.write(up);
    assert.equal(sha256((await got).subarray(0, MiB)), sha256(up));
    const down = digitPayload(MiB, 4);
    peer.write(down);
    assert.equal(sha256(await pump.readExactly(MiB)), sha256(down));
    // node:tls answers end() with close_notify, which we see as a clean close.
    peer.end();
    assert.equal((await pump.readToClose()).length, 0);
    assert.equal(pump.conn.peerClosed, true);
    await pump.close();
  } finally {
    pump.destroy();
    server.close();
  }
}

/** A node:tls client against our server: the same checks the other way round. */
async function nodeClientAgainstOurs(c: Cell): Promise<void> {
  const pki = testPki();
  const l = await listenOnce();
  const client = tls.connect({
    port: l.port,
    host: '127.0.0.1',
    servername: 'localhost',
    ca: readFileSync(pki.caFile),
    ...nodeVersionOptions(c),
    ALPNProtocols: ['h2', 'http/1.1'],
    cert: c.clientCert ? readFileSync(pki.client.certFile) : undefined,
    key: c.clientCert ? readFileSync(pki.client.keyFile) : undefined,
  });
  const secure = new Promise<void>((resolve, reject) => {
    client.once('secureConnect', resolve);
    client.once('error', reject);
  });
  const socket = await l.accepted;
  l.close();
  const pump = TcpPump.fromSocket(
    Connection.server({ provider, certificates: [pki.servers[c.kind].certified], clientAuth: c.clientCert ? 'required' : 'none', alpnProtocols: ['http/1.1'] }),
    socket,
  );
  try {
    await pump.handshake();
    await secure;
    assert.equal(client.authorized, true, String(client.authorizationError));
    assert.equal(client.getProtocol(), c.version);
    assert.equal(client.getCipher().name, c.suite.opensslName);
    assert.equal(client.alpnProtocol, 'http/1.1');
    assert.equal(pump.conn.negotiated.suite, c.suite);
    if (c.clientCert) assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
    const down = digitPayload(MiB, 5);
    const got = collect(client, MiB);
    await pump.write(down);
    assert.equal(sha256((await got).subarray(0, MiB)), sha256(down));
    const up = digitPayload(MiB, 6);
    client.write(up);
    assert.equal(sha256(await pump.readExactly(MiB)), sha256(up));
    client.end();
    assert.equal((await pump.readToClose()).length, 0);
    assert.equal(pump.conn.peerClosed, true);
    await pump.close();
  } finally {
    pump.destroy();
    client.destroy();
  }
}

for (const suite of TLS12_SUITES) {
  const kind: LeafKind = suite.auth === 'RSA' ? 'rsa2048' : 'p256';
  for (const clientCert of [false, true]) {
    const withCert = clientCert ? ', client certificate' : '';
    const cell: Cell = { version: 'TLSv1.2', suite, kind, clientCert };
    test(`TLS 1.2: our client against a node:tls server (maxVersion TLSv1.2) with ${suite.opensslName}${withCert}, ALPN, 1 MiB each way, close_notify`, () => ourClientAgainstNode(cell));
    test(`TLS 1.2: a node:tls client (maxVersion TLSv1.2) against our server with ${suite.opensslName}${withCert}, ALPN, 1 MiB each way, close_notify`, () => nodeClientAgainstOurs(cell));
  }
}

// TLS 1.3: every suite with and without a client certificate, the four server key kinds spread over them.
const KINDS13: readonly LeafKind[] = ['rsa2048', 'p256', 'p384', 'ed25519'];
TLS13_SUITES.forEach((suite, i) => {
  for (const clientCert of [false, true]) {
    const kind = KINDS13[(2 * i + (clientCert ? 1 : 0)) % KINDS13.length]!;
    const what = `${suite.ianaName}, ${kind} server key${clientCert ? ', client certificate' : ''}, ALPN, 1 MiB each way, close_notify`;
    const cell: Cell = { version: 'TLSv1.3', suite, kind, clientCert };
    test(`TLS 1.3: our client against a node:tls server (TLSv1.3 only) with ${what}`, () => ourClientAgainstNode(cell));
    test(`TLS 1.3: a node:tls client (TLSv1.3 only) against our server with ${what}`, () => nodeClientAgainstOurs(cell));
  }
});

test('TLS 1.2: a default node:tls client (1.2 and 1.3) and our 1.2-only server settle on TLS 1.2', async () => {
  const pki = testPki();
  const l = await listenOnce();
  const client = tls.connect({ port: l.port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(pki.caFile) });
  const secure = new Promise<void>((resolve, reject) => (client.once('secureConnect', resolve), client.once('error', reject)));
  const socket = await l.accepted;
  l.close();
  const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified], maxVersion: 'TLSv1.2' }), socket);
  try {
    await pump.handshake();
    await secure;
    assert.equal(client.getProtocol(), 'TLSv1.2');
    assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
  } finally {
    pump.destroy();
    client.destroy();
  }
});

/** node:tls's getEphemeralKeyInfo() name for each group (OpenSSL's curve names). */
const NODE_GROUP: Partial<Record<KeyExchangeGroup, string>> = { 'P-521': 'secp521r1', X448: 'X448' };

// RSA server keys: in TLS 1.2 an ECDSA certificate's curve must be one of the client's groups too (RFC 8422 §5.1),
// and these peers offer a single group.

for (const group of ['P-521', 'X448'] as const) {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    test(`${version} ${group}: our client against a node:tls server limited to ${group} (ecdhCurve), data both ways, close_notify`, async () => {
      const pki = testPki();
      const leaf = pki.servers.rsa2048;
      const server = tls.createServer({ cert: readFileSync(leaf.certFile), key: readFileSync(leaf.keyFile), ecdhCurve: group, maxVersion: version }, (s) => s.pipe(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const pump = TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost', groups: ['X25519', group] }), socket);
      try {
        await pump.handshake();
        assert.equal(pump.conn.negotiated.version, version);
        assert.equal(pump.conn.negotiated.group, group);
        // TLS 1.3: our X25519 share does not fit, so node:tls asked for a retry.
        assert.equal(pump.conn.negotiated.helloRetry, version === 'TLSv1.3');
        const up = digitPayload(64 * 1024, 8);
        await pump.write(up);
        assert.equal(sha256(await pump.readExactly(up.length)), sha256(up));
        await pump.close();
      } finally {
        pump.destroy();
        server.close();
      }
    });

    test(`${version} ${group}: a node:tls client limited to ${group} against our server; both report the group`, async () => {
      const pki = testPki();
      const l = await listenOnce();
      const client = tls.connect({ port: l.port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(pki.caFile), ecdhCurve: group, maxVersion: version });
      const secure = new Promise<void>((resolve, reject) => (client.once('secureConnect', resolve), client.once('error', reject)));
      const socket = await l.accepted;
      l.close();
      const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.rsa2048.certified] }), socket);
      try {
        await pump.handshake();
        await secure;
        assert.equal(client.getProtocol(), version);
        assert.equal((client.getEphemeralKeyInfo() as { name?: string } | null)?.name, NODE_GROUP[group]);
        assert.equal(pump.conn.negotiated.group, group);
        const up = digitPayload(64 * 1024, 9);
        client.write(up);
        assert.equal(sha256(await pump.readExactly(up.length)), sha256(up));
        client.end();
        assert.equal((await pump.readToClose()).length, 0);
        assert.equal(pump.conn.peerClosed, true);
        await pump.close();
      } finally {
        pump.destroy();
        client.destroy();
      }
    });
  }
}
