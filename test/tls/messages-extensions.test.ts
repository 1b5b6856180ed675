import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reader, Writer } from '../../src/tls/codec.js';
import {
  decodeExtension,
  decodeExtensions,
  extensionCode,
  findExtension,
  pskBindersLength,
  writeExtensions,
  type Extension,
  type ExtensionContext,
} from '../../src/tls/messages/extensions.js';
import { ExtensionType } from '../../src/tls/registry/extensions.js';
import { ext, extBlock, hex, throwsAlert } from './messages-helpers.js';

const T = ExtensionType;

function one(code: number, data: string, context: ExtensionContext = 'client_hello'): Extension {
  return decodeExtension(code, hex(data), context);
}

describe('extension decoding: exact grammar', () => {
  // [what, code, data hex, context, alert, reason]
  const BAD: [string, number, string, ExtensionContext, string, RegExp?][] = [
    ['server_name with an empty list', T.server_name, '0000', 'client_hello', 'decode_error'],
    ['server_name with an empty host name', T.server_name, '0003 00 0000', 'client_hello', 'decode_error', /host_name/],
    ['server_name with two host names', T.server_name, '0008 00 0001 61 00 0001 62', 'client_hello', 'decode_error', /one host_name/],
    ['server_name of name_type 1', T.server_name, '0004 01 0001 61', 'client_hello', 'decode_error', /name_type 1/],
    ['server_name containing NUL', T.server_name, '0006 00 0003 610062', 'client_hello', 'unrecognized_name', /0x00/],
    ['server_name containing a non-ASCII byte', T.server_name, '0004 00 0001 e9', 'client_hello', 'unrecognized_name'],
    ['server_name list length larger than the data', T.server_name, '0009 00 0001 61', 'client_hello', 'decode_error'],
    ['supported_groups with an odd length', T.supported_groups, '0003 001d00', 'client_hello', 'decode_error', /odd/],
    ['supported_groups empty', T.supported_groups, '0000', 'client_hello', 'decode_error'],
    ['supported_groups with a trailing byte', T.supported_groups, '0002 001d 00', 'client_hello', 'decode_error', /trailing/],
    ['signature_algorithms empty', T.signature_algorithms, '0000', 'client_hello', 'decode_error'],
    ['signature_algorithms_cert with an odd length', T.signature_algorithms_cert, '0001 04', 'client_hello', 'decode_error'],
    ['supported_versions (client) with an odd length', T.supported_versions, '03 030403', 'client_hello', 'decode_error', /odd/],
    ['supported_versions (client) empty', T.supported_versions, '00', 'client_hello', 'decode_error'],
    ['supported_versions (server) of 3 bytes', T.supported_versions, '030400', 'server_hello', 'decode_error'],
    ['supported_versions (server) of 1 byte', T.supported_versions, '03', 'server_hello', 'decode_error'],
    ['key_share (client) with two shares for one group', T.key_share, '000a 001d 0001 aa 001d 0001 bb', 'client_hello', 'illegal_parameter', /two shares/],
    ['key_share (client) with an empty key_exchange', T.key_share, '0004 001d 0000', 'client_hello', 'decode_error', /key_exchange/],
    ['key_share (server) with a trailing byte', T.key_share, '001d 0001 aa 00', 'server_hello', 'decode_error'],
    ['key_share (HRR) of 3 bytes', T.key_share, '001700', 'hello_retry_request', 'decode_error'],
    ['pre_shared_key (client) with no identities', T.pre_shared_key, '0000 0021 20' + '00'.repeat(32), 'client_hello', 'decode_error'],
    ['pre_shared_key (server) of 3 bytes', T.pre_shared_key, '000000', 'server_hello', 'decode_error'],
    ['psk_key_exchange_modes empty', T.psk_key_exchange_modes, '00', 'client_hello', 'decode_error'],
    ['early_data with a body in ClientHello', T.early_data, '00', 'client_hello', 'decode_error', /must be empty/],
    ['early_data (ticket) of 2 bytes', T.early_data, '0400', 'new_session_ticket', 'decode_error'],
    ['cookie empty', T.cookie, '0000', 'client_hello', 'decode_error'],
    ['cookie with a trailing byte', T.cookie, '0001 aa bb', 'hello_retry_request', 'decode_error'],
    ['ALPN with an empty list', T.application_layer_protocol_negotiation, '0000', 'client_hello', 'decode_error'],
    ['ALPN with an empty protocol name', T.application_layer_protocol_negotiation, '0003 00 0161', 'client_hello', 'decode_error', /protocol_name/],
    ['ALPN from the server with two names', T.application_layer_protocol_negotiation, '0006 02 6832 02 6833', 'encrypted_extensions', 'decode_error', /2 protocols/],
    ['status_request (client) empty', T.status_request, '', 'client_hello', 'decode_error'],
    ['status_request (client) cut short', T.status_request, '01 0000', 'client_hello', 'decode_error'],
    ['status_request (certificate) of type 2', T.status_request, '02 000001 aa', 'certificate', 'decode_error'],
    ['status_request (certificate) with an empty response', T.status_request, '01 000000', 'certificate', 'decode_error'],
    ['extended_master_secret with a body', T.extended_master_secret, '00', 'client_hello', 'decode_error', /must be empty/],
    ['post_handshake_auth with a body', T.post_handshake_auth, '00', 'client_hello', 'decode_error'],
    ['renegotiation_info with a trailing byte', T.renegotiation_info, '00 00', 'client_hello', 'decode_error'],
    ['ec_point_formats empty', T.ec_point_formats, '00', 'client_hello', 'decode_error'],
    ['session_ticket non-empty in ServerHello', T.session_ticket, 'aa', 'server_hello', 'decode_error'],
    ['record_size_limit of 63', T.record_size_limit, '003f', 'client_hello', 'illegal_parameter', /below 64/],
    ['record_size_limit of 3 bytes', T.record_size_limit, '400100', 'encrypted_extensions', 'decode_error'],
    ['certificate_authorities too short', T.certificate_authorities, '0000', 'certificate_request', 'decode_error'],
    ['certificate_authorities with an empty name', T.certificate_authorities, '0004 0000 0000', 'client_hello', 'decode_error'],
    ['signature_algorithms_cert in EncryptedExtensions', T.signature_algorithms_cert, '0002 0403', 'encrypted_extensions', 'illegal_parameter', /not allowed/],
    ['supported_versions in EncryptedExtensions', T.supported_versions, '0304', 'encrypted_extensions', 'illegal_parameter'],
    ['early_data in ServerHello', T.early_data, '', 'server_hello', 'illegal_parameter'],
    ['padding in ServerHello', T.padding, '00', 'server_hello', 'illegal_parameter'],
    ['cookie in a NewSessionTicket', T.cookie, '000101', 'new_session_ticket', 'illegal_parameter'],
    ['signed_certificate_timestamp (uninterpreted) in EncryptedExtensions', T.signed_certificate_timestamp, '', 'encrypted_extensions', 'illegal_parameter'],
    ['oid_filters (uninterpreted) in EncryptedExtensions', T.oid_filters, '0000', 'encrypted_extensions', 'illegal_parameter'],
  ];
  for (const [what, code, data, context, alert, reason] of BAD) {
    it(`rejects ${what} with ${alert}`, () => throwsAlert(() => one(code, data, context), alert, reason));
  }
});

