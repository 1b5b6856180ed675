/**
 * CPython test_ssl ContextTests (and the SSLContext parts of BasicSocketTests /
 * SSLErrorTests), ported: each test is named after the CPython test it ports.
 * Certificates are CPython's own test certificates (Lib/test/certdata).
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';

const data = dataFile;
const CERTFILE = data('keycert.pem');
const ONLYCERT = data('ssl_cert.pem');
const ONLYKEY = data('ssl_key.pem');
const CERTFILE_PROTECTED = data('keycert.passwd.pem');
const ONLYKEY_PROTECTED = data('ssl_key.passwd.pem');
const KEY_PASSWORD = 'somepass';
const CAPATH = data('capath');
const CAFILE_NEURONIO = data('capath', '4e1295a3.0');
const CAFILE_CACERT = data('capath', '5ed36f99.0');
const CRLFILE = data('revocation.crl');
const EMPTYCERT = data('nullcert.pem');
const BADCERT = data('badcert.pem');
const NONEXISTINGCERT = data('XXXnonexisting.pem');
const BADKEY = data('badkey.pem');
const DHFILE = data('ffdh3072.pem');
const SIGNING_CA = data('capath', 'ceff1710.0');

/** Runs fn with process.emitWarning captured; returns the DeprecationWarning texts. */
function deprecations(fn: () => void): string[] {
  const m = mock.method(process, 'emitWarning', () => undefined);
  try {
    fn();
    return m.mock.calls.filter((c) => (c.arguments as unknown[])[1] === 'DeprecationWarning').map((c) => String(c.arguments[0]));
  } finally {
    m.mock.restore();
  }
}

function quiet<T>(fn: () => T): T {
  const m = mock.method(process, 'emitWarning', () => undefined);
  try {
    return fn();
  } finally {
    m.mock.restore();
  }
}

test('test_constructor: every protocol constructs, no protocol means PROTOCOL_TLS, invalid → ValueError', () => {
  for (const p of [ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLSv1_1, ssl.PROTOCOL_TLSv1_2, ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER]) {
    assert.equal(quiet(() => new ssl.SSLContext(p)).protocol, p);
  }
  assert.deepEqual(deprecations(() => assert.equal(new ssl.SSLContext().protocol, ssl.PROTOCOL_TLS)), [
    'ssl.SSLContext() without protocol argument is deprecated.',
    'ssl.PROTOCOL_TLS is deprecated',
  ]);
  assert.throws(() => new ssl.SSLContext(-1), { name: 'ValueError', message: 'invalid or unsupported protocol version -1' });
  assert.throws(() => new ssl.SSLContext(42), { name: 'ValueError', message: 'invalid or unsupported protocol version 42' });
});

test('test_openssl111_deprecations: warning texts for PROTOCOL_TLSv1_2, OP_NO_TLS*, old TLSVersion', () => {
  assert.deepEqual(deprecations(() => new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)), ['ssl.PROTOCOL_TLSv1_2 is deprecated']);
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.deepEqual(deprecations(() => (ctx.options |= ssl.OP_NO_TLSv1)), ['ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated']);
  assert.deepEqual(deprecations(() => (ctx.minimumVersion = ssl.TLSVersion.TLSv1)), ['ssl.TLSVersion.TLSv1 is deprecated']);
  assert.deepEqual(deprecations(() => (ctx.maximumVersion = ssl.TLSVersion.TLSv1_3)), []);
});

test('test_context_client_server: TLS_CLIENT and TLS_SERVER defaults (§5.1)', () => {
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(c.checkHostname, true);
  assert.equal(c.verifyMode, ssl.CERT_REQUIRED);
  const s = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.equal(s.checkHostname, false);
  assert.equal(s.verifyMode, ssl.CERT_NONE);
  for (const ctx of [c, s]) {
    assert.equal(ctx.options, 0x82520050);
    assert.equal(ctx.verifyFlags, ssl.VERIFY_X509_TRUSTED_FIRST);
    assert.equal(ctx.minimumVersion, ssl.TLSVersion.TLSv1_2);
    assert.equal(ctx.maximumVersion, ssl.TLSVersion.MAXIMUM_SUPPORTED);
    assert.equal(ctx.securityLevel, 2);
    assert.equal(ctx.postHandshakeAuth, false);
    assert.equal(ctx.numTickets, 2);
    assert.equal(ctx.keylogFilename, null);
    assert.equal(ctx.sniCallback, null);
    assert.equal(ctx.hostnameChecksCommonName, true);
    assert.equal(ctx._host_flags, ssl.HOSTFLAG_NO_PARTIAL_WILDCARDS);
    assert.deepEqual(ctx.certStoreStats(), { x509: 0, crl: 0, x509_ca: 0 });
  }
  const generic = quiet(() => new ssl.SSLContext(ssl.PROTOCOL_TLS));
  assert.equal(generic.verifyMode, ssl.CERT_NONE);
  assert.equal(generic.checkHostname, false);
  const v12 = quiet(() => new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2));
  assert.equal(v12.minimumVersion, ssl.TLSVersion.MINIMUM_SUPPORTED);
  assert.equal(v12.maximumVersion, ssl.TLSVersion.MAXIMUM_SUPPORTED);
});

