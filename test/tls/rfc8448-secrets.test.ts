/**
 * RFC 8448 §3 (simple 1-RTT) and §5 (HelloRetryRequest): every secret, key
 * and IV of the TLS 1.3 key schedule, the Finished values, and the protected
 * records, reproduced from the handshake messages in the trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { KeySchedule, formatKeyLogLine, hkdfExpandLabel, type KeyLogLabel } from '../../src/tls/keyschedule.js';
import { RecordLayer } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { TLS_AES_128_GCM_SHA256 } from '../../src/tls/registry/suites.js';
import { ProtocolVersion } from '../../src/tls/registry/versions.js';
import { parseTraceSection, traceValue, type TraceStep } from './helpers/rfc8448-trace.js';

const suite = TLS_AES_128_GCM_SHA256;
const s3 = parseTraceSection(3);
const v = (who: 'client' | 'server', title: string, label: string, nth = 0): Buffer => traceValue(s3, who, title, label, nth);
const sha256 = (...msgs: Buffer[]): Buffer => provider.hash('SHA-256', Buffer.concat(msgs));

const msg = {
  clientHello: v('client', 'construct a ClientHello', 'ClientHello'),
  serverHello: v('server', 'construct a ServerHello', 'ServerHello'),
  encryptedExtensions: v('server', 'construct a EncryptedExtensions', 'EncryptedExtensions'),
  certificate: v('server', 'construct a Certificate handshake', 'Certificate'),
  certificateVerify: v('server', 'construct a CertificateVerify', 'CertificateVerify'),
  serverFinished: v('server', 'construct a Finished', 'Finished'),
  clientFinished: v('client', 'construct a Finished', 'Finished'),
  newSessionTicket: v('server', 'construct a NewSessionTicket', 'NewSessionTicket'),
};
const helloHash = sha256(msg.clientHello, msg.serverHello);
const beforeServerFinishedHash = sha256(msg.clientHello, msg.serverHello, msg.encryptedExtensions, msg.certificate, msg.certificateVerify);
const serverFinishedHash = sha256(msg.clientHello, msg.serverHello, msg.encryptedExtensions, msg.certificate, msg.certificateVerify, msg.serverFinished);
const clientFinishedHash = sha256(msg.clientHello, msg.serverHello, msg.encryptedExtensions, msg.certificate, msg.certificateVerify, msg.serverFinished, msg.clientFinished);

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** The whole schedule as a connection would run it, with the key log captured. */
function runSchedule() {
  const logged: [KeyLogLabel, string][] = [];
  const ks = KeySchedule.forSuite(provider, suite, { keyLog: (label, secret) => logged.push([label, hex(secret)]) });
  const early = ks.early(null);
  const clientKx = provider.importKeyExchange('X25519', v('client', 'create an ephemeral x25519', 'private key'));
  const shared = clientKx.deriveSharedSecret(v('server', 'create an ephemeral x25519', 'public key'));
  const hs = early.handshake(shared);
  const hsTraffic = hs.trafficSecrets(helloHash);
  const master = hs.master();
  const apTraffic = master.trafficSecrets(serverFinishedHash);
  const exporter = master.exporterMasterSecret(serverFinishedHash);
  const resumption = master.resumptionMasterSecret(clientFinishedHash);
  return { ks, early, shared, hs, hsTraffic, master, apTraffic, exporter, resumption, logged };
}

test('the transcript hashes computed from the trace messages match the hashes the trace derives with', () => {
  assert.equal(hex(helloHash), hex(v('server', 'derive secret "tls13 c hs traffic"', 'hash')));
  assert.equal(hex(serverFinishedHash), hex(v('server', 'derive secret "tls13 c ap traffic"', 'hash')));
  assert.equal(hex(clientFinishedHash), hex(v('client', 'derive secret "tls13 res master"', 'hash')));
});

test('reproduces every RFC 8448 §3 secret of the key schedule', () => {
  const r = runSchedule();
  assert.equal(hex(r.early.secret), hex(v('server', 'extract secret "early"', 'secret')));
  assert.equal(hex(r.shared), hex(v('server', 'extract secret "handshake"', 'IKM')), 'X25519 shared secret');
  assert.equal(hex(r.hs.secret), hex(v('server', 'extract secret "handshake"', 'secret')));
  assert.equal(hex(r.hsTraffic.client), hex(v('server', 'derive secret "tls13 c hs traffic"', 'expanded')));
  assert.equal(hex(r.hsTraffic.server), hex(v('server', 'derive secret "tls13 s hs traffic"', 'expanded')));
  assert.equal(hex(r.master.secret), hex(v('server', 'extract secret "master"', 'secret')));
  assert.equal(hex(r.apTraffic.client), hex(v('server', 'derive secret "tls13 c ap traffic"', 'expanded')));
  assert.equal(hex(r.apTraffic.server), hex(v('server', 'derive secret "tls13 s ap traffic"', 'expanded')));
  assert.equal(hex(r.exporter), hex(v('server', 'derive secret "tls13 exp master"', 'expanded')));
  assert.equal(hex(r.resumption), hex(v('client', 'derive secret "tls13 res master"', 'expanded')));
});

