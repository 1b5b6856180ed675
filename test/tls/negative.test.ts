/**
 * A scripted peer misbehaves: truncated, oversized, reordered, bit-flipped and
 * ill-formed handshake messages and records. Every case must end in the right
 * alert and a TLSError — never a crash, a hang or a TypeError.
 *
 * The misbehaving side is a real Connection whose output is rewritten on the
 * way: plaintext records are edited directly; protected records are opened
 * with the handshake secret taken from its key log, edited, and sealed again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TLSError } from '../../src/tls/errors.js';
import { KeySchedule } from '../../src/tls/keyschedule.js';
import { decodeServerHello, encodeServerHello, DOWNGRADE_TLS12, type ServerHello } from '../../src/tls/messages/server-hello.js';
import { RecordLayer } from '../../src/tls/record.js';
import { decodeClientHello } from '../../src/tls/messages/client-hello.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { ExtensionType } from '../../src/tls/registry/extensions.js';
import { NamedGroup } from '../../src/tls/registry/groups.js';
import type { CipherSuite } from '../../src/tls/registry/suites.js';
import { ProtocolVersion } from '../../src/tls/registry/versions.js';
import { expectTLSError } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';
import { joinMessages, joinRecords, splitMessages, splitRecords, type Msg, type Rec } from './helpers/scripted-peer.js';

const provider = defaultProvider;

/** A client and a server that logs its handshake secret, with middlebox compatibility off so the server flight is SH + protected records. */
function setup(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}) {
  const pki = testPki();
  const secrets = new Map<string, Buffer>();
  const c = Connection.client({ provider, serverName: 'localhost', middleboxCompat: false, ...client });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], keyLog: (l, _r, sec) => secrets.set(l, sec), ...server });
  return { c, s, secrets };
}

/** Rewrites the server's first flight: `sh` edits the ServerHello, `hs` edits the protected handshake messages. */
function serverFlight(
  o: ReturnType<typeof setup>,
  edit: { sh?: (sh: ServerHello) => ServerHello; shRaw?: (body: Buffer) => Buffer; hs?: (msgs: Msg[]) => Msg[]; hsRaw?: (raw: Buffer) => Buffer; records?: (recs: Rec[]) => Rec[] },
): Buffer {
  o.s.receive(o.c.takeOutgoing());
  let recs: Rec[] = splitRecords(o.s.takeOutgoing());
  const shRec = recs[0]!;
  assert.equal(shRec.type, ContentType.handshake);
  const [shMsg] = splitMessages(shRec.body);
  let shBody = shMsg!.body;
  if (edit.sh) shBody = encodeServerHello(edit.sh(decodeServerHello(shBody) as ServerHello));
  if (edit.shRaw) shBody = edit.shRaw(shBody);
  recs[0] = { type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.server_hello, body: shBody }]) };
  if (edit.hs || edit.hsRaw) {
    const suite = o.s.negotiated.suite as CipherSuite;
    const keys = KeySchedule.forSuite(provider, suite).trafficKeys(o.secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')!);
    const reader = new RecordLayer({ provider });
    reader.setReadKey(suite, keys.key, keys.iv);
    reader.feed(joinRecords(recs.slice(1)));
    const plain: Buffer[] = [];
    for (let r; (r = reader.nextRecord()) !== null; ) plain.push(r.payload);
    const all = Buffer.concat(plain);
    const edited = edit.hsRaw ? edit.hsRaw(all) : joinMessages(edit.hs!(splitMessages(all)));
    const writer = new RecordLayer({ provider });
    writer.setWriteKey(suite, keys.key, keys.iv);
    writer.write(ContentType.handshake, edited);
    recs = [recs[0]!, ...splitRecords(writer.takeOutgoing())];
  }
  if (edit.records) recs = edit.records(recs);
  return joinRecords(recs);
}

