/**
 * One canonical name comparison: `Name.equals` / `Name.canonicalKey` and
 * name-canon.ts's `namesEqual` / `canonicalNameEncoding` must give the same
 * verdict on names where a second implementation would be tempted to differ
 * (case, white space, string types, multi-valued RDNs, non-canonicalised
 * types), the verdict must be libcrypto's X509_NAME_cmp, and the hash of the
 * canonical encoding must be what `openssl x509 -subject_hash` prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { buildCertificate, type NameSpec } from '../../src/x509/builder.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { Tag } from '../../src/x509/der-tags.js';
import { canonicalNameEncoding, nameHash, namesEqual } from '../../src/x509/name-canon.js';
import { LIBCRYPTO_PRELUDE, libcryptoSkipReason, openssl, opensslSkipReason, pythonJson } from '../helpers/openssl.js';

interface Case {
  readonly what: string;
  readonly subject: NameSpec;
  readonly issuer: NameSpec;
  /** X509_NAME_cmp(subject, issuer) === 0, as reasoned from crypto/x509/x_name.c. */
  readonly equal: boolean;
}

const utf8 = (type: string, value: string) => ({ type, value, tag: Tag.UTF8_STRING });
const printable = (type: string, value: string) => ({ type, value, tag: Tag.PRINTABLE_STRING });
const bmp = (type: string, value: string) => ({ type, value, tag: Tag.BMP_STRING });
const ia5 = (type: string, value: string) => ({ type, value, tag: Tag.IA5_STRING });
const numeric = (type: string, value: string) => ({ type, value, tag: Tag.NUMERIC_STRING });

const CASES: readonly Case[] = [
  { what: 'ASCII case differs', subject: [utf8('CN', 'Example CA')], issuer: [utf8('CN', 'eXAMPLE ca')], equal: true },
  { what: 'leading, trailing and internal white space', subject: [utf8('CN', ' \t Example \n\v  CA \r')], issuer: [utf8('CN', 'example ca')], equal: true },
  { what: 'PrintableString against UTF8String', subject: [printable('O', 'Python  Software')], issuer: [utf8('O', 'PYTHON SOFTWARE')], equal: true },
  { what: 'BMPString against UTF8String, non-ASCII kept', subject: [bmp('L', 'STRAßE')], issuer: [utf8('L', ' straße ')], equal: true },
  { what: 'non-ASCII letters are not case-folded', subject: [utf8('L', 'É')], issuer: [utf8('L', 'é')], equal: false },
  { what: 'a no-break space is not white space', subject: [utf8('CN', 'a\u00a0b')], issuer: [utf8('CN', 'a b')], equal: false },
  { what: 'IA5String against BMPString', subject: [ia5('DC', 'Example')], issuer: [bmp('DC', 'example')], equal: true },
  { what: 'NumericString is not canonicalised', subject: [numeric('serialNumber', '1  2')], issuer: [numeric('serialNumber', '1 2')], equal: false },
  { what: 'multi-valued RDN in another order and case', subject: [[utf8('CN', 'a'), utf8('O', 'b')]], issuer: [[printable('O', 'B'), utf8('CN', ' A')]], equal: true },
  { what: 'multi-valued RDN against the same attributes as two RDNs', subject: [[utf8('CN', 'a'), utf8('O', 'b')]], issuer: [utf8('CN', 'a'), utf8('O', 'b')], equal: false },
  { what: 'RDN order matters', subject: [utf8('O', 'b'), utf8('CN', 'a')], issuer: [utf8('CN', 'a'), utf8('O', 'b')], equal: false },
  { what: 'same value, other attribute type', subject: [utf8('CN', 'x')], issuer: [utf8('OU', 'x')], equal: false },
  { what: 'empty names', subject: [], issuer: [], equal: true },
];

const KEY = defaultProvider.generateSigningKey({ type: 'ec', curve: 'P-256' });

function certFor(c: Case): Buffer {
  return buildCertificate({
    serialNumber: 1,
    subject: c.subject,
    issuer: c.issuer,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2030, 0, 1)),
    publicKey: KEY.publicKey,
    signingKey: KEY,
    extensions: { subjectKeyIdentifier: false, authorityKeyIdentifier: false, subjectAltName: [{ type: 'dns', value: 'x.example' }] },
  }).der;
}

const DERS = CASES.map(certFor);

test('Name.equals, Name.canonicalKey and namesEqual give one verdict on tricky names', () => {
  for (const [i, c] of CASES.entries()) {
    const cert = parseCertificate(DERS[i]!);
    const { subject, issuer } = cert;
    assert.equal(namesEqual(subject, issuer), c.equal, c.what);
    assert.equal(subject.equals(issuer), c.equal, c.what);
    assert.equal(subject.canonicalKey === issuer.canonicalKey, c.equal, c.what);
    assert.equal(canonicalNameEncoding(subject).equals(canonicalNameEncoding(issuer)), c.equal, c.what);
    // Raw-different names: equality comes from the canonical form, not the byte shortcut.
    if (c.equal && c.subject.length > 0) assert.notDeepEqual(subject.raw, issuer.raw, c.what);
  }
});

test('the tricky-name verdicts are libcrypto X509_NAME_cmp', { skip: libcryptoSkipReason() ?? false }, () => {
  const oracle = pythonJson<boolean[]>(
    `${LIBCRYPTO_PRELUDE}
lib.X509_get_subject_name.restype = ctypes.c_void_p; lib.X509_get_subject_name.argtypes = [ctypes.c_void_p]
lib.X509_get_issuer_name.restype = ctypes.c_void_p; lib.X509_get_issuer_name.argtypes = [ctypes.c_void_p]
lib.X509_NAME_cmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
out = []
for der in json.load(sys.stdin):
    x = load_der(bytes.fromhex(der))
    out.append(lib.X509_NAME_cmp(lib.X509_get_subject_name(x), lib.X509_get_issuer_name(x)) == 0)
    lib.X509_free(x)
print(json.dumps(out))`,
    DERS.map((d) => d.toString('hex')),
  );
  assert.deepEqual(
    oracle.map((eq, i) => `${CASES[i]!.what}: ${eq}`),
    CASES.map((c) => `${c.what}: ${c.equal}`),
  );
});

test('the SHA-1 hash of canonicalNameEncoding is openssl x509 -subject_hash / -issuer_hash', { skip: opensslSkipReason() ?? false }, () => {
  for (const [i, c] of CASES.entries()) {
    const cert = parseCertificate(DERS[i]!);
    const expected = openssl(['x509', '-inform', 'DER', '-noout', '-subject_hash', '-issuer_hash'], { input: DERS[i]! }).trim().split('\n');
    assert.deepEqual([nameHash(cert.subject, defaultProvider), nameHash(cert.issuer, defaultProvider)], expected, c.what);
    if (c.equal) assert.equal(expected[0], expected[1], `${c.what}: equal names hash alike`);
  }
});