test('the "derived" salts and HKDF labels are the trace\'s bytes', () => {
  const r = runSchedule();
  // Derive-Secret(early, "derived", "") is the salt of the handshake extract.
  assert.equal(hex(r.ks.deriveSecret(r.early.secret, 'derived', r.ks.emptyHash)), hex(v('server', 'derive secret for handshake "tls13 derived"', 'expanded')));
  assert.equal(hex(r.ks.deriveSecret(r.hs.secret, 'derived', r.ks.emptyHash)), hex(v('server', 'derive secret for master "tls13 derived"', 'expanded')));
  assert.equal(hex(r.ks.emptyHash), hex(v('server', 'derive secret for handshake "tls13 derived"', 'hash')));
  // hkdfExpandLabel builds the HkdfLabel the trace prints as "info": check via a capturing provider.
  const infos: string[] = [];
  const spy = { ...provider, hkdfExpand: (h: 'SHA-256', prk: Uint8Array, info: Uint8Array, n: number) => (infos.push(hex(info)), provider.hkdfExpand(h, prk, info, n)) };
  hkdfExpandLabel(spy as typeof provider, 'SHA-256', r.hs.secret, 'c hs traffic', helloHash, 32);
  hkdfExpandLabel(spy as typeof provider, 'SHA-256', r.hsTraffic.server, 'key', Buffer.alloc(0), 16);
  assert.deepEqual(infos, [hex(v('server', 'derive secret "tls13 c hs traffic"', 'info')), hex(v('server', 'derive write traffic keys for handshake data', 'key info'))]);
});

test('reproduces every traffic key and IV of RFC 8448 §3', () => {
  const r = runSchedule();
  const cases: [Buffer, string][] = [
    [r.hsTraffic.server, 'derive write traffic keys for handshake data'],
    [r.apTraffic.server, 'derive write traffic keys for application data'],
    [r.hsTraffic.client, 'derive read traffic keys for handshake data'],
  ];
  for (const [secret, title] of cases) {
    const k = r.ks.trafficKeys(secret);
    assert.equal(hex(k.key), hex(v('server', title, 'key expanded')), title);
    assert.equal(hex(k.iv), hex(v('server', title, 'iv expanded')), title);
  }
  const capp = r.ks.trafficKeys(r.apTraffic.client);
  assert.equal(hex(capp.key), hex(v('client', 'derive write traffic keys for application data', 'key expanded')));
  assert.equal(hex(capp.iv), hex(v('client', 'derive write traffic keys for application data', 'iv expanded')));
});

test('reproduces both Finished keys and verify_data values, and verifyFinished accepts only them', () => {
  const r = runSchedule();
  assert.equal(hex(r.ks.finishedKey(r.hsTraffic.server)), hex(v('server', 'calculate finished', 'expanded')));
  const sfin = r.ks.finishedVerifyData(r.hsTraffic.server, beforeServerFinishedHash);
  assert.equal(hex(sfin), hex(v('server', 'calculate finished', 'finished')));
  assert.equal(hex(msg.serverFinished.subarray(4)), hex(sfin));
  assert.equal(hex(r.ks.finishedKey(r.hsTraffic.client)), hex(v('client', 'calculate finished', 'expanded')));
  const cfin = r.ks.finishedVerifyData(r.hsTraffic.client, serverFinishedHash);
  assert.equal(hex(cfin), hex(v('client', 'calculate finished', 'finished')));
  assert.equal(r.ks.verifyFinished(r.hsTraffic.client, serverFinishedHash, cfin), true);
  const bad = Buffer.from(cfin);
  bad[31]! ^= 1;
  assert.equal(r.ks.verifyFinished(r.hsTraffic.client, serverFinishedHash, bad), false);
  assert.equal(r.ks.verifyFinished(r.hsTraffic.client, serverFinishedHash, cfin.subarray(0, 31)), false);
  // The server's Finished key is not the client's.
  assert.equal(r.ks.verifyFinished(r.hsTraffic.server, serverFinishedHash, cfin), false);
});

