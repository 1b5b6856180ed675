import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProvider } from '../../src/crypto/index.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { nameHash } from '../../src/x509/name-canon.js';
import { parsePem } from '../../src/x509/pem.js';
import { TrustStore, TrustStoreError, type TrustStoreErrorKind } from '../../src/x509/store.js';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { openssl, opensslSkipReason, pythonJson, pythonSkipReason, tempDir } from '../helpers/openssl.js';
import { CERTDATA, certdataSkip, dataFile } from '../helpers/certdata.js';

const certdata = (name: string): string => dataFile(name);

/** The first CERTIFICATE block of a PEM text (files may start with a key). */
function pemToDerCert(text: string): Buffer {
  const block = parsePem(text).find((b) => b.label === 'CERTIFICATE');
  if (block === undefined) throw new Error('no certificate in PEM text');
  return block.der;
}

function kindOf(fn: () => unknown): TrustStoreErrorKind | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (e) {
    if (e instanceof TrustStoreError) return e.kind;
    throw e;
  }
}

const CA_FILES = ['capath/6e88d7b8.0', 'pycacert.pem', 'keycert3.pem', 'capath/99d0fa06.0', 'pycacert.pem', 'allsans.pem'];

test('name hashes equal openssl x509 -hash', { skip: certdataSkip || opensslSkipReason() || false }, () => {
  for (const f of ['pycacert.pem', 'keycert.pem', 'allsans.pem', 'idnsans.pem', 'nullbytecert.pem', 'capath/99d0fa06.0', 'capath/6e88d7b8.0', 'talos-2019-0758.pem']) {
    const cert = parseCertificate(pemToDerCert(readFileSync(certdata(f), 'latin1')));
    const expected = openssl(['x509', '-in', certdata(f), '-noout', '-subject_hash', '-issuer_hash']).trim().split('\n');
    assert.deepEqual([nameHash(cert.subject, defaultProvider), nameHash(cert.issuer, defaultProvider)], expected, f);
  }
});

test('stats and get_ca_certs order match Python after loading cafiles one by one', { skip: certdataSkip || pythonSkipReason() || false }, () => {
  const store = new TrustStore(defaultProvider);
  for (const f of CA_FILES) store.loadFile(certdata(f));
  const expected = pythonJson<{ stats: unknown; ders: string[]; dicts: unknown }>(
    `import json, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
for f in json.load(sys.stdin): ctx.load_verify_locations(f)
print(json.dumps({'stats': ctx.cert_store_stats(), 'ders': [d.hex() for d in ctx.get_ca_certs(True)], 'dicts': ctx.get_ca_certs()}))`,
    CA_FILES.map(certdata),
  );
  assert.deepEqual(store.stats(), expected.stats);
  assert.deepEqual(
    store.getCaCerts(true).map((d) => d.toString('hex')),
    expected.ders,
  );
  assert.deepEqual(JSON.parse(JSON.stringify(store.getCaCerts())), expected.dicts);
});

test('an identical certificate is stored once; a CRL in a cafile counts as crl', { skip: certdataSkip || false }, () => {
  const store = new TrustStore(defaultProvider);
  const pem = readFileSync(certdata('pycacert.pem'), 'latin1');
  assert.deepEqual(store.addPem(pem + pem), { certificates: 2, crls: 0 });
  store.addCadata(pem);
  store.addDer(pemToDerCert(pem));
  assert.deepEqual(store.stats(), { x509: 1, crl: 0, x509_ca: 1 });
  const crlPem = readFileSync(certdata('revocation.crl'), 'latin1');
  store.addPem(crlPem);
  assert.deepEqual(store.stats(), { x509: 1, crl: 1, x509_ca: 1 });
  assert.equal(store.crlsByIssuer(parseCertificate(pemToDerCert(pem)).subject).length, 1);
});

test('loading errors carry the kind Python reports', { skip: certdataSkip || false }, () => {
  const { dir, cleanup } = tempDir('sslsock-store-');
  try {
    const store = new TrustStore(defaultProvider);
    const write = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const missing = join(dir, 'missing.pem');
    try {
      store.loadFile(missing);
      assert.fail('no error for a missing file');
    } catch (e) {
      assert.ok(e instanceof TrustStoreError);
      assert.equal(e.kind, 'os_error');
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.path, missing);
    }
    assert.equal(kindOf(() => store.loadFile(write('empty.pem', ''))), 'no_certificate_or_crl');
    assert.equal(kindOf(() => store.loadFile(write('junk.pem', 'garbage'))), 'no_certificate_or_crl');
    const bad = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    assert.equal(kindOf(() => store.loadFile(write('bad.pem', bad))), 'pem_lib');
    // A cafile is all or nothing: the good certificate before the bad block is not added.
    const good = readFileSync(certdata('pycacert.pem'), 'latin1');
    assert.equal(kindOf(() => store.loadFile(write('mixed.pem', good + bad))), 'pem_lib');
    assert.equal(store.stats().x509, 0);
    assert.equal(kindOf(() => store.addCadata('')), 'cadata_empty');
    assert.equal(kindOf(() => store.addCadata(new Uint8Array(0))), 'cadata_empty');
    assert.equal(kindOf(() => store.addCadata('garbage')), 'cadata_no_start_line');
    assert.equal(kindOf(() => store.addCadata(bad)), 'cadata_no_start_line');
    assert.equal(kindOf(() => store.addCadata(Buffer.from('garbage'))), 'cadata_not_enough_data');
    assert.equal(kindOf(() => store.addCadata(Buffer.from('300302010a', 'hex'))), 'cadata_not_enough_data');
    // cadata text: junk around blocks is ignored; certificates before a bad block stay.
    assert.equal(store.addCadata(`junk\n${good}more junk\n`), 1);
    assert.equal(kindOf(() => store.addCadata(good + bad)), 'pem_lib');
    assert.equal(store.stats().x509, 1);
  } finally {
    cleanup();
  }
});

