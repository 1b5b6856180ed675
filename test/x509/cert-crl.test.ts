/**
 * CRLs (RFC 5280 §5): CPython's revocation.crl and CRLs written with our DER
 * writer, cross-checked with `openssl crl -text`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseCrl } from '../../src/x509/crl.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { pemBlocksWithLabel, toPem } from '../../src/x509/pem.js';
import { der, X509Error } from '../../src/x509/der.js';
import { OID } from '../../src/x509/oids.js';
import { CrlReason } from '../../src/x509/extensions.js';
import { defaultProvider } from '../../src/crypto/index.js';

const DIR = new URL('../../../test/vectors/x509/', import.meta.url);

test("CPython's revocation.crl: v2, issuer is the test CA, CRL number 0, no entries", () => {
  const crl = parseCrl(pemBlocksWithLabel(readFileSync(new URL('cpython-revocation.crl', DIR), 'latin1'), 'X509 CRL')[0]!);
  const ca = parseCertificate(pemBlocksWithLabel(readFileSync(new URL('cpython-pycacert.pem', DIR), 'latin1'), 'CERTIFICATE')[0]!);
  assert.equal(crl.version, 2);
  assert.ok(crl.issuer.equals(ca.subject));
  assert.equal(crl.thisUpdate.toISOString(), '2021-03-17T08:48:20.000Z');
  assert.equal(crl.nextUpdate!.toISOString(), '2040-05-16T08:48:20.000Z');
  assert.equal(crl.extensions.crlNumber, 0n);
  assert.deepEqual(crl.revoked, []);
  assert.equal(crl.signatureAlgorithm.name, 'sha256WithRSAEncryption');
  assert.ok(crl.raw.includes(crl.tbsRaw));
  assert.equal(crl.findRevoked(1n), null);
});

const key = defaultProvider.generateSigningKey({ type: 'ec', curve: 'P-256' });
const sigAlg = der.sequence(der.oid(OID.ecdsaWithSHA256));
const issuer = der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.utf8String('CRL Test CA'))));
const ext = (oid: string, value: Buffer, critical = false) => der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));

function crlDer(entries: Buffer[], opts: { version?: boolean; extensions?: Buffer[]; nextUpdate?: boolean } = {}): Buffer {
  const tbs = der.sequence(
    ...(opts.version === false ? [] : [der.integer(1)]),
    sigAlg,
    issuer,
    der.time(new Date('2025-01-01T00:00:00Z')),
    ...(opts.nextUpdate === false ? [] : [der.time(new Date('2055-01-01T00:00:00Z'))]),
    ...(entries.length > 0 ? [der.sequence(...entries)] : []),
    ...(opts.extensions ? [der.explicit(0, der.sequence(...opts.extensions))] : []),
  );
  return der.sequence(tbs, sigAlg, der.bitString(key.sign({ kind: 'ecdsa', hash: 'SHA-256' }, tbs)));
}
const entry = (serial: bigint, when: string, reason?: number) =>
  der.sequence(der.integer(serial), der.time(new Date(when)), ...(reason === undefined ? [] : [der.sequence(ext(OID.cRLReason, der.enumerated(reason)))]));

const sample = crlDer(
  [entry(0x1234n, '2025-01-02T03:04:05Z', CrlReason.keyCompromise), entry(0x00ffn, '2024-06-01T00:00:00Z'), entry(0xcb2d80995a69525cn, '2024-07-01T00:00:00Z', CrlReason.superseded)],
  { extensions: [ext(OID.cRLNumber, der.integer(42)), ext(OID.authorityKeyIdentifier, der.sequence(der.contextPrimitive(0, Buffer.from('0102030405', 'hex'))))] },
);

test('a CRL with entries: serials, dates, reasons, CRL number, AKI, GeneralizedTime nextUpdate', () => {
  const crl = parseCrl(sample);
  assert.equal(crl.version, 2);
  assert.equal(crl.issuer.toString(), 'CN=CRL Test CA');
  assert.equal(crl.nextUpdateTime!.generalized, true);
  assert.deepEqual(crl.revoked.map((r) => r.serialNumber), [0x1234n, 0xffn, 0xcb2d80995a69525cn]);
  assert.deepEqual(crl.revoked.map((r) => r.reason), [CrlReason.keyCompromise, null, CrlReason.superseded]);
  assert.equal(crl.revoked[0]!.revocationDate.toISOString(), '2025-01-02T03:04:05.000Z');
  assert.equal(crl.extensions.crlNumber, 42n);
  assert.equal(crl.extensions.authorityKeyIdentifier!.keyIdentifier!.toString('hex'), '0102030405');
  assert.equal(crl.findRevoked(0xcb2d80995a69525cn)!.reason, CrlReason.superseded);
  assert.equal(crl.findRevoked(Buffer.from('00ff', 'hex'))!.serialNumber, 0xffn);
  assert.equal(crl.findRevoked(0xfen), null);
  assert.equal(crl.signatureAlgorithm.algorithm?.kind, 'ecdsa');
  assert.ok(key.publicKey.verify(crl.signatureAlgorithm.algorithm!, crl.tbsRaw, crl.signatureValue));
});

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
test('openssl crl -text reads our CRL the same way', { skip: openssl.status !== 0 ? 'openssl not available' : false }, () => {
  const r = spawnSync('openssl', ['crl', '-noout', '-text'], { input: toPem('X509 CRL', sample), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Serial Number: 1234\s+Revocation Date: Jan {2}2 03:04:05 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/);
  assert.match(r.stdout, /Serial Number: FF\s+Revocation Date: Jun {2}1 00:00:00 2024 GMT/);
  assert.match(r.stdout, /Serial Number: CB2D80995A69525C[\s\S]*Superseded/);
  assert.match(r.stdout, /X509v3 CRL Number:\s+42/);
  assert.match(r.stdout, /Next Update: Jan {2}1 00:00:00 2055 GMT/);
});

test('CRL structural rules: version value, extensions in a v1 CRL, bad reason codes, no nextUpdate', () => {
  const v1 = parseCrl(crlDer([entry(1n, '2025-01-01T00:00:00Z')], { version: false, nextUpdate: false }));
  assert.equal(v1.version, 1);
  assert.equal(v1.nextUpdate, null);
  assert.throws(() => parseCrl(crlDer([], { version: false, extensions: [ext(OID.cRLNumber, der.integer(1))] })), (e: unknown) => e instanceof X509Error && e.code === 'bad_crl');
  assert.throws(() => parseCrl(crlDer([entry(1n, '2025-01-01T00:00:00Z', 1)], { version: false })), (e: unknown) => e instanceof X509Error && e.code === 'bad_crl');
  const badVersion = der.sequence(der.sequence(der.integer(2), sigAlg, issuer, der.time(new Date())), sigAlg, der.bitString(Buffer.alloc(4)));
  assert.throws(() => parseCrl(badVersion), (e: unknown) => e instanceof X509Error && e.code === 'bad_version');
  const reason7 = parseCrl(crlDer([entry(1n, '2025-01-01T00:00:00Z', 7)]));
  assert.throws(() => reason7.revoked[0]!.reason, (e: unknown) => e instanceof X509Error && e.code === 'bad_extension');
  const negative = parseCrl(crlDer([], { extensions: [ext(OID.cRLNumber, der.integer(-1))] }));
  assert.throws(() => negative.extensions.crlNumber, X509Error);
  assert.throws(() => parseCrl(Buffer.concat([sample, Buffer.of(0)])), (e: unknown) => e instanceof X509Error && e.code === 'trailing_data');
});