test('test_options: default, set/clear OP_NO_TLSv1 round-trips, options = 0 clears everything', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const defaults = ssl.OP_ALL | ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3 | ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_SINGLE_DH_USE | ssl.OP_SINGLE_ECDH_USE | ssl.OP_ENABLE_MIDDLEBOX_COMPAT;
  assert.equal(ctx.options, defaults >>> 0);
  quiet(() => (ctx.options |= ssl.OP_NO_TLSv1));
  assert.equal(ctx.options, (defaults | ssl.OP_NO_TLSv1) >>> 0);
  ctx.options = ctx.options & ~ssl.OP_NO_TLSv1;
  assert.equal(ctx.options, defaults >>> 0);
  ctx.options = 0;
  assert.equal(ctx.options, 0);
  assert.throws(() => (ctx.options = null as unknown as number), { name: 'TypeError', message: "'NoneType' object cannot be interpreted as an integer" });
});

test('test_verify_mode_protocol: defaults per protocol; CERT_* round-trip; None → TypeError; 42 → ValueError', () => {
  const ctx = quiet(() => new ssl.SSLContext(ssl.PROTOCOL_TLS));
  assert.equal(ctx.verifyMode, ssl.CERT_NONE);
  for (const m of [ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED, ssl.CERT_NONE]) {
    ctx.verifyMode = m;
    assert.equal(ctx.verifyMode, m);
  }
  assert.throws(() => (ctx.verifyMode = null as unknown as number), { name: 'TypeError', message: "'NoneType' object cannot be interpreted as an integer" });
  assert.throws(() => (ctx.verifyMode = 42), { name: 'ValueError', message: 'invalid value for verify_mode' });
});

test('test_check_hostname: enabling upgrades CERT_NONE to CERT_REQUIRED, keeps CERT_OPTIONAL; CERT_NONE refused while enabled', () => {
  const ctx = quiet(() => new ssl.SSLContext(ssl.PROTOCOL_TLS));
  assert.equal(ctx.checkHostname, false);
  ctx.checkHostname = true;
  assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
  ctx.checkHostname = false;
  assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
  ctx.verifyMode = ssl.CERT_OPTIONAL;
  ctx.checkHostname = true;
  assert.equal(ctx.verifyMode, ssl.CERT_OPTIONAL);
  assert.throws(() => (ctx.verifyMode = ssl.CERT_NONE), { name: 'ValueError', message: 'Cannot set verify_mode to CERT_NONE when check_hostname is enabled.' });
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  assert.equal(ctx.verifyMode, ssl.CERT_NONE);
});

test('test_hostname_checks_common_name: default true, toggles HOSTFLAG_NEVER_CHECK_SUBJECT', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.hostnameChecksCommonName, true);
  ctx.hostnameChecksCommonName = false;
  assert.equal(ctx.hostnameChecksCommonName, false);
  assert.equal(ctx._host_flags & ssl.HOSTFLAG_NEVER_CHECK_SUBJECT, ssl.HOSTFLAG_NEVER_CHECK_SUBJECT);
  ctx.hostnameChecksCommonName = true;
  assert.equal(ctx._host_flags, ssl.HOSTFLAG_NO_PARTIAL_WILDCARDS);
});

test('test_min_max_version: magic MINIMUM/MAXIMUM_SUPPORTED mapping, errors, read-only for fixed-version contexts', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.minimumVersion = ssl.TLSVersion.TLSv1_3;
  assert.equal(ctx.minimumVersion, ssl.TLSVersion.TLSv1_3);
  ctx.minimumVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED;
  assert.equal(ctx.minimumVersion, ssl.TLSVersion.TLSv1_3);
  ctx.minimumVersion = ssl.TLSVersion.MINIMUM_SUPPORTED;
  assert.equal(ctx.minimumVersion, ssl.TLSVersion.MINIMUM_SUPPORTED);
  // As Python on OpenSSL 3 without SSLv3: the lowest available version, TLSv1 (which enables nothing here).
  ctx.maximumVersion = ssl.TLSVersion.MINIMUM_SUPPORTED;
  assert.equal(ctx.maximumVersion, ssl.TLSVersion.TLSv1);
  assert.deepEqual(ctx.enabledVersions(), []);
  ctx.maximumVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED;
  assert.equal(ctx.maximumVersion, ssl.TLSVersion.MAXIMUM_SUPPORTED);
  assert.throws(() => (ctx.minimumVersion = 42), { name: 'ValueError', message: 'Unsupported TLS/SSL version 0x2a' });
  assert.throws(() => (ctx.minimumVersion = null as unknown as number), { name: 'TypeError' });
  const fixed = quiet(() => new ssl.SSLContext(ssl.PROTOCOL_TLSv1_1));
  assert.throws(() => (fixed.minimumVersion = ssl.TLSVersion.TLSv1_2), {
    name: 'ValueError',
    message: "The context's protocol doesn't support modification of highest and lowest version.",
  });
});

