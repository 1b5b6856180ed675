/**
 * A scripted TLS 1.2 peer misbehaves: its plaintext flight is edited on the
 * way (reordered, duplicated, a signature byte flipped), its ephemeral point
 * is off the curve (through a provider that hands out a bad public value),
 * its Finished is re-sealed with a wrong verify_data, its ChangeCipherSpec
 * comes early or twice, or it downgrades a TLS 1.3 client. Each case: the
 * right alert on the wire, a TLSError to the caller, nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { keyBlock12 } from '../../src/tls/prf12.js';
import { RecordLayer } from '../../src/tls/record.js';
import { AlertDescription, type AlertName } from '../../src/tls/registry/alerts.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { expectTLSError } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';
import { badPointProvider } from './helpers/scripted-peer.js';

const provider = defaultProvider;

interface Rec {
  type: number;
  body: Buffer;
}
interface Msg {
  type: number;
  body: Buffer;
}

function splitRecords(buf: Buffer): Rec[] {
  const out: Rec[] = [];
  for (let o = 0; o < buf.length; ) {
    const len = buf.readUInt16BE(o + 3);
    out.push({ type: buf[o]!, body: buf.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

function joinRecords(recs: Rec[]): Buffer {
  return Buffer.concat(recs.map((r) => Buffer.concat([Buffer.from([r.type, 3, 3, r.body.length >> 8, r.body.length & 0xff]), r.body])));
}

function splitMessages(buf: Buffer): Msg[] {
  const out: Msg[] = [];
  for (let o = 0; o < buf.length; ) {
    const len = buf.readUIntBE(o + 1, 3);
    out.push({ type: buf[o]!, body: Buffer.from(buf.subarray(o + 4, o + 4 + len)) });
    o += 4 + len;
  }
  return out;
}

function joinMessages(msgs: Msg[]): Buffer {
  return Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.type, m.body.length >> 16, (m.body.length >> 8) & 0xff, m.body.length & 0xff]), m.body])));
}

function pair(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}) {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', maxVersion: 'TLSv1.2', ...client });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ...server });
  return { c, s };
}

/** `to` rejects `bytes` with `alert`, and the alert it queued is that alert, unprotected (nothing encrypted yet) or protected. */
function rejects(to: Connection, bytes: Buffer, alert: AlertName, reason?: RegExp): void {
  const err = expectTLSError(() => to.receive(bytes));
  assert.equal(err.alert, alert, `expected ${alert}, got ${err.alert}: ${err.reason}`);
  assert.equal(err.fromPeer, false);
  if (reason) assert.match(err.reason, reason);
  const out = splitRecords(to.takeOutgoing());
  const last = out[out.length - 1];
  assert.ok(last && last.type === ContentType.alert, 'an alert record was queued');
  // Plaintext alerts carry [level, description]; protected ones are only checked for being the last record.
  if (last.body.length === 2) assert.deepEqual([...last.body], [2, AlertDescription[alert]]);
  // Nothing else: the connection stays failed.
  assert.throws(() => to.receive(Buffer.alloc(0)));
}

/** The server's first TLS 1.2 flight (plaintext handshake messages), edited, delivered to the client. */
function editedServerFlight(edit: (msgs: Msg[]) => Msg[], client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}) {
  const o = pair(client, server);
  o.s.receive(o.c.takeOutgoing());
  const recs = splitRecords(o.s.takeOutgoing());
  assert.ok(recs.every((r) => r.type === ContentType.handshake));
  const msgs = edit(splitMessages(Buffer.concat(recs.map((r) => r.body))));
  return { ...o, bytes: joinRecords([{ type: ContentType.handshake, body: joinMessages(msgs) }]) };
}

const ske = (m: Msg) => m.type === HandshakeType.server_key_exchange;

test('TLS 1.2 client: ServerKeyExchange before Certificate is unexpected_message', () => {
  const o = editedServerFlight((m) => [m[0]!, m[2]!, m[1]!, ...m.slice(3)]);
  rejects(o.c, o.bytes, 'unexpected_message', /server_key_exchange received while expecting certificate/);
});

test('TLS 1.2 client: a second ServerKeyExchange is unexpected_message', () => {
  const o = editedServerFlight((m) => m.flatMap((x) => (ske(x) ? [x, x] : [x])));
  rejects(o.c, o.bytes, 'unexpected_message');
});

