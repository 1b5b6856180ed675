import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProvider, type KeyGenSpec, type PrivateKey } from '../../src/crypto/index.js';
import { buildCertificate, buildCrl, encodeName, keyIdentifier, rsaPssSignature, type ExtensionsSpec } from '../../src/x509/builder.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { CrlReason, decodeCrlNumber } from '../../src/x509/extensions.js';
import { OID } from '../../src/x509/oids.js';
import { Tag } from '../../src/x509/der.js';
import { X509Error } from '../../src/x509/errors.js';
import { openssl, opensslSkipReason, runOpenssl, tempDir } from '../helpers/openssl.js';

const skip = opensslSkipReason() ?? false;

const KEYS: readonly { label: string; spec: KeyGenSpec; sigName: string; sigOid: string }[] = [
  { label: 'RSA-2048', spec: { type: 'rsa', bits: 2048 }, sigName: 'sha256WithRSAEncryption', sigOid: OID.sha256WithRSAEncryption },
  { label: 'ECDSA P-256', spec: { type: 'ec', curve: 'P-256' }, sigName: 'ecdsa-with-SHA256', sigOid: OID.ecdsaWithSHA256 },
  { label: 'ECDSA P-384', spec: { type: 'ec', curve: 'P-384' }, sigName: 'ecdsa-with-SHA384', sigOid: OID.ecdsaWithSHA384 },
  { label: 'Ed25519', spec: { type: 'ed25519' }, sigName: 'ED25519', sigOid: OID.ed25519 },
];

const keyCache = new Map<string, PrivateKey>();
function key(label: string, spec: KeyGenSpec): PrivateKey {
  let k = keyCache.get(label);
  if (k === undefined) {
    k = defaultProvider.generateSigningKey(spec);
    keyCache.set(label, k);
  }
  return k;
}

const ROOT_NAME = [['C', 'XY'], ['O', 'sslsock builder test'], ['CN', 'Builder Root']] as const;

const FULL_EXTENSIONS: ExtensionsSpec = {
  basicConstraints: { ca: true, pathLength: 2 },
  keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
  extKeyUsage: ['serverAuth', 'clientAuth'],
  subjectAltName: [
    { type: 'dns', value: 'localhost' },
    { type: 'dns', value: '*.example.org' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '2001:db8::1' },
    { type: 'email', value: 'user@example.org' },
    { type: 'uri', value: 'https://example.org/' },
  ],
  nameConstraints: { permitted: [{ type: 'dns', value: 'example.org' }, { type: 'ip', value: '10.0.0.0/8' }], excluded: [{ type: 'email', value: 'evil.example' }] },
  crlDistributionPoints: ['http://crl.example.org/root.crl'],
  authorityInfoAccess: { ocsp: ['http://ocsp.example.org/'], caIssuers: ['http://ca.example.org/root.der'] },
};

function fullRoot(k: PrivateKey) {
  return buildCertificate({
    serialNumber: 0x1234_5678_9abc_def0_1234n,
    subject: ROOT_NAME,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2060-06-30T12:34:56Z'),
    publicKey: k.publicKey,
    signingKey: k,
    extensions: FULL_EXTENSIONS,
  });
}

