import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExtensionType, describeExtension, extensionAllowedIn, extensionName } from '../../src/tls/registry/extensions.js';
import { NamedGroup, SUPPORTED_GROUPS, groupById, groupByName, namedGroupName } from '../../src/tls/registry/groups.js';
import { HandshakeType, handshakeTypeName } from '../../src/tls/registry/handshake-types.js';
import {
  ALL_SIGNATURE_SCHEMES,
  DEFAULT_SIGNATURE_SCHEMES,
  SignatureSchemeCode,
  schemeFitsKey,
  signatureSchemeById,
  signatureSchemeName,
} from '../../src/tls/registry/signature-schemes.js';

function unique(values: number[]): boolean {
  return new Set(values).size === values.length;
}

describe('registries', () => {
  it('code points are unique within each registry', () => {
    assert.ok(unique(Object.values(ExtensionType)));
    assert.ok(unique(Object.values(HandshakeType)));
    assert.ok(unique(Object.values(NamedGroup)));
    assert.ok(unique(Object.values(SignatureSchemeCode)));
  });

  it('names and codes map both ways', () => {
    assert.equal(extensionName(51), 'key_share');
    assert.equal(extensionName(0xff01), 'renegotiation_info');
    assert.equal(extensionName(0x1234), null);
    assert.equal(describeExtension(0x1234), 'unknown extension 0x1234');
    assert.equal(handshakeTypeName(24), 'key_update');
    assert.equal(handshakeTypeName(3), null);
    assert.equal(namedGroupName(0x1d), 'x25519');
    assert.equal(signatureSchemeName(0x0808), 'ed448');
  });

  it('groups map to the provider key exchange with exact public value lengths', () => {
    assert.deepEqual(SUPPORTED_GROUPS.map((g) => [g.id, g.kex, g.publicKeyLength, g.serverShareLength, g.tls12]), [
      [0x0017, 'P-256', 65, 65, true],
      [0x0018, 'P-384', 97, 97, true],
      [0x0019, 'P-521', 133, 133, true],
      [0x001d, 'X25519', 32, 32, true],
      [0x001e, 'X448', 56, 56, true],
      [0x11ec, 'X25519MLKEM768', 1216, 1120, false],
    ]);
    assert.equal(groupById(NamedGroup.ffdhe2048), null);
    assert.equal(groupById(0x11ec)?.name, 'X25519MLKEM768');
    assert.equal(groupByName('x25519mlkem768')?.id, 0x11ec);
    assert.equal(groupByName('secp521r1')?.id, 0x0019);
    assert.equal(groupByName('P-521')?.id, 0x0019);
    assert.equal(groupByName('x448')?.id, 0x001e);
    assert.equal(groupByName('prime256v1')?.id, 0x0017);
    assert.equal(groupByName('P-384')?.id, 0x0018);
    assert.equal(groupByName('X25519')?.id, 0x001d);
    assert.equal(groupByName('ffdhe2048'), null);
  });

  it('signature schemes carry the provider algorithm and the PSS salt length of their hash', () => {
    assert.deepEqual(signatureSchemeById(0x0804)?.algorithm, { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 });
    assert.deepEqual(signatureSchemeById(0x080b)?.algorithm, { kind: 'rsa-pss', hash: 'SHA-512', saltLength: 64 });
    assert.equal(signatureSchemeById(0x080a)?.keyType, 'rsa-pss');
    assert.equal(signatureSchemeById(0x0805)?.keyType, 'rsa');
    assert.deepEqual(signatureSchemeById(0x0503)?.algorithm, { kind: 'ecdsa', hash: 'SHA-384' });
    assert.equal(signatureSchemeById(0x0808), null); // ed448 is not implemented
  });

  it('PKCS#1 v1.5 and SHA-1 are not allowed in a TLS 1.3 CertificateVerify', () => {
    const tls13 = ALL_SIGNATURE_SCHEMES.filter((s) => s.tls13).map((s) => s.name);
    assert.ok(!tls13.some((n) => n.startsWith('rsa_pkcs1') || n.endsWith('sha1')), tls13.join());
    assert.ok(signatureSchemeById(0x0401)?.tls12);
    assert.ok(!signatureSchemeById(0x0201)?.tls12);
    assert.ok(!DEFAULT_SIGNATURE_SCHEMES.some((s) => s.name.endsWith('sha1')));
  });

  it('the ECDSA curve is bound to the scheme in TLS 1.3 only', () => {
    const p256 = signatureSchemeById(SignatureSchemeCode.ecdsa_secp256r1_sha256)!;
    assert.ok(schemeFitsKey(p256, { type: 'ec', curve: 'P-256' }, 'TLSv1.3'));
    assert.ok(!schemeFitsKey(p256, { type: 'ec', curve: 'P-384' }, 'TLSv1.3'));
    assert.ok(schemeFitsKey(p256, { type: 'ec', curve: 'P-384' }, 'TLSv1.2'));
    assert.ok(!schemeFitsKey(p256, { type: 'rsa', curve: null }, 'TLSv1.2'));
    const pkcs1 = signatureSchemeById(SignatureSchemeCode.rsa_pkcs1_sha256)!;
    assert.ok(!schemeFitsKey(pkcs1, { type: 'rsa', curve: null }, 'TLSv1.3'));
    assert.ok(schemeFitsKey(pkcs1, { type: 'rsa', curve: null }, 'TLSv1.2'));
    const pss = signatureSchemeById(SignatureSchemeCode.rsa_pss_pss_sha256)!;
    assert.ok(!schemeFitsKey(pss, { type: 'rsa', curve: null }, 'TLSv1.3'));
    assert.ok(schemeFitsKey(pss, { type: 'rsa-pss', curve: null }, 'TLSv1.3'));
  });

  it('knows where each extension may appear (RFC 8446 §4.2 table, TLS 1.2 ServerHello)', () => {
    const T = ExtensionType;
    assert.equal(extensionAllowedIn(T.extended_master_secret, 'client_hello', 'TLSv1.3'), true);
    assert.equal(extensionAllowedIn(T.extended_master_secret, 'server_hello', 'TLSv1.3'), false);
    assert.equal(extensionAllowedIn(T.extended_master_secret, 'server_hello', 'TLSv1.2'), true);
    assert.equal(extensionAllowedIn(T.key_share, 'server_hello', 'TLSv1.3'), true);
    assert.equal(extensionAllowedIn(T.key_share, 'server_hello', 'TLSv1.2'), false);
    assert.equal(extensionAllowedIn(T.application_layer_protocol_negotiation, 'encrypted_extensions', 'TLSv1.3'), true);
    assert.equal(extensionAllowedIn(T.application_layer_protocol_negotiation, 'server_hello', 'TLSv1.3'), false);
    assert.equal(extensionAllowedIn(T.oid_filters, 'certificate_request', 'TLSv1.3'), true);
    assert.equal(extensionAllowedIn(T.early_data, 'new_session_ticket', 'TLSv1.3'), true);
    assert.equal(extensionAllowedIn(0xfe0d, 'encrypted_extensions', 'TLSv1.3'), null);
  });
});
