/**
 * Conformance with unusual and hostile clients (issue 10): a scripted client
 * sends exactly the bytes of each case — to our server in memory and, for
 * comparison, to `openssl s_server` over TCP — and the outcome on the wire
 * (handshake completed, or which alert came back) must be the one RFC 8446
 * asks for, and OpenSSL's where OpenSSL gets it right.
 *
 * Test names here are cited by test/tls/CONFORMANCE.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import type { ClientHello } from '../../src/tls/messages/client-hello.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { NamedGroup } from '../../src/tls/registry/groups.js';
import { testPki } from './connection-certs.js';
import { CCS_RECORD, ScriptedClient, fragments, joinRecords, provider, splitRecords } from './helpers/scripted-peer.js';
import { COMPLETED, alert, heardOutcome, opensslServer, ourServer, skipOpenssl, type Outcome, type Target } from './helpers/targets.js';
import { decodeServerHello } from '../../src/tls/messages/server-hello.js';
import type { RecordLayer } from '../../src/tls/record.js';
import { pumpMemory } from '../helpers/pump.js';

const PING = 'ping from the scripted client\n';

type Flight = { readonly ccs: boolean; readonly messages: Buffer };

/** What the scripted client does differently from an honest one. */
interface Script {
  /** The honest client's configuration (a function when it holds per-run state). */
  readonly config?: Partial<ConnectionConfig> | (() => Partial<ConnectionConfig>);
  /** The ClientHello message → the bytes sent for it (default: one record saying 0x0301). */
  readonly hello?: (ch: Buffer, c: ScriptedClient) => Buffer;
  /** Bytes sent right after the ClientHello, before reading the answer. */
  readonly afterHello?: (c: ScriptedClient) => Buffer;
  /** Bytes sent between the HelloRetryRequest and the second ClientHello. */
  readonly beforeRetry?: (c: ScriptedClient) => Buffer;
  /** The client's second flight, decrypted → the bytes sent for it (default: as the honest client wrote it). */
  readonly flight?: (f: Flight, c: ScriptedClient) => Buffer;
  /** Bytes sent after the flight and the application data. */
  readonly after?: (c: ScriptedClient) => Buffer;
}

const hs = (body: Buffer, version = 0x0301) => ({ type: ContentType.handshake, version, body });

async function run(t: Target, s: Script): Promise<Outcome> {
  const client = new ScriptedClient(typeof s.config === 'function' ? s.config() : s.config);
  const ch = client.clientHello();
  await t.wire.send(s.hello ? s.hello(ch, client) : joinRecords([hs(ch)]));
  if (s.afterHello) await t.wire.send(s.afterHello(client));
  let heard = client.hear(await t.wire.answer());
  if (heard.alert !== null || heard.clientError !== null) return heardOutcome(heard);
  if (client.conn.negotiated.helloRetry && !client.secrets.has('CLIENT_HANDSHAKE_TRAFFIC_SECRET')) {
    if (s.beforeRetry) await t.wire.send(s.beforeRetry(client));
    await t.wire.send(client.conn.takeOutgoing());
    heard = client.hear(await t.wire.answer());
    if (heard.alert !== null || heard.clientError !== null) return heardOutcome(heard);
  }
  if (!client.conn.handshakeDone) return alert(null);
  await t.wire.send(s.flight ? s.flight(client.secondFlight(), client) : client.conn.takeOutgoing());
  client.conn.write(Buffer.from(PING));
  await t.wire.send(client.conn.takeOutgoing());
  if (s.after) await t.wire.send(s.after(client));
  heard = client.hear(await t.wire.answer());
  if (heard.alert !== null || heard.clientError !== null) return heardOutcome(heard);
  const got = await t.received();
  return { completed: got.includes(PING), alert: null };
}

/** Runs `script` against our server and openssl s_server (same bytes from the client); each must give its expected outcome. */
function against(name: string, script: Script, expected: Outcome, opts: { openssl?: Outcome | 'skip'; ours?: Partial<ConnectionConfig>; opensslArgs?: string[] } = {}): void {
  test(`${name} (sslsock server)`, async () => {
    const t = ourServer(opts.ours);
    try {
      const got = await run(t, script);
      assert.deepEqual(got, expected, `got ${JSON.stringify(got)}`);
    } finally {
      await t.done();
    }
  });
  if (opts.openssl === 'skip') return;
  test(`${name} (openssl s_server, same bytes)`, { skip: skipOpenssl }, async () => {
    const t = await opensslServer(opts.opensslArgs);
    try {
      const got = await run(t, script);
      assert.deepEqual(got, opts.openssl ?? expected, `got ${JSON.stringify(got)}`);
    } finally {
      await t.done();
    }
  });
}