for (const { label, spec, sigName, sigOid } of KEYS) {
  test(`${label}: openssl prints every field and extension of a self-signed certificate we build`, { skip }, () => {
    const cert = fullRoot(key(label, spec));
    const text = openssl(['x509', '-text', '-noout', '-nameopt', 'RFC2253'], { input: cert.pem });
    assert.match(text, /Version: 3 \(0x2\)/);
    assert.match(text, /Serial Number:\s+12:34:56:78:9a:bc:de:f0:12:34/);
    assert.match(text, new RegExp(`Signature Algorithm: ${sigName}`));
    assert.match(text, /Issuer: CN=Builder Root,O=sslsock builder test,C=XY/);
    assert.match(text, /Not After : Jun 30 12:34:56 2060 GMT/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:2/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(text, /DNS:localhost, DNS:\*\.example\.org, IP Address:127\.0\.0\.1, IP Address:2001:DB8:0:0:0:0:0:1, email:user@example\.org, URI:https:\/\/example\.org\//);
    assert.match(text, /Name Constraints: critical\s+Permitted:\s+DNS:example\.org\s+IP:10\.0\.0\.0\/255\.0\.0\.0\s+Excluded:\s+email:evil\.example/);
    assert.match(text, /CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/crl\.example\.org\/root\.crl/);
    assert.match(text, /OCSP - URI:http:\/\/ocsp\.example\.org\/\s+CA Issuers - URI:http:\/\/ca\.example\.org\/root\.der/);
    const ski = cert.subjectKeyId.toString('hex').toUpperCase().match(/../g)!.join(':');
    assert.match(text, new RegExp(`Subject Key Identifier:\\s+${ski}`));
    assert.match(text, new RegExp(`Authority Key Identifier:\\s+${ski}`));
  });

  test(`${label}: openssl verify accepts the self-signed certificate as its own trust anchor`, { skip }, () => {
    const { dir, cleanup } = tempDir('sslsock-builder-');
    try {
      const path = join(dir, 'root.pem');
      writeFileSync(path, fullRoot(key(label, spec)).pem);
      const r = runOpenssl(['verify', '-CAfile', path, path]);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /: OK/);
    } finally {
      cleanup();
    }
  });

  test(`${label}: parseCertificate reads back what the builder wrote`, () => {
    const k = key(label, spec);
    const built = fullRoot(k);
    const c = parseCertificate(built.der);
    assert.equal(c.version, 3);
    assert.equal(c.serialNumber, 0x1234_5678_9abc_def0_1234n);
    assert.equal(c.signatureAlgorithm.oid, sigOid);
    assert.deepEqual(c.signatureAlgorithm.raw, c.tbsSignatureAlgorithm.raw);
    assert.deepEqual(c.tbsRaw, built.tbsDer);
    assert.equal(c.subject.toString(), 'CN=Builder Root,O=sslsock builder test,C=XY');
    assert.ok(c.isSelfIssued);
    assert.equal(c.notBefore.toISOString(), '2020-01-01T00:00:00.000Z');
    assert.equal(c.notAfter.toISOString(), '2060-06-30T12:34:56.000Z');
    assert.deepEqual(c.subjectPublicKeyInfo.raw, k.publicKey.spki);
    const e = c.extensions;
    assert.deepEqual(e.basicConstraints, { ca: true, pathLen: 2 });
    assert.ok(e.get(OID.basicConstraints)!.critical);
    assert.ok(e.keyUsage!.has('keyCertSign') && e.keyUsage!.has('cRLSign') && !e.keyUsage!.has('keyEncipherment'));
    assert.deepEqual(e.extKeyUsage, [OID.serverAuth, OID.clientAuth]);
    const san = e.subjectAltName!;
    assert.deepEqual(
      san.map((g) => g.type),
      ['dNSName', 'dNSName', 'iPAddress', 'iPAddress', 'rfc822Name', 'uniformResourceIdentifier'],
    );
    assert.deepEqual(san[2]!.type === 'iPAddress' ? [...san[2]!.bytes] : null, [127, 0, 0, 1]);
    assert.equal(san[3]!.type === 'iPAddress' ? san[3]!.bytes.toString('hex') : null, '20010db8000000000000000000000001');
    const nc = e.nameConstraints!;
    assert.equal(nc.permitted!.length, 2);
    assert.equal(nc.permitted![1]!.base.type === 'iPAddress' ? nc.permitted![1]!.base.bytes.toString('hex') : null, '0a000000ff000000');
    assert.equal(nc.excluded![0]!.base.type === 'rfc822Name' ? nc.excluded![0]!.base.value : null, 'evil.example');
    assert.deepEqual(e.subjectKeyIdentifier, keyIdentifier(k.publicKey.spki));
    assert.deepEqual(e.authorityKeyIdentifier!.keyIdentifier, e.subjectKeyIdentifier);
    const dp = e.crlDistributionPoints![0]!.fullName![0]!;
    assert.equal(dp.type === 'uniformResourceIdentifier' ? dp.value : null, 'http://crl.example.org/root.crl');
    assert.deepEqual(
      e.authorityInfoAccess!.map((a) => a.method),
      [OID.ocsp, OID.caIssuers],
    );
    // The signature verifies with the certified key under the algorithm the parser derived.
    assert.ok(k.publicKey.verify(c.signatureAlgorithm.algorithm!, c.tbsRaw, c.signatureValue));
  });
}

test('subject key identifier is SHA-1 of the subjectPublicKey bits, as openssl computes it', { skip }, () => {
  const k = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  // A certificate made by `openssl req -x509` for the same key carries openssl's own SKI (RFC 5280 §4.2.1.2 method 1).
  const { dir, cleanup } = tempDir('sslsock-builder-');
  try {
    writeFileSync(join(dir, 'k.pem'), k.toPem());
    const text = openssl(['req', '-new', '-x509', '-key', join(dir, 'k.pem'), '-subj', '/CN=x', '-days', '1', '-text', '-noout']);
    const ski = keyIdentifier(k.publicKey.spki).toString('hex').toUpperCase().match(/../g)!.join(':');
    assert.match(text, new RegExp(`Subject Key Identifier:\\s+${ski}`));
  } finally {
    cleanup();
  }
});

test('validity uses UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
  const k = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  const c = parseCertificate(
    buildCertificate({
      serialNumber: 1,
      subject: [['CN', 'times']],
      notBefore: new Date('2049-12-31T23:59:59Z'),
      notAfter: new Date('2050-01-01T00:00:00Z'),
      publicKey: k.publicKey,
      signingKey: k,
    }).der,
  );
  assert.deepEqual([c.notBeforeTime.generalized, c.notBeforeTime.raw], [false, '491231235959Z']);
  assert.deepEqual([c.notAfterTime.generalized, c.notAfterTime.raw], [true, '20500101000000Z']);
  const old = parseCertificate(
    buildCertificate({ serialNumber: 1, subject: [['CN', 'old']], notBefore: new Date('1949-06-01T00:00:00Z'), notAfter: new Date('1950-01-01T00:00:00Z'), publicKey: k.publicKey, signingKey: k }).der,
  );
  assert.deepEqual([old.notBeforeTime.generalized, old.notAfterTime.generalized], [true, false]);
});