test('a capath directory is read lazily by subject hash, like OpenSSL by_dir', { skip: certdataSkip || false }, () => {
  const store = new TrustStore(defaultProvider);
  store.addDirectory(certdata('capath'));
  store.addDirectory(join(CERTDATA, 'no-such-directory'));
  assert.deepEqual(store.stats(), { x509: 0, crl: 0, x509_ca: 0 });
  const leaf = parseCertificate(pemToDerCert(readFileSync(certdata('keycert3.pem'), 'latin1')));
  const r = verifyCertificateChain({ chain: [leaf.raw], store, provider: defaultProvider, hostname: 'localhost', time: new Date(Date.UTC(2030, 0, 1)) });
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  assert.equal(store.stats().x509, 1, 'the issuer was loaded from <hash>.0');
  assert.equal(store.getCaCerts().length, 1);
});

test('a hashed directory made by openssl rehash serves certificates and CRLs', { skip: opensslSkipReason() ?? (certdataSkip || false) }, () => {
  const { dir, cleanup } = tempDir('sslsock-capath-');
  try {
    const capath = join(dir, 'capath');
    mkdirSync(capath);
    writeFileSync(join(capath, 'ca.pem'), readFileSync(certdata('pycacert.pem')));
    writeFileSync(join(capath, 'ca.crl'), readFileSync(certdata('revocation.crl')));
    const r = openssl(['rehash', capath]);
    void r;
    const store = new TrustStore(defaultProvider);
    store.addDirectory(capath);
    const ca = parseCertificate(pemToDerCert(readFileSync(certdata('pycacert.pem'), 'latin1')));
    assert.equal(store.certificatesBySubject(ca.subject).length, 1);
    assert.equal(store.crlsByIssuer(ca.subject).length, 1);
    assert.deepEqual(store.stats(), { x509: 1, crl: 1, x509_ca: 1 });
  } finally {
    cleanup();
  }
});

test('default verify paths honour SSL_CERT_FILE and SSL_CERT_DIR and tolerate absence', { skip: certdataSkip || false }, () => {
  const store = new TrustStore(defaultProvider);
  store.loadDefaultPaths({ SSL_CERT_FILE: certdata('pycacert.pem'), SSL_CERT_DIR: `${certdata('capath')}:/nonexistent` });
  assert.deepEqual(store.stats(), { x509: 1, crl: 0, x509_ca: 1 });
  const cacert = parseCertificate(pemToDerCert(readFileSync(certdata('capath/99d0fa06.0'), 'latin1')));
  assert.equal(store.certificatesBySubject(cacert.subject).length, 1);
  const empty = new TrustStore(defaultProvider);
  empty.loadDefaultPaths({ SSL_CERT_FILE: '/nonexistent/file.pem', SSL_CERT_DIR: '/nonexistent' });
  assert.deepEqual(empty.stats(), { x509: 0, crl: 0, x509_ca: 0 });
});

test('the system default store matches Python set_default_verify_paths (stats and get_ca_certs order)', { skip: pythonSkipReason() ?? false }, () => {
  const env = { ...process.env };
  delete env.SSL_CERT_FILE;
  delete env.SSL_CERT_DIR;
  const store = new TrustStore(defaultProvider);
  store.loadDefaultPaths(env);
  const expected = pythonJson<{ stats: unknown; ders: string[] }>(
    `import json, os, ssl
os.environ.pop('SSL_CERT_FILE', None); os.environ.pop('SSL_CERT_DIR', None)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.set_default_verify_paths()
print(json.dumps({'stats': ctx.cert_store_stats(), 'ders': [d.hex() for d in ctx.get_ca_certs(True)]}))`,
  );
  assert.deepEqual(store.stats(), expected.stats);
  assert.deepEqual(
    store.getCaCerts(true).map((d) => d.toString('hex')),
    expected.ders,
  );
});
