/**
 * TLS 1.2 engine to engine, in memory: every suite with and without client
 * certificates, extended master secret on and off, version negotiation
 * between 1.2-only and 1.3-capable sides, the downgrade sentinel, exporters,
 * tls-unique, renegotiation refused, close_notify.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TLS12_SUITES, TLS13_SUITES, type CipherSuite } from '../../src/tls/registry/suites.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { DOWNGRADE_TLS12 } from '../../src/tls/messages/server-hello.js';
import { TrustStore } from '../../src/x509/store.js';
import { defaultVerifier } from '../../src/tls/verify-default.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { testPki, type LeafKind } from './connection-certs.js';

const provider = defaultProvider;

function leafFor(suite: CipherSuite): LeafKind {
  return suite.auth === 'RSA' ? 'rsa2048' : 'p256';
}

function pair(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', maxVersion: 'TLSv1.2', ...client });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified, pki.servers.rsa2048.certified], ...server });
  return [c, s];
}

function connected(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const [c, s] = pair(client, server);
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  return [c, s];
}

function deliver(from: Connection, to: Connection): void {
  const bytes = from.takeOutgoing();
  if (bytes.length > 0) to.receive(bytes);
}

/** 1 MiB each way, checked by SHA-256. */
function bulk(c: Connection, s: Connection): void {
  for (const [from, to] of [
    [c, s],
    [s, c],
  ] as const) {
    const data = provider.randomBytes(1024 * 1024);
    from.write(data);
    const got: Buffer[] = [];
    for (let i = 0; i < 200 && got.reduce((n, b) => n + b.length, 0) < data.length; i++) {
      pumpMemory(c, s);
      got.push(drain(to));
    }
    const all = Buffer.concat(got);
    assert.equal(createHash('sha256').update(all).digest('hex'), createHash('sha256').update(data).digest('hex'));
  }
}

for (const suite of TLS12_SUITES) {
  for (const clientCert of [false, true]) {
    for (const ems of [true, false]) {
      test(`TLS 1.2 ${suite.opensslName}${clientCert ? ' with a client certificate' : ''}, extended master secret ${ems ? 'on' : 'off'}`, () => {
        const pki = testPki();
        const store = new TrustStore(provider);
        store.addCertificate(pki.caDer);
        const dropEms = ems ? undefined : (h: Parameters<NonNullable<ConnectionConfig['clientHelloHook']>>[0]) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 'extended_master_secret') });
        const [c, s] = connected(
          { cipherSuites: [suite], certificates: clientCert ? [pki.client.certified] : [], verifyPeer: defaultVerifier({ provider, store, serverName: 'localhost' }), clientHelloHook: dropEms, alpnProtocols: ['h2', 'http/1.1'] },
          { certificates: [pki.servers[leafFor(suite)].certified], clientAuth: clientCert ? 'required' : 'none', verifyPeer: defaultVerifier({ provider, store }), alpnProtocols: ['http/1.1'] },
        );
        for (const x of [c, s]) {
          assert.equal(x.negotiated.version, 'TLSv1.2');
          assert.equal(x.negotiated.suite, suite);
          assert.equal(x.negotiated.group, 'X25519');
          assert.equal(x.negotiated.alpn, 'http/1.1');
        }
        assert.equal(s.negotiated.serverName, 'localhost');
        assert.deepEqual(c.negotiated.peerCertificates, pki.servers[leafFor(suite)].chain);
        assert.deepEqual(s.negotiated.peerCertificates, clientCert ? pki.client.chain : []);
        // tls-unique: the client's Finished, 12 bytes, the same on both sides.
        const cu = c.channelBinding('tls-unique')!;
        assert.equal(cu.length, 12);
        assert.deepEqual(s.channelBinding('tls-unique'), cu);
        // RFC 5705 exporter agrees on both sides; an empty context differs from none in TLS 1.2.
        const ek = c.exportKeyingMaterial('EXPERIMENTAL test', null, 32);
        assert.deepEqual(s.exportKeyingMaterial('EXPERIMENTAL test', null, 32), ek);
        assert.notDeepEqual(c.exportKeyingMaterial('EXPERIMENTAL test', Buffer.alloc(0), 32), ek);
        if (ems) assert.deepEqual(c.channelBinding('tls-exporter'), s.channelBinding('tls-exporter'));
        else assert.throws(() => c.channelBinding('tls-exporter'), /extended master secret/);
        bulk(c, s);
        c.close();
        pumpMemory(c, s);
        assert.equal(s.peerClosed, true);
        s.close();
        pumpMemory(c, s);
        assert.equal(c.peerClosed, true);
      });
    }
  }
}