const withCcs = (f: Flight, rest: Buffer) => Buffer.concat([f.ccs ? CCS_RECORD : Buffer.alloc(0), rest]);
const ext = (h: ClientHello, map: (e: ClientHello['extensions'][number]) => ClientHello['extensions'][number]) => ({ ...h, extensions: h.extensions.map(map) });
const UNKNOWN_GROUP = 0x2a2a;


// ---- 1. legacy_record_version in the plaintext era (RFC 8446 §5.1, Appendix D.2) ----

against('record version: a ClientHello record saying 0x0300 is read (legacy_record_version is ignored)', { hello: (ch) => joinRecords([hs(ch, 0x0300)]) }, COMPLETED);

against(
  'record version: a ClientHello over 4 records of 0x0300/0x0301/0x0302/0x0301 is read',
  { hello: (ch) => joinRecords(fragments(ch, 4).map((f, i) => hs(f, [0x0300, 0x0301, 0x0302, 0x0301][i]!))) },
  COMPLETED,
);

against(
  'record version: a 40 KB ClientHello over 4 records of 0x0300/0x0301/0x0302/0x0303 is read',
  {
    config: { clientHelloHook: (h) => ({ ...h, extensions: [...h.extensions, { type: 'padding', padding: Buffer.alloc(40_000) }] }) },
    hello: (ch) => joinRecords(fragments(ch, 4).map((f, i) => hs(f, [0x0300, 0x0301, 0x0302, 0x0303][i]!))),
  },
  COMPLETED,
);

against(
  'record version: a record whose major version is not 3 is refused with protocol_version',
  { hello: (ch) => joinRecords([hs(ch.subarray(0, 100)), hs(ch.subarray(100), 0x0203)]) },
  alert('protocol_version'),
);

against(
  'record version: a protected record not saying 0x0303 is refused with decode_error',
  { flight: (f, c) => withCcs(f, c.handshakeSealer().seal(ContentType.handshake, f.messages, 0x0301)) },
  alert('decode_error'),
);

// ---- 2. ClientHello.legacy_version (Appendix D.5) ----

against(
  'legacy_version: a ClientHello with legacy_version 0x0300 offering TLS 1.3 in supported_versions gets protocol_version',
  { config: { clientHelloHook: (h) => ({ ...h, legacyVersion: 0x0300 }) } },
  alert('protocol_version'),
  // OpenSSL 3.0 does not apply Appendix D.5 here: it looks for a version and finds none in common.
  { openssl: alert('handshake_failure') },
);

against(
  'legacy_version: a ClientHello with legacy_version 0x0200 offering TLS 1.3 gets protocol_version',
  { config: { clientHelloHook: (h) => ({ ...h, legacyVersion: 0x0200 }) } },
  alert('protocol_version'),
  // OpenSSL 3.0 answers in a record saying 0x0200 (it echoes the hello's version), which is not TLS to any client.
  { openssl: 'skip' },
);

against(
  'legacy_version: a ClientHello with supported_versions and legacy_version 0x0301 gets protocol_version (RFC 9846: it must be 0x0303)',
  { config: { clientHelloHook: (h) => ({ ...h, legacyVersion: 0x0301 }) } },
  alert('protocol_version'),
  // OpenSSL 3.0 follows RFC 8446, which only forbids 0x0300 and below: it negotiates TLS 1.3.
  { openssl: COMPLETED },
);

// ---- 4. alert choices ----

// Once the server has sent its flight it reads under the client's handshake key: an empty
// application_data record there is a ciphertext that fails to authenticate (RFC 8446 §5.2), as OpenSSL says too.
against(
  'zero-length unprotected application_data record right after the ClientHello: bad_record_mac',
  { afterHello: () => joinRecords([{ type: ContentType.application_data, body: Buffer.alloc(0) }]) },
  alert('bad_record_mac'),
);

