import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DerError, ecdsaDerToP1363, requireSingleTlv } from '../../src/crypto/der.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('ecdsaDerToP1363: minimal DER integers are left-padded to the order width', () => {
  assert.equal(ecdsaDerToP1363(h('3006 020101 020102'), 4).toString('hex'), '00000001' + '00000002');
  // 0x80 needs a sign octet in DER, which is dropped in r||s.
  assert.equal(ecdsaDerToP1363(h('3009 02020080 020300ffff'), 4).toString('hex'), '00000080' + '0000ffff');
  // Long-form length is required at ≥ 128 content bytes.
  const r = Buffer.alloc(66, 0x11);
  const der = Buffer.concat([h('308186 0242'), r, h('0240'), Buffer.alloc(64, 0x22)]);
  assert.equal(der.length, 3 + 134);
  assert.equal(ecdsaDerToP1363(der, 66).length, 132);
});

test('ecdsaDerToP1363: every non-DER or out-of-range form is a DerError', () => {
  const bad: [string, string][] = [
    ['empty', ''],
    ['not a SEQUENCE', '3106 020101 020102'],
    ['indefinite length', '3080 020101 020102 0000'],
    ['long-form length below 128', '308106 020101 020102'],
    ['length with leading zero octet', '30820006 020101 020102'],
    ['length past the end', '3007 020101 020102'],
    ['trailing bytes', '3006 020101 020102 00'],
    ['extra element', '3009 020101 020102 020103'],
    ['only one integer', '3003 020101'],
    ['wrong inner tag', '3006 040101 020102'],
    ['empty integer', '3005 0200 020102'],
    ['negative r', '3006 020181 020102'],
    ['redundant leading zero', '3007 02020001 020102'],
    ['redundant 0xff', '3007 0202ff81 020102'],
    ['zero r', '3006 020100 020102'],
    ['zero s', '3006 020101 020100'],
    ['r wider than the order', '3008 0203010000 020101'],
  ];
  for (const [name, hexValue] of bad) {
    assert.throws(() => ecdsaDerToP1363(h(hexValue), 2), DerError, name);
  }
});

test('requireSingleTlv: refuses trailing data and truncation', () => {
  requireSingleTlv(h('3001 00'));
  assert.throws(() => requireSingleTlv(h('3001 00 00')), DerError);
  assert.throws(() => requireSingleTlv(h('3002 00')), DerError);
  assert.throws(() => requireSingleTlv(h('30')), DerError);
});