test('the key log gets one CLIENT_RANDOM line per side, the same master secret', () => {
  const lines: string[][] = [[], []];
  connected({ keyLog: (l, r, sec) => lines[0]!.push(`${l} ${r.toString('hex')} ${sec.toString('hex')}`) }, { keyLog: (l, r, sec) => lines[1]!.push(`${l} ${r.toString('hex')} ${sec.toString('hex')}`) });
  assert.equal(lines[0]!.length, 1);
  assert.match(lines[0]![0]!, /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  assert.deepEqual(lines[0], lines[1]);
});

test('a 1.3-capable client and a 1.2-only server settle on TLS 1.2; the client sees the sentinel-free random', () => {
  const [c, s] = connected({ maxVersion: 'TLSv1.3' }, { maxVersion: 'TLSv1.2' });
  assert.equal(c.negotiated.version, 'TLSv1.2');
  assert.equal(s.negotiated.version, 'TLSv1.2');
});

test('a 1.2-only client and a 1.3-capable server settle on TLS 1.2 (the server marks its random, the 1.2-only client does not mind)', () => {
  const [c, s] = pair({ maxVersion: 'TLSv1.2' }, { maxVersion: 'TLSv1.3' });
  deliver(c, s);
  const flight = s.takeOutgoing();
  // ServerHello.random's last 8 bytes: record header 5 + handshake header 4 + version 2 + random 32.
  assert.deepEqual(flight.subarray(5 + 4 + 2 + 24, 5 + 4 + 2 + 32), DOWNGRADE_TLS12);
  c.receive(flight);
  pumpMemory(c, s);
  assert.equal(c.negotiated.version, 'TLSv1.2');
  assert.equal(s.negotiated.version, 'TLSv1.2');
});

test('both sides able to speak 1.3 still pick 1.3', () => {
  const [c, s] = connected({ maxVersion: 'TLSv1.3' }, {});
  assert.equal(c.negotiated.version, 'TLSv1.3');
  assert.equal(s.negotiated.version, 'TLSv1.3');
});

test('a 1.3-only client and a 1.2-only server: protocol_version both ways', () => {
  const [c, s] = pair({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, { maxVersion: 'TLSv1.2' });
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'protocol_version');
  assert.match(err.reason, /unsupported protocol/);
  assert.equal(expectTLSError(() => deliver(s, c)).alert, 'protocol_version');
});

test('no TLS 1.2 suite in common: handshake_failure, "no shared cipher"', () => {
  const [c, s] = pair({ cipherSuites: [TLS12_SUITES.find((x) => x.auth === 'RSA')!] }, { certificates: [testPki().servers.p256.certified] });
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'handshake_failure');
  assert.match(err.reason, /no shared cipher/);
});

test('the server picks the certificate that fits its preferred suite (ECDSA before RSA, as OpenSSL orders them)', () => {
  const [c] = connected({}, {});
  assert.equal(c.negotiated.suite!.auth, 'ECDSA');
  const [c2] = connected({ cipherSuites: TLS12_SUITES.filter((x) => x.auth === 'RSA') }, {});
  assert.equal(c2.negotiated.suite!.auth, 'RSA');
});

