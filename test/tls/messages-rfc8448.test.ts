import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeHandshake,
  encodeHandshake,
  findExtension,
  parseHandshakeFrame,
  patchPskBinders,
  pskBindersLength,
  type HandshakeMessage,
} from '../../src/tls/messages/index.js';
import { ExtensionType } from '../../src/tls/registry/extensions.js';
import { NamedGroup } from '../../src/tls/registry/groups.js';
import { SignatureSchemeCode } from '../../src/tls/registry/signature-schemes.js';
import { ProtocolVersion } from '../../src/tls/registry/versions.js';
import { rfc8448Messages, traceMessage, traceValue } from './messages-rfc8448.js';

// Every trace uses TLS_AES_128_GCM_SHA256: Finished carries 32 bytes.
const OPTS = { version: 'TLSv1.3', finishedLength: 32 } as const;

function decode(raw: Buffer): HandshakeMessage {
  return decodeHandshake(parseHandshakeFrame(raw), OPTS);
}

describe('RFC 8448 traces', () => {
  it('finds all 40 handshake messages of the traces', () => {
    assert.equal(rfc8448Messages().length, 40);
  });

  for (const m of rfc8448Messages()) {
    it(`§${m.section} ${m.role} ${m.name} (${m.bytes.length} octets) decodes and re-encodes byte for byte`, () => {
      const msg = decode(m.bytes);
      const expectedType = m.name === 'ServerHello' && m.section === 5 && m.bytes.length === 176 ? 'hello_retry_request' : m.name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
      assert.equal(msg.type, expectedType);
      assert.deepEqual(encodeHandshake(msg), m.bytes);
    });
  }
});

describe('RFC 8448 §3 simple 1-RTT handshake fields', () => {
  it('ClientHello carries the trace random, suites, SNI "server", x25519 share and TLS 1.3', () => {
    const ch = decode(traceMessage(3, 'ClientHello'));
    assert.equal(ch.type, 'client_hello');
    if (ch.type !== 'client_hello') return;
    assert.equal(ch.legacyVersion, ProtocolVersion.TLSv1_2);
    assert.equal(ch.random.toString('hex'), '6660261ff947cea49cce6cfad687f457cf1b14531ba14131a0e8f309a1d0b9c4');
    assert.equal(ch.legacySessionId.length, 0);
    assert.deepEqual(ch.cipherSuites, [0x1301, 0x1303, 0x1302]);
    assert.deepEqual(ch.legacyCompressionMethods, [0]);
    assert.deepEqual(
      ch.extensions.map((e) => e.type),
      ['server_name', 'renegotiation_info', 'supported_groups', 'session_ticket', 'key_share', 'supported_versions', 'signature_algorithms', 'psk_key_exchange_modes', 'record_size_limit'],
    );
    assert.equal(findExtension(ch.extensions, 'server_name')?.hostName, 'server');
    assert.deepEqual(findExtension(ch.extensions, 'supported_groups')?.groups, [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.ffdhe2048, 0x0101, 0x0102, 0x0103, 0x0104]);
    const ks = findExtension(ch.extensions, 'key_share');
    assert.equal(ks?.clientShares.length, 1);
    assert.equal(ks?.clientShares[0]?.group, NamedGroup.x25519);
    assert.equal(ks?.clientShares[0]?.keyExchange.toString('hex'), '4cfdfcd178b784bf328cae793b136f2aedce005ff183d7bb1495207236647037');
    assert.deepEqual(findExtension(ch.extensions, 'supported_versions')?.versions, [ProtocolVersion.TLSv1_3]);
    const sigs = findExtension(ch.extensions, 'signature_algorithms')?.schemes;
    assert.equal(sigs?.length, 15);
    assert.equal(sigs?.[0], SignatureSchemeCode.ecdsa_secp256r1_sha256);
    assert.deepEqual(findExtension(ch.extensions, 'psk_key_exchange_modes')?.modes, [1]);
    assert.equal(findExtension(ch.extensions, 'record_size_limit')?.limit, 0x4001);
    assert.equal(findExtension(ch.extensions, 'session_ticket')?.ticket.length, 0);
    assert.equal(findExtension(ch.extensions, 'renegotiation_info')?.renegotiatedConnection.length, 0);
  });

  it('ServerHello selects TLS_AES_128_GCM_SHA256, TLS 1.3 and the server x25519 share', () => {
    const sh = decode(traceMessage(3, 'ServerHello'));
    assert.equal(sh.type, 'server_hello');
    if (sh.type !== 'server_hello') return;
    assert.equal(sh.random.toString('hex'), '1274991495cf425857262dde2299342c315afba9b64a87d552515614e01b045d');
    assert.equal(sh.cipherSuite, 0x1301);
    assert.equal(sh.legacyCompressionMethod, 0);
    assert.equal(findExtension(sh.extensions, 'supported_versions')?.selectedVersion, ProtocolVersion.TLSv1_3);
    const ks = findExtension(sh.extensions, 'key_share');
    assert.equal(ks?.serverShare.group, NamedGroup.x25519);
    assert.equal(ks?.serverShare.keyExchange.toString('hex'), 'c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a');
  });

  it('EncryptedExtensions carries supported_groups, record_size_limit and an empty server_name', () => {
    const ee = decode(traceMessage(3, 'EncryptedExtensions'));
    assert.equal(ee.type, 'encrypted_extensions');
    if (ee.type !== 'encrypted_extensions') return;
    assert.deepEqual(ee.extensions.map((e) => e.type), ['supported_groups', 'record_size_limit', 'server_name']);
    assert.equal(findExtension(ee.extensions, 'server_name')?.hostName, null);
    assert.equal(findExtension(ee.extensions, 'record_size_limit')?.limit, 0x4001);
  });

  it('Certificate holds one 432-byte RSA certificate with no extensions and an empty context', () => {
    const c = decode(traceMessage(3, 'Certificate'));
    assert.ok(c.type === 'certificate' && c.version === 'TLSv1.3');
    if (c.type !== 'certificate' || c.version !== 'TLSv1.3') return;
    assert.equal(c.context.length, 0);
    assert.equal(c.entries.length, 1);
    assert.equal(c.entries[0]!.data.length, 432);
    assert.equal(c.entries[0]!.data[0], 0x30); // DER SEQUENCE
    assert.deepEqual(c.entries[0]!.extensions, []);
  });

  it('CertificateVerify is rsa_pss_rsae_sha256 with a 128-byte signature', () => {
    const cv = decode(traceMessage(3, 'CertificateVerify'));
    assert.equal(cv.type, 'certificate_verify');
    if (cv.type !== 'certificate_verify') return;
    assert.equal(cv.algorithm, SignatureSchemeCode.rsa_pss_rsae_sha256);
    assert.equal(cv.signature.length, 128);
  });

  it('server Finished carries the trace verify_data', () => {
    const f = decode(traceMessage(3, 'Finished'));
    assert.equal(f.type, 'finished');
    if (f.type !== 'finished') return;
    assert.equal(f.verifyData.toString('hex'), '4c92b1b256d861a1830167827d3e288d1a76f03484e9ec886d4ff66149cbec2f');
  });

  it('NewSessionTicket carries lifetime 30 s and early_data max size', () => {
    const t = decode(traceMessage(3, 'NewSessionTicket'));
    assert.ok(t.type === 'new_session_ticket' && t.version === 'TLSv1.3');
    if (t.type !== 'new_session_ticket' || t.version !== 'TLSv1.3') return;
    assert.equal(t.lifetime, 30);
    assert.equal(t.nonce.toString('hex'), '0000');
    assert.equal(t.ticket.length, 178);
    assert.equal(findExtension(t.extensions, 'early_data')?.maxEarlyDataSize, 1024);
  });
});