function clientRejects(bytes: Buffer, c: Connection, alert: string, reason?: RegExp): TLSError {
  const err = expectTLSError(() => c.receive(bytes));
  assert.equal(err.alert, alert, `expected ${alert}, got ${err.alert}: ${err.reason}`);
  assert.equal(err.fromPeer, false);
  if (reason) assert.match(err.reason, reason);
  // The alert is queued for the peer.
  const out = c.takeOutgoing();
  assert.ok(out.length > 0, 'an alert is queued');
  return err;
}

const withExt = (sh: ServerHello, f: (e: ServerHello['extensions'][number]) => boolean) => ({ ...sh, extensions: sh.extensions.filter(f) });

test('ServerHello echoing a different legacy_session_id: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, { sh: (sh) => ({ ...sh, legacySessionIdEcho: Buffer.alloc(32, 7) }) });
  clientRejects(bytes, o.c, 'illegal_parameter', /legacy_session_id/);
});

test('ServerHello selecting a suite we did not offer: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, { sh: (sh) => ({ ...sh, cipherSuite: 0x1304 }) });
  clientRejects(bytes, o.c, 'illegal_parameter', /did not offer/);
});

test('ServerHello without supported_versions (TLS 1.2) but with a TLS 1.3 suite: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, { sh: (sh) => withExt(sh, (e) => e.type !== 'supported_versions') });
  clientRejects(bytes, o.c, 'illegal_parameter', /did not offer for TLSv1\.2/);
});

test('ServerHello with the TLS 1.2 downgrade sentinel: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    sh: (sh) => withExt({ ...sh, random: Buffer.concat([sh.random.subarray(0, 24), DOWNGRADE_TLS12]) }, (e) => e.type !== 'supported_versions'),
  });
  clientRejects(bytes, o.c, 'illegal_parameter', /downgrade/);
});

test('ServerHello selecting TLS 1.2 through supported_versions: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    sh: (sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === 'supported_versions' ? { type: 'supported_versions' as const, selectedVersion: ProtocolVersion.TLSv1_2 } : e)) }),
  });
  clientRejects(bytes, o.c, 'illegal_parameter');
});

test('ServerHello key_share for a group we sent no share for: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    sh: (sh) => ({
      ...sh,
      extensions: sh.extensions.map((e) => (e.type === 'key_share' && 'serverShare' in e ? { type: 'key_share' as const, serverShare: { group: NamedGroup.secp256r1, keyExchange: Buffer.alloc(65, 4) } } : e)),
    }),
  });
  clientRejects(bytes, o.c, 'illegal_parameter');
});

test('ServerHello without key_share: missing_extension', () => {
  const o = setup();
  clientRejects(serverFlight(o, { sh: (sh) => withExt(sh, (e) => e.type !== 'key_share') }), o.c, 'missing_extension');
});

test('ServerHello with an X25519 share of the wrong length: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    sh: (sh) => ({
      ...sh,
      extensions: sh.extensions.map((e) => (e.type === 'key_share' && 'serverShare' in e ? { type: 'key_share' as const, serverShare: { group: e.serverShare.group, keyExchange: e.serverShare.keyExchange.subarray(1) } } : e)),
    }),
  });
  clientRejects(bytes, o.c, 'illegal_parameter');
});

test('ServerHello with an extension we did not offer: unsupported_extension', () => {
  const o = setup();
  const bytes = serverFlight(o, { sh: (sh) => ({ ...sh, extensions: [...sh.extensions, { type: 'unknown', code: 0x7a7a, data: Buffer.alloc(0) }] }) });
  clientRejects(bytes, o.c, 'unsupported_extension');
});

test('truncated ServerHello: decode_error', () => {
  const o = setup();
  clientRejects(serverFlight(o, { shRaw: (b) => b.subarray(0, b.length - 3) }), o.c, 'decode_error');
});

test('ServerHello with a trailing byte: decode_error', () => {
  const o = setup();
  clientRejects(serverFlight(o, { shRaw: (b) => Buffer.concat([b, Buffer.from([0])]) }), o.c, 'decode_error');
});