test('min/max versions and OP_NO_TLSv1_x decide the enabled versions handed to the engine', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.deepEqual(ctx.enabledVersions(), ['TLSv1.2', 'TLSv1.3']);
  quiet(() => (ctx.options |= ssl.OP_NO_TLSv1_2));
  assert.deepEqual(ctx.enabledVersions(), ['TLSv1.3']);
  quiet(() => (ctx.options |= ssl.OP_NO_TLSv1_3));
  assert.deepEqual(ctx.enabledVersions(), []);
  const c2 = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  c2.maximumVersion = ssl.TLSVersion.TLSv1_2;
  assert.deepEqual(c2.enabledVersions(), ['TLSv1.2']);
});

test('test_security_level: 2 by default, read-only, set by @SECLEVEL', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.securityLevel, 2);
  assert.throws(() => ((ctx as unknown as { securityLevel: number }).securityLevel = 3), TypeError);
  ctx.setCiphers('@SECLEVEL=3:ALL');
  assert.equal(ctx.securityLevel, 3);
});

test('test_verify_flags: default TRUSTED_FIRST, round-trips, None → TypeError', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.verifyFlags, ssl.VERIFY_DEFAULT | ssl.VERIFY_X509_TRUSTED_FIRST);
  for (const f of [ssl.VERIFY_DEFAULT, ssl.VERIFY_CRL_CHECK_LEAF, ssl.VERIFY_CRL_CHECK_CHAIN, ssl.VERIFY_X509_STRICT, ssl.VERIFY_CRL_CHECK_CHAIN | ssl.VERIFY_X509_STRICT, ssl.VERIFY_X509_PARTIAL_CHAIN]) {
    ctx.verifyFlags = f;
    assert.equal(ctx.verifyFlags, f);
  }
  assert.throws(() => (ctx.verifyFlags = null as unknown as number), { name: 'TypeError', message: 'argument must be int, not None' });
});

test('test_load_cert_chain: combined/separate files, bytes paths, ENOENT, PEM lib, key mismatch, passwords', () => {
  let ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(CERTFILE, null);
  ctx.loadCertChain(CERTFILE, CERTFILE);
  assert.throws(() => ctx.loadCertChain(null as unknown as string), { name: 'TypeError', message: 'certfile should be a valid filesystem path' });
  assert.throws(() => ctx.loadCertChain(NONEXISTINGCERT), (e: ssl.OSError) => e instanceof ssl.FileNotFoundError && e.errno === 2 && e.message === '[Errno 2] No such file or directory');
  const pemLib = (e: ssl.SSLError) => e instanceof ssl.SSLError && e.message === '[SSL] PEM lib' && e.errno === 524297 && e.library === 'SSL' && e.reason === null;
  assert.throws(() => ctx.loadCertChain(BADCERT), pemLib);
  assert.throws(() => ctx.loadCertChain(EMPTYCERT), pemLib);
  assert.throws(() => ctx.loadCertChain(BADKEY), pemLib);
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(ONLYCERT, ONLYKEY);
  ctx.loadCertChain(Buffer.from(ONLYCERT), Buffer.from(ONLYKEY));
  assert.throws(() => ctx.loadCertChain(ONLYCERT), pemLib);
  assert.throws(() => ctx.loadCertChain(ONLYKEY), pemLib);
  assert.throws(() => ctx.loadCertChain(ONLYKEY, ONLYCERT), pemLib);
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.throws(() => ctx.loadCertChain(CAFILE_CACERT, ONLYKEY), (e: ssl.SSLError) => e.message === '[X509: KEY_VALUES_MISMATCH] key values mismatch' && e.errno === 116 && e.library === 'X509' && e.reason === 'KEY_VALUES_MISMATCH');
  // Password-protected key (encrypted PKCS#8 in keycert.passwd.pem, legacy Proc-Type in ssl_key.passwd.pem).
  ctx.loadCertChain(CERTFILE_PROTECTED, null, KEY_PASSWORD);
  ctx.loadCertChain(CERTFILE_PROTECTED, null, Buffer.from(KEY_PASSWORD));
  ctx.loadCertChain(ONLYCERT, ONLYKEY_PROTECTED, KEY_PASSWORD);
  ctx.loadCertChain(ONLYCERT, ONLYKEY_PROTECTED, new Uint8Array(Buffer.from(KEY_PASSWORD)));
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED, null, true as unknown as string), { name: 'TypeError', message: 'password should be a string or callable' });
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED, null, 'badpass'), pemLib);
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED, null, Buffer.alloc(102400, 'a')), { name: 'ValueError', message: 'password cannot be longer than 1024 bytes' });
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED), pemLib);
  // Password callbacks.
  ctx.loadCertChain(CERTFILE_PROTECTED, null, () => KEY_PASSWORD);
  ctx.loadCertChain(CERTFILE_PROTECTED, null, () => Buffer.from(KEY_PASSWORD));
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED, null, () => 'badpass'), pemLib);
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED, null, () => Buffer.alloc(1024 * 1024, 'a')), { name: 'ValueError', message: 'password cannot be longer than 1024 bytes' });
  assert.throws(() => ctx.loadCertChain(CERTFILE_PROTECTED, null, () => 9 as unknown as string), { name: 'TypeError', message: 'password callback must return a string' });
  assert.throws(
    () =>
      ctx.loadCertChain(CERTFILE_PROTECTED, null, () => {
        throw new Error('getpass error');
      }),
    { message: 'getpass error' },
  );
  // The callback is not called for an unencrypted key.
  let called = false;
  ctx.loadCertChain(CERTFILE, null, () => {
    called = true;
    return 'x';
  });
  assert.equal(called, false);
});