test('names keep attribute order, multi-valued RDNs and RFC 5280 string types', { skip }, () => {
  const k = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  const subject = [
    ['C', 'XY'],
    ['stateOrProvinceName', 'Castle Anthrax'],
    [['O', 'Python Software Foundation'], ['OU', 'Grail']],
    { type: 'emailAddress', value: 'zoot@example.org' },
    { type: 'CN', value: 'naïve', tag: Tag.UTF8_STRING },
    ['1.2.3.4.5', 'custom'],
  ] as const;
  const built = buildCertificate({ serialNumber: 7, subject, notBefore: new Date('2024-01-01Z'), notAfter: new Date('2025-01-01Z'), publicKey: k.publicKey, signingKey: k });
  const c = parseCertificate(built.der);
  assert.equal(c.subject.rdns.length, 5 + 0 + 1);
  assert.equal(c.subject.rdns[2]!.length, 2);
  assert.equal(c.subject.rdns[0]![0]!.tag, Tag.PRINTABLE_STRING);
  assert.equal(c.subject.rdns[3]![0]!.tag, Tag.IA5_STRING);
  assert.equal(c.subject.rdns[4]![0]!.value, 'naïve');
  assert.equal(c.subject.rdns[5]![0]!.oid, '1.2.3.4.5');
  const text = openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb'], { input: built.pem });
  assert.equal(text.trim(), 'subject=1.2.3.4.5=#0C06637573746F6D,CN=naïve,emailAddress=zoot@example.org,O=Python Software Foundation+OU=Grail,ST=Castle Anthrax,C=XY');
  // The issuer defaults to the subject, encoded identically.
  assert.deepEqual(c.issuer.raw, encodeName(subject));
});

