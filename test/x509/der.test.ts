/**
 * The strict DER reader rejects every non-DER form with a typed DerError
 * (code, path, offset); the writer produces DER that round-trips and that
 * OpenSSL's asn1parse reads back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DerError, DerReader, Tag, der, readElement, readSequence, decodeTime, type DerErrorCode } from '../../src/x509/der.js';
import { validateDer } from '../../src/x509/der-reader.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function rejects(bytes: Buffer, read: (r: DerReader) => unknown, code: DerErrorCode, offset?: number): DerError {
  try {
    const r = new DerReader(bytes, 'top');
    read(r);
    r.finish();
  } catch (e) {
    assert.ok(e instanceof DerError, `expected DerError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    return e;
  }
  assert.fail(`accepted ${bytes.toString('hex')}, expected ${code}`);
}

test('lengths: indefinite, non-minimal, leading zero, too many octets and truncation are rejected', () => {
  rejects(hex('3080 0000'), (r) => r.read('x'), 'indefinite_length', 0);
  rejects(hex('0481 05 0102030405'), (r) => r.read('x'), 'non_minimal_length');
  rejects(hex('0482 0080' + '00'.repeat(128)), (r) => r.read('x'), 'non_minimal_length');
  rejects(hex('0485 0000000001 00'), (r) => r.read('x'), 'length_too_large');
  rejects(hex('04ff'), (r) => r.read('x'), 'non_minimal_length');
  rejects(hex('0405 0102'), (r) => r.read('x'), 'truncated');
  rejects(hex('04'), (r) => r.read('x'), 'truncated');
  rejects(hex('0482 01'), (r) => r.read('x'), 'truncated');
  assert.equal(readElement(hex('0481 80' + '00'.repeat(128))).contents.length, 128);
});

test('trailing bytes after the last element are an error', () => {
  const e = rejects(hex('0500 00'), (r) => r.null('n'), 'trailing_data', 2);
  assert.match(e.message, /trailing/);
  assert.throws(() => readSequence(hex('3000 01')), (e: unknown) => e instanceof DerError && e.code === 'trailing_data');
});

test('high-tag-number form: parsed, and non-minimal forms rejected', () => {
  const el = readElement(hex('9f2a 01 ff'));
  assert.equal(el.tagNumber, 42);
  assert.equal(el.tagClass, 0x80);
  assert.equal(readElement(hex('bf8108 00')).tagNumber, 136);
  rejects(hex('9f1e 00'), (r) => r.read('x'), 'non_minimal_tag');
  rejects(hex('9f8001 00'), (r) => r.read('x'), 'non_minimal_tag');
  rejects(hex('9f81'), (r) => r.read('x'), 'truncated');
  rejects(hex('9f' + 'ff'.repeat(6) + '01 00'), (r) => r.read('x'), 'tag_too_large');
  // A high-tag element never matches a low expected tag such as [10].
  rejects(hex('9f2a 00'), (r) => r.expect(0x8a, 'x'), 'unexpected_tag');
});

test('universal tag 0 (end-of-contents) is never an element', () => {
  rejects(hex('0000'), (r) => r.read('x'), 'unexpected_tag', 0);
  rejects(hex('2000'), (r) => r.read('x'), 'unexpected_tag', 0);
});

test('constructed vs primitive is checked', () => {
  rejects(hex('2201 00'), (r) => r.integer('i'), 'wrong_form');
  rejects(hex('1000'), (r) => r.sequence('s'), 'wrong_form');
  rejects(hex('2c00'), (r) => r.string('s'), 'wrong_form');
  rejects(hex('0201 00'), (r) => r.sequence('s'), 'unexpected_tag');
});

test('INTEGER: empty and non-minimal encodings are rejected; values decode', () => {
  rejects(hex('0200'), (r) => r.integer('i'), 'bad_integer');
  rejects(hex('0202 0001'), (r) => r.integer('i'), 'bad_integer');
  rejects(hex('0202 ff80'), (r) => r.integer('i'), 'bad_integer');
  const cases: [string, bigint][] = [['020100', 0n], ['02017f', 127n], ['02020080', 128n], ['0201ff', -1n], ['020180', -128n], ['0202ff7f', -129n], ['0209010000000000000000', 1n << 64n]];
  for (const [h, v] of cases) {
    assert.equal(new DerReader(hex(h)).integer('i'), v, h);
    assert.equal(der.integer(v).toString('hex'), h, `writer ${v}`);
  }
  rejects(hex('0201 05'), (r) => r.smallInteger('i', 0, 4), 'integer_too_large');
  rejects(hex('0208 0100000000000000'), (r) => r.smallInteger('i'), 'integer_too_large');
});

test('BOOLEAN is one octet, 0x00 or 0xff only', () => {
  assert.equal(new DerReader(hex('0101ff')).boolean('b'), true);
  assert.equal(new DerReader(hex('010100')).boolean('b'), false);
  rejects(hex('010101'), (r) => r.boolean('b'), 'bad_boolean');
  rejects(hex('0102ffff'), (r) => r.boolean('b'), 'bad_boolean');
  rejects(hex('0100'), (r) => r.boolean('b'), 'bad_boolean');
  rejects(hex('050100'), (r) => r.null('n'), 'bad_null');
});

test('BIT STRING: unused-bits octet rules', () => {
  const b = new DerReader(hex('0302 05a0')).bitString('b');
  assert.equal(b.unusedBits, 5);
  assert.equal(b.bitLength, 3);
  rejects(hex('0300'), (r) => r.bitString('b'), 'bad_bit_string');
  rejects(hex('0302 08ff'), (r) => r.bitString('b'), 'bad_bit_string');
  rejects(hex('0301 01'), (r) => r.bitString('b'), 'bad_bit_string');
  rejects(hex('0302 01ff'), (r) => r.bitString('b'), 'bad_bit_string');
  assert.equal(der.namedBits([0, 2]).toString('hex'), '030205a0');
  assert.equal(der.namedBits([]).toString('hex'), '030100');
  assert.equal(der.bitString(hex('ff'), 3).toString('hex'), '030203f8');
});

test('OBJECT IDENTIFIER: minimal subidentifiers, dotted round trip incl. big arcs', () => {
  const cases: [string, string][] = [
    ['06062a864886f70d', '1.2.840.113549'],
    ['0603550403', '2.5.4.3'],
    ['0603883703', '2.999.3'],
    ['060100', '0.0'],
    ['0614' + '6983f09da7ebcfdee0c7a1a7b2c5bde8d28c0b', '2.25.' + BigInt('0x' + 'c1e3a7e6f2f8d3c8e4f6a4e3c9a6e3b').toString()],
  ];
  for (const [h, dotted] of cases) {
    const enc = der.oid(dotted);
    assert.equal(new DerReader(enc).oid('o'), dotted);
    if (!h.startsWith('0614')) assert.equal(enc.toString('hex'), h, dotted);
  }
  rejects(hex('0600'), (r) => r.oid('o'), 'bad_oid');
  rejects(hex('0602 8001'), (r) => r.oid('o'), 'bad_oid');
  rejects(hex('0602 2a86'), (r) => r.oid('o'), 'bad_oid');
  assert.throws(() => der.oid('1.40'), DerError);
  assert.throws(() => der.oid('3.1'), DerError);
  assert.throws(() => der.oid('1.02'), DerError);
});

test('UTCTime / GeneralizedTime: strict DER forms only', () => {
  const t = (id: number, s: string) => Buffer.concat([Buffer.of(id, s.length), Buffer.from(s, 'latin1')]);
  const ok = new DerReader(t(Tag.UTC_TIME, '491231235959Z')).time('t');
  assert.equal(ok.date.toISOString(), '2049-12-31T23:59:59.000Z');
  assert.equal(new DerReader(t(Tag.UTC_TIME, '500101000000Z')).time('t').date.toISOString(), '1950-01-01T00:00:00.000Z');
  const g = new DerReader(t(Tag.GENERALIZED_TIME, '20240229120000.125Z')).time('t');
  assert.equal(g.date.toISOString(), '2024-02-29T12:00:00.125Z');
  assert.equal(g.fraction, '125');
  assert.equal(new DerReader(t(Tag.GENERALIZED_TIME, '00050101000000Z')).time('t').date.getUTCFullYear(), 5);
  for (const [id, s] of [
    [Tag.UTC_TIME, '4912312359Z'], // no seconds
    [Tag.UTC_TIME, '491231235959'], // no Z
    [Tag.UTC_TIME, '491231235959+0000'],
    [Tag.UTC_TIME, '491231235959.1Z'],
    [Tag.UTC_TIME, '491331235959Z'], // month 13
    [Tag.UTC_TIME, '230229000000Z'], // not a leap year
    [Tag.UTC_TIME, '491231245959Z'],
    [Tag.UTC_TIME, '491231236059Z'],
    [Tag.UTC_TIME, '491231235960Z'], // no leap seconds
    [Tag.UTC_TIME, '4912312359 9Z'],
    [Tag.GENERALIZED_TIME, '20240101000000.10Z'], // trailing zero in fraction
    [Tag.GENERALIZED_TIME, '20240101000000.Z'],
    [Tag.GENERALIZED_TIME, '202401010000Z'],
    [Tag.GENERALIZED_TIME, '20240101000000,5Z'],
    [Tag.GENERALIZED_TIME, '20240100000000Z'],
  ] as const) {
    rejects(t(id, s), (r) => r.time('t'), 'bad_time');
  }
  rejects(hex('0400'), (r) => r.time('t'), 'unexpected_tag');
  assert.equal(decodeTime(readElement(t(Tag.UTC_TIME, '000101000000Z'))).date.getUTCFullYear(), 2000);
});

test('writer time(): UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5)', () => {
  assert.equal(der.time(new Date('2049-12-31T23:59:59Z')).toString('latin1', 2), '491231235959Z');
  assert.equal(der.time(new Date('2049-12-31T23:59:59Z'))[0], Tag.UTC_TIME);
  assert.equal(der.time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2), '20500101000000Z');
  assert.equal(der.time(new Date('1949-12-31T23:59:59Z')).toString('latin1', 2), '19491231235959Z');
  assert.throws(() => der.utcTime(new Date('2050-01-01T00:00:00Z')), DerError);
  assert.throws(() => der.time(new Date(NaN)), DerError);
});

test('strings: every type decodes as OpenSSL does; invalid encodings rejected', () => {
  const s = (id: number, b: Buffer) => new DerReader(Buffer.concat([Buffer.of(id, b.length), b])).string('s');
  assert.equal(s(Tag.UTF8_STRING, Buffer.from('héllo 😀')).value, 'héllo 😀');
  assert.equal(s(Tag.BMP_STRING, hex('00480069')).value, 'Hi');
  assert.equal(s(Tag.UNIVERSAL_STRING, hex('0001f600')).value, '😀');
  assert.equal(s(Tag.TELETEX_STRING, hex('636166e9')).value, 'café');
  assert.equal(s(Tag.IA5_STRING, Buffer.from('a\0b')).value, 'a\0b');
  rejects(hex('0c02 c328'), (r) => r.string('s'), 'bad_string');
  rejects(hex('1e03 004800'), (r) => r.string('s'), 'bad_string');
  rejects(hex('1c04 00110000'), (r) => r.string('s'), 'bad_string');
  rejects(hex('1c04 0000d800'), (r) => r.string('s'), 'bad_string');
  rejects(hex('0400'), (r) => r.string('s'), 'unexpected_tag');
  for (const [tag, v] of [[Tag.UTF8_STRING, 'ü😀'], [Tag.BMP_STRING, 'Ω'], [Tag.UNIVERSAL_STRING, '😀x'], [Tag.TELETEX_STRING, 'é'], [Tag.PRINTABLE_STRING, "A-z 0'()+,./:=?"], [Tag.NUMERIC_STRING, '12 3']] as const) {
    assert.equal(new DerReader(der.string(tag, v)).string('s').value, v);
  }
  assert.throws(() => der.printableString('a@b'), DerError);
  assert.throws(() => der.ia5String('é'), DerError);
  assert.throws(() => der.utf8String('\ud800'), DerError);
});

test('validateDer checks ANY values all the way down', () => {
  validateDer(readElement(der.sequence(der.oid('1.2.3'), der.sequence(der.integer(5), der.boolean(false)), der.explicit(0, der.utf8String('ok')))));
  const bad = [hex('3003 010101'), hex('3004 02020001'), hex('3002 0601'), hex('3004 0c02c328'), hex('3004 0302 01ff'), hex('0501 00')];
  for (const b of bad) assert.throws(() => validateDer(readElement(b)), DerError, b.toString('hex'));
  let deep = der.null();
  for (let i = 0; i < 40; i++) deep = der.sequence(deep);
  assert.throws(() => validateDer(readElement(deep)), DerError);
});

test('errors carry the field path and absolute offset', () => {
  // SEQUENCE { INTEGER 1, SEQUENCE { BOOLEAN 0x01 } }
  const bytes = der.sequence(der.integer(1), der.sequence(hex('010101')));
  try {
    const outer = readSequence(bytes, 'cert');
    outer.integer('serial');
    const inner = outer.sequence('ext');
    inner.boolean('critical');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof DerError);
    assert.equal(e.path, 'cert.ext.critical');
    assert.equal(e.offset, 7);
    assert.match(e.message, /at cert\.ext\.critical, offset 7/);
  }
});

test('SET OF is DER-sorted; explicit and implicit tags; SEQUENCE nesting', () => {
  const set = der.setOf(der.integer(300), der.integer(2), der.octetString(Buffer.alloc(0)));
  assert.equal(set.toString('hex'), '3109' + '020102' + '0202012c' + '0400');
  assert.equal(der.explicit(3, der.null()).toString('hex'), 'a3020500');
  assert.equal(der.implicit(1, der.sequence()).toString('hex'), 'a100');
  assert.equal(der.implicit(2, der.ia5String('a')).toString('hex'), '820161');
  assert.equal(der.contextPrimitive(7, hex('7f000001')).toString('hex'), '87047f000001');
  assert.throws(() => der.contextPrimitive(31, Buffer.alloc(0)), DerError);
  assert.throws(() => der.explicit(-1), DerError);
  assert.throws(() => der.element(0x1f, Buffer.alloc(0)), DerError);
  const big = der.octetString(Buffer.alloc(300));
  assert.equal(big.subarray(0, 4).toString('hex'), '0482012c');
});

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
test('openssl asn1parse reads what the writer writes', { skip: openssl.status !== 0 ? 'openssl not available' : false }, () => {
  const doc = der.sequence(
    der.integer(-129n),
    der.integer(1n << 70n),
    der.oid('1.2.840.113549.1.1.11'),
    der.utf8String('héllo'),
    der.printableString('Printable'),
    der.bitString(hex('a0'), 5),
    der.boolean(true),
    der.null(),
    der.time(new Date('2030-01-02T03:04:05Z')),
    der.time(new Date('2050-01-02T03:04:05Z')),
    der.explicit(0, der.octetString(Buffer.alloc(200, 1))),
    der.setOf(der.integer(2), der.integer(1)),
  );
  const r = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: doc, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const expected of ['INTEGER           :-81', 'INTEGER           :400000000000000000', 'sha256WithRSAEncryption', 'PRINTABLESTRING   :Printable', 'BOOLEAN           :255', 'NULL', 'UTCTIME           :300102030405Z', 'GENERALIZEDTIME   :20500102030405Z', 'cont [ 0 ]', 'SET']) {
    assert.ok(r.stdout.includes(expected), `asn1parse output lacks ${expected}:\n${r.stdout}`);
  }
  assert.doesNotMatch(r.stdout, /error|Error/);
});