test('EncryptedExtensions with ALPN we did not offer: unsupported_extension', () => {
  const o = setup();
  const alpnExt = Buffer.from([0, ExtensionType.application_layer_protocol_negotiation, 0, 5, 0, 3, 2, 0x68, 0x32]);
  const bytes = serverFlight(o, { hs: (m) => m.map((x) => (x.type === HandshakeType.encrypted_extensions ? { type: x.type, body: Buffer.concat([Buffer.from([0, alpnExt.length]), alpnExt]) } : x)) });
  clientRejects(bytes, o.c, 'unsupported_extension');
});

test('EncryptedExtensions carrying key_share (not allowed there): illegal_parameter', () => {
  const o = setup();
  const ks = Buffer.from([0, ExtensionType.key_share, 0, 2, 0, 0x1d]);
  const bytes = serverFlight(o, { hs: (m) => m.map((x) => (x.type === HandshakeType.encrypted_extensions ? { type: x.type, body: Buffer.concat([Buffer.from([0, ks.length]), ks]) } : x)) });
  clientRejects(bytes, o.c, 'illegal_parameter');
});

test('reordered flight (Certificate before EncryptedExtensions): unexpected_message', () => {
  const o = setup();
  const bytes = serverFlight(o, { hs: (m) => [m[1]!, m[0]!, ...m.slice(2)] });
  clientRejects(bytes, o.c, 'unexpected_message');
});

test('missing CertificateVerify: unexpected_message', () => {
  const o = setup();
  const bytes = serverFlight(o, { hs: (m) => m.filter((x) => x.type !== HandshakeType.certificate_verify) });
  clientRejects(bytes, o.c, 'unexpected_message');
});

test('empty server Certificate: decode_error', () => {
  const o = setup();
  const bytes = serverFlight(o, { hs: (m) => m.map((x) => (x.type === HandshakeType.certificate ? { type: x.type, body: Buffer.from([0, 0, 0, 0]) } : x)) });
  clientRejects(bytes, o.c, 'decode_error');
});

test('bit-flipped CertificateVerify signature: decrypt_error', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    hs: (m) =>
      m.map((x) => {
        if (x.type !== HandshakeType.certificate_verify) return x;
        const b = Buffer.from(x.body);
        b[b.length - 5]! ^= 0x01;
        return { type: x.type, body: b };
      }),
  });
  clientRejects(bytes, o.c, 'decrypt_error');
});

test('CertificateVerify with a scheme that does not fit the key: illegal_parameter', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    hs: (m) =>
      m.map((x) => {
        if (x.type !== HandshakeType.certificate_verify) return x;
        const b = Buffer.from(x.body);
        b.writeUInt16BE(0x0804, 0); // rsa_pss_rsae_sha256 on an ECDSA key
        return { type: x.type, body: b };
      }),
  });
  clientRejects(bytes, o.c, 'illegal_parameter');
});

test('bit-flipped server Finished: decrypt_error', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    hs: (m) => m.map((x) => (x.type === HandshakeType.finished ? { type: x.type, body: Buffer.from(x.body.map((v, i) => (i === 0 ? v ^ 0x80 : v))) } : x)),
  });
  clientRejects(bytes, o.c, 'decrypt_error');
});

test('Finished of the wrong length: decode_error', () => {
  const o = setup();
  const bytes = serverFlight(o, { hs: (m) => m.map((x) => (x.type === HandshakeType.finished ? { type: x.type, body: x.body.subarray(1) } : x)) });
  clientRejects(bytes, o.c, 'decode_error');
});

test('a handshake length that swallows the next message: decode_error', () => {
  const o = setup();
  const edited = serverFlight(o, {
    hsRaw: (raw) => {
      const b = Buffer.from(raw);
      b.writeUIntBE(b.readUIntBE(1, 3) + 64, 1, 3); // EncryptedExtensions now covers part of Certificate
      return b;
    },
  });
  clientRejects(edited, o.c, 'decode_error', /trailing/);
});

