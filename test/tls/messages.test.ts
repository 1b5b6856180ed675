import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HELLO_RETRY_REQUEST_RANDOM,
  decodeAlert,
  decodeChangeCipherSpec,
  decodeHandshake,
  decodeHandshakeBody,
  encodeAlert,
  encodeChangeCipherSpec,
  encodeEcdheParams,
  encodeHandshake,
  encodeMessageHash,
  isHelloRetryRequest,
  parseHandshakeFrame,
  type EncodableHandshakeMessage,
  type HandshakeDecodeOptions,
} from '../../src/tls/messages/index.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { NamedGroup } from '../../src/tls/registry/groups.js';
import { SignatureSchemeCode } from '../../src/tls/registry/signature-schemes.js';
import { ProtocolVersion } from '../../src/tls/registry/versions.js';
import { clientHelloBody, encryptedExtensionsBody, ext, extBlock, hex, serverHelloBody, throwsAlert } from './messages-helpers.js';

const V13: HandshakeDecodeOptions = { version: 'TLSv1.3', finishedLength: 48 };
const V12: HandshakeDecodeOptions = { version: 'TLSv1.2' };

function roundTrip(m: EncodableHandshakeMessage, opts: HandshakeDecodeOptions): void {
  const raw = encodeHandshake(m);
  const frame = parseHandshakeFrame(raw);
  const back = decodeHandshake(frame, opts);
  assert.deepEqual(back, m);
  assert.deepEqual(encodeHandshake(back), raw);
}

const der = (n: number, fill: number) => Buffer.concat([hex('30'), Buffer.alloc(n - 1, fill)]);