test('several load_cert_chain calls keep one certificate per key type for the engine to choose from', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(CERTFILE); // RSA
  ctx.loadCertChain(data('keycertecc.pem')); // ECDSA P-256
  ctx.loadCertChain(data('keycert3.pem')); // RSA again: replaces the first
  const p384 = CA.create({ keyType: 'ecdsa-p384' }).issueCert('localhost');
  p384.configureCert(ctx); // ECDSA P-384: OpenSSL has one ECC slot, so it replaces P-256
  const certs = (ctx as unknown as { _certs: { key: { type: string; curve: string | null }; chain: Buffer[] }[] })._certs;
  assert.deepEqual(
    certs.map((c) => [c.key.type, c.key.curve]),
    [
      ['rsa', null],
      ['ec', 'P-384'],
    ],
  );
  assert.deepEqual(certs[1]!.chain[0], p384.certDer);
});

test('test_load_verify_locations: cafile str/bytes, capath, CRLs in cafile, argument and file errors', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(CERTFILE);
  ctx.loadVerifyLocations(Buffer.from(CERTFILE), null);
  ctx.loadVerifyLocations(null, CAPATH);
  ctx.loadVerifyLocations(null, '/nonexistent-dir-is-not-an-error');
  assert.throws(() => ctx.loadVerifyLocations(), { name: 'TypeError', message: 'cafile, capath and cadata cannot be all omitted' });
  assert.throws(() => ctx.loadVerifyLocations(null, true as unknown as string), { name: 'TypeError', message: 'capath should be a valid filesystem path' });
  assert.throws(() => ctx.loadVerifyLocations(3 as unknown as string), { name: 'TypeError', message: 'cafile should be a valid filesystem path' });
  assert.throws(() => ctx.loadVerifyLocations(NONEXISTINGCERT), (e: ssl.OSError) => e instanceof ssl.FileNotFoundError && e.errno === 2);
  assert.throws(() => ctx.loadVerifyLocations(BADCERT), (e: ssl.SSLError) => e.message === '[X509] PEM lib' && e.library === 'X509' && e.errno === 524297);
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-ctx-'));
  try {
    writeFileSync(join(dir, 'junk.txt'), 'junk\n');
    assert.throws(() => ctx.loadVerifyLocations(join(dir, 'junk.txt')), (e: ssl.SSLError) => e.message === '[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found' && e.errno === 136);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  ctx.loadVerifyLocations(CRLFILE);
  assert.equal(ctx.certStoreStats().crl, 1);
});

test('test_load_verify_cadata: PEM, DER, combined, junk around, duplicates, errors', () => {
  const cacertPem = readFileSync(CAFILE_CACERT, 'latin1');
  const cacertDer = ssl.PEMCertToDERCert(cacertPem);
  const neuronioPem = readFileSync(CAFILE_NEURONIO, 'latin1');
  const neuronioDer = ssl.PEMCertToDERCert(neuronioPem);
  let ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.certStoreStats().x509_ca, 0);
  ctx.loadVerifyLocations(null, null, cacertPem);
  assert.equal(ctx.certStoreStats().x509_ca, 1);
  ctx.loadVerifyLocations(null, null, neuronioPem);
  assert.equal(ctx.certStoreStats().x509_ca, 2);
  ctx.loadVerifyLocations(null, null, neuronioPem);
  assert.equal(ctx.certStoreStats().x509_ca, 2);
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(null, null, ['head', cacertPem, 'other', neuronioPem, 'again', neuronioPem, 'tail'].join('\n'));
  assert.equal(ctx.certStoreStats().x509_ca, 2);
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(null, null, cacertDer);
  ctx.loadVerifyLocations(null, null, neuronioDer);
  ctx.loadVerifyLocations(null, null, cacertDer);
  assert.equal(ctx.certStoreStats().x509_ca, 2);
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(null, null, Buffer.concat([cacertDer, neuronioDer]));
  assert.equal(ctx.certStoreStats().x509_ca, 2);
  assert.throws(() => ctx.loadVerifyLocations(null, null, {} as unknown as string), { name: 'TypeError', message: 'cadata should be an ASCII string or a bytes-like object' });
  assert.throws(() => ctx.loadVerifyLocations(null, null, 'é'), { name: 'TypeError', message: 'cadata should be an ASCII string or a bytes-like object' });
  assert.throws(() => ctx.loadVerifyLocations(null, null, ''), { name: 'ValueError', message: 'Empty certificate data' });
  assert.throws(() => ctx.loadVerifyLocations(null, null, 'broken'), (e: ssl.SSLError) => e instanceof ssl.SSLError && e.message === 'no start line: cadata does not contain a certificate');
  assert.throws(() => ctx.loadVerifyLocations(null, null, Buffer.from('broken')), (e: ssl.SSLError) => e.message === 'not enough data: cadata does not contain a certificate');
});