test('reproduces the ticket PSK ("tls13 resumption" with nonce 00 00)', () => {
  const r = runSchedule();
  const nonce = v('server', 'generate resumption secret', 'hash');
  assert.equal(hex(nonce), '0000');
  assert.equal(hex(r.ks.resumptionPsk(r.resumption, nonce)), hex(v('server', 'generate resumption secret', 'expanded')));
});

test('key log callback receives the five NSS labels with the trace secrets, in derivation order', () => {
  const r = runSchedule();
  assert.deepEqual(r.logged, [
    ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', hex(v('server', 'derive secret "tls13 c hs traffic"', 'expanded'))],
    ['SERVER_HANDSHAKE_TRAFFIC_SECRET', hex(v('server', 'derive secret "tls13 s hs traffic"', 'expanded'))],
    ['CLIENT_TRAFFIC_SECRET_0', hex(v('server', 'derive secret "tls13 c ap traffic"', 'expanded'))],
    ['SERVER_TRAFFIC_SECRET_0', hex(v('server', 'derive secret "tls13 s ap traffic"', 'expanded'))],
    ['EXPORTER_SECRET', hex(v('server', 'derive secret "tls13 exp master"', 'expanded'))],
  ]);
  const random = msg.clientHello.subarray(6, 38);
  assert.equal(formatKeyLogLine('EXPORTER_SECRET', random, r.exporter), `EXPORTER_SECRET ${hex(random)} ${hex(r.exporter)}`);
});

/** Client and server record layers in the state the trace's handshake puts them at each step. */
test('seals the trace plaintexts into the trace\'s records, byte for byte, in handshake order', () => {
  const r = runSchedule();
  const client = new RecordLayer({ provider });
  const server = new RecordLayer({ provider });
  const keys = (secret: Buffer) => r.ks.trafficKeys(secret);

  // Unprotected hellos: the initial ClientHello record says 0x0301, the ServerHello 0x0303.
  client.setPlaintextRecordVersion(ProtocolVersion.TLSv1);
  client.write(ContentType.handshake, msg.clientHello);
  client.setPlaintextRecordVersion(ProtocolVersion.TLSv1_2);
  assert.equal(hex(client.takeOutgoing()), hex(v('client', 'send handshake record', 'complete record', 0)));
  server.write(ContentType.handshake, msg.serverHello);
  assert.equal(hex(server.takeOutgoing()), hex(v('server', 'send handshake record', 'complete record', 0)));

  // Server flight under the server handshake key: four messages coalesce into the trace's single record.
  const shs = keys(r.hsTraffic.server);
  server.setWriteKey(suite, shs.key, shs.iv);
  for (const m of [msg.encryptedExtensions, msg.certificate, msg.certificateVerify, msg.serverFinished]) server.write(ContentType.handshake, m);
  assert.equal(hex(server.takeOutgoing()), hex(v('server', 'send handshake record', 'complete record', 1)));

  const chs = keys(r.hsTraffic.client);
  client.setWriteKey(suite, chs.key, chs.iv);
  client.write(ContentType.handshake, msg.clientFinished);
  assert.equal(hex(client.takeOutgoing()), hex(v('client', 'send handshake record', 'complete record', 1)));

  const sap = keys(r.apTraffic.server);
  server.setWriteKey(suite, sap.key, sap.iv);
  server.write(ContentType.handshake, msg.newSessionTicket);
  assert.equal(hex(server.takeOutgoing()), hex(v('server', 'send handshake record', 'complete record', 2)));

  const cap = keys(r.apTraffic.client);
  client.setWriteKey(suite, cap.key, cap.iv);
  client.write(ContentType.application_data, v('client', 'send application_data record', 'payload'));
  assert.equal(hex(client.takeOutgoing()), hex(v('client', 'send application_data record', 'complete record')));
  server.write(ContentType.application_data, v('server', 'send application_data record', 'payload'));
  assert.equal(hex(server.takeOutgoing()), hex(v('server', 'send application_data record', 'complete record')));

  client.write(ContentType.alert, v('client', 'send alert record', 'payload'));
  assert.equal(hex(client.takeOutgoing()), hex(v('client', 'send alert record', 'complete record')));
  server.write(ContentType.alert, v('server', 'send alert record', 'payload'));
  assert.equal(hex(server.takeOutgoing()), hex(v('server', 'send alert record', 'complete record')));
  assert.equal(server.writeSeq, 3n, 'NewSessionTicket, application data and alert under the server application key');
});