test('optional client auth in TLS 1.2: a client without a certificate connects', () => {
  const [c, s] = connected({}, { clientAuth: 'optional' });
  assert.deepEqual(s.negotiated.peerCertificates, []);
  assert.deepEqual(c.negotiated.ourCertificates, []);
});

test('required client auth in TLS 1.2: no certificate is handshake_failure ("peer did not return a certificate")', () => {
  const [c, s] = pair({}, { clientAuth: 'required' });
  deliver(c, s);
  deliver(s, c);
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'handshake_failure');
  assert.match(err.reason, /peer did not return a certificate/);
  assert.equal(expectTLSError(() => deliver(s, c)).fromPeer, true);
});

for (const kind of ['rsa2048', 'p384', 'ed25519'] as const) {
  test(`TLS 1.2 client authentication with a ${kind} client key`, () => {
    const pki = testPki();
    const mine = pki.servers[kind].certified;
    const [c, s] = connected({ certificates: [mine] }, { clientAuth: 'required' });
    assert.deepEqual(s.negotiated.peerCertificates, [...mine.chain]);
    assert.equal(c.negotiated.signatureScheme, s.negotiated.peerSignatureScheme);
  });
}

test('TLS 1.2 over P-256 and P-384 key exchange', () => {
  for (const g of ['P-256', 'P-384'] as const) {
    const [c, s] = connected({ groups: [g] }, {});
    assert.equal(c.negotiated.group, g);
    assert.equal(s.negotiated.group, g);
  }
});

test("RFC 8422 §5.1: the server's ECDSA certificate is on a curve the client's supported_groups names, or is not used", () => {
  const pki = testPki();
  const p256 = pki.servers.p256.certified;
  const p384 = pki.servers.p384.certified;
  const ecdsaOnly = TLS12_SUITES.filter((x) => x.auth === 'ECDSA');
  // Both curves configured: the client that only names P-384 gets the P-384 certificate.
  const [c, s] = connected({ groups: ['P-384'], cipherSuites: ecdsaOnly }, { certificates: [p256, p384] });
  assert.deepEqual(c.negotiated.peerCertificates, [...p384.chain]);
  assert.equal(s.negotiated.group, 'P-384');
  // Only a P-256 certificate: no certificate the client can verify, so no shared cipher.
  const [c2, s2] = pair({ groups: ['P-384'], cipherSuites: ecdsaOnly }, { certificates: [p256] });
  const err = expectTLSError(() => pumpMemory(c2, s2));
  assert.equal(err.alert, 'handshake_failure');
});

test('a HelloRequest after the handshake is refused with no_renegotiation', () => {
  const [c, s] = connected();
  // The server's record layer protects a HelloRequest as the server would send it.
  s.sendHandshake(Buffer.from([HandshakeType.hello_request, 0, 0, 0]));
  const err = expectTLSError(() => deliver(s, c));
  assert.equal(err.alert, 'no_renegotiation');
  const peerErr = expectTLSError(() => deliver(c, s));
  assert.equal(peerErr.alert, 'no_renegotiation');
  assert.equal(peerErr.fromPeer, true);
});

test('a ClientHello after the handshake (renegotiation) is refused with no_renegotiation', () => {
  const [c, s] = connected();
  const [fresh] = pair();
  const hello = fresh.takeOutgoing().subarray(5);
  c.sendHandshake(hello);
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'no_renegotiation');
  assert.equal(expectTLSError(() => deliver(s, c)).alert, 'no_renegotiation');
});

test('KeyUpdate does not exist in TLS 1.2', () => {
  const [c] = connected();
  assert.throws(() => c.keyUpdate(false), /TLS 1\.2/);
});

test('the default engine configuration offers TLS 1.3 and TLS 1.2 suites', () => {
  const c = Connection.client({ provider, serverName: 'localhost' });
  const hello = c.takeOutgoing();
  for (const s of [...TLS13_SUITES, ...TLS12_SUITES]) assert.ok(hello.includes(Buffer.from([s.id >> 8, s.id & 0xff])), s.ianaName);
});
