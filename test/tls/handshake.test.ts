/**
 * Engine-to-engine behaviour in memory: client authentication, HelloRetryRequest,
 * ALPN/SNI, certificate selection, KeyUpdate, closure, exporters, key log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import { TLSError } from '../../src/tls/errors.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { AlertDescription, AlertLevel } from '../../src/tls/registry/alerts.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } from '../../src/tls/registry/suites.js';
import { ED25519, ECDSA_SECP384R1_SHA384, RSA_PSS_RSAE_SHA256 } from '../../src/tls/registry/signature-schemes.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { KeySchedule } from '../../src/tls/keyschedule.js';
import { RecordLayer } from '../../src/tls/record.js';
import { testPki } from './connection-certs.js';
import { connected, pair } from './helpers/memory-pair.js';
import { TrustStore } from '../../src/x509/store.js';
import { defaultVerifier } from '../../src/tls/verify-default.js';

const provider = defaultProvider;

/** Moves one direction only, so a test can inspect what arrives in between. */
function deliver(from: Connection, to: Connection): void {
  const bytes = from.takeOutgoing();
  if (bytes.length > 0) to.receive(bytes);
}

test('server requires a client certificate and gets one', () => {
  const pki = testPki();
  const [c, s] = connected({ certificates: [pki.client.certified] }, { clientAuth: 'required' });
  assert.deepEqual(s.negotiated.peerCertificates, pki.client.chain);
  assert.deepEqual(c.negotiated.ourCertificates, pki.client.chain);
  assert.notEqual(s.negotiated.peerSignatureScheme, null);
});

test('optional client auth: a client without a certificate still connects', () => {
  const [c, s] = connected({}, { clientAuth: 'optional' });
  assert.deepEqual(s.negotiated.peerCertificates, []);
  assert.deepEqual(c.negotiated.ourCertificates, []);
});

test('required client auth: an empty client Certificate ends in certificate_required', () => {
  const [c, s] = pair({}, { clientAuth: 'required' });
  deliver(c, s); // ClientHello
  deliver(s, c); // server flight; client completes and answers with an empty Certificate
  assert.equal(c.handshakeDone, true);
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'certificate_required');
  assert.equal(err.fromPeer, false);
  // The alert reaches the client as a fatal alert from the peer.
  const peerErr = expectTLSError(() => deliver(s, c));
  assert.equal(peerErr.alert, 'certificate_required');
  assert.equal(peerErr.fromPeer, true);
});

test('HelloRetryRequest when the client share is for a group the server does not accept', () => {
  const [c, s] = connected({ groups: ['X25519', 'P-384'] }, { groups: ['P-384'] });
  assert.equal(c.negotiated.helloRetry, true);
  assert.equal(s.negotiated.helloRetry, true);
  assert.equal(c.negotiated.group, 'P-384');
  c.write(Buffer.from('after retry'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'after retry');
});

test('no group in common is handshake_failure', () => {
  const [c, s] = pair({ groups: ['X25519'] }, { groups: ['P-256'] });
  // The server cannot even send a HelloRetryRequest.
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'handshake_failure');
  assert.equal(s.error, err);
});

test('ALPN: the server preference wins; no overlap means no ALPN and no alert', () => {
  const [c] = connected({ alpnProtocols: ['http/1.1', 'h2'] }, { alpnProtocols: ['h2', 'http/1.1'] });
  assert.equal(c.negotiated.alpn, 'h2');
  const [c2, s2] = connected({ alpnProtocols: ['spdy/1'] }, { alpnProtocols: ['h2'] });
  assert.equal(c2.negotiated.alpn, null);
  assert.equal(s2.negotiated.alpn, null);
});

test('SNI: the server sees the name and may swap its certificate from onClientHello', () => {
  const pki = testPki();
  let seen: string | null = 'unset';
  const [c, s] = connected(
    { serverName: 'example.test' },
    {
      onClientHello: (hello) => {
        seen = hello.serverName;
        return { certificates: [pki.servers.ed25519.certified] };
      },
    },
  );
  assert.equal(seen, 'example.test');
  assert.equal(s.negotiated.serverName, 'example.test');
  assert.deepEqual(c.negotiated.peerCertificates, pki.servers.ed25519.chain);
});

test('no SNI is sent for an IP-address server name', () => {
  const [, s] = connected({ serverName: '127.0.0.1' });
  assert.equal(s.negotiated.serverName, null);
});

