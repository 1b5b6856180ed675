// Property: any well-formed message we can represent encodes and decodes
// back to itself, and its encoding is stable (encode ∘ decode ∘ encode = encode).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeHandshake,
  encodeHandshake,
  parseHandshakeFrame,
  type ClientHelloExtension,
  type EncodableHandshakeMessage,
  type EncryptedExtension,
  type HandshakeDecodeOptions,
  type ServerHelloExtension,
} from '../../src/tls/messages/index.js';

const buf = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((u) => Buffer.from(u));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u16s = (min: number, max: number) => fc.array(u16, { minLength: min, maxLength: max });
const u8s = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { minLength: min, maxLength: max });
const host = fc.stringMatching(/^[a-z0-9.-]{1,40}$/);
// Unregistered codes (GREASE, ECH, private use): they stay UnknownExtension in every message.
const unknown = fc.record({ type: fc.constant('unknown' as const), code: fc.constantFrom(0x1234, 0xfe0d, 0x0a0a, 0xeaea), data: buf(0, 20) });
const alpn = fc.record({ type: fc.constant('application_layer_protocol_negotiation' as const), protocols: fc.array(buf(1, 12), { minLength: 1, maxLength: 4 }) });

/** Distinct-by-type (and by code for unknown ones) extension lists from a pool of arbitraries. */
function extList<E extends { type: string; code?: number }>(pool: fc.Arbitrary<E>[]): fc.Arbitrary<E[]> {
  return fc.array(fc.oneof(...pool), { maxLength: pool.length }).map((list) => {
    const seen = new Set<string>();
    return list.filter((e) => {
      const key = e.type === 'unknown' ? `u${e.code}` : e.type;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
}

const clientHelloExts: fc.Arbitrary<ClientHelloExtension[]> = extList<ClientHelloExtension>([
  fc.record({ type: fc.constant('server_name' as const), hostName: host }),
  fc.record({ type: fc.constant('supported_groups' as const), groups: u16s(1, 8) }),
  fc.record({ type: fc.constant('signature_algorithms' as const), schemes: u16s(1, 8) }),
  fc.record({ type: fc.constant('signature_algorithms_cert' as const), schemes: u16s(1, 8) }),
  fc.record({ type: fc.constant('supported_versions' as const), versions: u16s(1, 5) }),
  fc.record({
    type: fc.constant('key_share' as const),
    clientShares: fc.uniqueArray(fc.record({ group: u16, keyExchange: buf(1, 70) }), { selector: (s) => s.group, maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('psk_key_exchange_modes' as const), modes: u8s(1, 3) }),
  fc.constant({ type: 'early_data' as const }),
  fc.record({ type: fc.constant('cookie' as const), cookie: buf(1, 50) }),
  alpn,
  fc.record({ type: fc.constant('status_request' as const), responderIds: fc.array(buf(1, 10), { maxLength: 3 }), requestExtensions: buf(0, 10) }),
  fc.constant({ type: 'extended_master_secret' as const }),
  fc.record({ type: fc.constant('renegotiation_info' as const), renegotiatedConnection: buf(0, 12) }),
  fc.record({ type: fc.constant('ec_point_formats' as const), formats: u8s(1, 3) }),
  fc.record({ type: fc.constant('session_ticket' as const), ticket: buf(0, 40) }),
  fc.record({ type: fc.constant('record_size_limit' as const), limit: fc.integer({ min: 64, max: 0xffff }) }),
  fc.record({ type: fc.constant('padding' as const), padding: buf(0, 30) }),
  fc.constant({ type: 'post_handshake_auth' as const }),
  fc.record({ type: fc.constant('certificate_authorities' as const), authorities: fc.array(buf(1, 20), { minLength: 1, maxLength: 3 }) }),
  unknown,
]);

const psk = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    type: fc.constant('pre_shared_key' as const),
    identities: fc.array(fc.record({ identity: buf(1, 40), obfuscatedTicketAge: fc.nat() }), { minLength: n, maxLength: n }),
    binders: fc.array(buf(32, 64), { minLength: n, maxLength: n }),
  }),
);

const clientHello = fc.record({
  type: fc.constant('client_hello' as const),
  legacyVersion: u16,
  random: buf(32, 32),
  legacySessionId: buf(0, 32),
  cipherSuites: u16s(1, 10),
  legacyCompressionMethods: u8s(1, 3),
  extensions: fc.tuple(clientHelloExts, fc.option(psk, { nil: undefined })).map(([e, p]) => (p ? [...e, p] : e)),
});

const serverHelloExts: fc.Arbitrary<ServerHelloExtension[]> = extList<ServerHelloExtension>([
  fc.record({ type: fc.constant('supported_versions' as const), selectedVersion: u16 }),
  fc.record({ type: fc.constant('key_share' as const), serverShare: fc.record({ group: u16, keyExchange: buf(1, 97) }) }),
  fc.record({ type: fc.constant('pre_shared_key' as const), selectedIdentity: u16 }),
  fc.constant({ type: 'server_name' as const, hostName: null }),
  fc.record({ type: fc.constant('application_layer_protocol_negotiation' as const), protocols: fc.array(buf(1, 12), { minLength: 1, maxLength: 1 }) }),
  fc.constant({ type: 'status_request' as const }),
  fc.constant({ type: 'extended_master_secret' as const }),
  fc.record({ type: fc.constant('renegotiation_info' as const), renegotiatedConnection: buf(0, 24) }),
  fc.record({ type: fc.constant('ec_point_formats' as const), formats: u8s(1, 3) }),
  fc.constant({ type: 'session_ticket' as const, ticket: Buffer.alloc(0) }),
  fc.record({ type: fc.constant('record_size_limit' as const), limit: fc.integer({ min: 64, max: 0xffff }) }),
  unknown,
]);

// The HRR random is excluded: that message is a different type.
const serverHello = fc.record({
  type: fc.constant('server_hello' as const),
  legacyVersion: u16,
  random: buf(32, 32).filter((r) => r[0] !== 0xcf),
  legacySessionIdEcho: buf(0, 32),
  cipherSuite: u16,
  legacyCompressionMethod: fc.integer({ min: 0, max: 255 }),
  extensions: serverHelloExts,
});

const eeExts: fc.Arbitrary<EncryptedExtension[]> = extList<EncryptedExtension>([
  fc.constant({ type: 'server_name' as const, hostName: null }),
  fc.record({ type: fc.constant('supported_groups' as const), groups: u16s(1, 6) }),
  fc.record({ type: fc.constant('application_layer_protocol_negotiation' as const), protocols: fc.array(buf(1, 12), { minLength: 1, maxLength: 1 }) }),
  fc.constant({ type: 'early_data' as const }),
  fc.record({ type: fc.constant('record_size_limit' as const), limit: fc.integer({ min: 64, max: 0xffff }) }),
  unknown,
]);

const tls13Messages: fc.Arbitrary<EncodableHandshakeMessage> = fc.oneof(
  fc.record({ type: fc.constant('encrypted_extensions' as const), extensions: eeExts }),
  fc.record({
    type: fc.constant('certificate' as const),
    version: fc.constant('TLSv1.3' as const),
    context: buf(0, 8),
    entries: fc.array(
      fc.record({
        data: buf(1, 100),
        extensions: fc.oneof(fc.constant([]), fc.tuple(buf(1, 30)).map(([r]) => [{ type: 'status_request' as const, ocspResponse: r }])),
      }),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    type: fc.constant('certificate_request' as const),
    version: fc.constant('TLSv1.3' as const),
    context: buf(0, 8),
    extensions: u16s(1, 5).map((schemes) => [{ type: 'signature_algorithms' as const, schemes }]),
  }),
  fc.record({ type: fc.constant('certificate_verify' as const), algorithm: u16, signature: buf(0, 100) }),
  fc.record({ type: fc.constant('finished' as const), verifyData: buf(48, 48) }),
  fc.record({
    type: fc.constant('new_session_ticket' as const),
    version: fc.constant('TLSv1.3' as const),
    lifetime: fc.nat(),
    ageAdd: fc.nat(),
    nonce: buf(0, 8),
    ticket: buf(1, 64),
    extensions: fc.oneof(fc.constant([]), fc.nat().map((n) => [{ type: 'early_data' as const, maxEarlyDataSize: n }])),
  }),
  fc.boolean().map((b) => ({ type: 'key_update' as const, updateRequested: b })),
);

/** fast-check builds null-prototype records; rebuild plain objects (Buffers kept) for a strict comparison. */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function roundTrips(m: EncodableHandshakeMessage, opts: HandshakeDecodeOptions): boolean {
  const raw = encodeHandshake(m);
  const back = decodeHandshake(parseHandshakeFrame(raw), opts);
  assert.deepEqual(back, plain(m));
  assert.deepEqual(encodeHandshake(back), raw);
  return true;
}

describe('property: encode then decode is the identity', () => {
  it('ClientHello with any combination of extensions (pre_shared_key last)', () => {
    fc.assert(fc.property(clientHello, (m) => roundTrips(m, {})), { numRuns: 2000 });
  });
  it('ServerHello with any combination of TLS 1.3 / TLS 1.2 extensions', () => {
    fc.assert(fc.property(serverHello, (m) => roundTrips(m, {})), { numRuns: 2000 });
  });
  it('TLS 1.3 server and client messages', () => {
    fc.assert(fc.property(tls13Messages, (m) => roundTrips(m, { version: 'TLSv1.3', finishedLength: 48 })), { numRuns: 3000 });
  });
});