test('TLS 1.2 client: ServerHelloDone without a ServerKeyExchange is unexpected_message', () => {
  const o = editedServerFlight((m) => m.filter((x) => !ske(x)));
  rejects(o.c, o.bytes, 'unexpected_message');
});

test('TLS 1.2 client: a bad ServerKeyExchange signature is decrypt_error', () => {
  const o = editedServerFlight((m) =>
    m.map((x) => {
      if (!ske(x)) return x;
      const body = Buffer.from(x.body);
      body[body.length - 1]! ^= 0x01;
      return { type: x.type, body };
    }),
  );
  rejects(o.c, o.bytes, 'decrypt_error', /ServerKeyExchange signature/);
});

test('TLS 1.2 client: a ServerKeyExchange signed over different params (the point changed) is decrypt_error', () => {
  const o = editedServerFlight((m) =>
    m.map((x) => {
      if (!ske(x)) return x;
      const body = Buffer.from(x.body);
      body[5]! ^= 0x40; // inside the X25519 point
      return { type: x.type, body };
    }),
  );
  rejects(o.c, o.bytes, 'decrypt_error');
});

test('TLS 1.2 client: a ServerKeyExchange for a group we did not offer is illegal_parameter', () => {
  const o = editedServerFlight(
    (m) =>
      m.map((x) => {
        if (!ske(x)) return x;
        const body = Buffer.from(x.body);
        body.writeUInt16BE(0x0017, 1); // secp256r1, which this client does not list
        return { type: x.type, body };
      }),
    { groups: ['X25519'] },
    // An RSA certificate: a client that lists no ECDSA curve cannot take the P-256 one (RFC 8422 §5.1).
    { certificates: [testPki().servers.rsa2048.certified] },
  );
  rejects(o.c, o.bytes, 'illegal_parameter', /which we did not offer/);
});

/** An uncompressed P-256 "point" that is not on the curve. */
const OFF_CURVE_P256 = Buffer.concat([Buffer.from([4]), Buffer.alloc(32, 1), Buffer.alloc(32, 2)]);

test('TLS 1.2 client: a validly signed ServerKeyExchange point that is not on the curve is illegal_parameter', () => {
  const { c, s } = pair({ groups: ['P-256'] }, { groups: ['P-256'], provider: badPointProvider(OFF_CURVE_P256) });
  s.receive(c.takeOutgoing());
  rejects(c, s.takeOutgoing(), 'illegal_parameter', /key share is invalid/);
});

test('TLS 1.2 server: a ClientKeyExchange point that is not on the curve is illegal_parameter', () => {
  const { c, s } = pair({ groups: ['P-256'], provider: badPointProvider(OFF_CURVE_P256) }, { groups: ['P-256'] });
  s.receive(c.takeOutgoing());
  c.receive(s.takeOutgoing());
  rejects(s, c.takeOutgoing(), 'illegal_parameter', /key share is invalid/);
});

test('TLS 1.2 client: an X25519 ServerKeyExchange point of the wrong length is illegal_parameter', () => {
  const { c, s } = pair({}, { provider: badPointProvider(Buffer.alloc(31, 9)) });
  s.receive(c.takeOutgoing());
  rejects(c, s.takeOutgoing(), 'illegal_parameter', /31 bytes, expected 32/);
});

/** The client's second flight as records: [ClientKeyExchange], ChangeCipherSpec, Finished (protected). */
function clientSecondFlight(client: Partial<ConnectionConfig> = {}) {
  const lines: Buffer[] = [];
  const o = pair({ ...client, keyLog: (_l, _r, secret) => lines.push(secret) });
  o.s.receive(o.c.takeOutgoing());
  const serverFlight = o.s.takeOutgoing();
  const serverRandom = Buffer.from(splitMessages(splitRecords(serverFlight)[0]!.body)[0]!.body.subarray(2, 34));
  o.c.receive(serverFlight);
  const recs = splitRecords(o.c.takeOutgoing());
  return { ...o, recs, master: lines[0]!, serverRandom };
}