test('a root → intermediate → leaf chain built by hand verifies with openssl', { skip }, () => {
  const rootKey = key('RSA-2048', { type: 'rsa', bits: 2048 });
  const interKey = key('ECDSA P-384', { type: 'ec', curve: 'P-384' });
  const leafKey = key('Ed25519', { type: 'ed25519' });
  const validity = { notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 86_400_000) };
  const root = buildCertificate({ serialNumber: 1, subject: [['CN', 'root']], ...validity, publicKey: rootKey.publicKey, signingKey: rootKey, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
  const inter = buildCertificate({ serialNumber: 2, subject: [['CN', 'inter']], issuer: [['CN', 'root']], ...validity, publicKey: interKey.publicKey, signingKey: rootKey, extensions: { basicConstraints: { ca: true, pathLength: 0 }, keyUsage: ['keyCertSign', 'cRLSign'] } });
  const leaf = buildCertificate({ serialNumber: 3, subject: [['CN', 'leaf']], issuer: [['CN', 'inter']], ...validity, publicKey: leafKey.publicKey, signingKey: interKey, extensions: { basicConstraints: { ca: false }, keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], subjectAltName: [{ type: 'dns', value: 'leaf.test' }] } });
  assert.deepEqual(parseCertificate(leaf.der).extensions.authorityKeyIdentifier!.keyIdentifier, inter.subjectKeyId);
  const { dir, cleanup } = tempDir('sslsock-builder-');
  try {
    writeFileSync(join(dir, 'root.pem'), root.pem);
    writeFileSync(join(dir, 'inter.pem'), inter.pem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    const ok = runOpenssl(['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), '-verify_hostname', 'leaf.test', join(dir, 'leaf.pem')]);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    const wrongHost = runOpenssl(['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), '-verify_hostname', 'other.test', join(dir, 'leaf.pem')]);
    assert.notEqual(wrongHost.status, 0);
    assert.match(wrongHost.stdout + wrongHost.stderr, /error 62 at 0 depth lookup: hostname mismatch/);
  } finally {
    cleanup();
  }
});

test('CRLs we build are accepted by openssl crl and revoke through openssl verify -crl_check (error 23)', { skip }, () => {
  const caKey = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  const leafKey = key('Ed25519', { type: 'ed25519' });
  const now = Date.now();
  const validity = { notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000) };
  const ca = buildCertificate({ serialNumber: 10, subject: [['CN', 'crl ca']], ...validity, publicKey: caKey.publicKey, signingKey: caKey, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
  const leaf = buildCertificate({ serialNumber: 0xabcdefn, subject: [['CN', 'revoked']], issuer: [['CN', 'crl ca']], ...validity, publicKey: leafKey.publicKey, signingKey: caKey, extensions: { basicConstraints: { ca: false } } });
  const crl = buildCrl({
    issuer: [['CN', 'crl ca']],
    signingKey: caKey,
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 86_400_000),
    revoked: [
      { serialNumber: 0xabcdefn, revocationDate: new Date(now - 30_000), reason: 'keyCompromise' },
      { serialNumber: 99, revocationDate: new Date(now - 30_000) },
    ],
    crlNumber: 42,
  });
  const { dir, cleanup } = tempDir('sslsock-builder-');
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.pem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    writeFileSync(join(dir, 'crl.pem'), crl.pem);
    const text = openssl(['crl', '-in', join(dir, 'crl.pem'), '-CAfile', join(dir, 'ca.pem'), '-text', '-noout']);
    assert.match(text, /Version 2 \(0x1\)/);
    assert.match(text, /X509v3 CRL Number:\s+42/);
    assert.match(text, /Serial Number: ABCDEF\s+Revocation Date: .*\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/);
    assert.match(text, /Serial Number: 63\s+Revocation Date/);
    const verifyCrl = runOpenssl(['crl', '-in', join(dir, 'crl.pem'), '-CAfile', join(dir, 'ca.pem'), '-noout']);
    assert.match(verifyCrl.stderr + verifyCrl.stdout, /verify OK/);
    const r = runOpenssl(['verify', '-crl_check', '-CAfile', join(dir, 'ca.pem'), '-CRLfile', join(dir, 'crl.pem'), join(dir, 'leaf.pem')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /error 23 at 0 depth lookup: certificate revoked/);
  } finally {
    cleanup();
  }
});