test('certificate selection follows the signature schemes the client offers', () => {
  const pki = testPki();
  const certs = [pki.servers.rsa2048.certified, pki.servers.p384.certified, pki.servers.ed25519.certified];
  const [c1] = connected({ signatureSchemes: [ED25519] }, { certificates: certs });
  assert.deepEqual(c1.negotiated.peerCertificates, pki.servers.ed25519.chain);
  assert.equal(c1.negotiated.peerSignatureScheme, ED25519.id);
  const [c2] = connected({ signatureSchemes: [ECDSA_SECP384R1_SHA384] }, { certificates: certs });
  assert.deepEqual(c2.negotiated.peerCertificates, pki.servers.p384.chain);
  const [c3] = connected({ signatureSchemes: [RSA_PSS_RSAE_SHA256] }, { certificates: certs });
  assert.equal(c3.negotiated.peerSignatureScheme, RSA_PSS_RSAE_SHA256.id);
});

test('no certificate fits the client signature schemes: handshake_failure', () => {
  const pki = testPki();
  const [c, s] = pair({ signatureSchemes: [ED25519] }, { certificates: [pki.servers.p256.certified] });
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'handshake_failure');
  const peerErr = expectTLSError(() => deliver(s, c));
  assert.equal(peerErr.fromPeer, true);
  assert.equal(peerErr.alert, 'handshake_failure');
});

test('a rejecting verifyPeer callback aborts with its alert and verify code', () => {
  const [c, s] = pair({ verifyPeer: () => ({ alert: 'unknown_ca', reason: 'certificate verify failed', verifyCode: 20, verifyMessage: 'unable to get local issuer certificate' }) });
  deliver(c, s);
  const err = expectTLSError(() => deliver(s, c));
  assert.equal(err.alert, 'unknown_ca');
  assert.equal(err.detail?.verifyCode, 20);
  const peerErr = expectTLSError(() => deliver(c, s));
  assert.equal(peerErr.alert, 'unknown_ca');
  assert.equal(peerErr.fromPeer, true);
});

test('verifyPeer receives the chain and the server name', () => {
  const pki = testPki();
  let got: { chain: readonly Buffer[]; name: string | null } | null = null;
  connected({ verifyPeer: (chain, info) => ((got = { chain, name: info.serverName }), null) });
  assert.deepEqual(got!.chain, pki.servers.p256.chain);
  assert.equal(got!.name, 'localhost');
});

test('KeyUpdate from either side mid-stream keeps data flowing', () => {
  const [c, s] = connected();
  c.write(Buffer.from('one'));
  c.keyUpdate(false);
  c.write(Buffer.from('two'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'onetwo');
  s.keyUpdate(false);
  s.write(Buffer.from('three'));
  pumpMemory(c, s);
  assert.equal(drain(c).toString(), 'three');
  c.write(Buffer.from('four'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'four');
});

test('update_requested is answered with one KeyUpdate, however many arrive while we are silent', () => {
  const [c, s] = connected();
  c.keyUpdate(true);
  c.keyUpdate(true);
  c.keyUpdate(true);
  deliver(c, s);
  const answer = s.takeOutgoing();
  // One record: one protected KeyUpdate (header + 1-byte type... + 4-byte handshake header + 1 byte + tag).
  assert.equal(answer[0], ContentType.application_data);
  assert.equal(answer.length, 5 + answer.readUInt16BE(3), 'exactly one record in the answer');
  c.receive(answer);
  s.write(Buffer.from('after updates'));
  c.write(Buffer.from('and back'));
  pumpMemory(c, s);
  assert.equal(drain(c).toString(), 'after updates');
  assert.equal(drain(s).toString(), 'and back');
});

test('automatic KeyUpdate before the configured record limit', () => {
  const [c, s] = connected({ keyUpdateRecordLimit: 4 });
  for (let i = 0; i < 20; i++) c.write(Buffer.from(`msg${i};`));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), Array.from({ length: 20 }, (_, i) => `msg${i};`).join(''));
});

test('close_notify both ways: peerClosed, reads drain then return empty', () => {
  const [c, s] = connected();
  c.write(Buffer.from('last words'));
  c.close();
  assert.equal(c.closed, true);
  assert.throws(() => c.write(Buffer.from('x')), TLSError);
  pumpMemory(c, s);
  assert.equal(s.peerClosed, true);
  assert.equal(s.read(100).toString(), 'last words');
  assert.equal(s.read(100).length, 0);
  // Half-close: the server may still write, the client still reads.
  s.write(Buffer.from('reply'));
  s.close();
  pumpMemory(c, s);
  assert.equal(drain(c).toString(), 'reply');
  assert.equal(c.peerClosed, true);
});