/** The client's key block, from its key-logged master secret: opens and seals records as the client would after its CCS. */
function clientKeys(o: ReturnType<typeof clientSecondFlight>) {
  const clientRandom = Buffer.from((o.c as unknown as { clientRandom: Buffer }).clientRandom);
  const suite = o.c.negotiated.suite!;
  const kb = keyBlock12(provider, suite, o.master, clientRandom, o.serverRandom);
  const sealer = () => {
    const wr = new RecordLayer({ provider });
    wr.setWriteKey12(suite, kb.clientWriteKey, kb.clientWriteIv);
    return wr;
  };
  const open = (rec: Rec) => {
    const rd = new RecordLayer({ provider });
    rd.setReadKey12(suite, kb.clientWriteKey, kb.clientWriteIv);
    rd.feed(joinRecords([rec]));
    return Buffer.from(rd.nextRecord()!.payload);
  };
  return { sealer, open };
}

test('TLS 1.2 server: a client Finished with the wrong verify_data is decrypt_error', () => {
  const o = clientSecondFlight();
  const k = clientKeys(o);
  // Open the Finished record with the client's key, change verify_data, seal it again (sequence 0 both times).
  const edited = k.open(o.recs[o.recs.length - 1]!);
  assert.equal(edited[0], HandshakeType.finished);
  edited[edited.length - 1]! ^= 0x01;
  const wr = k.sealer();
  wr.write(ContentType.handshake, edited);
  const bytes = Buffer.concat([joinRecords(o.recs.slice(0, -1)), wr.takeOutgoing()]);
  rejects(o.s, bytes, 'decrypt_error', /client Finished does not verify/);
});

test('TLS 1.2 server: a second (protected) ChangeCipherSpec in place of Finished is unexpected_message', () => {
  const o = clientSecondFlight();
  const wr = clientKeys(o).sealer();
  wr.write(ContentType.change_cipher_spec, Buffer.from([1]));
  const bytes = Buffer.concat([joinRecords(o.recs.slice(0, -1)), wr.takeOutgoing()]);
  rejects(o.s, bytes, 'unexpected_message', /ChangeCipherSpec received while ExpectFinished/);
});

test('TLS 1.2 server: ChangeCipherSpec before ClientKeyExchange is unexpected_message', () => {
  const o = clientSecondFlight();
  const ccs = o.recs.find((r) => r.type === ContentType.change_cipher_spec)!;
  rejects(o.s, joinRecords([ccs, ...o.recs.filter((r) => r !== ccs)]), 'unexpected_message', /ChangeCipherSpec received while ExpectClientKeyExchange/);
});

test('TLS 1.2 server: a second, unprotected ChangeCipherSpec after the first is bad_record_mac (records are protected from the first on)', () => {
  const o = clientSecondFlight();
  const i = o.recs.findIndex((r) => r.type === ContentType.change_cipher_spec);
  rejects(o.s, joinRecords([...o.recs.slice(0, i + 1), o.recs[i]!, ...o.recs.slice(i + 1)]), 'bad_record_mac');
});

test('TLS 1.2 server: a Finished without ChangeCipherSpec is unexpected_message (or fails to decode, being protected)', () => {
  const o = clientSecondFlight();
  const err = expectTLSError(() => o.s.receive(joinRecords(o.recs.filter((r) => r.type !== ContentType.change_cipher_spec))));
  // The protected Finished reaches a server still reading plaintext: not a handshake message it can accept.
  assert.ok(['unexpected_message', 'decode_error'].includes(err.alert), err.alert);
});

test('TLS 1.3-capable client: a TLS 1.2 ServerHello carrying the downgrade sentinel (a real 1.3 server answering a 1.2 offer) is illegal_parameter', () => {
  const pki = testPki();
  // The flight of a 1.3-capable server that answered a 1.2-only ClientHello: its random carries DOWNGRD\x01.
  const c12 = Connection.client({ provider, serverName: 'localhost', maxVersion: 'TLSv1.2' });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified] });
  s.receive(c12.takeOutgoing());
  const flight = s.takeOutgoing();
  // A man in the middle replays it to a client that offered TLS 1.3.
  const c13 = Connection.client({ provider, serverName: 'localhost' });
  c13.takeOutgoing();
  rejects(c13, flight, 'illegal_parameter', /downgrade sentinel/);
});

test('TLS 1.2 client: a HelloRequest during the handshake is unexpected_message', () => {
  const o = editedServerFlight((m) => [m[0]!, { type: HandshakeType.hello_request, body: Buffer.alloc(0) }, ...m.slice(1)]);
  rejects(o.c, o.bytes, 'unexpected_message');
});