describe('RFC 8448 §4 resumed 0-RTT', () => {
  it('ClientHello ends with pre_shared_key whose binder is the last 35 bytes of the message', () => {
    const raw = traceMessage(4, 'ClientHello');
    const ch = decode(raw);
    if (ch.type !== 'client_hello') return assert.fail('not a ClientHello');
    const psk = ch.extensions[ch.extensions.length - 1];
    assert.equal(psk?.type, 'pre_shared_key');
    assert.ok(psk && psk.type === 'pre_shared_key' && 'identities' in psk);
    assert.equal(psk.identities.length, 1);
    assert.equal(psk.identities[0]!.identity.length, 178);
    // The identity is §3's ticket, and obfuscated_ticket_age = age (5 ms) + ticket_age_add (RFC 8446 §4.2.11.1).
    const nst = decode(traceMessage(3, 'NewSessionTicket'));
    if (nst.type !== 'new_session_ticket' || nst.version !== 'TLSv1.3') return assert.fail('not a TLS 1.3 NewSessionTicket');
    assert.deepEqual(psk.identities[0]!.identity, nst.ticket);
    assert.equal((psk.identities[0]!.obfuscatedTicketAge - nst.ageAdd) >>> 0, 5);
    assert.equal(psk.binders.length, 1);
    assert.equal(pskBindersLength(psk.binders), 35);
    assert.deepEqual(raw.subarray(raw.length - 32), psk.binders[0]);
    // The binder is computed over the message minus its binders list: the trace's "ClientHello prefix".
    assert.deepEqual(raw.subarray(0, raw.length - pskBindersLength(psk.binders)), traceValue(4, 'ClientHello prefix'));
    assert.equal(psk.binders[0]!.toString('hex'), traceValue(4, 'finished').toString('hex'));
    assert.ok(findExtension(ch.extensions, 'early_data'));
  });

  it('patchPskBinders writes the binder into a ClientHello encoded with a placeholder', () => {
    const raw = traceMessage(4, 'ClientHello');
    const binder = traceValue(4, 'finished');
    const placeholder = Buffer.from(raw);
    placeholder.fill(0, placeholder.length - 32);
    assert.notDeepEqual(placeholder, raw);
    patchPskBinders(placeholder, [binder]);
    assert.deepEqual(placeholder, raw);
    assert.throws(() => patchPskBinders(Buffer.from(raw), [Buffer.alloc(48)]), /binders list/);
  });

  it('ServerHello accepts PSK identity 0 and EncryptedExtensions accepts early data', () => {
    const sh = decode(traceMessage(4, 'ServerHello'));
    if (sh.type !== 'server_hello') return assert.fail('not a ServerHello');
    assert.equal(findExtension(sh.extensions, 'pre_shared_key')?.selectedIdentity, 0);
    const ee = decode(traceMessage(4, 'EncryptedExtensions'));
    if (ee.type !== 'encrypted_extensions') return assert.fail('not EncryptedExtensions');
    assert.deepEqual(findExtension(ee.extensions, 'early_data'), { type: 'early_data' });
    assert.equal(decode(traceMessage(4, 'EndOfEarlyData')).type, 'end_of_early_data');
  });
});