test('test_load_dh_params: DH file accepted, missing file and non-DH PEM rejected (test_lib_reason)', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadDhParams(DHFILE);
  assert.throws(() => ctx.loadDhParams(null as unknown as string), TypeError);
  assert.throws(() => ctx.loadDhParams(NONEXISTINGCERT), (e: ssl.OSError) => e instanceof ssl.FileNotFoundError && e.message === `[Errno 2] No such file or directory: '${NONEXISTINGCERT}'`);
  assert.throws(() => ctx.loadDhParams(CERTFILE), (e: ssl.SSLError) => e.library === 'PEM' && e.reason === 'NO_START_LINE' && e.message.startsWith('[PEM: NO_START_LINE] no start line'));
});

test('test_session_stats: a fresh context has 11 zero counters', () => {
  for (const p of [ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER]) {
    assert.deepEqual(new ssl.SSLContext(p).sessionStats(), {
      number: 0,
      connect: 0,
      connect_good: 0,
      connect_renegotiate: 0,
      accept: 0,
      accept_good: 0,
      accept_renegotiate: 0,
      hits: 0,
      misses: 0,
      timeouts: 0,
      cache_full: 0,
    });
  }
});

test('test_set_default_verify_paths / test_load_default_certs_env: SSL_CERT_FILE and SSL_CERT_DIR are honoured', () => {
  const saved = { file: process.env.SSL_CERT_FILE, dir: process.env.SSL_CERT_DIR };
  try {
    process.env.SSL_CERT_FILE = CERTFILE;
    process.env.SSL_CERT_DIR = CAPATH;
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadDefaultCerts();
    assert.deepEqual(ctx.certStoreStats(), { crl: 0, x509: 1, x509_ca: 0 });
    const p = ssl.getDefaultVerifyPaths();
    assert.equal(p.cafile, CERTFILE);
    assert.equal(p.capath, CAPATH);
    assert.equal(p.openssl_cafile_env, 'SSL_CERT_FILE');
    assert.equal(p.openssl_capath_env, 'SSL_CERT_DIR');
    new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).setDefaultVerifyPaths();
  } finally {
    if (saved.file === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved.file;
    if (saved.dir === undefined) delete process.env.SSL_CERT_DIR;
    else process.env.SSL_CERT_DIR = saved.dir;
  }
});

test('test_load_default_certs: purposes accepted, anything else → TypeError', () => {
  const saved = process.env.SSL_CERT_FILE;
  process.env.SSL_CERT_FILE = CERTFILE;
  try {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadDefaultCerts();
    ctx.loadDefaultCerts(ssl.Purpose.SERVER_AUTH);
    ctx.loadDefaultCerts(ssl.Purpose.CLIENT_AUTH);
    assert.throws(() => ctx.loadDefaultCerts(null as unknown as ssl._ASN1Object), TypeError);
    assert.throws(() => ctx.loadDefaultCerts('SERVER_AUTH' as unknown as ssl._ASN1Object), TypeError);
  } finally {
    if (saved === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved;
  }
});

test('test_set_ecdh_curve: prime256v1 as str and bytes; unknown names → ValueError with Python text', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.setEcdhCurve('prime256v1');
  ctx.setEcdhCurve(Buffer.from('secp384r1'));
  ctx.setEcdhCurve('secp521r1');
  ctx.setEcdhCurve('X448');
  assert.throws(() => ctx.setEcdhCurve(null as unknown as string), TypeError);
  assert.throws(() => ctx.setEcdhCurve('foo'), { name: 'ValueError', message: "unknown elliptic curve name 'foo'" });
  // OpenSSL's short name is prime256v1: secp256r1 is unknown to it, as to Python.
  assert.throws(() => ctx.setEcdhCurve('secp256r1'), { name: 'ValueError', message: "unknown elliptic curve name 'secp256r1'" });
});

test('set_groups (3.15): OpenSSL names and aliases accepted; unknown or unimplemented rejected', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setGroups('P-384:X25519:x448:secp521r1:prime256v1:secp256r1');
  assert.throws(() => ctx.setGroups('ffdhe2048'), ssl.SSLError);
  assert.throws(() => ctx.setGroups('P-384:brainpoolP256r1'), ssl.SSLError);
  assert.throws(() => ctx.setGroups(7 as unknown as string), TypeError);
});