test('a record after close_notify is unexpected_message', () => {
  // Capture the client's application traffic secret so a scripted record layer can speak for it.
  const secrets = new Map<string, Buffer>();
  const [c, s] = connected({ keyLog: (label, _r, secret) => secrets.set(label, secret) });
  c.close();
  s.receive(c.takeOutgoing()); // close_notify, sequence number 0
  assert.equal(s.peerClosed, true);
  const suite = c.negotiated.suite!;
  const keys = KeySchedule.forSuite(provider, suite).trafficKeys(secrets.get('CLIENT_TRAFFIC_SECRET_0')!);
  const forged = new RecordLayer({ provider });
  forged.setWriteKey(suite, keys.key, keys.iv);
  forged.write(ContentType.alert, Buffer.from([1, 0])); // sequence 0, already delivered
  forged.takeOutgoing();
  forged.write(ContentType.application_data, Buffer.from('after close')); // sequence 1
  const err = expectTLSError(() => s.receive(forged.takeOutgoing()));
  assert.equal(err.alert, 'unexpected_message');
  assert.match(err.reason, /after close_notify/);
});

test('a fatal alert from the peer is a TLSError with fromPeer, and the connection stays failed', () => {
  // The client rejects the server flight (verification), sending a fatal alert.
  const [c2, s2] = pair({ verifyPeer: () => ({ alert: 'bad_certificate', reason: 'rejected by test' }) });
  deliver(c2, s2);
  expectTLSError(() => deliver(s2, c2));
  const err = expectTLSError(() => deliver(c2, s2));
  assert.equal(err.fromPeer, true);
  assert.equal(err.alert, 'bad_certificate');
  assert.equal(s2.error, err);
  assert.throws(() => s2.receive(Buffer.alloc(0)), (e) => e === err);
});

test('writing before the handshake completes is refused without failing the connection', () => {
  const [c, s] = pair();
  const err = expectTLSError(() => c.write(Buffer.from('too early')));
  assert.match(err.reason, /before the handshake/);
  assert.equal(c.error, null);
  pumpMemory(c, s);
  assert.equal(c.handshakeDone, true);
});

test('exporters and channel bindings agree on both sides and differ by label and connection', () => {
  const [c, s] = connected();
  const [c2] = connected();
  const a = c.exportKeyingMaterial('EXPORTER-a', Buffer.from('ctx'), 40);
  assert.equal(a.length, 40);
  assert.ok(a.equals(s.exportKeyingMaterial('EXPORTER-a', Buffer.from('ctx'), 40)));
  assert.ok(!a.equals(c.exportKeyingMaterial('EXPORTER-b', Buffer.from('ctx'), 40)));
  // RFC 8446 §7.5: no context and an empty context are the same in TLS 1.3.
  assert.ok(c.exportKeyingMaterial('EXPORTER-a', null, 16).equals(c.exportKeyingMaterial('EXPORTER-a', Buffer.alloc(0), 16)));
  assert.ok(c.channelBinding('tls-unique')!.equals(s.channelBinding('tls-unique')!));
  assert.equal(c.channelBinding('tls-unique')!.length, 48); // SHA-384 suite by default
  assert.ok(c.channelBinding('tls-exporter')!.equals(s.channelBinding('tls-exporter')!));
  assert.ok(!c.channelBinding('tls-exporter')!.equals(c2.channelBinding('tls-exporter')!));
});

test('channel binding is null before the handshake', () => {
  const [c] = pair();
  assert.equal(c.channelBinding('tls-unique'), null);
  assert.throws(() => c.exportKeyingMaterial('EXPORTER-x', null, 8), TLSError);
});

test('key log lines carry the client random and match on both sides', () => {
  const lines = { c: new Map<string, string>(), s: new Map<string, string>() };
  const log = (m: Map<string, string>) => (label: string, random: Buffer, secret: Buffer) => m.set(label, `${random.toString('hex')} ${secret.toString('hex')}`);
  connected({ keyLog: log(lines.c) }, { keyLog: log(lines.s) });
  for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']) {
    assert.ok(lines.c.has(label), label);
    assert.equal(lines.c.get(label), lines.s.get(label), label);
  }
});

test('requestClientAuth is refused without harm when the client did not offer post_handshake_auth', () => {
  const [c, s] = connected();
  assert.throws(() => s.requestClientAuth(), /did not offer post_handshake_auth/);
  assert.throws(() => c.requestClientAuth(), /requested by the server/);
  s.write(Buffer.from('still fine'));
  pumpMemory(c, s);
  assert.equal(drain(c).toString(), 'still fine');
});