describe('handshake message round trips', () => {
  it('ClientHello with every ClientHello extension form', () => {
    roundTrip(
      {
        type: 'client_hello',
        legacyVersion: ProtocolVersion.TLSv1_2,
        random: Buffer.alloc(32, 1),
        legacySessionId: Buffer.alloc(32, 2),
        cipherSuites: [0x1302, 0x1303, 0x1301, 0xc02c],
        legacyCompressionMethods: [0],
        extensions: [
          { type: 'server_name', hostName: 'example.com' },
          { type: 'supported_groups', groups: [NamedGroup.x25519, NamedGroup.secp256r1] },
          { type: 'signature_algorithms', schemes: [SignatureSchemeCode.ecdsa_secp256r1_sha256, SignatureSchemeCode.rsa_pss_rsae_sha256] },
          { type: 'signature_algorithms_cert', schemes: [SignatureSchemeCode.rsa_pkcs1_sha256] },
          { type: 'supported_versions', versions: [ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2] },
          { type: 'key_share', clientShares: [{ group: NamedGroup.x25519, keyExchange: Buffer.alloc(32, 3) }, { group: NamedGroup.secp256r1, keyExchange: Buffer.alloc(65, 4) }] },
          { type: 'psk_key_exchange_modes', modes: [1] },
          { type: 'early_data' },
          { type: 'cookie', cookie: Buffer.from('cookie') },
          { type: 'application_layer_protocol_negotiation', protocols: [Buffer.from('h2'), Buffer.from('http/1.1')] },
          { type: 'status_request', responderIds: [Buffer.from('r1')], requestExtensions: Buffer.alloc(0) },
          { type: 'extended_master_secret' },
          { type: 'renegotiation_info', renegotiatedConnection: Buffer.alloc(0) },
          { type: 'ec_point_formats', formats: [0] },
          { type: 'session_ticket', ticket: Buffer.from('ticket') },
          { type: 'record_size_limit', limit: 16385 },
          { type: 'post_handshake_auth' },
          { type: 'certificate_authorities', authorities: [der(10, 5)] },
          { type: 'unknown', code: 0xfe0d, data: Buffer.from('ech?') },
          { type: 'padding', padding: Buffer.alloc(17) },
          { type: 'pre_shared_key', identities: [{ identity: Buffer.from('id'), obfuscatedTicketAge: 0xfffffffe }], binders: [Buffer.alloc(32, 9)] },
        ],
      },
      {},
    );
  });

  it('ServerHello (TLS 1.3 and TLS 1.2 forms)', () => {
    roundTrip(
      {
        type: 'server_hello',
        legacyVersion: ProtocolVersion.TLSv1_2,
        random: Buffer.alloc(32, 7),
        legacySessionIdEcho: Buffer.alloc(0),
        cipherSuite: 0x1302,
        legacyCompressionMethod: 0,
        extensions: [
          { type: 'supported_versions', selectedVersion: ProtocolVersion.TLSv1_3 },
          { type: 'key_share', serverShare: { group: NamedGroup.secp384r1, keyExchange: Buffer.alloc(97, 4) } },
          { type: 'pre_shared_key', selectedIdentity: 0 },
        ],
      },
      {},
    );
    roundTrip(
      {
        type: 'server_hello',
        legacyVersion: ProtocolVersion.TLSv1_2,
        random: Buffer.alloc(32, 8),
        legacySessionIdEcho: Buffer.alloc(32, 1),
        cipherSuite: 0xc02f,
        legacyCompressionMethod: 0,
        extensions: [
          { type: 'renegotiation_info', renegotiatedConnection: Buffer.alloc(0) },
          { type: 'extended_master_secret' },
          { type: 'ec_point_formats', formats: [0] },
          { type: 'session_ticket', ticket: Buffer.alloc(0) },
          { type: 'server_name', hostName: null },
          { type: 'status_request' },
          { type: 'application_layer_protocol_negotiation', protocols: [Buffer.from('h2')] },
        ],
      },
      {},
    );
  });

  it('HelloRetryRequest is written with the special random and decodes as hello_retry_request', () => {
    const m: EncodableHandshakeMessage = {
      type: 'hello_retry_request',
      legacyVersion: ProtocolVersion.TLSv1_2,
      legacySessionIdEcho: Buffer.alloc(0),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [
        { type: 'supported_versions', selectedVersion: ProtocolVersion.TLSv1_3 },
        { type: 'key_share', selectedGroup: NamedGroup.secp256r1 },
        { type: 'cookie', cookie: Buffer.alloc(40, 1) },
      ],
    };
    roundTrip(m, {});
    const raw = encodeHandshake(m);
    assert.equal(raw[0], HandshakeType.server_hello);
    assert.ok(isHelloRetryRequest(raw.subarray(6, 38)));
    assert.deepEqual(raw.subarray(6, 38), HELLO_RETRY_REQUEST_RANDOM);
  });

  it('TLS 1.3 EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished', () => {
    roundTrip(
      {
        type: 'encrypted_extensions',
        extensions: [
          { type: 'server_name', hostName: null },
          { type: 'supported_groups', groups: [NamedGroup.x25519] },
          { type: 'application_layer_protocol_negotiation', protocols: [Buffer.from('h2')] },
          { type: 'early_data' },
          { type: 'record_size_limit', limit: 64 },
        ],
      },
      V13,
    );
    roundTrip(
      {
        type: 'certificate_request',
        version: 'TLSv1.3',
        context: Buffer.from([1, 2, 3]),
        extensions: [
          { type: 'signature_algorithms', schemes: [SignatureSchemeCode.ed25519] },
          { type: 'signature_algorithms_cert', schemes: [SignatureSchemeCode.ed25519] },
          { type: 'certificate_authorities', authorities: [der(20, 1), der(5, 2)] },
          { type: 'status_request' },
        ],
      },
      V13,
    );
    roundTrip(
      {
        type: 'certificate',
        version: 'TLSv1.3',
        context: Buffer.alloc(0),
        entries: [
          { data: der(300, 1), extensions: [{ type: 'status_request', ocspResponse: der(50, 2) }] },
          { data: der(200, 3), extensions: [{ type: 'unknown', code: 18, data: Buffer.from('sct') }] },
        ],
      },
      V13,
    );
    roundTrip({ type: 'certificate', version: 'TLSv1.3', context: Buffer.alloc(0), entries: [] }, V13);
    roundTrip({ type: 'certificate_verify', algorithm: SignatureSchemeCode.rsa_pss_rsae_sha384, signature: Buffer.alloc(256, 5) }, V13);
    roundTrip({ type: 'finished', verifyData: Buffer.alloc(48, 6) }, V13);
  });

  it('TLS 1.3 NewSessionTicket, KeyUpdate, EndOfEarlyData', () => {
    roundTrip(
      {
        type: 'new_session_ticket',
        version: 'TLSv1.3',
        lifetime: 7200,
        ageAdd: 0xdeadbeef,
        nonce: Buffer.from([0]),
        ticket: Buffer.alloc(100, 1),
        extensions: [{ type: 'early_data', maxEarlyDataSize: 16384 }],
      },
      V13,
    );
    roundTrip({ type: 'key_update', updateRequested: true }, V13);
    roundTrip({ type: 'key_update', updateRequested: false }, V13);
    roundTrip({ type: 'end_of_early_data' }, V13);
    assert.equal(encodeHandshake({ type: 'key_update', updateRequested: true }).toString('hex'), '1800000101');
  });

  it('TLS 1.2 Certificate, CertificateRequest, ServerKeyExchange, ServerHelloDone, ClientKeyExchange, Finished, NewSessionTicket, CertificateStatus, HelloRequest', () => {
    roundTrip({ type: 'certificate', version: 'TLSv1.2', certificates: [der(100, 1), der(90, 2)] }, V12);
    roundTrip({ type: 'certificate', version: 'TLSv1.2', certificates: [] }, V12);
    roundTrip(
      {
        type: 'certificate_request',
        version: 'TLSv1.2',
        certificateTypes: [1, 64],
        signatureSchemes: [SignatureSchemeCode.rsa_pkcs1_sha256, SignatureSchemeCode.ecdsa_secp256r1_sha256],
        certificateAuthorities: [der(30, 1)],
      },
      V12,
    );
    const pub = Buffer.alloc(65, 4);
    roundTrip(
      {
        type: 'server_key_exchange',
        namedGroup: NamedGroup.secp256r1,
        publicKey: pub,
        algorithm: SignatureSchemeCode.rsa_pkcs1_sha256,
        signature: Buffer.alloc(256, 2),
        params: encodeEcdheParams(NamedGroup.secp256r1, pub),
      },
      V12,
    );
    roundTrip({ type: 'server_hello_done' }, V12);
    roundTrip({ type: 'client_key_exchange', publicKey: Buffer.alloc(32, 9) }, V12);
    roundTrip({ type: 'finished', verifyData: Buffer.alloc(12, 6) }, V12);
    roundTrip({ type: 'new_session_ticket', version: 'TLSv1.2', lifetimeHint: 300, ticket: Buffer.alloc(0) }, V12);
    roundTrip({ type: 'certificate_status', ocspResponse: der(40, 3) }, V12);
    roundTrip({ type: 'hello_request' }, V12);
  });

  it('ServerKeyExchange exposes the signed ServerECDHParams bytes', () => {
    const raw = encodeHandshake({ type: 'server_key_exchange', namedGroup: NamedGroup.x25519, publicKey: Buffer.alloc(32, 1), algorithm: SignatureSchemeCode.ed25519, signature: Buffer.alloc(64) });
    const m = decodeHandshake(parseHandshakeFrame(raw), V12);
    assert.ok(m.type === 'server_key_exchange');
    assert.equal(m.params.toString('hex'), '03001d20' + '01'.repeat(32));
  });

  it('message_hash is 254 || 00 00 len || hash (RFC 8446 §4.4.1)', () => {
    assert.equal(encodeMessageHash(Buffer.alloc(32, 0xab)).toString('hex'), 'fe000020' + 'ab'.repeat(32));
  });
});

