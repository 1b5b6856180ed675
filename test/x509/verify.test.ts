import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProvider } from '../../src/crypto/index.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { X509Error } from '../../src/x509/errors.js';
import { idnaEncodeHostname, isIpAddress } from '../../src/x509/hostname.js';
import { parsePem } from '../../src/x509/pem.js';
import { TrustStore } from '../../src/x509/store.js';
import { X509_V, pythonVerifyMessage } from '../../src/x509/verify-codes.js';
import { X509_V_FLAG, verifyCertificateChain, type VerifyOptions } from '../../src/x509/verify.js';
import { pythonHandshakes, type PythonJob } from '../helpers/openssl-corpus.js';
import { pythonSkipReason } from '../helpers/openssl.js';
import { certdataSkip, dataFile } from '../helpers/certdata.js';

const certdata = (name: string): string => dataFile(name);

function certsOf(file: string): Buffer[] {
  return parsePem(readFileSync(certdata(file), 'latin1'))
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

function storeOf(...files: string[]): TrustStore {
  const store = new TrustStore(defaultProvider);
  for (const f of files) store.loadFile(certdata(f));
  return store;
}

/** Python's own verification times are "now"; ours too. */
const NOW = new Date();

interface CertdataCase {
  readonly name: string;
  readonly cert: string;
  readonly cafiles: readonly string[];
  readonly hostname?: string;
  readonly flags?: number;
  readonly checksCommonName?: boolean;
}

const TRUSTED_FIRST = X509_V_FLAG.TRUSTED_FIRST;
const CERTDATA_CASES: readonly CertdataCase[] = [
  { name: 'CA-signed localhost', cert: 'keycert3.pem', cafiles: ['pycacert.pem'], hostname: 'localhost' },
  { name: 'CA-signed, wrong host name', cert: 'keycert3.pem', cafiles: ['pycacert.pem'], hostname: 'fakehostname' },
  { name: 'CA-signed fakehostname', cert: 'keycert4.pem', cafiles: ['pycacert.pem'], hostname: 'fakehostname' },
  { name: 'ECDSA leaf', cert: 'keycertecc.pem', cafiles: ['pycacert.pem'], hostname: 'localhost-ecc' },
  { name: 'all SAN types: DNS', cert: 'allsans.pem', cafiles: ['pycacert.pem'], hostname: 'www.example.org' },
  { name: 'all SAN types: IPv4', cert: 'allsans.pem', cafiles: ['pycacert.pem'], hostname: '127.0.0.1' },
  { name: 'all SAN types: IPv6', cert: 'allsans.pem', cafiles: ['pycacert.pem'], hostname: '::1' },
  { name: 'all SAN types: CN is ignored with SANs', cert: 'allsans.pem', cafiles: ['pycacert.pem'], hostname: 'dirname example' },
  { name: 'all SAN types: IP not in SAN', cert: 'allsans.pem', cafiles: ['pycacert.pem'], hostname: '10.0.0.1' },
  { name: 'IDN SAN, A-label', cert: 'idnsans.pem', cafiles: ['pycacert.pem'], hostname: 'xn--knig-5qa.idn.pythontest.net' },
  { name: 'IDN SAN, U-label encoded the Python way', cert: 'idnsans.pem', cafiles: ['pycacert.pem'], hostname: idnaEncodeHostname('könig.idn.pythontest.net') },
  { name: 'IDNA 2003 mapping of ß', cert: 'idnsans.pem', cafiles: ['pycacert.pem'], hostname: idnaEncodeHostname('königsgäßchen.idna2003.pythontest.net') },
  { name: 'no SAN: common name used', cert: 'nosan.pem', cafiles: ['pycacert.pem'], hostname: 'nosan' },
  { name: 'no SAN: common name disabled', cert: 'nosan.pem', cafiles: ['pycacert.pem'], hostname: 'nosan', checksCommonName: false },
  { name: 'self-signed, untrusted', cert: 'keycert.pem', cafiles: [], hostname: 'localhost' },
  { name: 'self-signed, trusted', cert: 'keycert.pem', cafiles: ['keycert.pem'], hostname: 'localhost' },
  { name: 'no trust anchor', cert: 'keycert3.pem', cafiles: [] },
  { name: 'wrong trust anchor', cert: 'keycert3.pem', cafiles: ['keycert.pem'] },
  { name: 'leaf trusted with partial chain', cert: 'keycert3.pem', cafiles: ['keycert3.pem'], flags: TRUSTED_FIRST | X509_V_FLAG.PARTIAL_CHAIN },
  { name: 'CRL check without a CRL', cert: 'keycert3.pem', cafiles: ['pycacert.pem'], flags: TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK },
  { name: 'CRL check with the CA CRL', cert: 'keycert3.pem', cafiles: ['pycacert.pem', 'revocation.crl'], flags: TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK },
  { name: 'CRL check of the chain with the CA CRL', cert: 'keycert3.pem', cafiles: ['pycacert.pem', 'revocation.crl'], flags: TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK | X509_V_FLAG.CRL_CHECK_ALL },
  { name: 'strict mode on the CPython CA', cert: 'keycert3.pem', cafiles: ['pycacert.pem'], flags: TRUSTED_FIRST | X509_V_FLAG.X509_STRICT, hostname: 'localhost' },
];

function runCase(c: CertdataCase) {
  const store = new TrustStore(defaultProvider);
  for (const f of c.cafiles) store.loadFile(certdata(f));
  const ip = c.hostname !== undefined && isIpAddress(c.hostname);
  return verifyCertificateChain({
    chain: certsOf(c.cert),
    store,
    flags: c.flags ?? TRUSTED_FIRST,
    hostname: c.hostname !== undefined && !ip ? c.hostname : null,
    ip: ip ? (c.hostname as string) : null,
    hostnameChecksCommonName: c.checksCommonName ?? true,
    authLevel: 2,
    time: NOW,
    provider: defaultProvider,
  });
}

test('CPython test certificates: our verdicts equal a real Python handshake', { skip: certdataSkip || pythonSkipReason() || false }, async (t) => {
  const { tempDir } = await import('../helpers/openssl.js');
  const { dir, cleanup } = tempDir('sslsock-certdata-');
  try {
    const { writeFileSync } = await import('node:fs');
    const jobs: PythonJob[] = CERTDATA_CASES.map((c, i) => {
      let cafile: string | null = null;
      if (c.cafiles.length > 0) {
        cafile = join(dir, `ca${i}.pem`);
        writeFileSync(cafile, c.cafiles.map((f) => readFileSync(certdata(f), 'latin1')).join('\n'));
      }
      return { name: c.name, chain: certdata(c.cert), key: certdata(c.cert), cafile, flags: c.flags ?? TRUSTED_FIRST, hostname: c.hostname ?? null, checksCommonName: c.checksCommonName ?? true };
    });
    const verdicts = pythonHandshakes(jobs);
    for (const c of CERTDATA_CASES) {
      await t.test(c.name, () => {
        const p = verdicts.find((v) => v.name === c.name)!;
        assert.ok(p.code >= 0, `Python handshake failed: ${p.message}`);
        const r = runCase(c);
        assert.equal(r.ok ? 0 : r.code, p.code, `Python: ${p.code} ${p.message}; ours: ${r.ok ? 'ok' : `${r.code} ${r.message} at ${r.depth}`}`);
        if (!r.ok) assert.equal(pythonVerifyMessage(r.code, c.hostname ?? null), p.message);
      });
    }
  } finally {
    cleanup();
  }
});

test('a verified chain ends at the trust anchor and reports the store copy', { skip: certdataSkip || false }, () => {
  const r = verifyCertificateChain({ chain: certsOf('keycert3.pem'), store: storeOf('pycacert.pem'), hostname: 'localhost', time: NOW, provider: defaultProvider });
  assert.equal(r.ok, true);
  assert.equal(r.chain.length, 2);
  assert.deepEqual(r.chain[1]!.raw, certsOf('pycacert.pem')[0]);
});

test('parsed certificates are accepted as well as DER', { skip: certdataSkip || false }, () => {
  const chain = certsOf('keycert3.pem').map((d) => parseCertificate(d));
  const r = verifyCertificateChain({ chain, store: storeOf('pycacert.pem'), time: NOW, provider: defaultProvider });
  assert.equal(r.ok, true);
});

test('a failure names the code, OpenSSL text, depth and certificate', { skip: certdataSkip || false }, () => {
  const r = verifyCertificateChain({ chain: certsOf('keycert3.pem'), store: storeOf('keycert.pem'), time: NOW, provider: defaultProvider });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.code, X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  assert.equal(r.message, 'unable to get local issuer certificate');
  assert.equal(r.depth, 0);
  assert.deepEqual(r.certificate?.raw, certsOf('keycert3.pem')[0]);
});

test('validity is checked at the given time, and not at all with time null', { skip: certdataSkip || false }, () => {
  const base: VerifyOptions = { chain: certsOf('keycert3.pem'), store: storeOf('pycacert.pem'), provider: defaultProvider };
  const later = verifyCertificateChain({ ...base, time: new Date(Date.UTC(2040, 0, 1)) });
  assert.equal(later.ok ? 0 : later.code, X509_V.CERT_HAS_EXPIRED);
  const earlier = verifyCertificateChain({ ...base, time: new Date(Date.UTC(2000, 0, 1)) });
  assert.equal(earlier.ok ? 0 : earlier.code, X509_V.CERT_NOT_YET_VALID);
  assert.equal(earlier.ok ? -1 : earlier.depth, 1, 'the CA is checked first (root to leaf)');
  assert.equal(verifyCertificateChain({ ...base, time: null }).ok, true);
  assert.equal(verifyCertificateChain({ ...base, time: new Date(Date.UTC(2040, 0, 1)), flags: X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.NO_CHECK_TIME }).ok, true);
});

test('the expired CPython 2013 certificate with a NUL in its names is expired, and its names never match', { skip: certdataSkip || false }, () => {
  const chain = certsOf('nullbytecert.pem');
  const store = new TrustStore(defaultProvider);
  store.addCertificate(chain[0]!);
  const expired = verifyCertificateChain({ chain, store, time: NOW, provider: defaultProvider });
  assert.equal(expired.ok ? 0 : expired.code, X509_V.CERT_HAS_EXPIRED);
  for (const host of ['null.python.org', 'example.org', 'altnull.python.org', 'example.com']) {
    const r = verifyCertificateChain({ chain, store, time: null, hostname: host, provider: defaultProvider });
    assert.equal(r.ok ? 0 : r.code, X509_V.HOSTNAME_MISMATCH, host);
  }
});

test('IP addresses may be given as bytes', { skip: certdataSkip || false }, () => {
  const base: VerifyOptions = { chain: certsOf('allsans.pem'), store: storeOf('pycacert.pem'), time: NOW, provider: defaultProvider };
  assert.equal(verifyCertificateChain({ ...base, ip: Buffer.from([127, 0, 0, 1]) }).ok, true);
  const r = verifyCertificateChain({ ...base, ip: Buffer.from([127, 0, 0, 2]) });
  assert.equal(r.ok ? 0 : r.code, X509_V.IP_ADDRESS_MISMATCH);
  assert.throws(() => verifyCertificateChain({ ...base, ip: 'not an ip' }), TypeError);
});

test('CRLs can be passed directly instead of through the store', { skip: certdataSkip || false }, () => {
  const crl = parseCrl(parsePem(readFileSync(certdata('revocation.crl'), 'latin1'))[0]!.der);
  const base: VerifyOptions = { chain: certsOf('keycert3.pem'), store: storeOf('pycacert.pem'), time: NOW, provider: defaultProvider, flags: TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK };
  const without = verifyCertificateChain(base);
  assert.equal(without.ok ? 0 : without.code, X509_V.UNABLE_TO_GET_CRL);
  assert.equal(verifyCertificateChain({ ...base, crls: [crl] }).ok, true);
});

test('bad input is reported as such, not as a verification result', () => {
  assert.throws(() => verifyCertificateChain({ chain: [], provider: defaultProvider }), TypeError);
  assert.throws(() => verifyCertificateChain({ chain: [Buffer.from('3003020101', 'hex')], provider: defaultProvider }), X509Error);
});