test('wantsRead and pendingPlaintext follow the data', () => {
  const [c, s] = pair();
  assert.equal(c.wantsRead, true);
  pumpMemory(c, s);
  assert.equal(s.wantsRead, true);
  c.write(Buffer.from('12345'));
  pumpMemory(c, s);
  assert.equal(s.pendingPlaintext, 5);
  assert.equal(s.wantsRead, false);
  assert.equal(s.read(2).toString(), '12');
  assert.equal(s.pendingPlaintext, 3);
  assert.equal(s.read().toString(), '345');
  assert.equal(s.wantsRead, true);
});

test('the default x509 verifier accepts a chain to a trusted CA for the right name, IP included', () => {
  const pki = testPki();
  const store = new TrustStore(provider);
  store.addCertificate(pki.caDer);
  const verifyPeer = defaultVerifier({ provider, store });
  const [c] = connected({ verifyPeer });
  assert.equal(c.handshakeDone, true);
  const [c2] = connected({ verifyPeer, serverName: '127.0.0.1' });
  assert.equal(c2.handshakeDone, true);
  // Servers verify client certificates for the clientAuth purpose.
  const [, s3] = connected({ certificates: [pki.client.certified] }, { clientAuth: 'required', verifyPeer });
  assert.deepEqual(s3.negotiated.peerCertificates, pki.client.chain);
});

test('the default x509 verifier: wrong name is bad_certificate (62), untrusted root is unknown_ca (19)', () => {
  const pki = testPki();
  const store = new TrustStore(provider);
  store.addCertificate(pki.caDer);
  const [c, s] = pair({ serverName: 'other.example', verifyPeer: defaultVerifier({ provider, store }) });
  deliver(c, s);
  const err = expectTLSError(() => deliver(s, c));
  assert.equal(err.alert, 'bad_certificate');
  assert.equal(err.detail?.verifyCode, 62);
  assert.match(err.detail?.verifyMessage ?? '', /Hostname mismatch/);
  const [c2, s2] = pair({ verifyPeer: defaultVerifier({ provider, store: new TrustStore(provider) }) });
  deliver(c2, s2);
  const err2 = expectTLSError(() => deliver(s2, c2));
  assert.equal(err2.alert, 'unknown_ca');
  assert.equal(err2.detail?.verifyCode, 19); // the server sends its CA too: self-signed certificate in chain
});

/** A record layer speaking with the client's application key, for scripting what the client "sends" after the handshake. */
function clientImpersonator(): { c: Connection; s: Connection; forged: RecordLayer } {
  const secrets = new Map<string, Buffer>();
  const [c, s] = connected({ keyLog: (label, _r, secret) => secrets.set(label, secret) });
  const suite = c.negotiated.suite!;
  const keys = KeySchedule.forSuite(provider, suite).trafficKeys(secrets.get('CLIENT_TRAFFIC_SECRET_0')!);
  const forged = new RecordLayer({ provider });
  forged.setWriteKey(suite, keys.key, keys.iv);
  return { c, s, forged };
}

test('user_canceled is not fatal by itself; data may follow until close_notify (RFC 8446 §6.1)', () => {
  const { s, forged } = clientImpersonator();
  forged.write(ContentType.alert, Buffer.from([AlertLevel.warning, AlertDescription.user_canceled]));
  forged.write(ContentType.application_data, Buffer.from('still here'));
  forged.write(ContentType.alert, Buffer.from([AlertLevel.warning, AlertDescription.close_notify]));
  s.receive(forged.takeOutgoing());
  assert.equal(s.error, null);
  assert.equal(s.read().toString(), 'still here');
  assert.equal(s.peerClosed, true);
});

test('any other alert is fatal whatever level it claims (RFC 8446 §6.2)', () => {
  const { s, forged } = clientImpersonator();
  forged.write(ContentType.alert, Buffer.from([AlertLevel.warning, AlertDescription.handshake_failure]));
  const err = expectTLSError(() => s.receive(forged.takeOutgoing()));
  assert.equal(err.alert, 'handshake_failure');
  assert.equal(err.fromPeer, true);
  // We do not answer a fatal alert with one of our own.
  assert.equal(s.takeOutgoing().length, 0);
});

