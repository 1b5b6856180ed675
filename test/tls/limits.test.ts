/**
 * Resource limits against a hostile peer (issue 9): the largest handshake
 * message is refused from its header, before its body is buffered; empty
 * records, non-fatal alerts and KeyUpdates in a row are refused past
 * OpenSSL's (BoringSSL's, for KeyUpdate) limits. Each case: the right alert
 * on the wire (decoded by the honest peer) and a TLSError to our caller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import type { TLSError } from '../../src/tls/errors.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE } from '../../src/tls/handshake-buffer.js';
import { MAX_EMPTY_RECORDS, MAX_KEY_UPDATES, MAX_WARN_ALERT_COUNT } from '../../src/tls/inbound-limits.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import type { CipherSuite } from '../../src/tls/registry/suites.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';
import { joinRecords, provider, Sealer, splitRecords } from './helpers/scripted-peer.js';

function pair(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}) {
  const pki = testPki();
  const secrets = new Map<string, Buffer>();
  const c = Connection.client({ provider, serverName: 'localhost', ...client });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], numTickets: 0, keyLog: (l, _r, sec) => secrets.set(l, sec), ...server });
  return { c, s, secrets };
}

/** A connected pair and a sealer writing as the server under its first application traffic secret (sequence 0: no tickets were sent). */
function connectedWithSealer() {
  const o = pair();
  pumpMemory(o.c, o.s);
  assert.ok(o.c.handshakeDone && o.s.handshakeDone);
  const sealer = new Sealer(o.s.negotiated.suite as CipherSuite, o.secrets.get('SERVER_TRAFFIC_SECRET_0')!);
  return { ...o, sealer };
}

/** Our client refused: its fatal alert reaches the honest server, which reports the same alert from the peer. */
function assertAlertOnWire(c: Connection, s: Connection, err: TLSError, alert: string, reason: RegExp): void {
  assert.equal(err.alert, alert, `expected ${alert}, got ${err.alert}: ${err.reason}`);
  assert.equal(err.fromPeer, false);
  assert.match(err.reason, reason);
  const out = c.takeOutgoing();
  assert.ok(out.length > 0, 'an alert is queued');
  const heard = expectTLSError(() => s.receive(out));
  assert.equal(heard.fromPeer, true);
  assert.equal(heard.alert, alert);
  // Every later call rethrows the same error.
  assert.equal(expectTLSError(() => c.receive(Buffer.alloc(0))), err);
}

test('default largest handshake message is OpenSSL max_cert_list, 102400 bytes', () => {
  assert.equal(DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE, 102400);
});

test('a ClientHello announcing 16 MiB is refused from its header with illegal_parameter, nothing buffered past it', () => {
  const { s } = pair();
  const header = Buffer.from([HandshakeType.client_hello, 0xff, 0xff, 0xff]);
  const body = Buffer.alloc(16380 - header.length, 0x41);
  const rec = joinRecords([{ type: ContentType.handshake, body: Buffer.concat([header, body]) }]);
  const err = expectTLSError(() => s.receive(rec));
  assert.equal(err.alert, 'illegal_parameter');
  assert.match(err.reason, /16777215 bytes exceeds the 102400-byte limit/);
  // The alert is on the wire, in plaintext (no keys yet): fatal(2) illegal_parameter(47).
  const out = splitRecords(s.takeOutgoing());
  assert.equal(out.length, 1);
  assert.equal(out[0]!.type, ContentType.alert);
  assert.deepEqual([...out[0]!.body], [2, 47]);
  // Further bytes are not taken in: the connection stays failed with the same error and buffers nothing.
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 64; i++) assert.equal(expectTLSError(() => s.receive(rec)), err);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, 'memory does not grow with the refused bytes');
});