test('an empty CRL omits revokedCertificates and still verifies', { skip }, () => {
  const caKey = key('RSA-2048', { type: 'rsa', bits: 2048 });
  const crl = buildCrl({ issuer: [['CN', 'empty']], signingKey: caKey, thisUpdate: new Date('2024-01-01Z') });
  const text = openssl(['crl', '-inform', 'DER', '-text', '-noout'], { input: crl.der });
  assert.match(text, /No Revoked Certificates/);
  assert.match(text, /X509v3 CRL Number:\s+1\b/);
  assert.match(text, /Next Update: NONE/);
});

test('the builder rejects specs RFC 5280 forbids, saying what was wrong', () => {
  const k = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  const base = { subject: [['CN', 'x']] as const, notBefore: new Date('2024-01-01Z'), notAfter: new Date('2025-01-01Z'), publicKey: k.publicKey, signingKey: k };
  assert.throws(() => buildCertificate({ ...base, serialNumber: 0 }), (e: unknown) => e instanceof X509Error && /serial number must be positive/.test(e.message));
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1n << 160n }), /exceeds 20/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, notAfter: new Date('2023-01-01Z') }), /notBefore is after notAfter/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, extensions: { basicConstraints: { ca: false, pathLength: 1 } } }), /pathLength is only meaningful/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, subject: [['favouriteColour', 'blue']] }), /unknown name attribute type 'favouriteColour'/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, subject: [['C', 'not printable!']] }), /PrintableString/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, extensions: { subjectAltName: [{ type: 'ip', value: '300.1.1.1' }] } }), /is not an IP address/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, extensions: { nameConstraints: { permitted: [{ type: 'ip', value: '10.0.0.0' }] } } }), /needs a \/prefix length/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, extensions: { extKeyUsage: ['teaMaking'] } }), /unknown extended key usage/);
  assert.throws(() => buildCertificate({ ...base, serialNumber: 1, version: 1, extensions: {} }), /version 1 certificates cannot carry extensions/);
});

test('subjectAltName is critical exactly when the subject is empty (RFC 5280 §4.2.1.6)', () => {
  const k = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  const base = { serialNumber: 5, notBefore: new Date('2024-01-01Z'), notAfter: new Date('2025-01-01Z'), publicKey: k.publicKey, signingKey: k, issuer: [['CN', 'ca']] as const };
  const extensions = { subjectAltName: [{ type: 'dns' as const, value: 'a.test' }] };
  const empty = parseCertificate(buildCertificate({ ...base, subject: [], extensions }).der);
  const named = parseCertificate(buildCertificate({ ...base, subject: [['CN', 'a.test']], extensions }).der);
  assert.equal(empty.extensions.get(OID.subjectAltName)!.critical, true);
  assert.equal(named.extensions.get(OID.subjectAltName)!.critical, false);
});

test('version 1 certificates have no version field and no extensions', () => {
  const k = key('ECDSA P-256', { type: 'ec', curve: 'P-256' });
  const c = parseCertificate(
    buildCertificate({ serialNumber: 9, version: 1, subject: [['CN', 'v1']], notBefore: new Date('2024-01-01Z'), notAfter: new Date('2025-01-01Z'), publicKey: k.publicKey, signingKey: k }).der,
  );
  assert.equal(c.version, 1);
  assert.equal(c.extensions.list.length, 0);
});