against(
  'zero-length application_data record between two fragments of the client Finished: unexpected_message',
  {
    flight: (f, c) => {
      const s = c.handshakeSealer();
      const cut = 10;
      return withCcs(
        f,
        Buffer.concat([s.seal(ContentType.handshake, f.messages.subarray(0, cut)), s.seal(ContentType.application_data, Buffer.alloc(0)), s.seal(ContentType.handshake, f.messages.subarray(cut))]),
      );
    },
  },
  alert('unexpected_message'),
);

against(
  'zero-length protected application_data record interleaved in the client flight: unexpected_message',
  {
    flight: (f, c) => {
      const s = c.handshakeSealer();
      return withCcs(f, Buffer.concat([s.seal(ContentType.application_data, Buffer.alloc(0)), s.seal(ContentType.handshake, f.messages)]));
    },
  },
  alert('unexpected_message'),
);

// RFC 8446 §5 allows the compatibility record once per side (Appendix D.4); OpenSSL 3.0 drops any number.
against(
  'two change_cipher_spec records during the handshake: unexpected_message',
  { flight: (f, c) => Buffer.concat([CCS_RECORD, CCS_RECORD, c.handshakeSealer().seal(ContentType.handshake, f.messages)]) },
  alert('unexpected_message'),
  { openssl: COMPLETED },
);

// The client sends no CCS of its own later (middleboxCompat off): the early one is the only one.
against('change_cipher_spec before the first ClientHello: unexpected_message', { config: { middleboxCompat: false }, hello: (ch) => Buffer.concat([CCS_RECORD, joinRecords([hs(ch)])]) }, alert('unexpected_message'));

against(
  'change_cipher_spec between two fragments of the first ClientHello: unexpected_message',
  { config: { middleboxCompat: false }, hello: (ch) => Buffer.concat([joinRecords([hs(ch.subarray(0, 50))]), CCS_RECORD, joinRecords([hs(ch.subarray(50))])]) },
  alert('unexpected_message'),
);

against('change_cipher_spec after the client Finished: unexpected_message', { after: () => CCS_RECORD }, alert('unexpected_message'));

against(
  'change_cipher_spec with a value other than 0x01: unexpected_message',
  { flight: (f, c) => Buffer.concat([joinRecords([{ type: ContentType.change_cipher_spec, body: Buffer.from([2]) }]), c.handshakeSealer().seal(ContentType.handshake, f.messages)]) },
  alert('unexpected_message'),
  // OpenSSL 3.0 says illegal_parameter (openssl/openssl#25086, fixed later); RFC 8446 §5 says unexpected_message.
  { openssl: alert('illegal_parameter') },
);

// ---- 5. groups and key shares (RFC 8446 §4.2.7, §4.2.8) ----

against(
  'key_share only for a group we do not implement: HelloRetryRequest for one we do, then the handshake completes',
  {
    config: () => {
      // The honest client's own share is P-256; on the wire the first ClientHello offers only a share for an unknown group.
      let n = 0;
      return {
        groups: ['P-256', 'X25519'],
        clientHelloHook: (h: ClientHello) =>
          ext(h, (e) =>
            e.type === 'supported_groups'
              ? { type: 'supported_groups' as const, groups: [UNKNOWN_GROUP, NamedGroup.x25519] }
              : e.type === 'key_share' && n++ === 0
                ? { type: 'key_share' as const, clientShares: [{ group: UNKNOWN_GROUP, keyExchange: Buffer.alloc(32, 7) }] }
                : e,
          ),
      };
    },
  },
  COMPLETED,
);

against(
  'supported_groups and key_share only for groups we do not implement: handshake_failure',
  {
    config: {
      clientHelloHook: (h) =>
        ext(h, (e) =>
          e.type === 'supported_groups'
            ? { type: 'supported_groups' as const, groups: [UNKNOWN_GROUP] }
            : e.type === 'key_share'
              ? { type: 'key_share' as const, clientShares: [{ group: UNKNOWN_GROUP, keyExchange: Buffer.alloc(32, 7) }] }
              : e,
        ),
    },
  },
  alert('handshake_failure'),
);

const x25519Share = (keyExchange: Buffer) => ({
  clientHelloHook: (h: ClientHello) => ext(h, (e) => (e.type === 'key_share' ? { type: 'key_share' as const, clientShares: [{ group: NamedGroup.x25519, keyExchange }] } : e)),
});