test('a message at the limit is buffered up to the limit and no further; one byte over is refused at its header', () => {
  const limit = 4096;
  const feed = (announced: number) => {
    const { s } = pair({}, { maxHandshakeMessageSize: limit });
    const header = Buffer.from([HandshakeType.client_hello, announced >> 16, (announced >> 8) & 0xff, announced & 0xff]);
    const first = joinRecords([{ type: ContentType.handshake, body: header }]);
    return { s, first };
  };
  const over = feed(limit + 1);
  const err = expectTLSError(() => over.s.receive(over.first));
  assert.equal(err.alert, 'illegal_parameter');
  assert.match(err.reason, /4097 bytes exceeds the 4096-byte limit/);
  // At the limit: the body is buffered record by record (at most limit + header bytes), then decoded (garbage: decode_error).
  const at = feed(limit);
  at.s.receive(at.first);
  const hsReader = (at.s as unknown as { hsReader: { pending: number } }).hsReader;
  for (let sent = 0; sent + 1000 < limit; sent += 1000) {
    at.s.receive(joinRecords([{ type: ContentType.handshake, body: Buffer.alloc(1000, 0x41) }]));
    assert.ok(hsReader.pending <= limit + 4);
  }
  assert.equal(hsReader.pending, 4 + 4000);
  const last = expectTLSError(() => at.s.receive(joinRecords([{ type: ContentType.handshake, body: Buffer.alloc(96, 0x41) }])));
  assert.equal(last.alert, 'decode_error');
});

test('a certificate chain over the configured limit is refused by our client with illegal_parameter, heard by the server', () => {
  const { c, s } = pair({ maxHandshakeMessageSize: 200 });
  s.receive(c.takeOutgoing());
  const err = expectTLSError(() => c.receive(s.takeOutgoing()));
  assertAlertOnWire(c, s, err, 'illegal_parameter', /exceeds the 200-byte limit/);
  // The same chain passes under the default limit.
  const ok = pair();
  pumpMemory(ok.c, ok.s);
  assert.ok(ok.c.handshakeDone);
});

test(`${MAX_EMPTY_RECORDS} empty records in a row are accepted, the next is refused: unexpected_message, record too small`, () => {
  const { c, s, sealer } = connectedWithSealer();
  const empty = () => sealer.seal(ContentType.application_data, Buffer.alloc(0));
  // A non-empty record resets the count.
  for (let i = 0; i < MAX_EMPTY_RECORDS; i++) c.receive(empty());
  c.receive(sealer.seal(ContentType.application_data, Buffer.from('data')));
  assert.equal(drain(c).toString(), 'data');
  for (let i = 0; i < MAX_EMPTY_RECORDS; i++) c.receive(empty());
  const err = expectTLSError(() => c.receive(empty()));
  assertAlertOnWire(c, s, err, 'unexpected_message', /^record too small$/);
});

test(`${MAX_WARN_ALERT_COUNT} non-fatal alerts in a row are refused: unexpected_message, too many warn alerts`, () => {
  const { c, s, sealer } = connectedWithSealer();
  // warning(1) user_canceled(90): TLS 1.3's one non-fatal alert besides close_notify (OpenSSL counts it too).
  const canceled = () => sealer.seal(ContentType.alert, Buffer.from([1, 90]));
  for (let i = 1; i < MAX_WARN_ALERT_COUNT; i++) c.receive(canceled());
  c.receive(sealer.seal(ContentType.application_data, Buffer.from('x')));
  for (let i = 1; i < MAX_WARN_ALERT_COUNT; i++) c.receive(canceled());
  const err = expectTLSError(() => c.receive(canceled()));
  assertAlertOnWire(c, s, err, 'unexpected_message', /^too many warn alerts$/);
});

test(`${MAX_KEY_UPDATES} KeyUpdates without application data between them are accepted, the next is refused`, () => {
  const { c, s } = connectedWithSealer();
  // The peer is a real Connection updating its keys; application data resets the count.
  for (let i = 0; i < MAX_KEY_UPDATES; i++) {
    s.keyUpdate(false);
    c.receive(s.takeOutgoing());
  }
  s.write(Buffer.from('data'));
  c.receive(s.takeOutgoing());
  assert.equal(drain(c).toString(), 'data');
  for (let i = 0; i < MAX_KEY_UPDATES; i++) s.keyUpdate(false);
  c.receive(s.takeOutgoing());
  s.keyUpdate(false);
  const err = expectTLSError(() => c.receive(s.takeOutgoing()));
  assertAlertOnWire(c, s, err, 'unexpected_message', /^too many key updates$/);
});