test('test_sni_callback: callables and None accepted, non-callables TypeError, client contexts refuse', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.setServernameCallback(null);
  ctx.setServernameCallback(() => undefined);
  assert.equal(typeof ctx.sniCallback, 'function');
  ctx.sniCallback = null;
  assert.equal(ctx.sniCallback, null);
  assert.throws(() => ctx.setServernameCallback(4 as unknown as ssl.SNICallback), { name: 'TypeError', message: 'not a callable object' });
  assert.throws(() => ctx.setServernameCallback('' as unknown as ssl.SNICallback), TypeError);
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => (c.sniCallback = () => undefined), { name: 'ValueError', message: 'sni_callback cannot be set on TLS_CLIENT context' });
});

test('test_cert_store_stats: cert chain does not count; CERTFILE is x509, CACERT is x509_ca', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.deepEqual(ctx.certStoreStats(), { x509_ca: 0, crl: 0, x509: 0 });
  ctx.loadCertChain(CERTFILE);
  assert.deepEqual(ctx.certStoreStats(), { x509_ca: 0, crl: 0, x509: 0 });
  ctx.loadVerifyLocations(CERTFILE);
  assert.deepEqual(ctx.certStoreStats(), { x509_ca: 0, crl: 0, x509: 1 });
  ctx.loadVerifyLocations(CAFILE_CACERT);
  assert.deepEqual(ctx.certStoreStats(), { x509_ca: 1, crl: 0, x509: 2 });
});

test('test_get_ca_certs: only CA certificates, exact dicts; binary form is the DER', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.deepEqual(ctx.getCaCerts(), []);
  ctx.loadVerifyLocations(CERTFILE);
  assert.deepEqual(ctx.getCaCerts(), []);
  ctx.loadVerifyLocations(CAFILE_CACERT);
  const name = [[['organizationName', 'Root CA']], [['organizationalUnitName', 'http://www.cacert.org']], [['commonName', 'CA Cert Signing Authority']], [['emailAddress', 'support@cacert.org']]];
  assert.deepEqual(ctx.getCaCerts(), [
    {
      subject: name,
      issuer: name,
      version: 3,
      serialNumber: '00',
      notBefore: 'Mar 30 12:29:49 2003 GMT',
      notAfter: 'Mar 29 12:29:49 2033 GMT',
      crlDistributionPoints: ['https://www.cacert.org/revoke.crl'],
    },
  ]);
  const der = ssl.PEMCertToDERCert(readFileSync(CAFILE_CACERT, 'latin1'));
  assert.deepEqual(ctx.getCaCerts(true), [der]);
});

test('test_get_ca_certs_capath: capath certificates appear only once used (lazy by_dir lookup)', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(null, CAPATH);
  assert.deepEqual(ctx.getCaCerts(), []);
  // A lookup by the CA's subject, as chain building does, loads <hash>.0 from the directory.
  const store = (ctx as unknown as { _store: { certificatesBySubject(n: unknown): unknown[] } })._store;
  const x509 = ssl.PEMCertToDERCert(readFileSync(SIGNING_CA, 'latin1'));
  const subject = (await_parse(x509) as { subject: unknown }).subject;
  assert.equal(store.certificatesBySubject(subject).length, 1);
  assert.equal(ctx.getCaCerts().length, 1);
});

import { parseCertificate } from '../../src/x509/certificate.js';
import { dataFile } from '../helpers/certdata.js';
function await_parse(der: Buffer): unknown {
  return parseCertificate(der);
}

test('test_ciphers / test_get_ciphers: cipher strings select TLS 1.2 suites; garbage → No cipher can be selected', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setCiphers('ALL');
  ctx.setCiphers('DEFAULT');
  assert.throws(() => ctx.setCiphers('^$:,;?*\'dorothyx'), (e: ssl.SSLError) => e instanceof ssl.SSLError && e.message === "('No cipher can be selected.',)");
  assert.throws(() => ctx.setCiphers(3 as unknown as string), { name: 'TypeError', message: 'set_ciphers() argument must be str, not int' });
  ctx.setCiphers('AESGCM');
  const names = ctx.getCiphers().map((c) => c.name);
  assert.ok(names.includes('ECDHE-ECDSA-AES256-GCM-SHA384'));
  assert.ok(names.includes('ECDHE-RSA-AES128-GCM-SHA256'));
  assert.ok(!names.includes('ECDHE-RSA-CHACHA20-POLY1305'));
  // TLS 1.3 suites are unaffected by set_ciphers, as in OpenSSL.
  assert.deepEqual(names.slice(0, 3), ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256']);
});