test('parseCrl reads back the CRL the builder wrote, and its signature verifies with the CA key', () => {
  const caKey = key('ECDSA P-384', { type: 'ec', curve: 'P-384' });
  const crl = buildCrl({
    issuer: [['CN', 'crl round trip']],
    signingKey: caKey,
    thisUpdate: new Date('2030-01-01T00:00:00Z'),
    nextUpdate: new Date('2050-01-01T00:00:00Z'),
    revoked: [
      { serialNumber: 0x0102n, revocationDate: new Date('2029-12-31T00:00:00Z'), reason: 'cessationOfOperation' },
      { serialNumber: 0xff_ffff_ffff_ffff_ffffn, revocationDate: new Date('2029-12-30T00:00:00Z') },
    ],
    crlNumber: 1234567890123n,
  });
  const c = parseCrl(crl.der);
  assert.equal(c.version, 2);
  assert.equal(c.issuer.toString(), 'CN=crl round trip');
  assert.equal(c.thisUpdate.toISOString(), '2030-01-01T00:00:00.000Z');
  assert.equal(c.nextUpdateTime!.generalized, true);
  assert.deepEqual(
    c.revoked.map((r) => [r.serialNumber, r.reason, r.revocationDate.toISOString()]),
    [
      [0x0102n, CrlReason.cessationOfOperation, '2029-12-31T00:00:00.000Z'],
      [0xff_ffff_ffff_ffff_ffffn, null, '2029-12-30T00:00:00.000Z'],
    ],
  );
  assert.notEqual(c.findRevoked(0x0102n), null);
  assert.equal(c.findRevoked(0x0103n), null);
  assert.equal(c.extensions.decode(OID.cRLNumber, decodeCrlNumber), 1234567890123n);
  assert.deepEqual(c.extensions.authorityKeyIdentifier!.keyIdentifier, keyIdentifier(caKey.publicKey.spki));
  assert.equal(c.signatureAlgorithm.oid, OID.ecdsaWithSHA384);
  assert.ok(caKey.publicKey.verify(c.signatureAlgorithm.algorithm!, c.tbsRaw, c.signatureValue));
});

test('RSASSA-PSS signatures (RFC 4055 parameters) are accepted by openssl and parsed back by us', { skip }, () => {
  const k = key('RSA-2048', { type: 'rsa', bits: 2048 });
  for (const hash of ['SHA-256', 'SHA-384'] as const) {
    const built = buildCertificate({
      serialNumber: 77,
      subject: [['CN', `pss ${hash}`]],
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() + 86_400_000),
      publicKey: k.publicKey,
      signingKey: k,
      extensions: { basicConstraints: { ca: true } },
      signature: rsaPssSignature(hash),
    });
    const text = openssl(['x509', '-text', '-noout'], { input: built.pem });
    const bits = hash.slice(4);
    assert.match(text, new RegExp(`Signature Algorithm: rsassaPss\\s+Hash Algorithm: sha${bits}\\s+Mask Algorithm: mgf1 with sha${bits}\\s+Salt Length: 0x${(Number(bits) / 8).toString(16)}`));
    const { dir, cleanup } = tempDir('sslsock-builder-');
    try {
      writeFileSync(join(dir, 'pss.pem'), built.pem);
      const r = runOpenssl(['verify', '-CAfile', join(dir, 'pss.pem'), join(dir, 'pss.pem')]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    } finally {
      cleanup();
    }
    const c = parseCertificate(built.der);
    assert.deepEqual(c.signatureAlgorithm.algorithm, { kind: 'rsa-pss', hash, saltLength: Number(bits) / 8 });
    assert.ok(k.publicKey.verify(c.signatureAlgorithm.algorithm!, c.tbsRaw, c.signatureValue));
  }
});