test('a handshake length that runs past the end of the flight: the client waits without failing', () => {
  const o2 = setup();
  const cut = serverFlight(o2, {
    hsRaw: (raw) => {
      // Re-declare the last message (Finished) 100 bytes longer than it is.
      const msgs = splitMessages(raw);
      const head = joinMessages(msgs.slice(0, -1));
      const fin = msgs[msgs.length - 1]!;
      const b = Buffer.concat([Buffer.from([fin.type, 0, 0, 0]), fin.body]);
      b.writeUIntBE(fin.body.length + 100, 1, 3);
      return Buffer.concat([head, b]);
    },
  });
  o2.c.receive(cut);
  assert.equal(o2.c.handshakeDone, false);
  assert.equal(o2.c.error, null);
  assert.equal(o2.c.wantsRead, true);
});

test('bit-flipped protected record: bad_record_mac', () => {
  const o = setup();
  const bytes = serverFlight(o, {
    records: (recs) => recs.map((r, i) => (i === 1 ? { type: r.type, body: Buffer.from(r.body.map((v, j) => (j === 10 ? v ^ 1 : v))) } : r)),
  });
  clientRejects(bytes, o.c, 'bad_record_mac');
});

test('oversized protected record: record_overflow', () => {
  const o = setup();
  const bytes = serverFlight(o, { records: (recs) => [recs[0]!, { type: ContentType.application_data, body: Buffer.alloc(2 ** 14 + 257) }] });
  clientRejects(bytes, o.c, 'record_overflow');
});

test('handshake record of an unknown content type: unexpected_message', () => {
  const o = setup();
  const bytes = serverFlight(o, { records: (recs) => [{ type: 99, body: recs[0]!.body }, ...recs.slice(1)] });
  clientRejects(bytes, o.c, 'unexpected_message');
});

test('application data before the handshake completes: unexpected_message', () => {
  const o = setup();
  const bytes = serverFlight(o, { records: (recs) => [recs[0]!, { type: ContentType.application_data, body: Buffer.from('hello') }] });
  // A plaintext-looking application_data record under handshake protection fails authentication.
  const err = expectTLSError(() => o.c.receive(bytes));
  assert.ok(['bad_record_mac', 'unexpected_message'].includes(err.alert));
});

test('a second HelloRetryRequest: unexpected_message', () => {
  const o = setup({ groups: ['X25519', 'P-256'] }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  const hrr = o.s.takeOutgoing();
  o.c.receive(hrr);
  o.c.takeOutgoing();
  // Replay the same HelloRetryRequest.
  const err = expectTLSError(() => o.c.receive(hrr));
  assert.equal(err.alert, 'unexpected_message');
});

test('a HelloRetryRequest that would change nothing: illegal_parameter', () => {
  const o = setup({ groups: ['X25519', 'P-256'] }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  const [rec] = splitRecords(o.s.takeOutgoing());
  const [m] = splitMessages(rec!.body);
  const hrr = decodeServerHello(m!.body);
  assert.equal(hrr.type, 'hello_retry_request');
  const edited = encodeServerHello({ ...hrr, extensions: hrr.extensions.filter((e) => e.type === 'supported_versions') } as never);
  const err = expectTLSError(() => o.c.receive(joinRecords([{ type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.server_hello, body: edited }]) }])));
  assert.equal(err.alert, 'illegal_parameter');
});

// ---- a misbehaving client against our server ----

test('ClientHello without supported_versions to a TLS 1.3-only server: protocol_version', () => {
  const o = setup({ clientHelloHook: (h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 'supported_versions') }) }, { minVersion: 'TLSv1.3' });
  const err = expectTLSError(() => o.s.receive(o.c.takeOutgoing()));
  assert.equal(err.alert, 'protocol_version');
});

test('ClientHello without key_share: missing_extension', () => {
  const o = setup({ clientHelloHook: (h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 'key_share') }) });
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'missing_extension');
});