describe('record payload codecs', () => {
  it('Alert encodes and decodes level and description', () => {
    assert.equal(encodeAlert('fatal', 'handshake_failure').toString('hex'), '0228');
    assert.deepEqual(decodeAlert(hex('0100')), { level: 'warning', description: 'close_notify', code: 0 });
    assert.deepEqual(decodeAlert(hex('02ff')), { level: 'fatal', description: null, code: 255 });
  });

  it('ChangeCipherSpec is exactly 0x01', () => {
    assert.deepEqual(encodeChangeCipherSpec(), hex('01'));
    decodeChangeCipherSpec(hex('01'));
  });
});

const psk = ext(41, '0008 0002 6964 00000000 0021 20' + '00'.repeat(32));

// [description, handshake type, body, options, alert, reason]
const NEGATIVE: [string, number, Buffer, HandshakeDecodeOptions, string, RegExp?][] = [
  ['ClientHello with a trailing byte after extensions', 1, Buffer.concat([clientHelloBody(), hex('00')]), {}, 'decode_error', /trailing/],
  ['ClientHello with a 33-byte session id', 1, Buffer.concat([hex('0303'), Buffer.alloc(32), hex('21'), Buffer.alloc(33), hex('0002130101 00 0000')]), {}, 'decode_error', /legacy_session_id/],
  ['ClientHello with an odd cipher_suites length', 1, Buffer.concat([hex('0303'), Buffer.alloc(32), hex('00 0003 130113 0100 0000')]), {}, 'decode_error', /odd/],
  ['ClientHello with no cipher suites', 1, Buffer.concat([hex('0303'), Buffer.alloc(32), hex('00 0000 0100 0000')]), {}, 'decode_error', /cipher_suites/],
  ['ClientHello with no compression methods', 1, Buffer.concat([hex('0303'), Buffer.alloc(32), hex('00 0002 1301 00 0000')]), {}, 'decode_error', /compression/],
  ['ClientHello cut inside the random', 1, Buffer.concat([hex('0303'), Buffer.alloc(20)]), {}, 'decode_error', /random/],
  ['ClientHello whose extensions block is longer than the message', 1, clientHelloBody(hex('0010 0000 0000')), {}, 'decode_error'],
  ['ClientHello with a short extension vector', 1, clientHelloBody(hex('0006 000a 0004 0002 00')), {}, 'decode_error'],
  ['ClientHello with a duplicate extension', 1, clientHelloBody(extBlock(ext(23), ext(23))), {}, 'illegal_parameter', /duplicate extended_master_secret/],
  ['ClientHello with a duplicate unknown extension', 1, clientHelloBody(extBlock(ext(0x1234, '01'), ext(0x1234, '02'))), {}, 'illegal_parameter', /duplicate unknown extension 0x1234/],
  ['ClientHello with pre_shared_key not last', 1, clientHelloBody(extBlock(psk, ext(23))), {}, 'illegal_parameter', /last/],
  ['ClientHello pre_shared_key with 1 identity and 2 binders', 1, clientHelloBody(extBlock(ext(41, '0008 0002 6964 00000000 0042 20' + '00'.repeat(32) + '20' + '00'.repeat(32)))), {}, 'illegal_parameter', /binders/],
  ['ClientHello pre_shared_key binder of 31 bytes', 1, clientHelloBody(extBlock(ext(41, '0008 0002 6964 00000000 0020 1f' + '00'.repeat(31)))), {}, 'decode_error'],
  ['ServerHello cut after the random', 2, Buffer.concat([hex('0303'), Buffer.alloc(32, 1)]), {}, 'decode_error'],
  ['ServerHello with a trailing byte', 2, Buffer.concat([serverHelloBody(), hex('00')]), {}, 'decode_error', /trailing/],
  ['ServerHello with a client-form supported_versions', 2, serverHelloBody(extBlock(ext(43, '020304'))), {}, 'decode_error'],
  ['ServerHello with a cookie', 2, serverHelloBody(extBlock(ext(44, '000101'))), {}, 'illegal_parameter', /cookie extension is not allowed in ServerHello/],
  ['HelloRetryRequest with a full key share', 2, Buffer.concat([hex('0303'), HELLO_RETRY_REQUEST_RANDOM, hex('00 1301 00'), extBlock(ext(51, '001d 0020' + '00'.repeat(32)))]), {}, 'decode_error', /trailing/],
  ['HelloRetryRequest with an early_data extension', 2, Buffer.concat([hex('0303'), HELLO_RETRY_REQUEST_RANDOM, hex('00 1301 00'), extBlock(ext(42))]), {}, 'illegal_parameter'],
  ['EncryptedExtensions with key_share', 8, encryptedExtensionsBody(ext(51, '001d0001aa')), V13, 'illegal_parameter', /key_share extension is not allowed in EncryptedExtensions/],
  ['EncryptedExtensions with a trailing byte', 8, Buffer.concat([encryptedExtensionsBody(), hex('00')]), V13, 'decode_error'],
  ['EncryptedExtensions with a non-empty server_name', 8, encryptedExtensionsBody(ext(0, '00')), V13, 'decode_error', /must be empty/],
  ['CertificateRequest without signature_algorithms', 13, hex('00 0000'), V13, 'missing_extension'],
  ['TLS 1.3 Certificate with an empty cert_data', 11, hex('00 000005 000000 0000'), V13, 'decode_error', /cert_data/],
  ['TLS 1.3 Certificate list longer than the message', 11, hex('00 000010 000001 30 0000'), V13, 'decode_error'],
  ['TLS 1.2 Certificate with an empty certificate', 11, hex('000003 000000'), V12, 'decode_error'],
  ['CertificateVerify with a short signature vector', 15, hex('0804 0010 0000'), V13, 'decode_error'],
  ['Finished of 32 bytes where the hash is 48', 20, Buffer.alloc(32), V13, 'decode_error', /verify_data/],
  ['Finished of 49 bytes where the hash is 48', 20, Buffer.alloc(49), V13, 'decode_error', /trailing/],
  ['TLS 1.2 Finished of 13 bytes', 20, Buffer.alloc(13), V12, 'decode_error'],
  ['KeyUpdate request_update 2', 24, hex('02'), V13, 'illegal_parameter', /neither 0 nor 1/],
  ['KeyUpdate request_update 255', 24, hex('ff'), V13, 'illegal_parameter'],
  ['KeyUpdate with no body', 24, hex(''), V13, 'decode_error'],
  ['KeyUpdate with two bytes', 24, hex('0100'), V13, 'decode_error'],
  ['EndOfEarlyData with a body', 5, hex('00'), V13, 'decode_error'],
  ['TLS 1.3 NewSessionTicket with an empty ticket', 4, hex('00000e10 00000001 00 0000 0000'), V13, 'decode_error', /ticket/],
  ['TLS 1.3 NewSessionTicket early_data of 3 bytes', 4, Buffer.concat([hex('00000e10 00000001 00 0001 aa'), extBlock(ext(42, '000400'))]), V13, 'decode_error'],
  ['ServerKeyExchange with explicit curve parameters', 12, hex('01 0017 01 04 0403 0000'), V12, 'illegal_parameter', /named_curve/],
  ['ServerKeyExchange with an empty point', 12, hex('03 0017 00 0403 0000'), V12, 'decode_error'],
  ['ServerKeyExchange cut before the signature', 12, hex('03 001d 01 aa 0403'), V12, 'decode_error'],
  ['ClientKeyExchange with an empty point', 16, hex('00'), V12, 'decode_error'],
  ['ServerHelloDone with a body', 14, hex('00'), V12, 'decode_error'],
  ['an unknown handshake type', 99, hex(''), V13, 'unexpected_message', /unknown handshake type 99/],
  ['message_hash on the wire', 254, Buffer.alloc(32), V13, 'unexpected_message'],
  ['ServerKeyExchange in TLS 1.3', 12, hex('03 001d 01 aa 0403 0000'), V13, 'unexpected_message', /does not exist in TLSv1.3/],
  ['KeyUpdate in TLS 1.2', 24, hex('00'), V12, 'unexpected_message'],
  ['Certificate before a version is negotiated', 11, hex('000000'), {}, 'unexpected_message', /before a version/],
];