describe('extension decoding: typed forms', () => {
  it('server_name decodes the host name', () => {
    assert.deepEqual(one(T.server_name, '000e 00 000b 6578616d706c652e636f6d'), { type: 'server_name', hostName: 'example.com' });
  });

  it('supported_versions has a list form in ClientHello and a single form in ServerHello / HRR', () => {
    assert.deepEqual(one(T.supported_versions, '04 0304 0303'), { type: 'supported_versions', versions: [0x0304, 0x0303] });
    assert.deepEqual(one(T.supported_versions, '0304', 'server_hello'), { type: 'supported_versions', selectedVersion: 0x0304 });
    assert.deepEqual(one(T.supported_versions, '0304', 'hello_retry_request'), { type: 'supported_versions', selectedVersion: 0x0304 });
  });

  it('key_share has list, entry and selected_group forms', () => {
    assert.deepEqual(one(T.key_share, '0000'), { type: 'key_share', clientShares: [] });
    assert.deepEqual(one(T.key_share, '001d 0002 aabb', 'server_hello'), { type: 'key_share', serverShare: { group: 0x1d, keyExchange: hex('aabb') } });
    assert.deepEqual(one(T.key_share, '0018', 'hello_retry_request'), { type: 'key_share', selectedGroup: 0x18 });
  });

  it('a status_request of a status_type other than ocsp is kept raw', () => {
    assert.deepEqual(one(T.status_request, '02 0000'), { type: 'unknown', code: T.status_request, data: hex('02 0000') });
    assert.deepEqual(one(T.status_request, '01 0000 0000'), { type: 'status_request', responderIds: [], requestExtensions: hex('') });
  });

  it('early_data carries max_early_data_size only in NewSessionTicket', () => {
    assert.deepEqual(one(T.early_data, '00004000', 'new_session_ticket'), { type: 'early_data', maxEarlyDataSize: 0x4000 });
    assert.deepEqual(one(T.early_data, '', 'encrypted_extensions'), { type: 'early_data' });
  });

  it('unknown extensions are preserved raw, in ClientHello and in server messages', () => {
    assert.deepEqual(one(0xfe0d, 'aabb'), { type: 'unknown', code: 0xfe0d, data: hex('aabb') });
    // Registered but not interpreted: raw, where RFC 8446 §4.2 allows it.
    assert.deepEqual(one(T.signed_certificate_timestamp, 'aabb', 'certificate'), { type: 'unknown', code: 18, data: hex('aabb') });
    assert.deepEqual(one(T.encrypt_then_mac, '', 'server_hello'), { type: 'unknown', code: 22, data: hex('') });
    assert.equal(extensionCode({ type: 'unknown', code: 0xfe0d, data: hex('') }), 0xfe0d);
  });
});