test('an alert of an unknown description, even at warning level, is an error alert that ends the connection (RFC 8446 §6)', () => {
  const { s, forged } = clientImpersonator();
  forged.write(ContentType.alert, Buffer.from([AlertLevel.warning, 0xfe]));
  const err = expectTLSError(() => s.receive(forged.takeOutgoing()));
  assert.equal(err.fromPeer, true);
  assert.match(err.reason, /unknown alert 254/);
  assert.equal(s.takeOutgoing().length, 0);
  assert.throws(() => s.write(Buffer.from('after')));
});

test('an alert of unknown level is illegal_parameter', () => {
  const { s, forged } = clientImpersonator();
  forged.write(ContentType.alert, Buffer.from([7, AlertDescription.close_notify]));
  assert.equal(expectTLSError(() => s.receive(forged.takeOutgoing())).alert, 'illegal_parameter');
});

test('a NewSessionTicket from a client is unexpected_message', () => {
  const { s, forged } = clientImpersonator();
  const body = Buffer.from('00000e10' + '00000001' + '00' + '0001aa' + '0000', 'hex');
  forged.write(ContentType.handshake, Buffer.concat([Buffer.from([HandshakeType.new_session_ticket, 0, 0, body.length]), body]));
  assert.equal(expectTLSError(() => s.receive(forged.takeOutgoing())).alert, 'unexpected_message');
});

test('a KeyUpdate with an invalid request value is illegal_parameter', () => {
  const { s, forged } = clientImpersonator();
  forged.write(ContentType.handshake, Buffer.from([HandshakeType.key_update, 0, 0, 1, 2]));
  assert.equal(expectTLSError(() => s.receive(forged.takeOutgoing())).alert, 'illegal_parameter');
});

test('a change_cipher_spec after the handshake is unexpected_message', () => {
  const [c, s] = connected();
  void c;
  assert.equal(expectTLSError(() => s.receive(Buffer.from([ContentType.change_cipher_spec, 3, 3, 0, 1, 1]))).alert, 'unexpected_message');
});

test('the server picks the cipher suite by its own preference', () => {
  const [c] = connected({ cipherSuites: [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384] }, { cipherSuites: [TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256] });
  assert.equal(c.negotiated.suite, TLS_AES_256_GCM_SHA384);
  const [c2] = connected({ cipherSuites: [TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256] }, { cipherSuites: [TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384] });
  assert.equal(c2.negotiated.suite, TLS_CHACHA20_POLY1305_SHA256);
});

test('the server uses a client key share it accepts rather than asking for its first choice', () => {
  // The client shares P-256 only; the server prefers X25519 but accepts P-256: no HelloRetryRequest.
  const [c] = connected({ groups: ['P-256', 'X25519'] }, { groups: ['X25519', 'P-256'] });
  assert.equal(c.negotiated.group, 'P-256');
  assert.equal(c.negotiated.helloRetry, false);
});

test('a client whose minimum version is above its maximum fails to start with protocol_version and sends nothing', () => {
  const c = Connection.client({ provider, serverName: 'localhost', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' });
  const err = expectTLSError(() => c.takeOutgoing());
  assert.equal(err.alert, 'protocol_version');
  assert.match(err.reason, /no protocols available/);
  assert.equal(c.takeOutgoing().length, 0);
});

test('a TLS 1.3-only server answers a client offering only TLS 1.2 with protocol_version', () => {
  const [c, s] = pair(
    { clientHelloHook: (h) => ({ ...h, extensions: h.extensions.map((e) => (e.type === 'supported_versions' ? { type: 'supported_versions' as const, versions: [0x0303] } : e)) }) },
    { minVersion: 'TLSv1.3' },
  );
  const err = expectTLSError(() => deliver(c, s));
  assert.equal(err.alert, 'protocol_version');
  assert.match(err.reason, /unsupported protocol/);
  const peerErr = expectTLSError(() => deliver(s, c));
  assert.equal(peerErr.alert, 'protocol_version');
  assert.equal(peerErr.fromPeer, true);
});

for (const kind of ['rsa2048', 'p256', 'p384', 'ed25519'] as const) {
  test(`client authentication with a ${kind} client key, verified by the default verifier`, () => {
    const pki = testPki();
    const store = new TrustStore(provider);
    store.addCertificate(pki.caDer);
    const mine = pki.servers[kind].certified; // issued for serverAuth and clientAuth
    const [c, s] = connected({ certificates: [mine] }, { clientAuth: 'required', verifyPeer: defaultVerifier({ provider, store }) });
    assert.deepEqual(s.negotiated.peerCertificates, [...mine.chain]);
    assert.equal(c.negotiated.signatureScheme, s.negotiated.peerSignatureScheme);
  });
}