test('ClientHello without signature_algorithms: missing_extension', () => {
  const o = setup({ clientHelloHook: (h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 'signature_algorithms') }) });
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'missing_extension');
});

test('ClientHello offering compression: illegal_parameter', () => {
  const o = setup({ clientHelloHook: (h) => ({ ...h, legacyCompressionMethods: [1, 0] }) });
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'illegal_parameter');
});

test('ClientHello with no suite in common: handshake_failure', () => {
  const o = setup({ clientHelloHook: (h) => ({ ...h, cipherSuites: [0x00ff, 0xc02f] }) });
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'handshake_failure');
});

test('ClientHello key share for a group not in supported_groups: illegal_parameter', () => {
  const o = setup({
    clientHelloHook: (h) => ({ ...h, extensions: h.extensions.map((e) => (e.type === 'supported_groups' ? { type: 'supported_groups' as const, groups: [NamedGroup.secp384r1] } : e)) }),
  });
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'illegal_parameter');
});

test('ClientHello with a malformed X25519 share: illegal_parameter', () => {
  const o = setup({
    clientHelloHook: (h) => ({
      ...h,
      extensions: h.extensions.map((e) => (e.type === 'key_share' ? { type: 'key_share' as const, clientShares: [{ group: NamedGroup.x25519, keyExchange: Buffer.alloc(31, 9) }] } : e)),
    }),
  });
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'illegal_parameter');
});

test('truncated ClientHello record stream: nothing happens until the rest arrives', () => {
  const o = setup();
  const ch = o.c.takeOutgoing();
  o.s.receive(ch.subarray(0, ch.length - 10));
  assert.equal(o.s.takeOutgoing().length, 0);
  o.s.receive(ch.subarray(ch.length - 10));
  assert.ok(o.s.takeOutgoing().length > 0);
});

test('ClientHello whose inner length is cut short: decode_error', () => {
  const o = setup();
  const [rec] = splitRecords(o.c.takeOutgoing());
  const [m] = splitMessages(rec!.body);
  const body = m!.body.subarray(0, m!.body.length - 2);
  const err = expectTLSError(() => o.s.receive(joinRecords([{ type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.client_hello, body }]) }])));
  assert.equal(err.alert, 'decode_error');
});

test('second ClientHello that changes its random after a HelloRetryRequest: illegal_parameter', () => {
  let n = 0;
  const o = setup({ groups: ['X25519', 'P-256'], clientHelloHook: (h) => (n++ === 0 ? h : { ...h, random: Buffer.alloc(32, 1) }) }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  o.c.receive(o.s.takeOutgoing());
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'illegal_parameter');
});

test('second ClientHello that changes ALPN after a HelloRetryRequest: illegal_parameter', () => {
  let n = 0;
  const o = setup(
    { groups: ['X25519', 'P-256'], alpnProtocols: ['h2'], clientHelloHook: (h) => (n++ === 0 ? h : { ...h, extensions: h.extensions.filter((e) => e.type !== 'application_layer_protocol_negotiation') }) },
    { groups: ['P-256'] },
  );
  o.s.receive(o.c.takeOutgoing());
  o.c.receive(o.s.takeOutgoing());
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'illegal_parameter');
});

test('a handshake message from the client after the handshake (ClientHello): unexpected_message', () => {
  const o = setup();
  o.s.receive(o.c.takeOutgoing());
  o.c.receive(o.s.takeOutgoing());
  o.s.receive(o.c.takeOutgoing());
  assert.ok(o.s.handshakeDone);
  // The client's own handshake writer (HandshakeContext.sendHandshake) seals it under its application key.
  (o.c as unknown as { sendHandshake(b: Buffer): void }).sendHandshake(Buffer.from([HandshakeType.client_hello, 0, 0, 0]));
  assert.equal(expectTLSError(() => o.s.receive(o.c.takeOutgoing())).alert, 'unexpected_message');
});