test('opens the trace\'s records and recovers their content types and plaintexts', () => {
  const r = runSchedule();
  const keys = (secret: Buffer) => r.ks.trafficKeys(secret);
  // The client reads what the server sent.
  const client = new RecordLayer({ provider });
  client.feed(v('server', 'send handshake record', 'complete record', 0));
  assert.deepEqual(client.nextRecord(), { type: ContentType.handshake, payload: msg.serverHello });
  const shs = keys(r.hsTraffic.server);
  client.setReadKey(suite, shs.key, shs.iv);
  // Feed the encrypted flight a few bytes at a time: records must reassemble across chunks.
  const flight = v('server', 'send handshake record', 'complete record', 1);
  for (let i = 0; i < flight.length; i += 100) client.feed(flight.subarray(i, i + 100));
  const rec = client.nextRecord();
  assert.equal(rec?.type, ContentType.handshake);
  assert.equal(hex(rec!.payload), hex(v('server', 'send handshake record', 'payload', 1)));
  assert.equal(client.nextRecord(), null);
  const sap = keys(r.apTraffic.server);
  client.setReadKey(suite, sap.key, sap.iv);
  client.feed(Buffer.concat([v('server', 'send handshake record', 'complete record', 2), v('server', 'send application_data record', 'complete record'), v('server', 'send alert record', 'complete record')]));
  assert.deepEqual(client.nextRecord(), { type: ContentType.handshake, payload: msg.newSessionTicket });
  assert.deepEqual(client.nextRecord(), { type: ContentType.application_data, payload: v('server', 'send application_data record', 'payload') });
  assert.deepEqual(client.nextRecord(), { type: ContentType.alert, payload: Buffer.from([1, 0]) });
  assert.equal(client.nextRecord(), null);

  // The server reads what the client sent (the first record with version 0x0301).
  const server = new RecordLayer({ provider });
  server.feed(v('client', 'send handshake record', 'complete record', 0));
  assert.deepEqual(server.nextRecord(), { type: ContentType.handshake, payload: msg.clientHello });
  const chs = keys(r.hsTraffic.client);
  server.setReadKey(suite, chs.key, chs.iv);
  server.feed(v('client', 'send handshake record', 'complete record', 1));
  assert.deepEqual(server.nextRecord(), { type: ContentType.handshake, payload: msg.clientFinished });
  const cap = keys(r.apTraffic.client);
  server.setReadKey(suite, cap.key, cap.iv);
  server.feed(v('client', 'send application_data record', 'complete record'));
  server.feed(v('client', 'send alert record', 'complete record'));
  assert.deepEqual(server.nextRecord(), { type: ContentType.application_data, payload: v('client', 'send application_data record', 'payload') });
  assert.deepEqual(server.nextRecord(), { type: ContentType.alert, payload: Buffer.from([1, 0]) });
  assert.equal(server.readSeq, 2n);
});

test('RFC 8448 §5 (HelloRetryRequest): handshake, traffic, master and resumption secrets', () => {
  const s5: TraceStep[] = parseTraceSection(5);
  const w = (who: 'client' | 'server', title: string, label: string, nth = 0): Buffer => traceValue(s5, who, title, label, nth);
  const ch1 = w('client', 'construct a ClientHello', 'ClientHello', 0);
  const hrr = w('server', 'construct a ServerHello', 'ServerHello', 0); // the HelloRetryRequest
  const ch2 = w('client', 'construct a ClientHello', 'ClientHello', 1);
  const sh = w('server', 'construct a ServerHello', 'ServerHello', 1);
  // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
  const messageHash = Buffer.concat([Buffer.from([254, 0, 0, 32]), sha256(ch1)]);
  const hello = sha256(messageHash, hrr, ch2, sh);
  assert.equal(hex(hello), hex(w('server', 'derive secret "tls13 c hs traffic"', 'hash')));

  const ks = KeySchedule.forSuite(provider, suite);
  const early = ks.early(null);
  assert.equal(hex(early.secret), hex(w('server', 'extract secret "early"', 'secret')));
  const hs = early.handshake(w('server', 'extract secret "handshake"', 'IKM'));
  assert.equal(hex(hs.secret), hex(w('server', 'extract secret "handshake"', 'secret')));
  const t = hs.trafficSecrets(hello);
  assert.equal(hex(t.client), hex(w('server', 'derive secret "tls13 c hs traffic"', 'expanded')));
  assert.equal(hex(t.server), hex(w('server', 'derive secret "tls13 s hs traffic"', 'expanded')));
  const master = hs.master();
  assert.equal(hex(master.secret), hex(w('server', 'extract secret "master"', 'secret')));
  const sfHash = w('server', 'derive secret "tls13 c ap traffic"', 'hash');
  const ap = master.trafficSecrets(sfHash);
  assert.equal(hex(ap.client), hex(w('server', 'derive secret "tls13 c ap traffic"', 'expanded')));
  assert.equal(hex(ap.server), hex(w('server', 'derive secret "tls13 s ap traffic"', 'expanded')));
  assert.equal(hex(master.exporterMasterSecret(sfHash)), hex(w('server', 'derive secret "tls13 exp master"', 'expanded')));
  const rms = master.resumptionMasterSecret(w('client', 'derive secret "tls13 res master"', 'hash'));
  assert.equal(hex(rms), hex(w('client', 'derive secret "tls13 res master"', 'expanded')));
  const k = ks.trafficKeys(t.server);
  assert.equal(hex(k.key), hex(w('server', 'derive write traffic keys for handshake data', 'key expanded')));
  assert.equal(hex(k.iv), hex(w('server', 'derive write traffic keys for handshake data', 'iv expanded')));
});

