/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class TestEnumerations. Python checks
 * each enum with `enum._test_simple_enum(Checked, Enum)`, where Checked is
 * either written out (TLSVersion) or built by `enum._old_convert_` from the
 * module-level constants with a prefix (`source=ssl._ssl`). Here: the enum
 * object's members (name → value) equal the Checked members exactly, and
 * the module-level constants with that prefix are exactly those members.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as ssl from '../../src/ssl/index.js';

type Enum = Readonly<Record<string, number>>;

/** enum._test_simple_enum: same member names, each with the same value. */
function testSimpleEnum(checked: Enum, actual: Enum): void {
  const sorted = (e: Enum): [string, number][] => Object.entries(e).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(sorted(actual), sorted(checked));
}

/** enum._old_convert_(…, filter, source=ssl._ssl): the module's constants whose names pass the filter. */
function oldConvert(filter: (name: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(ssl)) if (filter(name) && typeof value === 'number') out[name] = value;
  assert.ok(Object.keys(out).length > 0, 'the filter selects module constants');
  return out;
}

test('TestEnumerations.test_tlsversion', () => {
  // _ssl.PROTO_* values (OpenSSL's version numbers, -2/-1 for the magic bounds).
  const CheckedTLSVersion = {
    MINIMUM_SUPPORTED: -2,
    SSLv3: 0x0300,
    TLSv1: 0x0301,
    TLSv1_1: 0x0302,
    TLSv1_2: 0x0303,
    TLSv1_3: 0x0304,
    MAXIMUM_SUPPORTED: -1,
  };
  testSimpleEnum(CheckedTLSVersion, ssl.TLSVersion);
});

test('TestEnumerations.test_tlscontenttype', () => {
  // Content types (record layer), RFC 8446 section B.1
  const Checked_TLSContentType = {
    CHANGE_CIPHER_SPEC: 20,
    ALERT: 21,
    HANDSHAKE: 22,
    APPLICATION_DATA: 23,
    // pseudo content types
    HEADER: 0x100,
    INNER_CONTENT_TYPE: 0x101,
  };
  testSimpleEnum(Checked_TLSContentType, ssl._TLSContentType);
});

test('TestEnumerations.test_tlsalerttype', () => {
  // Alert types for TLSContentType.ALERT messages, RFC 8446 section B.2
  const Checked_TLSAlertType = {
    CLOSE_NOTIFY: 0,
    UNEXPECTED_MESSAGE: 10,
    BAD_RECORD_MAC: 20,
    DECRYPTION_FAILED: 21,
    RECORD_OVERFLOW: 22,
    DECOMPRESSION_FAILURE: 30,
    HANDSHAKE_FAILURE: 40,
    NO_CERTIFICATE: 41,
    BAD_CERTIFICATE: 42,
    UNSUPPORTED_CERTIFICATE: 43,
    CERTIFICATE_REVOKED: 44,
    CERTIFICATE_EXPIRED: 45,
    CERTIFICATE_UNKNOWN: 46,
    ILLEGAL_PARAMETER: 47,
    UNKNOWN_CA: 48,
    ACCESS_DENIED: 49,
    DECODE_ERROR: 50,
    DECRYPT_ERROR: 51,
    EXPORT_RESTRICTION: 60,
    PROTOCOL_VERSION: 70,
    INSUFFICIENT_SECURITY: 71,
    INTERNAL_ERROR: 80,
    INAPPROPRIATE_FALLBACK: 86,
    USER_CANCELED: 90,
    NO_RENEGOTIATION: 100,
    MISSING_EXTENSION: 109,
    UNSUPPORTED_EXTENSION: 110,
    CERTIFICATE_UNOBTAINABLE: 111,
    UNRECOGNIZED_NAME: 112,
    BAD_CERTIFICATE_STATUS_RESPONSE: 113,
    BAD_CERTIFICATE_HASH_VALUE: 114,
    UNKNOWN_PSK_IDENTITY: 115,
    CERTIFICATE_REQUIRED: 116,
    NO_APPLICATION_PROTOCOL: 120,
  };
  testSimpleEnum(Checked_TLSAlertType, ssl._TLSAlertType);
});

test('TestEnumerations.test_tlsmessagetype', () => {
  // Message types (handshake protocol), RFC 8446 section B.3
  const Checked_TLSMessageType = {
    HELLO_REQUEST: 0,
    CLIENT_HELLO: 1,
    SERVER_HELLO: 2,
    HELLO_VERIFY_REQUEST: 3,
    NEWSESSION_TICKET: 4,
    END_OF_EARLY_DATA: 5,
    HELLO_RETRY_REQUEST: 6,
    ENCRYPTED_EXTENSIONS: 8,
    CERTIFICATE: 11,
    SERVER_KEY_EXCHANGE: 12,
    CERTIFICATE_REQUEST: 13,
    SERVER_DONE: 14,
    CERTIFICATE_VERIFY: 15,
    CLIENT_KEY_EXCHANGE: 16,
    FINISHED: 20,
    CERTIFICATE_URL: 21,
    CERTIFICATE_STATUS: 22,
    SUPPLEMENTAL_DATA: 23,
    KEY_UPDATE: 24,
    NEXT_PROTO: 67,
    MESSAGE_HASH: 254,
    CHANGE_CIPHER_SPEC: 0x0101,
  };
  testSimpleEnum(Checked_TLSMessageType, ssl._TLSMessageType);
});

test('TestEnumerations.test_sslmethod', () => {
  const Checked_SSLMethod = oldConvert((name) => name.startsWith('PROTOCOL_') && name !== 'PROTOCOL_SSLv23');
  // This member is assigned dynamically in `ssl.py`:
  Checked_SSLMethod.PROTOCOL_SSLv23 = Checked_SSLMethod.PROTOCOL_TLS!;
  testSimpleEnum(Checked_SSLMethod, ssl._SSLMethod);
});

test('TestEnumerations.test_options', () => {
  testSimpleEnum(oldConvert((name) => name.startsWith('OP_')), ssl.Options);
});

test('TestEnumerations.test_alertdescription', () => {
  testSimpleEnum(oldConvert((name) => name.startsWith('ALERT_DESCRIPTION_')), ssl.AlertDescription);
});

test('TestEnumerations.test_sslerrornumber', () => {
  testSimpleEnum(oldConvert((name) => name.startsWith('SSL_ERROR_')), ssl.SSLErrorNumber);
});

test('TestEnumerations.test_verifyflags', () => {
  testSimpleEnum(oldConvert((name) => name.startsWith('VERIFY_')), ssl.VerifyFlags);
});

test('TestEnumerations.test_verifymode', () => {
  testSimpleEnum(oldConvert((name) => name.startsWith('CERT_')), ssl.VerifyMode);
});

test('the private _TLSContentType/_TLSAlertType/_TLSMessageType equal python3’s', (t) => {
  const r = spawnSync('python3', ['-c', 'import ssl, json\nprint(json.dumps([{m.name: m.value for m in e} for e in (ssl._TLSContentType, ssl._TLSAlertType, ssl._TLSMessageType)]))'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    t.skip('python3 with ssl is not installed');
    return;
  }
  const [contentType, alertType, messageType] = JSON.parse(r.stdout) as Enum[];
  testSimpleEnum(contentType!, ssl._TLSContentType);
  testSimpleEnum(alertType!, ssl._TLSAlertType);
  testSimpleEnum(messageType!, ssl._TLSMessageType);
});