test('fuzz: random bit flips in the server flight end in a TLSError, never another exception', () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0), seed % n);
  for (let i = 0; i < 150; i++) {
    const o = setup();
    o.s.receive(o.c.takeOutgoing());
    const flight = Buffer.from(o.s.takeOutgoing());
    const flips = 1 + rnd(3);
    for (let f = 0; f < flips; f++) flight[rnd(flight.length)]! ^= 1 << rnd(8);
    try {
      o.c.receive(flight);
      // A flip in a part that is not checked (e.g. an ignored field) may pass; the client must then be consistent.
    } catch (e) {
      assert.ok(e instanceof TLSError, `iteration ${i}: ${String(e)}`);
    }
  }
});

test('fuzz: truncations and random bytes fed to a fresh server end in a TLSError or a wait', () => {
  let seed = 999;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0), seed % n);
  for (let i = 0; i < 200; i++) {
    const o = setup();
    const ch = Buffer.from(o.c.takeOutgoing());
    const mode = rnd(3);
    let input: Buffer;
    if (mode === 0) input = ch.subarray(0, rnd(ch.length));
    else if (mode === 1) {
      input = Buffer.from(ch);
      for (let f = 0; f < 4; f++) input[rnd(input.length)] = rnd(256);
    } else input = Buffer.from(Array.from({ length: 1 + rnd(300) }, () => rnd(256)));
    try {
      o.s.receive(input);
    } catch (e) {
      assert.ok(e instanceof TLSError, `iteration ${i} (mode ${mode}): ${String(e)}`);
    }
  }
});


test('the client echoes a HelloRetryRequest cookie in its second ClientHello', () => {
  const o = setup({ groups: ['X25519', 'P-256'] }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  const [rec] = splitRecords(o.s.takeOutgoing());
  const [m] = splitMessages(rec!.body);
  const hrr = decodeServerHello(m!.body);
  assert.equal(hrr.type, 'hello_retry_request');
  const cookie = Buffer.from('a cookie the server wants back');
  const edited = encodeServerHello({ ...hrr, extensions: [...hrr.extensions.filter((e) => e.type !== 'cookie'), { type: 'cookie', cookie }] } as never);
  o.c.receive(joinRecords([{ type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.server_hello, body: edited }]) }]));
  const [rec2] = splitRecords(o.c.takeOutgoing());
  const [m2] = splitMessages(rec2!.body);
  const ch2 = decodeClientHello(m2!.body);
  const echoed = ch2.extensions.find((e) => e.type === 'cookie');
  assert.ok(echoed && 'cookie' in echoed && echoed.cookie.equals(cookie));
  const share = ch2.extensions.find((e) => e.type === 'key_share');
  assert.ok(share && 'clientShares' in share && share.clientShares.length === 1 && share.clientShares[0]!.group === NamedGroup.secp256r1);
});

test('a ServerHello whose suite differs from the HelloRetryRequest: illegal_parameter', () => {
  const o = setup({ groups: ['X25519', 'P-256'] }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  o.c.receive(o.s.takeOutgoing());
  o.s.receive(o.c.takeOutgoing());
  const recs = splitRecords(o.s.takeOutgoing());
  const [m] = splitMessages(recs[0]!.body);
  const sh = decodeServerHello(m!.body) as ServerHello;
  const other = sh.cipherSuite === 0x1302 ? 0x1301 : 0x1302;
  const edited = encodeServerHello({ ...sh, cipherSuite: other });
  const err = expectTLSError(() => o.c.receive(joinRecords([{ type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.server_hello, body: edited }]) }])));
  assert.equal(err.alert, 'illegal_parameter');
});

