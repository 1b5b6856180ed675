#!/usr/bin/env node
// Regenerates the synthetic certificates of this directory with our DER
// writer (run after `npx tsc -p tsconfig.json`, from the repository root):
//   node test/vectors/x509/make-vectors.mjs && python3 test/vectors/x509/make-expected.py
// Each certificate exercises getpeercert() formats the CPython test
// certificates do not: otherName forms, X400/EDI names, odd IP lengths,
// every string type, multi-valued RDNs, negative and long serials,
// GeneralizedTime with fractions, AIA/CRLDP variants. Signatures are real
// (ECDSA P-256) but nothing chains to them.
import { writeFileSync } from 'node:fs';
import { der, Tag, toPem, OID } from '../../../build/src/x509/index.js';
import { defaultProvider } from '../../../build/src/crypto/index.js';

const out = new URL('.', import.meta.url);
const key = defaultProvider.generateSigningKey({ type: 'ec', curve: 'P-256' });
const sigAlg = der.sequence(der.oid(OID.ecdsaWithSHA256));

const atv = (oid, tag, value) => der.sequence(der.oid(oid), der.string(tag, value));
const rdn = (...atvs) => der.setOf(...atvs);
const name = (...rdns) => der.sequence(...rdns);
const simple = (cn) => name(rdn(atv(OID.countryName, Tag.PRINTABLE_STRING, 'XY')), rdn(atv(OID.commonName, Tag.UTF8_STRING, cn)));
const ext = (oid, value, critical = false) => der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
const ctxPrim = (n, bytes) => der.contextPrimitive(n, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
const uri = (s) => ctxPrim(6, s);

function cert({ serial = 1n, subject, issuer = simple('vector-ca'), notBefore = der.utcTime(new Date('2024-01-05T09:34:43Z')), notAfter = der.utcTime(new Date('2040-10-28T14:23:16Z')), extensions = [], v1 = false, serialBytes }) {
  const tbs = der.sequence(
    ...(v1 ? [] : [der.explicit(0, der.integer(2))]),
    serialBytes ? der.element(Tag.INTEGER, serialBytes) : der.integer(serial),
    sigAlg,
    issuer,
    der.sequence(notBefore, notAfter),
    subject,
    key.publicKey.spki,
    ...(extensions.length > 0 ? [der.explicit(3, der.sequence(...extensions))] : []),
  );
  const sig = key.sign({ kind: 'ecdsa', hash: 'SHA-256' }, tbs);
  return der.sequence(tbs, sigAlg, der.bitString(sig));
}

const utf8 = (s) => der.string(Tag.UTF8_STRING, s);
const ia5 = (s) => der.string(Tag.IA5_STRING, s);
const otherName = (oid, value) => der.implicit(0, der.sequence(der.oid(oid), der.explicit(0, value)));

const vectors = {
  'othernames.pem': cert({
    serial: 0x1234n,
    subject: simple('othernames'),
    extensions: [
      ext(OID.subjectAltName, der.sequence(
        otherName(OID.msUpn, utf8('user@example.org')),
        otherName(OID.msUpn, ia5('ia5-upn@example.org')),
        otherName(OID.srvName, ia5('_xmpp.example.org')),
        otherName(OID.smtpUtf8Mailbox, utf8('usér@example.org')),
        otherName(OID.xmppAddr, utf8('juliet@example.org')),
        otherName(OID.naiRealm, utf8('realm.example.org')),
        otherName('1.2.3.4', utf8('unknown type')),
        otherName(OID.msUpn, utf8('nul\u0000cut@example.org')),
        otherName(OID.xmppAddr, utf8('line\nbreak@example.org')),
        der.implicit(3, der.sequence()),
        der.implicit(5, der.sequence(der.explicit(1, utf8('party')))),
        der.element(0x88, der.oidContents(OID.serverAuth)),
        der.element(0x88, der.oidContents('1.2.3.4.5')),
        ctxPrim(7, Buffer.from('20010db8000000000000000000000001', 'hex')),
        ctxPrim(7, Buffer.from('fe800000000000000202b3fffe1e8329', 'hex')),
        ctxPrim(7, Buffer.from('0102030405', 'hex')),
        ctxPrim(7, Buffer.from('0a000001', 'hex')),
        uri('https://example.org/path?q=1'),
        ctxPrim(1, 'mail@example.org'),
        ctxPrim(2, 'utf8-dns-é.example'),
        der.explicit(4, name(rdn(atv(OID.organizationName, Tag.UTF8_STRING, 'Dir Org'), atv(OID.commonName, Tag.UTF8_STRING, 'multi'))))),
      ),
    ],
  }),
  'strings.pem': cert({
    serial: 0x00ffn,
    subject: name(
      rdn(atv(OID.countryName, Tag.PRINTABLE_STRING, 'XY')),
      rdn(atv(OID.jurisdictionCountryName, Tag.PRINTABLE_STRING, 'XY')),
      rdn(atv(OID.jurisdictionStateOrProvinceName, Tag.UTF8_STRING, 'State')),
      rdn(atv(OID.jurisdictionLocalityName, Tag.UTF8_STRING, 'City')),
      rdn(atv(OID.businessCategory, Tag.UTF8_STRING, 'Private Organization')),
      rdn(atv(OID.serialNumber, Tag.PRINTABLE_STRING, '1234567')),
      rdn(atv(OID.organizationName, Tag.BMP_STRING, 'BMP Ünïcode Ω')),
      rdn(atv(OID.organizationalUnitName, Tag.UNIVERSAL_STRING, 'Universal 😀 unit')),
      rdn(atv(OID.localityName, Tag.TELETEX_STRING, 'Teletex café')),
      rdn(atv(OID.stateOrProvinceName, Tag.PRINTABLE_STRING, 'Printable')),
      rdn(atv(OID.postalCode, Tag.NUMERIC_STRING, '12345')),
      rdn(atv(OID.streetAddress, Tag.UTF8_STRING, 'Main Street 1')),
      rdn(atv(OID.domainComponent, Tag.IA5_STRING, 'example'), atv(OID.domainComponent, Tag.IA5_STRING, 'org')),
      rdn(atv(OID.commonName, Tag.UTF8_STRING, 'multi'), atv(OID.userId, Tag.UTF8_STRING, 'uid-1')),
      rdn(atv(OID.emailAddress, Tag.IA5_STRING, 'who@example.org')),
      rdn(atv('1.2.3.4.5.6', Tag.UTF8_STRING, 'unknown attribute')),
      rdn(atv(OID.givenName, Tag.UTF8_STRING, 'Given'), atv(OID.surname, Tag.UTF8_STRING, 'Sur'), atv(OID.title, Tag.UTF8_STRING, 'Dr')),
      rdn(atv(OID.pseudonym, Tag.UTF8_STRING, 'pseudo'), atv(OID.organizationIdentifier, Tag.UTF8_STRING, 'VATXY-123')),
      rdn(atv(OID.commonName, Tag.UTF8_STRING, 'nul\u0000inside')),
      rdn(der.sequence(der.oid(OID.x500UniqueIdentifier), der.bitString(Buffer.from('uid\u0000bits'), 0))),
    ),
    extensions: [ext(OID.basicConstraints, der.sequence(der.boolean(true), der.integer(3)), true)],
  }),
  'negserial.pem': cert({ serial: -5n, subject: simple('negative serial'), v1: true }),
  'longserial.pem': cert({ serialBytes: Buffer.from('7f' + 'a5'.repeat(39), 'hex'), subject: simple('long serial') }),
  'zeroserial.pem': cert({ serial: 0n, subject: simple('zero serial') }),
  'gentime.pem': cert({
    subject: simple('generalized time'),
    notBefore: der.element(Tag.GENERALIZED_TIME, Buffer.from('20240105093443.5Z')),
    notAfter: der.generalizedTime(new Date('2051-03-07T01:02:03Z')),
  }),
  'aia-crldp.pem': cert({
    subject: simple('aia crldp'),
    extensions: [
      ext(OID.authorityInfoAccess, der.sequence(
        der.sequence(der.oid(OID.ocsp), uri('http://ocsp1.example.org')),
        der.sequence(der.oid(OID.caIssuers), uri('http://ca.example.org/ca.cer')),
        der.sequence(der.oid(OID.ocsp), ctxPrim(2, 'not-a-uri.example.org')),
        der.sequence(der.oid(OID.ocsp), uri('http://ocsp2.example.org')),
      )),
      ext(OID.cRLDistributionPoints, der.sequence(
        der.sequence(der.explicit(0, der.implicit(1, der.setOf(atv(OID.commonName, Tag.UTF8_STRING, 'relative first'))))),
        der.sequence(der.explicit(0, der.implicit(0, der.sequence(uri('http://crl1.example.org/a.crl'), ctxPrim(2, 'dns.example.org'), uri('ldap://crl.example.org'))))),
        der.sequence(der.implicit(2, der.sequence(ctxPrim(2, 'issuer.example.org')))),
        der.sequence(der.explicit(0, der.implicit(1, der.setOf(atv(OID.commonName, Tag.UTF8_STRING, 'relative'))))),
        der.sequence(der.explicit(0, der.implicit(0, der.sequence(uri('http://crl2.example.org/b.crl'))))),
      )),
      ext(OID.subjectAltName, der.sequence(ctxPrim(2, 'aia.example.org'))),
    ],
  }),
  'emptysan.pem': cert({ subject: simple('empty san'), extensions: [ext(OID.subjectAltName, der.sequence()), ext(OID.authorityInfoAccess, der.sequence())] }),
  'v1.pem': cert({ serial: 7n, subject: simple('version one'), v1: true }),
};

for (const [file, bytes] of Object.entries(vectors)) writeFileSync(new URL(file, out), toPem('CERTIFICATE', bytes));
console.log(`wrote ${Object.keys(vectors).length} certificates`);
