/**
 * Canonical name comparison and hashing against libcrypto (python3 ctypes):
 * random names with every string type, case and white-space variants and
 * multi-valued RDNs must give the same X509_NAME_cmp verdict and the same
 * X509_NAME_hash as OpenSSL — chain building and capath lookups depend on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultProvider } from '../../src/crypto/index.js';
import { buildCertificate, type NameAttributeSpec } from '../../src/x509/builder.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { Tag } from '../../src/x509/der-tags.js';
import { nameHash, namesEqual } from '../../src/x509/name-canon.js';
import { LIBCRYPTO_PRELUDE, libcryptoSkipReason, pythonJson } from '../helpers/openssl.js';

/** Fixed for reproducibility; set SSLSOCK_FUZZ_SEED to explore other samples. */
const SEED = Number(process.env.SSLSOCK_FUZZ_SEED ?? 4514);

const PRINTABLE_CHARS = ['a', 'B', 'z', ' ', ' ', '-', '1'];
const WIDE_CHARS = [...PRINTABLE_CHARS, '\t', '\n', 'é', 'É', 'ß', 'Ω', '\u00a0'];
// VisibleString is left out: the certificate parser refuses it in names (OpenSSL accepts it).
const TAGS = [Tag.UTF8_STRING, Tag.PRINTABLE_STRING, Tag.IA5_STRING, Tag.BMP_STRING, Tag.TELETEX_STRING, Tag.UNIVERSAL_STRING];

const value = fc.array(fc.constantFrom(...WIDE_CHARS), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
const attribute = fc.record({ type: fc.constantFrom('CN', 'O', 'OU', 'L'), value, tag: fc.constantFrom(...TAGS) });
const rdn = fc.array(attribute, { minLength: 1, maxLength: 2 });
const name = fc.array(rdn, { minLength: 0, maxLength: 3 });

/** Restricts a value to what its string type can carry (PrintableString and the ASCII types). */
function fit(a: { type: string; value: string; tag: number }): NameAttributeSpec {
  const ascii = a.tag === Tag.PRINTABLE_STRING || a.tag === Tag.IA5_STRING || a.tag === Tag.VISIBLE_STRING;
  const latin1 = a.tag === Tag.TELETEX_STRING;
  let v = [...a.value]
    .filter((c) => (a.tag === Tag.PRINTABLE_STRING ? PRINTABLE_CHARS.includes(c) : ascii ? c.charCodeAt(0) < 0x80 : latin1 ? c.charCodeAt(0) <= 0xff : true))
    .join('');
  if (v.length === 0) v = 'x';
  return { type: a.type, value: v, tag: a.tag };
}

type Rdns = { type: string; value: string; tag: number }[][];

/** A variant that OpenSSL should consider equal: other case, other white space, other string type. */
function variant(rdns: Rdns, twist: number): Rdns {
  return rdns.map((r) =>
    r.map((a, i) => {
      let v = a.value;
      if (twist & 1) v = v.toUpperCase();
      if (twist & 2) v = `  ${v.replace(/ /g, ' \t ')} `;
      const tag = twist & 4 ? Tag.UTF8_STRING : a.tag;
      return { ...a, value: i === 0 && twist & 8 ? `${v}!` : v, tag };
    }),
  );
}

const toSpec = (rdns: Rdns) => rdns.map((r) => (r.length === 1 ? fit(r[0]!) : r.map(fit)));

test('name equality and hashes agree with libcrypto X509_NAME_cmp / X509_NAME_hash', { skip: libcryptoSkipReason() ?? false }, () => {
  const key = defaultProvider.generateSigningKey({ type: 'ec', curve: 'P-256' });
  const samples = fc.sample(fc.tuple(name, fc.nat(15), fc.boolean()), { seed: SEED, numRuns: 250 });
  const ders: string[] = [];
  const ours: { equal: boolean; subjectHash: string; issuerHash: string }[] = [];
  for (const [rdns, twist, unrelated] of samples) {
    const subject = toSpec(rdns);
    const issuer = unrelated ? toSpec([[{ type: 'CN', value: 'other', tag: Tag.UTF8_STRING }]]) : toSpec(variant(rdns, twist));
    const built = buildCertificate({
      serialNumber: 1,
      subject,
      issuer,
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2030, 0, 1)),
      publicKey: key.publicKey,
      signingKey: key,
      extensions: { subjectKeyIdentifier: false, authorityKeyIdentifier: false, subjectAltName: [{ type: 'dns', value: 'x.example' }] },
    });
    const cert = parseCertificate(built.der);
    ders.push(built.der.toString('hex'));
    ours.push({ equal: namesEqual(cert.subject, cert.issuer), subjectHash: nameHash(cert.subject, defaultProvider), issuerHash: nameHash(cert.issuer, defaultProvider) });
  }
  const oracle = pythonJson<{ equal: boolean; subjectHash: string; issuerHash: string }[]>(
    `${LIBCRYPTO_PRELUDE}
lib.X509_get_subject_name.restype = ctypes.c_void_p; lib.X509_get_subject_name.argtypes = [ctypes.c_void_p]
lib.X509_get_issuer_name.restype = ctypes.c_void_p; lib.X509_get_issuer_name.argtypes = [ctypes.c_void_p]
lib.X509_NAME_cmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
lib.X509_NAME_hash_ex.restype = ctypes.c_ulong
lib.X509_NAME_hash_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
out = []
for der in json.load(sys.stdin):
    x = load_der(bytes.fromhex(der))
    s, i = lib.X509_get_subject_name(x), lib.X509_get_issuer_name(x)
    ok = ctypes.c_int(0)
    out.append({'equal': lib.X509_NAME_cmp(s, i) == 0,
                'subjectHash': '%08x' % lib.X509_NAME_hash_ex(s, None, None, ctypes.byref(ok)),
                'issuerHash': '%08x' % lib.X509_NAME_hash_ex(i, None, None, ctypes.byref(ok))})
    lib.X509_free(x)
print(json.dumps(out))`,
    ders,
  );
  const disagreements = ours.flatMap((o, i) => (JSON.stringify(o) === JSON.stringify(oracle[i]) ? [] : [`#${i} ${JSON.stringify(samples[i])}: ours ${JSON.stringify(o)}, libcrypto ${JSON.stringify(oracle[i])}`]));
  assert.deepEqual(disagreements.slice(0, 3), []);
  assert.ok(oracle.some((o) => o.equal) && oracle.some((o) => !o.equal), 'the sample covers equal and different names');
});