describe('RFC 8448 §5 HelloRetryRequest', () => {
  it('is recognised by its random and asks for secp256r1 with a cookie', () => {
    const hrr = decode(traceMessage(5, 'ServerHello', 0));
    assert.equal(hrr.type, 'hello_retry_request');
    if (hrr.type !== 'hello_retry_request') return;
    assert.equal(hrr.cipherSuite, 0x1301);
    assert.deepEqual(hrr.extensions.map((e) => e.type), ['key_share', 'cookie', 'supported_versions']);
    assert.equal(findExtension(hrr.extensions, 'key_share')?.selectedGroup, NamedGroup.secp256r1);
    assert.equal(findExtension(hrr.extensions, 'cookie')?.cookie.length, 114);
    assert.equal(findExtension(hrr.extensions, 'supported_versions')?.selectedVersion, ProtocolVersion.TLSv1_3);
  });

  it('the second ClientHello echoes the cookie and sends a secp256r1 share of 65 bytes', () => {
    const hrr = decode(traceMessage(5, 'ServerHello', 0));
    const ch2 = decode(traceMessage(5, 'ClientHello', 1));
    if (ch2.type !== 'client_hello' || hrr.type !== 'hello_retry_request') return assert.fail('wrong types');
    assert.deepEqual(findExtension(ch2.extensions, 'cookie')?.cookie, findExtension(hrr.extensions, 'cookie')?.cookie);
    const share = findExtension(ch2.extensions, 'key_share')?.clientShares;
    assert.equal(share?.length, 1);
    assert.equal(share?.[0]?.group, NamedGroup.secp256r1);
    assert.equal(share?.[0]?.keyExchange.length, 65);
    assert.ok(findExtension(ch2.extensions, 'padding'));
    assert.equal(ExtensionType.padding, 21);
  });
});

describe('RFC 8448 §6 client authentication', () => {
  it('CertificateRequest has an empty context and signature_algorithms', () => {
    const cr = decode(traceMessage(6, 'CertificateRequest'));
    assert.ok(cr.type === 'certificate_request' && cr.version === 'TLSv1.3');
    if (cr.type !== 'certificate_request' || cr.version !== 'TLSv1.3') return;
    assert.equal(cr.context.length, 0);
    assert.ok((findExtension(cr.extensions, 'signature_algorithms')?.schemes.length ?? 0) > 0);
  });

  it('server CertificateVerify is ecdsa_secp256r1_sha256 with a DER signature', () => {
    const cv = decode(traceMessage(6, 'CertificateVerify', 0));
    if (cv.type !== 'certificate_verify') return assert.fail('not CertificateVerify');
    assert.equal(cv.algorithm, SignatureSchemeCode.ecdsa_secp256r1_sha256);
    assert.equal(cv.signature[0], 0x30);
  });
});

describe('RFC 8448 §7 compatibility mode', () => {
  it('ClientHello carries a 32-byte legacy_session_id that ServerHello echoes', () => {
    const ch = decode(traceMessage(7, 'ClientHello'));
    const sh = decode(traceMessage(7, 'ServerHello'));
    if (ch.type !== 'client_hello' || sh.type !== 'server_hello') return assert.fail('wrong types');
    assert.equal(ch.legacySessionId.length, 32);
    assert.deepEqual(sh.legacySessionIdEcho, ch.legacySessionId);
  });
});
