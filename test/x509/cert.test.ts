/**
 * The certificate model: fields of real certificates (CPython's, OpenSSL-made
 * RSA-PSS / Ed25519 / P-384) against what `openssl x509` reports, extension
 * decoding, name comparison, and the structural rules (version, duplicates,
 * malformed extensions reported with their path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseCertificate, type Certificate } from '../../src/x509/certificate.js';
import { pemBlocksWithLabel, toPem } from '../../src/x509/pem.js';
import { der, Tag, X509Error, DerError, readElement } from '../../src/x509/der.js';
import { OID } from '../../src/x509/oids.js';
import { parseName, NAME_VALUE_TAGS } from '../../src/x509/name.js';
import { signatureAlgorithmInfo, algorithmIdentifierFrom } from '../../src/x509/algorithm.js';
import { formatAsn1Time } from '../../src/x509/time.js';
import { opensslSerial } from '../../src/x509/peercert.js';
import { processTempDir } from '../helpers/tmp.js';

const DIR = new URL('../../../test/vectors/x509/', import.meta.url);
const pemOf = (file: string): string => readFileSync(new URL(file, DIR), 'latin1');
const load = (file: string): Certificate => parseCertificate(pemBlocksWithLabel(pemOf(file), 'CERTIFICATE')[0]!);

test('keycert3: every field as openssl x509 -text shows it', () => {
  const c = load('cpython-keycert3.pem');
  assert.equal(c.version, 3);
  assert.equal(c.serialNumber, 0xcb2d80995a69525cn);
  assert.equal(c.serialRaw.toString('hex'), '00cb2d80995a69525c');
  assert.equal(c.signatureAlgorithm.name, 'sha256WithRSAEncryption');
  assert.deepEqual(c.signatureAlgorithm.algorithm, { kind: 'rsa-pkcs1', hash: 'SHA-256' });
  assert.ok(c.signatureAlgorithm.raw.equals(c.tbsSignatureAlgorithm.raw));
  assert.equal(c.signatureValue.length, 384);
  assert.equal(c.subject.toString(), 'CN=localhost,O=Python Software Foundation,L=Castle Anthrax,C=XY');
  assert.equal(c.issuer.toString(), 'CN=our-ca-server,O=Python Software Foundation CA,C=XY');
  assert.equal(c.notBefore.toISOString(), '2018-08-29T14:23:16.000Z');
  assert.equal(c.notAfterTime.raw, '371028142316Z');
  assert.equal(c.subjectPublicKeyInfo.keyType, 'rsa');
  assert.equal(c.subjectPublicKeyInfo.algorithm.oid, OID.rsaEncryption);
  assert.ok(c.raw.subarray(c.raw.indexOf(c.tbsRaw)).length > 0 && c.raw.includes(c.tbsRaw));
  assert.equal(c.isSelfIssued, false);

  const x = c.extensions;
  assert.deepEqual(x.list.map((e) => [e.name, e.critical]), [
    ['X509v3 Subject Alternative Name', false],
    ['X509v3 Key Usage', true],
    ['X509v3 Extended Key Usage', false],
    ['X509v3 Basic Constraints', true],
    ['X509v3 Subject Key Identifier', false],
    ['X509v3 Authority Key Identifier', false],
    ['Authority Information Access', false],
    ['X509v3 CRL Distribution Points', false],
  ]);
  assert.equal(x.list[0]!.path, 'tbsCertificate.extensions[0].extnValue');
  assert.deepEqual(x.subjectAltName?.map((g) => g.type === 'dNSName' && g.value), ['localhost']);
  assert.ok(x.keyUsage!.has('digitalSignature') && x.keyUsage!.has('keyEncipherment') && !x.keyUsage!.has('keyCertSign'));
  assert.equal(x.keyUsage!.mask, 0b101);
  assert.deepEqual(x.extKeyUsage, [OID.serverAuth, OID.clientAuth]);
  assert.deepEqual(x.basicConstraints, { ca: false, pathLen: null });
  assert.equal(x.subjectKeyIdentifier!.toString('hex'), '85751025d02c8050241a5b5770deb5cb71a93b7b');
  const aki = x.authorityKeyIdentifier!;
  assert.equal(aki.keyIdentifier!.toString('hex'), 'b38aa0a2ba71f1a82479d4a45b2536151e49c8cd');
  assert.equal(aki.authorityCertSerialNumber, 0xcb2d80995a69525bn);
  const dir = aki.authorityCertIssuer![0]!;
  assert.ok(dir.type === 'directoryName' && dir.name.toString() === 'CN=our-ca-server,O=Python Software Foundation CA,C=XY');
  assert.deepEqual(x.ocspUris, ['http://testca.pythontest.net/testca/ocsp/']);
  assert.deepEqual(x.caIssuersUris, ['http://testca.pythontest.net/testca/pycacert.cer']);
  const dp = x.crlDistributionPoints![0]!;
  assert.ok(dp.fullName![0]!.type === 'uniformResourceIdentifier' && dp.fullName![0]!.value === 'http://testca.pythontest.net/testca/revocation.crl');
  assert.equal(x.certificatePolicies, null);
  assert.deepEqual(x.errors(), []);
  assert.deepEqual(x.unknownCritical(), []);
});

test('the CA certificate: self-issued, CA:TRUE, its subject matches the leaf issuer and AKI', () => {
  const ca = load('cpython-pycacert.pem');
  const leaf = load('cpython-keycert3.pem');
  assert.equal(ca.isSelfIssued, true);
  assert.deepEqual(ca.extensions.basicConstraints, { ca: true, pathLen: null });
  assert.ok(leaf.issuer.equals(ca.subject));
  assert.ok(leaf.issuer.raw.equals(ca.subject.raw));
  assert.equal(leaf.issuer.canonicalKey, ca.subject.canonicalKey);
  assert.ok(leaf.extensions.authorityKeyIdentifier!.keyIdentifier!.equals(ca.extensions.subjectKeyIdentifier!));
});

test('OpenSSL-made certificates: RSA-PSS signature parameters, RSA-PSS and Ed25519 and P-384 keys', () => {
  const pss = load('openssl-rsa-pss-sig.pem');
  assert.equal(pss.signatureAlgorithm.name, 'rsassaPss');
  assert.deepEqual(pss.signatureAlgorithm.algorithm, { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 });
  assert.equal(pss.subjectPublicKeyInfo.keyType, 'rsa');
  const pssKey = load('openssl-rsa-pss-key.pem');
  assert.equal(pssKey.subjectPublicKeyInfo.keyType, 'rsa-pss');
  assert.equal(pssKey.signatureAlgorithm.algorithm?.kind, 'rsa-pss');
  const ed = load('openssl-ed25519.pem');
  assert.deepEqual(ed.signatureAlgorithm.algorithm, { kind: 'ed25519' });
  assert.equal(ed.subjectPublicKeyInfo.keyType, 'ed25519');
  assert.equal(ed.subjectPublicKeyInfo.publicKey.bytes.length, 32);
  const san = ed.extensions.subjectAltName!;
  assert.deepEqual(san.map((g) => g.type), ['iPAddress', 'iPAddress', 'rfc822Name']);
  const ec = load('openssl-ec-p384.pem');
  assert.equal(ec.subjectPublicKeyInfo.curve, 'P-384');
  assert.equal(ec.subjectPublicKeyInfo.curveOid, OID.secp384r1);
  assert.deepEqual(ec.signatureAlgorithm.algorithm, { kind: 'ecdsa', hash: 'SHA-384' });
  assert.deepEqual(ec.extensions.basicConstraints, { ca: true, pathLen: 2 });
  assert.equal(ec.extensions.keyUsage!.mask, (1 << 5) | (1 << 6));
  assert.deepEqual(ec.extensions.certificatePolicies!.map((p) => p.policyId), ['2.23.140.1.2.1', '1.2.3.4']);
  const nc = ec.extensions.nameConstraints!;
  assert.equal(nc.permitted!.length, 2);
  const [dnsTree, ipTree] = nc.permitted!;
  assert.ok(dnsTree!.base.type === 'dNSName' && dnsTree!.base.value === '.example.org');
  assert.ok(ipTree!.base.type === 'iPAddress' && ipTree!.base.bytes.toString('hex') === '0a000000ff000000');
  assert.ok(nc.excluded![0]!.base.type === 'rfc822Name');
  assert.deepEqual(ec.extensions.unknownCritical().map((e) => e.oid), ['1.2.3.4.5.6.7']);
});

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
test('serial, dates and key identifiers agree with openssl x509 for every fixture', { skip: openssl.status !== 0 ? 'openssl not available' : false }, () => {
  const files = ['cpython-allsans.pem', 'cpython-nokia.pem', 'cpython-keycertecc.pem', 'cpython-nullbytecert.pem', 'cpython-talos-2019-0758.pem', 'openssl-ed25519.pem', 'openssl-ec-p384.pem', 'openssl-rsa-pss-sig.pem', 'gentime.pem', 'negserial.pem'];
  for (const f of files) {
    const r = spawnSync('openssl', ['x509', '-noout', '-serial', '-startdate', '-enddate', '-ext', 'subjectKeyIdentifier'], { input: pemOf(f), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const c = load(f);
    const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1];
    assert.equal(field('serial'), opensslSerial(c.serialRaw), f);
    assert.equal(field('notBefore'), formatAsn1Time(c.notBeforeTime), f);
    assert.equal(field('notAfter'), formatAsn1Time(c.notAfterTime), f);
    const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(r.stdout)?.[1];
    assert.equal(ski, c.extensions.subjectKeyIdentifier?.toString('hex').toUpperCase().match(/../g)!.join(':'), f);
  }
});

test('name comparison is OpenSSL-canonical: case, whitespace and string type do not matter', () => {
  const name = (...atvs: [string, number, string][]) => parseName(readElement(der.sequence(...atvs.map(([oid, tag, v]) => der.set(der.sequence(der.oid(oid), der.string(tag, v))))), 'n'));
  const a = name([OID.countryName, Tag.PRINTABLE_STRING, 'XY'], [OID.commonName, Tag.PRINTABLE_STRING, 'Our  CA Server']);
  const b = name([OID.countryName, Tag.UTF8_STRING, 'xy'], [OID.commonName, Tag.UTF8_STRING, '  our ca\tSERVER ']);
  const c = name([OID.countryName, Tag.PRINTABLE_STRING, 'XY'], [OID.commonName, Tag.UTF8_STRING, 'Our CA Server 2']);
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
  assert.ok(!a.raw.equals(b.raw));
  // Non-ASCII is not case-folded; NumericString is compared byte for byte.
  assert.ok(!name([OID.commonName, Tag.UTF8_STRING, 'É']).equals(name([OID.commonName, Tag.UTF8_STRING, 'é'])));
  assert.ok(!name([OID.postalCode, Tag.NUMERIC_STRING, '1 2']).equals(name([OID.postalCode, Tag.NUMERIC_STRING, '1  2'])));
  // Attribute order inside a multi-valued RDN does not matter; RDN order does.
  const rdn = (...atvs: Buffer[]) => parseName(readElement(der.sequence(der.set(...atvs)), 'n'));
  const cn = der.sequence(der.oid(OID.commonName), der.utf8String('x'));
  const o = der.sequence(der.oid(OID.organizationName), der.utf8String('y'));
  assert.ok(rdn(cn, o).equals(rdn(o, cn)));
  assert.ok(!name([OID.commonName, Tag.UTF8_STRING, 'x'], [OID.organizationName, Tag.UTF8_STRING, 'y']).equals(rdn(cn, o)));
  assert.equal(rdn(cn, o).toString(), 'CN=x+O=y');
});

test('name attribute values of types OpenSSL refuses (VisibleString, INTEGER) are rejected; empty RDN too', () => {
  const bad = der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.string(Tag.VISIBLE_STRING, 'v'))));
  assert.throws(() => parseName(readElement(bad, 'subject')), (e: unknown) => e instanceof X509Error && e.code === 'bad_name' && e.path === 'subject[0][0].value');
  assert.throws(() => parseName(readElement(der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.integer(1)))), 's')), X509Error);
  assert.throws(() => parseName(readElement(der.sequence(der.set()), 's')), (e: unknown) => e instanceof X509Error && e.code === 'bad_name');
});

// ─── synthetic certificates for the structural rules ───

const sigAlg = der.sequence(der.oid(OID.ecdsaWithSHA256));
const simpleName = der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.utf8String('t'))));
const spki = load('openssl-ec-p384.pem').subjectPublicKeyInfo.raw;
const validity = der.sequence(der.utcTime(new Date('2020-01-01T00:00:00Z')), der.utcTime(new Date('2030-01-01T00:00:00Z')));
function build(opts: { version?: Buffer | null; extensions?: Buffer[]; uid?: Buffer; trailing?: Buffer; sig?: Buffer }): Buffer {
  const tbs = der.sequence(
    ...(opts.version === null ? [] : [opts.version ?? der.explicit(0, der.integer(2))]),
    der.integer(5),
    sigAlg,
    simpleName,
    validity,
    simpleName,
    spki,
    ...(opts.uid ? [opts.uid] : []),
    ...(opts.extensions ? [der.explicit(3, der.sequence(...opts.extensions))] : []),
  );
  return Buffer.concat([der.sequence(tbs, opts.sig ?? sigAlg, der.bitString(Buffer.alloc(8, 1))), opts.trailing ?? Buffer.alloc(0)]);
}
const ext = (oid: string, value: Buffer, critical = false) => der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
const code = (c: string, path?: string) => (e: unknown) => e instanceof X509Error && e.code === c && (path === undefined || e.path === path);

test('a minimal synthetic certificate parses; self-issued detection', () => {
  const c = parseCertificate(build({}));
  assert.equal(c.version, 3);
  assert.equal(c.isSelfIssued, true);
  assert.equal(c.extensions.list.length, 0);
  assert.equal(c.extensions.basicConstraints, null);
});

test('version rules: DEFAULT v1 encoded, unknown versions, extensions or unique IDs in the wrong version', () => {
  assert.throws(() => parseCertificate(build({ version: der.explicit(0, der.integer(0)) })), code('bad_version'));
  assert.throws(() => parseCertificate(build({ version: der.explicit(0, der.integer(3)) })), code('bad_version'));
  assert.throws(() => parseCertificate(build({ version: null, extensions: [ext(OID.basicConstraints, der.sequence())] })), code('bad_version'));
  assert.throws(() => parseCertificate(build({ version: der.explicit(0, der.integer(1)), extensions: [ext(OID.basicConstraints, der.sequence())] })), code('bad_version'));
  assert.throws(() => parseCertificate(build({ version: null, uid: der.contextPrimitive(1, Buffer.of(0, 1)) })), code('bad_version'));
  const v2 = parseCertificate(build({ version: der.explicit(0, der.integer(1)), uid: der.contextPrimitive(1, Buffer.of(0, 0xaa)) }));
  assert.equal(v2.version, 2);
  assert.equal(v2.issuerUniqueId!.bytes.toString('hex'), 'aa');
  assert.equal(parseCertificate(build({ version: null })).version, 1);
});

test('duplicate extensions are rejected with the path of the second one', () => {
  const bc = ext(OID.basicConstraints, der.sequence());
  assert.throws(() => parseCertificate(build({ extensions: [bc, ext(OID.keyUsage, der.namedBits([0])), bc] })), code('duplicate_extension', 'tbsCertificate.extensions[2]'));
});

test('a malformed known extension is reported by its accessor and by errors(), the rest still works', () => {
  const c = parseCertificate(build({ extensions: [ext(OID.subjectAltName, der.sequence(der.contextPrimitive(2, Buffer.from('ok.example')))), ext(OID.basicConstraints, der.sequence(der.boolean(true), der.integer(-1)), true)] }));
  assert.equal(c.extensions.subjectAltName!.length, 1);
  assert.throws(() => c.extensions.basicConstraints, (e: unknown) => e instanceof X509Error && e.code === 'integer_too_large' && e.path.startsWith('tbsCertificate.extensions[1].extnValue'));
  const errors = c.extensions.errors();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /extensions\[1\]\.extnValue/);
  assert.ok(errors[0]!.offset > 0 && errors[0]!.offset < c.raw.length);
});

test('extension value with trailing bytes, empty SAN, empty EKU, bad GeneralName tag: decode errors', () => {
  const bad = [
    ext(OID.basicConstraints, Buffer.concat([der.sequence(), Buffer.of(0)])),
    ext(OID.subjectAltName, der.sequence()),
    ext(OID.extKeyUsage, der.sequence()),
    ext(OID.issuerAltName, der.sequence(der.contextPrimitive(9, Buffer.of(1)))),
    ext(OID.nameConstraints, der.sequence()),
    ext(OID.certificatePolicies, der.sequence(der.sequence(der.oid('1.2.3')), der.sequence(der.oid('1.2.3')))),
    ext(OID.subjectInfoAccess, der.sequence(der.sequence(der.oid(OID.caIssuers), der.implicit(0, der.sequence(der.oid(OID.msUpn), der.explicit(0, Buffer.from('0c02c328', 'hex'))))))),
  ];
  const c = parseCertificate(build({ extensions: bad }));
  assert.equal(c.extensions.errors().length, bad.length);
  for (const e of c.extensions.errors()) assert.ok(e instanceof X509Error);
});

test('certificate-level faults: trailing bytes, odd signature bits, wrong outer tag', () => {
  assert.throws(() => parseCertificate(build({ trailing: Buffer.of(0) })), (e: unknown) => e instanceof DerError && e.code === 'trailing_data');
  assert.throws(() => parseCertificate(Buffer.from('3003020101', 'hex')), (e: unknown) => e instanceof DerError && e.code === 'unexpected_tag' && e.path === 'tbsCertificate');
  assert.throws(() => parseCertificate(Buffer.alloc(0)), (e: unknown) => e instanceof DerError && e.code === 'truncated');
});

test('signature algorithm parameters: PSS defaults and mismatches, NULL/absent rules', () => {
  const info = (b: Buffer) => signatureAlgorithmInfo(algorithmIdentifierFrom(readElement(b, 'alg')));
  const pss = (params: Buffer) => info(der.sequence(der.oid(OID.rsassaPss), params));
  const hashAid = (oid: string) => der.sequence(der.oid(oid), der.null());
  const mgf = (oid: string) => der.sequence(der.oid(OID.mgf1), hashAid(oid));
  assert.deepEqual(pss(der.sequence()).algorithm, { kind: 'rsa-pss', hash: 'SHA-1', saltLength: 20 });
  assert.deepEqual(pss(der.sequence(der.explicit(0, hashAid(OID.sha384)), der.explicit(1, mgf(OID.sha384)), der.explicit(2, der.integer(48)))).algorithm, { kind: 'rsa-pss', hash: 'SHA-384', saltLength: 48 });
  const mismatch = pss(der.sequence(der.explicit(0, hashAid(OID.sha256)), der.explicit(1, mgf(OID.sha1))));
  assert.equal(mismatch.algorithm, null);
  assert.match(mismatch.unsupportedReason!, /MGF1/);
  assert.equal(pss(der.sequence(der.explicit(3, der.integer(2)))).algorithm, null);
  assert.equal(info(der.sequence(der.oid(OID.sha256WithRSAEncryption))).algorithm?.kind, 'rsa-pkcs1');
  assert.equal(info(der.sequence(der.oid(OID.sha256WithRSAEncryption), der.integer(0))).algorithm, null);
  assert.equal(info(der.sequence(der.oid(OID.ecdsaWithSHA256), der.null())).algorithm, null);
  assert.equal(info(der.sequence(der.oid(OID.md5WithRSAEncryption), der.null())).algorithm, null);
  assert.equal(info(der.sequence(der.oid(OID.ed25519))).name, 'ED25519');
  // Parameters must be DER all the way down, as OpenSSL's d2i requires.
  assert.throws(() => info(der.sequence(der.oid(OID.ecPublicKey), Buffer.from('0102ffff', 'hex'))), (e: unknown) => e instanceof DerError && e.code === 'bad_boolean' && e.path === 'alg.parameters');
});

const python = spawnSync('python3', ['-c', 'import ssl'], { encoding: 'utf8' });
test('name value types: we accept exactly the universal tags OpenSSL (via python3) accepts', { skip: python.status !== 0 ? 'python3 not available' : false }, () => {
  const dir = processTempDir('sslsock-nametags-');
  const contentsFor = (tag: number): Buffer =>
    tag === Tag.BOOLEAN ? Buffer.of(0xff) : tag === Tag.NULL ? Buffer.alloc(0) : tag === Tag.OID ? Buffer.of(0x2a) : tag === Tag.BIT_STRING ? Buffer.of(0, 0x41) : tag === Tag.UTC_TIME ? Buffer.from('240101000000Z') : tag === Tag.GENERALIZED_TIME ? Buffer.from('20240101000000Z') : tag === Tag.UNIVERSAL_STRING ? Buffer.from('0000006100000062', 'hex') : Buffer.from('abcd');
  const ids: number[] = [];
  for (let tag = 1; tag < 31; tag++) ids.push(tag);
  ids.push(Tag.SEQUENCE, Tag.SET);
  const paths = ids.map((id) => {
    const value = id & 0x20 ? der.element(id, der.utf8String('ab')) : der.element(id, contentsFor(id));
    const name = der.sequence(der.set(der.sequence(der.oid(OID.commonName), value)));
    const tbs = der.sequence(der.explicit(0, der.integer(2)), der.integer(1), sigAlg, name, validity, name, spki);
    const path = join(dir, `tag-${id}.pem`);
    writeFileSync(path, toPem('CERTIFICATE', der.sequence(tbs, sigAlg, der.bitString(Buffer.alloc(8, 1)))));
    return path;
  });
  const r = spawnSync('python3', ['-c', 'import ssl,sys\nfor p in sys.argv[1:]:\n  try: ssl._ssl._test_decode_cert(p); print(1)\n  except ssl.SSLError: print(0)', ...paths], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const openssl = r.stdout.trim().split('\n').map((l) => l === '1');
  const ours = paths.map((p) => {
    try {
      parseCertificate(pemBlocksWithLabel(readFileSync(p, 'latin1'), 'CERTIFICATE')[0]!);
      return true;
    } catch (e) {
      assert.ok(e instanceof X509Error);
      return false;
    }
  });
  assert.deepEqual(ids.filter((_, i) => ours[i]), ids.filter((_, i) => openssl[i]));
  assert.deepEqual([...NAME_VALUE_TAGS].sort((a, b) => a - b), ids.filter((_, i) => openssl[i]));
});
