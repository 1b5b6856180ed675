/**
 * The OpenSSL cipher-string subset of SSLContext.set_ciphers(): expected
 * orders are what python3 (OpenSSL 3.0.19) reports for the same strings,
 * restricted to the TLS 1.2 suites we implement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from '../../src/ssl/index.js';

const E256 = 'ECDHE-ECDSA-AES256-GCM-SHA384';
const R256 = 'ECDHE-RSA-AES256-GCM-SHA384';
const ECHA = 'ECDHE-ECDSA-CHACHA20-POLY1305';
const RCHA = 'ECDHE-RSA-CHACHA20-POLY1305';
const E128 = 'ECDHE-ECDSA-AES128-GCM-SHA256';
const R128 = 'ECDHE-RSA-AES128-GCM-SHA256';
const BASE = [E256, R256, ECHA, RCHA, E128, R128];

function tls12(cipherString: string): string[] {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setCiphers(cipherString);
  return ctx
    .getCiphers()
    .filter((c) => c.protocol === 'TLSv1.2')
    .map((c) => c.name);
}

test('aliases select what OpenSSL selects, in its base order', () => {
  const cases: [string, string[]][] = [
    ['ALL', BASE],
    ['DEFAULT', BASE],
    ['HIGH', BASE],
    ['ECDHE', BASE],
    ['kECDHE', BASE],
    ['ECDH', BASE],
    ['AESGCM', [E256, R256, E128, R128]],
    ['AES128', [E128, R128]],
    ['AES256', [E256, R256]],
    ['CHACHA20', [ECHA, RCHA]],
    ['aRSA', [R256, RCHA, R128]],
    ['aECDSA', [E256, ECHA, E128]],
  ];
  for (const [s, want] of cases) assert.deepEqual(tls12(s), want, s);
});

test('operators: order of items, -, +, !, + inside an item, separators', () => {
  assert.deepEqual(tls12('AES128:AES256'), [E128, R128, E256, R256]);
  assert.deepEqual(tls12('AES256:AES128'), [E256, R256, E128, R128]);
  assert.deepEqual(tls12('ALL:-AES128:AES128'), BASE);
  assert.deepEqual(tls12('AES128:AES256:-AES128:AES128'), [E256, R256, E128, R128]);
  assert.deepEqual(tls12('ALL:+AES128'), BASE);
  assert.deepEqual(tls12('ALL:+AES256'), [ECHA, RCHA, E128, R128, E256, R256]);
  assert.deepEqual(tls12('ALL:!AES128:AES128'), [E256, R256, ECHA, RCHA]);
  assert.deepEqual(tls12(`${R128} ${E256}`), [R128, E256]);
  assert.deepEqual(tls12('CHACHA20,AES128'), [ECHA, RCHA, E128, R128]);
  assert.deepEqual(tls12('AES128+aRSA'), [R128]);
  assert.deepEqual(tls12('ECDHE+AESGCM:!ECDSA'), [R256, R128]);
  assert.deepEqual(tls12('AESGCM:CHACHA20:@STRENGTH'), BASE);
  assert.deepEqual(tls12('AES128:AES256:@STRENGTH'), [E256, R256, E128, R128]);
});

test("Python's default cipher string gives Python's default order", () => {
  assert.deepEqual(tls12('@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM'), [E256, R256, E128, R128, ECHA, RCHA]);
  assert.deepEqual(
    new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
      .getCiphers()
      .filter((c) => c.protocol === 'TLSv1.2')
      .map((c) => c.name),
    [E256, R256, E128, R128, ECHA, RCHA],
  );
});

test('@SECLEVEL sets security_level without pruning the list (as get_ciphers() shows on OpenSSL)', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setCiphers('@SECLEVEL=1:ALL');
  assert.equal(ctx.securityLevel, 1);
  ctx.setCiphers('ALL:@SECLEVEL=4');
  assert.equal(ctx.securityLevel, 4);
  assert.deepEqual(tls12('ALL:@SECLEVEL=4'), BASE);
});

test('nothing selected → SSLError("No cipher can be selected.") and the previous list stays', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setCiphers('AES128');
  for (const s of ['RSA', 'eNULL', 'foo', 'TLS_AES_128_GCM_SHA256', '', 'DHE-RSA-AES128-SHA256']) {
    assert.throws(() => ctx.setCiphers(s), (e: ssl.SSLError) => e instanceof ssl.SSLError && e.message === "('No cipher can be selected.',)", s);
  }
  assert.deepEqual(
    ctx
      .getCiphers()
      .filter((c) => c.protocol === 'TLSv1.2')
      .map((c) => c.name),
    [E128, R128],
  );
});