// key_exchange<1..2^16-1>: an empty one is an out-of-range length, which RFC 8446 §4 makes decode_error (OpenSSL agrees).
against('an empty X25519 key share: decode_error', { config: x25519Share(Buffer.alloc(0)) }, alert('decode_error'));
against('an X25519 key share one byte short: illegal_parameter', { config: x25519Share(Buffer.alloc(31, 9)) }, alert('illegal_parameter'));
against('an X25519 key share one byte long: illegal_parameter', { config: x25519Share(Buffer.alloc(33, 9)) }, alert('illegal_parameter'));

const p256Share = (keyExchange: Buffer) => ({
  groups: ['P-256' as const],
  clientHelloHook: (h: ClientHello) => ext(h, (e) => (e.type === 'key_share' ? { type: 'key_share' as const, clientShares: [{ group: NamedGroup.secp256r1, keyExchange }] } : e)),
});

against('a P-256 key share of the wrong length: illegal_parameter', { config: p256Share(Buffer.concat([Buffer.from([4]), Buffer.alloc(63, 1)])) }, alert('illegal_parameter'));
against('a P-256 key share that is not on the curve: illegal_parameter', { config: p256Share(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])) }, alert('illegal_parameter'));
against('a compressed P-256 key share: illegal_parameter', { config: p256Share(Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 1)])) }, alert('illegal_parameter'));
against('an empty P-256 key share: decode_error', { config: p256Share(Buffer.alloc(0)) }, alert('decode_error'));

// ---- 3. 0-RTT that the server does not accept (RFC 8446 §4.2.10) ----

/** The first ClientHello offers a PSK nobody issued, with early_data; the second (after a HelloRetryRequest) offers neither. */
const offerEarlyData = () => {
  let n = 0;
  return (h: ClientHello): ClientHello => {
    if (n++ > 0) return h;
    const rest = h.extensions.filter((e) => e.type !== 'pre_shared_key' && e.type !== 'psk_key_exchange_modes');
    return {
      ...h,
      extensions: [
        ...rest,
        { type: 'psk_key_exchange_modes', modes: [1] },
        { type: 'early_data' },
        // RFC 8446 §4.2.11: pre_shared_key comes last.
        { type: 'pre_shared_key', identities: [{ identity: Buffer.from('a ticket this server never issued'), obfuscatedTicketAge: 12345 }], binders: [Buffer.alloc(32, 0xbb)] },
      ],
    };
  };
};

/** `n` records that look like 0-RTT: outer application_data, random bytes no key opens. */
const earlyRecords = (n: number, size = 200) => joinRecords(Array.from({ length: n }, (_, i) => ({ type: ContentType.application_data, body: Buffer.alloc(size, 0x40 + i) })));

against(
  'rejected 0-RTT: records that fail to decrypt under the handshake key are skipped, then the handshake completes',
  { config: () => ({ clientHelloHook: offerEarlyData() }), afterHello: () => Buffer.concat([CCS_RECORD, earlyRecords(5)]), flight: (f, c) => c.handshakeSealer().seal(ContentType.handshake, f.messages) },
  COMPLETED,
);

against(
  'rejected 0-RTT: garbage of odd sizes in place of early data (1 byte, a bare tag, a tag and a byte, 4000 bytes) is skipped too',
  {
    config: () => ({ clientHelloHook: offerEarlyData() }),
    afterHello: () =>
      Buffer.concat([
        joinRecords([1, 16, 17, 4000].map((size, i) => ({ type: ContentType.application_data, body: Buffer.alloc(size, i + 1) }))),
      ]),
  },
  COMPLETED,
);

against(
  'rejected 0-RTT: more than 2^14 bytes of it is unexpected_message',
  { config: () => ({ clientHelloHook: offerEarlyData() }), afterHello: () => earlyRecords(3, 2 ** 14) },
  alert('unexpected_message'),
  // OpenSSL 3.0 also refuses it, with the same alert (SSL_R_TOO_MUCH_EARLY_DATA).
);