describe('extension blocks', () => {
  it('decodes in wire order and re-encodes identically', () => {
    const block = extBlock(ext(0xaaaa, '0102'), ext(T.extended_master_secret), ext(T.supported_groups, '0004001d0017'));
    const r = new Reader(block);
    const exts = decodeExtensions(r, 'client_hello');
    r.expectEnd();
    assert.deepEqual(exts.map((e) => e.type), ['unknown', 'extended_master_secret', 'supported_groups']);
    const w = new Writer();
    writeExtensions(w, exts);
    assert.deepEqual(w.finish(), block);
  });

  it('accepts an empty block', () => {
    assert.deepEqual(decodeExtensions(new Reader(hex('0000')), 'encrypted_extensions'), []);
  });

  it('rejects a duplicate in server messages too', () =>
    throwsAlert(() => decodeExtensions(new Reader(extBlock(ext(T.record_size_limit, '4000'), ext(T.record_size_limit, '4000'))), 'encrypted_extensions'), 'illegal_parameter', /duplicate record_size_limit/));

  it('allows pre_shared_key as the last ClientHello extension and only there', () => {
    const psk = ext(T.pre_shared_key, '0008 0002 6964 00000000 0021 20' + '00'.repeat(32));
    const exts = decodeExtensions(new Reader(extBlock(ext(T.psk_key_exchange_modes, '0101'), psk)), 'client_hello');
    const p = findExtension(exts, 'pre_shared_key');
    assert.ok(p && 'binders' in p);
    assert.equal(pskBindersLength(p.binders), 35);
    throwsAlert(() => decodeExtensions(new Reader(extBlock(psk, ext(T.psk_key_exchange_modes, '0101'))), 'client_hello'), 'illegal_parameter', /last/);
  });

  it('rejects an extension header cut in half', () => throwsAlert(() => decodeExtensions(new Reader(hex('0003 000a00')), 'client_hello'), 'decode_error'));

  it('findExtension returns undefined when absent', () => {
    assert.equal(findExtension([{ type: 'extended_master_secret' }], 'supported_groups' as never), undefined);
  });
});
