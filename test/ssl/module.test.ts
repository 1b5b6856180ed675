/**
 * CPython test_ssl BasicSocketTests (module-level parts) and TestEnumerations,
 * ported. The enumerations are compared with the ones python3's ssl module
 * reports on this machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as ssl from '../../src/ssl/index.js';
import { havePeer } from '../helpers/peer-check.js';
import { dataFile } from '../helpers/certdata.js';

const CAFILE_CACERT = dataFile('capath', '5ed36f99.0');
const havePython = havePeer('python3', ['-c', 'import ssl']);

test('test_constants: CERT_*, OP_*, HAS_* flags say what this engine implements', () => {
  assert.equal(ssl.CERT_NONE, 0);
  assert.equal(ssl.CERT_OPTIONAL, 1);
  assert.equal(ssl.CERT_REQUIRED, 2);
  assert.equal(ssl.OP_CIPHER_SERVER_PREFERENCE, 0x400000);
  assert.equal(ssl.OP_NO_COMPRESSION, 0x20000);
  assert.equal(ssl.PROTOCOL_TLS, ssl.PROTOCOL_SSLv23);
  assert.equal(ssl.HAS_SNI, true);
  assert.equal(ssl.HAS_ECDH, true);
  assert.equal(ssl.HAS_ALPN, true);
  assert.equal(ssl.HAS_TLSv1_3, true);
  assert.equal(ssl.HAS_NEVER_CHECK_COMMON_NAME, true);
  // Not implemented (yet): reported as a Python built without them would.
  assert.equal(ssl.HAS_TLSv1_2, true);
  assert.equal(ssl.HAS_TLSv1, false);
  assert.equal(ssl.HAS_SSLv3, false);
  assert.equal(ssl.HAS_NPN, false);
  assert.equal(ssl.HAS_PHA, true);
  assert.deepEqual(ssl.CHANNEL_BINDING_TYPES, ['tls-unique']);
  assert.equal(ssl.PEM_HEADER, '-----BEGIN CERTIFICATE-----');
  assert.equal(ssl.PEM_FOOTER, '-----END CERTIFICATE-----');
});

test('test_random: RAND_status, RAND_bytes, RAND_add argument checks', () => {
  assert.equal(ssl.RAND_status(), true);
  const a = ssl.RAND_bytes(16);
  assert.equal(a.length, 16);
  assert.notDeepEqual(a, ssl.RAND_bytes(16));
  assert.deepEqual(ssl.RAND_bytes(0), Buffer.alloc(0));
  assert.throws(() => ssl.RAND_bytes(-5), { name: 'ValueError', message: 'num must be positive' });
  ssl.RAND_add('this is a random string', 75.0);
  ssl.RAND_add(Buffer.from('this is a random bytes object'), 75.0);
  assert.throws(() => ssl.RAND_add(3 as unknown as string, 1.0), { name: 'TypeError', message: "a bytes-like object is required, not 'int'" });
  assert.throws(() => ssl.RAND_add('x', 'y' as unknown as number), { name: 'TypeError', message: 'must be real number, not str' });
});

test('test_DER_to_PEM: PEM → DER → PEM → DER round-trips with header and footer lines', () => {
  const pem = readFileSync(CAFILE_CACERT, 'latin1');
  const d1 = ssl.PEMCertToDERCert(pem);
  const p2 = ssl.DERCertToPEMCert(d1);
  assert.deepEqual(ssl.PEMCertToDERCert(p2), d1);
  assert.ok(p2.startsWith(ssl.PEM_HEADER + '\n'));
  assert.ok(p2.endsWith('\n' + ssl.PEM_FOOTER + '\n'));
  assert.throws(() => ssl.PEMCertToDERCert(' ' + pem), { name: 'ValueError', message: 'Invalid PEM encoding; must start with -----BEGIN CERTIFICATE-----' });
  assert.throws(() => ssl.PEMCertToDERCert(ssl.PEM_HEADER + '\nAAAA\n'), { name: 'ValueError', message: 'Invalid PEM encoding; must end with -----END CERTIFICATE-----' });
  assert.throws(() => ssl.DERCertToPEMCert('x' as unknown as Uint8Array), { name: 'TypeError', message: "a bytes-like object is required, not 'str'" });
});

test('test_openssl_version: the version constants describe sslsock honestly, in OpenSSL’s shapes', () => {
  assert.equal(typeof ssl.OPENSSL_VERSION, 'string');
  assert.match(ssl.OPENSSL_VERSION, /^sslsock \d+\.\d+\.\d+ \(TLS engine in TypeScript; crypto from Node /);
  assert.ok(!ssl.OPENSSL_VERSION.startsWith('OpenSSL '));
  assert.equal(ssl.OPENSSL_VERSION_INFO.length, 5);
  for (const n of ssl.OPENSSL_VERSION_INFO) assert.ok(Number.isInteger(n) && n >= 0);
  const [major, minor, fix] = ssl.OPENSSL_VERSION_INFO;
  assert.equal(ssl.OPENSSL_VERSION_NUMBER, (major << 28) + (minor << 20) + (fix << 4));
  assert.ok(ssl.OPENSSL_VERSION.startsWith(`sslsock ${major}.${minor}.${fix}`));
});

test('test_get_default_verify_paths: six fields; SSL_CERT_DIR / SSL_CERT_FILE honoured', () => {
  const saved = { file: process.env.SSL_CERT_FILE, dir: process.env.SSL_CERT_DIR };
  try {
    process.env.SSL_CERT_DIR = '/';
    process.env.SSL_CERT_FILE = CAFILE_CACERT;
    const p = ssl.getDefaultVerifyPaths();
    assert.deepEqual(Object.keys(p), ['cafile', 'capath', 'openssl_cafile_env', 'openssl_cafile', 'openssl_capath_env', 'openssl_capath']);
    assert.equal(p.cafile, CAFILE_CACERT);
    assert.equal(p.capath, '/');
    process.env.SSL_CERT_FILE = '/nonexistent/file.pem';
    assert.equal(ssl.getDefaultVerifyPaths().cafile, null);
  } finally {
    if (saved.file === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved.file;
    if (saved.dir === undefined) delete process.env.SSL_CERT_DIR;
    else process.env.SSL_CERT_DIR = saved.dir;
  }
});

test('test_asn1object: by OID, NID and name; Python errors', () => {
  const expected = [129, 'serverAuth', 'TLS Web Server Authentication', '1.3.6.1.5.5.7.3.1'];
  assert.deepEqual(new ssl._ASN1Object('1.3.6.1.5.5.7.3.1').toArray(), expected);
  assert.deepEqual(ssl._ASN1Object.fromnid(129).toArray(), expected);
  assert.deepEqual(ssl._ASN1Object.fromname('serverAuth').toArray(), expected);
  assert.deepEqual(ssl._ASN1Object.fromname('TLS Web Server Authentication').toArray(), expected);
  assert.deepEqual(ssl._ASN1Object.fromname('1.3.6.1.5.5.7.3.1').toArray(), expected);
  assert.deepEqual(ssl._ASN1Object.fromnid(13).toArray(), [13, 'CN', 'commonName', '2.5.4.3']);
  assert.throws(() => ssl._ASN1Object.fromnid(100000), { name: 'ValueError', message: 'unknown NID 100000' });
  assert.throws(() => ssl._ASN1Object.fromnid(-1), { name: 'ValueError', message: 'NID must be positive.' });
  assert.throws(() => ssl._ASN1Object.fromname('serverauth'), { name: 'ValueError', message: "unknown object 'serverauth'" });
  assert.throws(() => new ssl._ASN1Object('serverAuth'), { name: 'ValueError', message: "unknown object 'serverAuth'" });
  assert.throws(() => new ssl._ASN1Object('1.2.3'), { name: 'ValueError', message: 'Unknown object' });
});

test('test_purpose_enum: SERVER_AUTH and CLIENT_AUTH', () => {
  assert.ok(ssl.Purpose.SERVER_AUTH instanceof ssl._ASN1Object);
  assert.deepEqual(ssl.Purpose.SERVER_AUTH.toArray(), [129, 'serverAuth', 'TLS Web Server Authentication', '1.3.6.1.5.5.7.3.1']);
  assert.deepEqual(ssl.Purpose.CLIENT_AUTH.toArray(), [130, 'clientAuth', 'TLS Web Client Authentication', '1.3.6.1.5.5.7.3.2']);
});

test('test_cert_time_to_seconds: formats, case, leap seconds, invalid fields', () => {
  const ok = (s: string, ts: number) => assert.equal(ssl.certTimeToSeconds(s), ts, s);
  const fail = (s: string) => assert.throws(() => ssl.certTimeToSeconds(s), (e: Error) => e instanceof ssl.ValueError, s);
  ok('Jan  5 09:34:43 2018 GMT', 1515144883);
  ok('Jan 05 09:34:43 2018 GMT', 1515144883);
  ok('JaN  5 09:34:43 2018 GmT', 1515144883);
  fail('Jan  5 09:34 2018 GMT');
  fail('Jan  5 09:34:43 2018');
  fail('Jan  5 09:34:43 2018 UTC');
  fail('Jan 35 09:34:43 2018 GMT');
  fail('Jon  5 09:34:43 2018 GMT');
  fail('Jan  5 24:00:00 2018 GMT');
  fail('Jan  5 09:60:43 2018 GMT');
  ok('Dec 31 23:59:60 2008 GMT', 1230768000);
  ok('Jan  1 00:00:00 2009 GMT', 1230768000);
  ok('Jan  5 09:34:60 2018 GMT', 1515144900);
  ok('Jan  5 09:34:61 2018 GMT', 1515144901);
  fail('Jan  5 09:34:62 2018 GMT');
  ok('Dec 31 23:59:59 9999 GMT', 253402300799);
  assert.throws(() => ssl.certTimeToSeconds('Jon  5 09:34:43 2018 GMT'), { message: `time data 'Jon  5 09:34:43 2018 GMT' does not match format "%b %d %H:%M:%S %Y GMT"` });
});

test('get_protocol_name: member names, <unknown> otherwise', () => {
  assert.equal(ssl.getProtocolName(ssl.PROTOCOL_TLS_CLIENT), 'PROTOCOL_TLS_CLIENT');
  assert.equal(ssl.getProtocolName(2), 'PROTOCOL_TLS');
  assert.equal(ssl.getProtocolName(99), '<unknown>');
});

test('the exception classes of socket are exported by ssl, and SSLError is an OSError', () => {
  assert.ok(new ssl.SSLError(1, 'x') instanceof ssl.OSError);
  assert.equal(ssl.CertificateError, ssl.SSLCertVerificationError);
  assert.equal(ssl.socket_error, ssl.OSError);
  for (const cls of [ssl.ValueError, ssl.NotImplementedError, ssl.TimeoutError, ssl.ConnectionResetError, ssl.BrokenPipeError, ssl.FileNotFoundError]) {
    assert.equal(typeof cls, 'function');
  }
  assert.equal(typeof ssl.socket, 'function');
  assert.equal(ssl.SOCK_STREAM, 1);
});

test('TestEnumerations: every enum member and value equals python3’s ssl module', { skip: havePython ? false : 'python3 with ssl is not installed' }, () => {
  const script = `
import ssl, json, enum
out = {}
for name in ['_SSLMethod', 'Options', 'VerifyMode', 'VerifyFlags', 'TLSVersion', 'AlertDescription', 'SSLErrorNumber']:
    cls = getattr(ssl, name)
    out[name] = {m: int(v) for m, v in cls.__members__.items()}
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout) as Record<string, Record<string, number>>;
  const ours: Record<string, Record<string, number>> = {
    _SSLMethod: ssl._SSLMethod,
    Options: ssl.Options,
    VerifyMode: ssl.VerifyMode,
    VerifyFlags: ssl.VerifyFlags,
    TLSVersion: ssl.TLSVersion,
    AlertDescription: ssl.AlertDescription,
    SSLErrorNumber: ssl.SSLErrorNumber,
  };
  // Python 3.11 lacks the 3.12 options; everything Python has we have, with the same value.
  for (const [enumName, members] of Object.entries(py)) {
    for (const [member, value] of Object.entries(members)) {
      assert.equal(ours[enumName]![member], value, `${enumName}.${member}`);
    }
  }
  assert.deepEqual(Object.keys(ssl.VerifyMode), Object.keys(py.VerifyMode!));
  assert.deepEqual(Object.keys(ssl.TLSVersion), Object.keys(py.TLSVersion!));
  assert.deepEqual(Object.keys(ssl.AlertDescription), Object.keys(py.AlertDescription!));
  assert.deepEqual(Object.keys(ssl.SSLErrorNumber), Object.keys(py.SSLErrorNumber!));
});
