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