describe('strict decoding rejects malformed messages with the right alert', () => {
  for (const [what, type, body, opts, alert, reason] of NEGATIVE) {
    it(`${what} → ${alert}`, () => throwsAlert(() => decodeHandshakeBody(type, body, opts), alert, reason));
  }
  it('a handshake frame whose length exceeds its bytes → decode_error', () => throwsAlert(() => parseHandshakeFrame(hex('14000030 00')), 'decode_error'));
  it('an alert of three bytes → decode_error', () => throwsAlert(() => decodeAlert(hex('020000')), 'decode_error'));
  it('an alert of level 3 → decode_error', () => throwsAlert(() => decodeAlert(hex('0300')), 'decode_error', /level 3/));
  it('a ChangeCipherSpec of 0x02 → unexpected_message', () => throwsAlert(() => decodeChangeCipherSpec(hex('02')), 'unexpected_message'));
  it('a ChangeCipherSpec of two bytes → unexpected_message', () => throwsAlert(() => decodeChangeCipherSpec(hex('0101')), 'unexpected_message'));
  it('a TLS 1.2 ClientHello without an extensions block is accepted', () => {
    const m = decodeHandshakeBody(1, clientHelloBody(Buffer.alloc(0)), {});
    assert.ok(m.type === 'client_hello');
    assert.deepEqual(m.extensions, []);
  });
  it('encoding a ClientHello without cipher suites is refused (internal_error)', () =>
    throwsAlert(
      () => encodeHandshake({ type: 'client_hello', legacyVersion: 0x0303, random: Buffer.alloc(32), legacySessionId: Buffer.alloc(0), cipherSuites: [], legacyCompressionMethods: [0], extensions: [] }),
      'internal_error',
    ));
});
