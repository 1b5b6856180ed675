/**
 * Interop over real TCP with node:tls (OpenSSL in this Node) limited to
 * TLS 1.2 (maxVersion 'TLSv1.2'): every TLS 1.2 suite both directions, with
 * and without client certificates, ALPN, 1 MiB each way checked by SHA-256,
 * close_notify; version and suite asserted from both sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import { TLS12_SUITES } from '../../src/tls/registry/suites.js';
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

for (const suite of TLS12_SUITES) {
  const kind: LeafKind = suite.auth === 'RSA' ? 'rsa2048' : 'p256';
  for (const clientCert of [false, true]) {
    const withCert = clientCert ? ', client certificate' : '';

    test(`TLS 1.2: our client against a node:tls server (maxVersion TLSv1.2) with ${suite.opensslName}${withCert}, ALPN, 1 MiB each way, close_notify`, async () => {
      const pki = testPki();
      const leaf = pki.servers[kind];
      const server = tls.createServer({
        cert: readFileSync(leaf.certFile),
        key: readFileSync(leaf.keyFile),
        maxVersion: 'TLSv1.2',
        ciphers: suite.opensslName,
        ALPNProtocols: ['http/1.1'],
        requestCert: clientCert,
        rejectUnauthorized: clientCert,
        ca: clientCert ? readFileSync(pki.caFile) : undefined,
      });
      const accepted = new Promise<tls.TLSSocket>((resolve) => server.once('secureConnection', resolve));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const pump = TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost', alpnProtocols: ['h2', 'http/1.1'], certificates: clientCert ? [pki.client.certified] : [] }), socket);
      try {
        await pump.handshake();
        const peer = await accepted;
        assert.equal(peer.getProtocol(), 'TLSv1.2');
        assert.equal(peer.getCipher().name, suite.opensslName);
        assert.equal(peer.alpnProtocol, 'http/1.1');
        if (clientCert) assert.match(JSON.stringify(peer.getPeerCertificate().subject), /sslsock client/);
        assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
        assert.equal(pump.conn.negotiated.suite, suite);
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
    });

    test(`TLS 1.2: a node:tls client (maxVersion TLSv1.2) against our server with ${suite.opensslName}${withCert}, ALPN, 1 MiB each way, close_notify`, async () => {
      const pki = testPki();
      const l = await listenOnce();
      const client = tls.connect({
        port: l.port,
        host: '127.0.0.1',
        servername: 'localhost',
        ca: readFileSync(pki.caFile),
        maxVersion: 'TLSv1.2',
        ciphers: suite.opensslName,
        ALPNProtocols: ['h2', 'http/1.1'],
        cert: clientCert ? readFileSync(pki.client.certFile) : undefined,
        key: clientCert ? readFileSync(pki.client.keyFile) : undefined,
      });
      const secure = new Promise<void>((resolve, reject) => {
        client.once('secureConnect', resolve);
        client.once('error', reject);
      });
      const socket = await l.accepted;
      l.close();
      const pump = TcpPump.fromSocket(
        Connection.server({ provider, certificates: [pki.servers[kind].certified], clientAuth: clientCert ? 'required' : 'none', alpnProtocols: ['http/1.1'] }),
        socket,
      );
      try {
        await pump.handshake();
        await secure;
        assert.equal(client.authorized, true, String(client.authorizationError));
        assert.equal(client.getProtocol(), 'TLSv1.2');
        assert.equal(client.getCipher().name, suite.opensslName);
        assert.equal(client.alpnProtocol, 'http/1.1');
        assert.equal(pump.conn.negotiated.suite, suite);
        if (clientCert) assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
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
    });
  }
}

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