test('test_python_ciphers: get_ciphers() dicts have Python keys and OpenSSL values, in the default order', () => {
  const list = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).getCiphers();
  // Python 3.11 / OpenSSL 3.0, restricted to the suites we implement (observed with python3).
  assert.deepEqual(
    list.map((c) => c.name),
    [
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'TLS_AES_128_GCM_SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ],
  );
  assert.deepEqual(list[0], {
    id: 50336514,
    name: 'TLS_AES_256_GCM_SHA384',
    protocol: 'TLSv1.3',
    description: 'TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD',
    strength_bits: 256,
    alg_bits: 256,
    aead: true,
    symmetric: 'aes-256-gcm',
    digest: null,
    kea: 'kx-any',
    auth: 'auth-any',
  });
  assert.deepEqual(list[3], {
    id: 50380844,
    name: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    protocol: 'TLSv1.2',
    description: 'ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD',
    strength_bits: 256,
    alg_bits: 256,
    aead: true,
    symmetric: 'aes-256-gcm',
    digest: null,
    kea: 'kx-ecdhe',
    auth: 'auth-ecdsa',
  });
  assert.equal(list[1]!.description, 'TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) Mac=AEAD');
  for (const c of list) assert.ok(!/PSK|SRP|MD5|RC4|3DES/.test(c.name));
});

test('set_ciphersuites (3.15): TLS 1.3 suites in the given order; unknown-only → SSLError', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setCiphersuites('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256');
  assert.deepEqual(
    ctx.getCiphers().filter((c) => c.protocol === 'TLSv1.3').map((c) => c.name),
    ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
  );
  assert.throws(() => ctx.setCiphersuites('TLS_FOO'), ssl.SSLError);
});

test('set_alpn_protocols: Python errors for non-str, non-ASCII, empty and over-long names', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.setAlpnProtocols(['h2', 'http/1.1']);
  assert.throws(() => ctx.setAlpnProtocols([Buffer.from('x') as unknown as string]), { name: 'TypeError', message: 'encoding without a string argument' });
  assert.throws(() => ctx.setAlpnProtocols(['é']), { name: 'ValueError', message: "'ascii' codec can't encode character '\\xe9' in position 0: ordinal not in range(128)" });
  assert.throws(() => ctx.setAlpnProtocols(['']), (e: ssl.SSLError) => e instanceof ssl.SSLError && e.message === "('ALPN protocols must be 1 to 255 in length',)");
  assert.throws(() => ctx.setAlpnProtocols(['a'.repeat(256)]), ssl.SSLError);
});

test('test_num_tickest: server default 2, settable, validation; client → ValueError', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.equal(ctx.numTickets, 2);
  ctx.numTickets = 1;
  assert.equal(ctx.numTickets, 1);
  ctx.numTickets = 0;
  assert.equal(ctx.numTickets, 0);
  assert.throws(() => (ctx.numTickets = -1), { name: 'ValueError', message: 'value must be non-negative' });
  assert.throws(() => (ctx.numTickets = null as unknown as number), TypeError);
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => (c.numTickets = 1), { name: 'ValueError', message: 'SSLContext is not a server context.' });
});

test('keylog_filename: writes the NSS header into an empty file at once; type and directory errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-keylog-'));
  try {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const f = join(dir, 'keylog.txt');
    ctx.keylogFilename = f;
    assert.equal(ctx.keylogFilename, f);
    assert.equal(readFileSync(f, 'utf8'), ssl.KEYLOG_HEADER);
    ctx.keylogFilename = f; // not empty: no second header
    assert.equal(readFileSync(f, 'utf8').split('\n').length - 1, 1);
    ctx.keylogFilename = null;
    assert.equal(ctx.keylogFilename, null);
    assert.throws(() => (ctx.keylogFilename = 3 as unknown as string), { name: 'TypeError', message: 'expected str, bytes or os.PathLike object, not int' });
    assert.throws(() => (ctx.keylogFilename = dir), (e: ssl.OSError) => e.errno === 21 && e.message === `[Errno 21] Is a directory: '${dir}'`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('post_handshake_auth is a stored attribute (PHA itself comes later)', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.postHandshakeAuth = true;
  assert.equal(ctx.postHandshakeAuth, true);
  ctx.postHandshakeAuth = null;
  assert.equal(ctx.postHandshakeAuth, false);
});

test('test_context_custom_class: sslobject_class and sslsocket_class are honoured', async () => {
  class MySSLObject extends ssl.SSLObject {}
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.sslobjectClass = MySSLObject;
  const obj = ctx.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverHostname: 'localhost' });
  assert.ok(obj instanceof MySSLObject);
  // sslsocket_class: SSLSocket by default, overridable per context (wrap_socket hands it the context).
  assert.equal(ctx.sslsocketClass, ssl.SSLSocket);
  const seen: unknown[] = [];
  ctx.sslsocketClass = {
    _create: async (sock, options) => {
      seen.push(sock, options.context, options.serverHostname);
      return 'custom';
    },
  };
  assert.equal(await ctx.wrapSocket('sock', { serverHostname: 'h' }), 'custom');
  assert.deepEqual(seen, ['sock', ctx, 'h']);
});