against(
  'rejected 0-RTT after a HelloRetryRequest: application_data records are skipped until the second ClientHello, CCS between them allowed',
  {
    // The honest client's compatibility CCS goes between the early data and its second ClientHello.
    config: () => ({ groups: ['P-256', 'X25519'], clientHelloHook: offerEarlyData() }),
    afterHello: () => earlyRecords(4),
  },
  COMPLETED,
  { ours: { groups: ['X25519'] }, opensslArgs: ['-groups', 'X25519'] },
);

against(
  'without an early_data offer, a record that fails to decrypt is bad_record_mac',
  { afterHello: () => earlyRecords(1) },
  alert('bad_record_mac'),
);

// ---- 7. HelloRetryRequest cookie (RFC 8446 §4.2.2) and read-side AEAD limits (§5.5) ----

/** A second ClientHello (after our HelloRetryRequest) rewritten by `edit`. */
const secondHelloEdit = (edit: (h: ClientHello) => ClientHello) => () => {
  let n = 0;
  return { groups: ['P-256' as const, 'X25519' as const], clientHelloHook: (h: ClientHello) => (n++ === 0 ? h : edit(h)) };
};

against('HelloRetryRequest cookie: echoed by the client, the handshake completes', { config: secondHelloEdit((h) => h) }, COMPLETED, { ours: { groups: ['X25519'] }, opensslArgs: ['-groups', 'X25519'] });

against(
  'HelloRetryRequest cookie: a second ClientHello without it is missing_extension',
  { config: secondHelloEdit((h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 'cookie') })) },
  alert('missing_extension'),
  // openssl s_server sends no cookie unless it runs stateless (-stateless), so there is nothing to leave out.
  { ours: { groups: ['X25519'] }, openssl: 'skip' },
);

against(
  'HelloRetryRequest cookie: a second ClientHello with a different cookie is illegal_parameter',
  { config: secondHelloEdit((h) => ext(h, (e) => (e.type === 'cookie' ? { type: 'cookie' as const, cookie: Buffer.alloc(e.cookie.length, 0x55) } : e))) },
  alert('illegal_parameter'),
  { ours: { groups: ['X25519'] }, openssl: 'skip' },
);

test('HelloRetryRequest from our server carries a cookie of 32 random bytes', () => {
  const client = new ScriptedClient({ groups: ['P-256', 'X25519'] });
  const s = Connection.server({ provider, certificates: [testPki().servers.p256.certified], groups: ['X25519'] });
  s.receive(joinRecords([hs(client.clientHello())]));
  const recs = splitRecords(s.takeOutgoing());
  const hrr = decodeServerHello(recs[0]!.body.subarray(4));
  assert.equal(hrr.type, 'hello_retry_request');
  const cookie = hrr.extensions.find((e) => e.type === 'cookie');
  assert.ok(cookie && 'cookie' in cookie && cookie.cookie.length === 32);
});

test('read-side AEAD limit: once the peer has sent as many records under one key as our limit, we request a KeyUpdate and its key changes', () => {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', verifyPeer: null });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], keyUpdateRecordLimit: 4 });
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  const clientWrite = (c as unknown as { records: RecordLayer }).records.writeDirection;
  const sequences: number[] = [];
  for (let i = 0; i < 10; i++) {
    c.write(Buffer.from(`record ${i}\n`));
    pumpMemory(c, s);
    sequences.push(clientWrite.recordCount);
  }
  assert.equal(s.read().toString(), Array.from({ length: 10 }, (_, i) => `record ${i}\n`).join(''));
  // Without the request the client's key would have protected 10 records; the server asks after every 4th
  // (the client's KeyUpdate is the 4th record under the old key), and the client's new key starts at 0.
  assert.deepEqual(sequences, [1, 2, 3, 0, 1, 2, 3, 0, 1, 2], `client write sequence per record: ${sequences.join(',')}`);
});

// ---- 5 (continued). P-521 and X448 shares ----

const share = (kex: 'X448' | 'P-521', group: number, keyExchange: Buffer) => ({
  groups: [kex],
  clientHelloHook: (h: ClientHello) => ext(h, (e) => (e.type === 'key_share' ? { type: 'key_share' as const, clientShares: [{ group, keyExchange }] } : e)),
});