test('RFC 8448 §4 (resumption, 0-RTT): early secret from the ticket PSK, binder, early traffic secrets and the 0-RTT record', () => {
  const s4: TraceStep[] = parseTraceSection(4);
  const w = (who: 'client' | 'server', title: string, label: string, nth = 0): Buffer => traceValue(s4, who, title, label, nth);
  // The PSK is the §3 ticket's: resumption_master_secret expanded with the ticket nonce.
  const r = runSchedule();
  const psk = r.ks.resumptionPsk(r.resumption, Buffer.from([0, 0]));
  assert.equal(hex(psk), hex(w('client', 'extract secret "early"', 'IKM')));

  const logged: KeyLogLabel[] = [];
  const ks = KeySchedule.forSuite(provider, suite, { keyLog: (label) => logged.push(label) });
  const early = ks.early(psk);
  assert.equal(hex(early.secret), hex(w('client', 'extract secret "early"', 'secret')));
  const prefix = w('client', 'calculate PSK binder', 'ClientHello prefix');
  const binderHash = sha256(prefix);
  assert.equal(hex(binderHash), hex(w('client', 'calculate PSK binder', 'binder hash')));
  assert.equal(hex(early.binderKey('res')), hex(w('client', 'calculate PSK binder', 'PRK')));
  assert.notEqual(hex(early.binderKey('ext')), hex(early.binderKey('res')));
  assert.equal(hex(ks.finishedKey(early.binderKey('res'))), hex(w('client', 'calculate PSK binder', 'expanded')));
  const binder = early.binder('res', binderHash);
  assert.equal(hex(binder), hex(w('client', 'calculate PSK binder', 'finished')));
  assert.equal(ks.verifyFinished(early.binderKey('res'), binderHash, binder), true);

  // The full ClientHello (prefix + binders) is the early traffic transcript.
  const clientHello = w('client', 'send handshake record', 'payload', 0);
  const chHash = sha256(clientHello);
  assert.equal(hex(chHash), hex(w('client', 'derive secret "tls13 c e traffic"', 'hash')));
  const cet = early.clientEarlyTrafficSecret(chHash);
  assert.equal(hex(cet), hex(w('client', 'derive secret "tls13 c e traffic"', 'expanded')));
  assert.equal(hex(early.earlyExporterMasterSecret(chHash)), hex(w('client', 'derive secret "tls13 e exp master"', 'expanded')));
  const k = ks.trafficKeys(cet);
  assert.equal(hex(k.key), hex(w('client', 'derive write traffic keys for early application data', 'key expanded')));
  assert.equal(hex(k.iv), hex(w('client', 'derive write traffic keys for early application data', 'iv expanded')));
  assert.deepEqual(logged, ['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']);

  const rl = new RecordLayer({ provider });
  rl.setWriteKey(suite, k.key, k.iv);
  rl.write(ContentType.application_data, w('client', 'send application_data record', 'payload', 0));
  assert.equal(hex(rl.takeOutgoing()), hex(w('client', 'send application_data record', 'complete record', 0)));

  // psk_dhe_ke: the handshake secret mixes in the X25519 secret.
  const hs = early.handshake(w('server', 'extract secret "handshake"', 'IKM'));
  assert.equal(hex(hs.secret), hex(w('server', 'extract secret "handshake"', 'secret')));
  const master = hs.master();
  assert.equal(hex(master.secret), hex(w('server', 'extract secret "master"', 'secret')));
});