test('fuzz: mutated plaintext of the protected server flight (re-sealed) ends in a TLSError or a wait', () => {
  let seed = 4242;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0), seed % n);
  const alerts = new Set<string>();
  for (let i = 0; i < 150; i++) {
    const o = setup();
    let changed = false;
    const bytes = serverFlight(o, {
      hsRaw: (raw) => {
        let b = Buffer.from(raw);
        const mode = rnd(3);
        if (mode === 0) for (let f = 0; f < 1 + rnd(4); f++) b[rnd(b.length)] = rnd(256);
        else if (mode === 1) b = b.subarray(0, rnd(b.length) + 1);
        else b.writeUIntBE(rnd(1 << 16), 1 + 4 * rnd(2), 2); // scramble a length field near the start
        changed = !b.equals(raw);
        return b;
      },
    });
    try {
      o.c.receive(bytes);
      if (o.c.handshakeDone && changed) assert.fail(`iteration ${i}: a mutated flight completed the handshake`);
    } catch (e) {
      assert.ok(e instanceof TLSError, `iteration ${i}: ${String(e)}`);
      alerts.add(e.alert);
    }
  }
  // The decoders, not just the MAC, were exercised.
  assert.ok(alerts.size >= 3, [...alerts].join(','));
});

test('TLS 1.3 ServerHello with legacy_version 0x0302: protocol_version (RFC 8446 §4.1.3)', () => {
  const o = setup();
  const bytes = serverFlight(o, { sh: (sh) => ({ ...sh, legacyVersion: 0x0302 }) });
  clientRejects(bytes, o.c, 'protocol_version');
});

test('TLS 1.3 ServerHello with legacy_compression_method 1: illegal_parameter (RFC 8446 §4.1.3)', () => {
  const o = setup();
  const bytes = serverFlight(o, { sh: (sh) => ({ ...sh, legacyCompressionMethod: 1 }) });
  clientRejects(bytes, o.c, 'illegal_parameter');
});

test('an EndOfEarlyData from the server: unexpected_message (RFC 8446 §4.5)', () => {
  const o = setup();
  const bytes = serverFlight(o, { hs: (m) => [m[0]!, { type: HandshakeType.end_of_early_data, body: Buffer.alloc(0) }, ...m.slice(1)] });
  clientRejects(bytes, o.c, 'unexpected_message');
});

test('a HelloRetryRequest selecting a cipher suite we did not offer: illegal_parameter (RFC 8446 §4.1.4)', () => {
  const o = setup({ groups: ['X25519', 'P-256'] }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  const [rec] = splitRecords(o.s.takeOutgoing());
  const [m] = splitMessages(rec!.body);
  const hrr = decodeServerHello(m!.body);
  assert.equal(hrr.type, 'hello_retry_request');
  const edited = encodeServerHello({ ...hrr, cipherSuite: 0x1304 } as never);
  const err = expectTLSError(() => o.c.receive(joinRecords([{ type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.server_hello, body: edited }]) }])));
  assert.equal(err.alert, 'illegal_parameter');
});

test('a ServerHello whose key_share group differs from the one the HelloRetryRequest selected: illegal_parameter (RFC 8446 §4.2.8)', () => {
  const o = setup({ groups: ['X25519', 'P-256'] }, { groups: ['P-256'] });
  o.s.receive(o.c.takeOutgoing());
  o.c.receive(o.s.takeOutgoing());
  o.s.receive(o.c.takeOutgoing());
  const recs = splitRecords(o.s.takeOutgoing());
  const [m] = splitMessages(recs[0]!.body);
  const sh = decodeServerHello(m!.body) as ServerHello;
  const edited = encodeServerHello({
    ...sh,
    extensions: sh.extensions.map((e) => (e.type === 'key_share' && 'serverShare' in e ? { type: 'key_share' as const, serverShare: { group: NamedGroup.x25519, keyExchange: Buffer.alloc(32, 9) } } : e)),
  });
  const err = expectTLSError(() => o.c.receive(joinRecords([{ type: ContentType.handshake, body: joinMessages([{ type: HandshakeType.server_hello, body: edited }]) }])));
  assert.equal(err.alert, 'illegal_parameter');
});