against('an X448 key share one byte short: illegal_parameter', { config: share('X448', NamedGroup.x448, Buffer.alloc(55, 9)) }, alert('illegal_parameter'));
against('an empty X448 key share: decode_error', { config: share('X448', NamedGroup.x448, Buffer.alloc(0)) }, alert('decode_error'));
against('a P-521 key share of the wrong length: illegal_parameter', { config: share('P-521', NamedGroup.secp521r1, Buffer.concat([Buffer.from([4]), Buffer.alloc(131, 1)])) }, alert('illegal_parameter'));
against('a P-521 key share that is not on the curve: illegal_parameter', { config: share('P-521', NamedGroup.secp521r1, Buffer.concat([Buffer.from([4]), Buffer.alloc(132, 1)])) }, alert('illegal_parameter'));
against('an X448 handshake completes with the same scripted client', { config: { groups: ['X448'] } }, COMPLETED);
against('a P-521 handshake completes with the same scripted client', { config: { groups: ['P-521'] } }, COMPLETED);

// ---- RFC 8446 §4.2, §4.2.11, §4.6.3, §5.1: extension order and uniqueness, KeyUpdate placement, key-change boundaries ----

against(
  'a ClientHello with the same extension twice (supported_groups): illegal_parameter',
  { config: { clientHelloHook: (h) => ({ ...h, extensions: [h.extensions.find((e) => e.type === 'supported_groups')!, ...h.extensions] }) } },
  alert('illegal_parameter'),
);

/** A PSK offer (an identity nobody issued) with `tail` extensions placed after pre_shared_key. */
const pskNotLast =
  (withModes = true) =>
  (h: ClientHello): ClientHello => {
    const rest = h.extensions.filter((e) => e.type !== 'pre_shared_key' && e.type !== 'psk_key_exchange_modes' && e.type !== 'server_name');
    const sni = h.extensions.filter((e) => e.type === 'server_name');
    return {
      ...h,
      extensions: [
        ...rest,
        ...(withModes ? [{ type: 'psk_key_exchange_modes' as const, modes: [1] }] : []),
        { type: 'pre_shared_key', identities: [{ identity: Buffer.from('a ticket this server never issued'), obfuscatedTicketAge: 1 }], binders: [Buffer.alloc(32, 0xbb)] },
        ...sni,
      ],
    };
  };

against('a ClientHello whose pre_shared_key is not the last extension: illegal_parameter', { config: { clientHelloHook: pskNotLast() } }, alert('illegal_parameter'));

against(
  'a ClientHello with pre_shared_key but no psk_key_exchange_modes: missing_extension',
  {
    config: {
      clientHelloHook: (h) => {
        const edited = pskNotLast(false)(h);
        // pre_shared_key last, as it must be: only the modes are missing.
        const psk = edited.extensions.find((e) => e.type === 'pre_shared_key')!;
        return { ...edited, extensions: [...edited.extensions.filter((e) => e !== psk), psk] };
      },
    },
  },
  alert('missing_extension'),
);

/** KeyUpdate(update_not_requested) as a handshake message. */
const KEY_UPDATE = Buffer.from([HandshakeType.key_update, 0, 0, 1, 0]);

against(
  'a KeyUpdate before the client Finished: unexpected_message',
  { flight: (f, c) => withCcs(f, c.handshakeSealer().seal(ContentType.handshake, Buffer.concat([KEY_UPDATE, f.messages]))) },
  alert('unexpected_message'),
);

against(
  'the ClientHello record carrying the first bytes of another handshake message (a message spanning the key change): unexpected_message',
  { hello: (ch) => joinRecords([hs(Buffer.concat([ch, KEY_UPDATE.subarray(0, 3)]))]) },
  alert('unexpected_message'),
);

against(
  'the client Finished record carrying the first bytes of a KeyUpdate (a message spanning the key change): unexpected_message',
  { flight: (f, c) => withCcs(f, c.handshakeSealer().seal(ContentType.handshake, Buffer.concat([f.messages, KEY_UPDATE.subarray(0, 2)]))) },
  alert('unexpected_message'),
);

against(
  'a second ClientHello (after a HelloRetryRequest) offering early_data: illegal_parameter',
  { config: secondHelloEdit((h) => ({ ...h, extensions: [...h.extensions.filter((e) => e.type !== 'pre_shared_key'), { type: 'early_data' as const }] })) },
  alert('illegal_parameter'),
  { ours: { groups: ['X25519'] }, opensslArgs: ['-groups', 'X25519'] },
);