test('test_create_default_context: SERVER_AUTH and CLIENT_AUTH defaults, cafile/cadata, bad purposes', () => {
  const cadata = readFileSync(SIGNING_CA, 'latin1');
  let ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cadata });
  assert.equal(ctx.protocol, ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
  assert.equal(ctx.checkHostname, true);
  assert.equal(ctx.options, 0x82520050);
  assert.equal(ctx.verifyFlags, ssl.VERIFY_X509_TRUSTED_FIRST);
  assert.deepEqual(ctx.certStoreStats(), { x509: 1, crl: 0, x509_ca: 1 });
  ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: SIGNING_CA });
  assert.equal(ctx.certStoreStats().x509_ca, 1);
  ctx = ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH);
  assert.equal(ctx.protocol, ssl.PROTOCOL_TLS_SERVER);
  assert.equal(ctx.verifyMode, ssl.CERT_NONE);
  assert.equal(ctx.checkHostname, false);
  assert.deepEqual(ctx.certStoreStats(), { x509: 0, crl: 0, x509_ca: 0 });
  assert.throws(() => ssl.createDefaultContext('x' as unknown as ssl._ASN1Object), { name: 'TypeError', message: 'x' });
  assert.throws(() => ssl.createDefaultContext(ssl._ASN1Object.fromname('codeSigning')), { name: 'ValueError' });
});

test('test_bad_server_hostname: wrap_bio refuses empty / leading-dot (ValueError) and NUL (TypeError) names', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const wrap = (h: string) => ctx.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverHostname: h });
  assert.throws(() => wrap(''), { name: 'ValueError', message: 'server_hostname cannot be an empty string or start with a leading dot.' });
  assert.throws(() => wrap('.example.org'), { name: 'ValueError', message: "encoding with 'idna' codec failed (UnicodeError: label empty or too long)" });
  assert.throws(() => wrap('example.org\x00evil.com'), { name: 'TypeError', message: 'argument must be encoded string without null bytes, not str' });
  assert.equal(wrap('пример.рф').serverHostname, 'xn--e1afmkfd.xn--p1ai');
  assert.equal(wrap('EXAMPLE.org.').serverHostname, 'EXAMPLE.org.');
});

test('wrap_bio checks the role against the protocol and the argument types', () => {
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const s = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.throws(() => c.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverSide: true }), (e: ssl.SSLError) => e.message === 'Cannot create a server socket with a PROTOCOL_TLS_CLIENT context' && e.errno === 0 && e.library === null);
  assert.throws(() => s.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO()), (e: ssl.SSLError) => e.message === 'Cannot create a client socket with a PROTOCOL_TLS_SERVER context');
  assert.throws(() => c.wrapBio(3 as unknown as ssl.MemoryBIO, 4 as unknown as ssl.MemoryBIO), { name: 'TypeError', message: "_wrap_bio() argument 'incoming' must be _ssl.MemoryBIO, not int" });
  assert.throws(() => c.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { session: {} }), { name: 'TypeError', message: 'Value is not a SSLSession.' });
});

test('test__create_stdlib_context: defaults, TLSv1_2 + CERT_REQUIRED + check_hostname, CLIENT_AUTH', () => {
  let ctx = ssl._createStdlibContext();
  assert.equal(ctx.protocol, ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.verifyMode, ssl.CERT_NONE);
  assert.equal(ctx.checkHostname, false);
  ctx = quiet(() => ssl._createStdlibContext(ssl.PROTOCOL_TLSv1_2, { certReqs: ssl.CERT_REQUIRED, checkHostname: true, cafile: SIGNING_CA }));
  assert.equal(ctx.protocol, ssl.PROTOCOL_TLSv1_2);
  assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
  assert.equal(ctx.checkHostname, true);
  assert.equal(ctx.certStoreStats().x509_ca, 1);
  ctx = ssl._createStdlibContext(null, { purpose: ssl.Purpose.CLIENT_AUTH });
  assert.equal(ctx.protocol, ssl.PROTOCOL_TLS_SERVER);
  assert.equal(ctx.verifyMode, ssl.CERT_NONE);
  assert.throws(() => ssl._createStdlibContext(null, { keyfile: ONLYKEY }), { name: 'ValueError', message: 'certfile must be specified' });
  assert.equal(ssl._createUnverifiedContext, ssl._createStdlibContext);
});

test('a CA file changed on disk is read again (parsed CA files are shared between contexts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-cafile-'));
  try {
    const f = join(dir, 'ca.pem');
    writeFileSync(f, readFileSync(CAFILE_CACERT, 'latin1'));
    const a = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    a.loadVerifyLocations(f);
    assert.deepEqual(a.certStoreStats(), { x509: 1, crl: 0, x509_ca: 1 });
    writeFileSync(f, readFileSync(CAFILE_CACERT, 'latin1') + readFileSync(CAFILE_NEURONIO, 'latin1'));
    const b = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    b.loadVerifyLocations(f);
    assert.deepEqual(b.certStoreStats(), { x509: 2, crl: 0, x509_ca: 2 });
    writeFileSync(f, 'junk\n');
    assert.throws(() => new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).loadVerifyLocations(f), ssl.SSLError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
