/**
 * getpeercert() shaping against CPython: every certificate in
 * test/vectors/x509 has a JSON file written by make-expected.py from
 * `ssl._ssl._test_decode_cert()` (OpenSSL 3.0). We must produce the same
 * dict, including key order, plus a live cross-check with python3 when it
 * is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCertificate } from '../../src/x509/certificate.js';
import { pemBlocksWithLabel } from '../../src/x509/pem.js';
import { peerCertDict, opensslSerial, formatIpAddress, altNameEntry } from '../../src/x509/peercert.js';
import { der } from '../../src/x509/der.js';
import { parseGeneralName } from '../../src/x509/general-name.js';
import { DerReader } from '../../src/x509/der-reader.js';
import { processTempDir } from '../helpers/tmp.js';

const DIR = new URL('../../../test/vectors/x509/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.pem') && readdirSync(DIR).includes(f.replace(/\.pem$/, '.json')));

/** JSON text of a dict with Buffers as {"$bytes": hex}, the form make-expected.py writes for Python bytes. */
function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    const b = v as { type?: unknown; data?: unknown };
    return b !== null && typeof b === 'object' && b.type === 'Buffer' && Array.isArray(b.data) ? { $bytes: Buffer.from(b.data as number[]).toString('hex') } : v;
  });
}

function certOf(file: string): Buffer {
  const [block] = pemBlocksWithLabel(readFileSync(new URL(file, DIR), 'latin1'), 'CERTIFICATE');
  assert.ok(block, `${file} holds a certificate`);
  return block;
}

test('fixture set covers the CPython certificates and our synthetic ones', () => {
  assert.ok(files.length >= 22, `found ${files.length} fixtures`);
  for (const f of ['cpython-allsans.pem', 'cpython-nullbytecert.pem', 'cpython-talos-2019-0758.pem', 'othernames.pem', 'strings.pem']) assert.ok(files.includes(f), f);
});

for (const file of files) {
  test(`peerCertDict(${file}) equals CPython's _test_decode_cert, key order included`, () => {
    const expected = JSON.parse(readFileSync(new URL(file.replace(/\.pem$/, '.json'), DIR), 'utf8')) as unknown;
    const got = JSON.parse(jsonOf(peerCertDict(parseCertificate(certOf(file))))) as object;
    assert.deepStrictEqual(got, expected);
    // JSON text equality pins key order at every level.
    assert.equal(JSON.stringify(got), JSON.stringify(expected));
    assert.deepEqual(Object.keys(got), Object.keys(expected as object));
  });
}

test('keycert3 matches the documented example of python-ssl-api.md §6.6', () => {
  const d = peerCertDict(parseCertificate(certOf('cpython-keycert3.pem')));
  assert.deepEqual(Object.keys(d), ['subject', 'issuer', 'version', 'serialNumber', 'notBefore', 'notAfter', 'subjectAltName', 'OCSP', 'caIssuers', 'crlDistributionPoints']);
  assert.equal(d.serialNumber, 'CB2D80995A69525C');
  assert.equal(d.notAfter, 'Oct 28 14:23:16 2037 GMT');
  assert.deepEqual(d.subjectAltName, [['DNS', 'localhost']]);
});

test('serial numbers print like i2a_ASN1_INTEGER', () => {
  assert.equal(opensslSerial(Buffer.from('00', 'hex')), '00');
  assert.equal(opensslSerial(Buffer.from('02', 'hex')), '02');
  assert.equal(opensslSerial(Buffer.from('00cb2d', 'hex')), 'CB2D');
  assert.equal(opensslSerial(Buffer.from('fb', 'hex')), '-05');
  assert.equal(opensslSerial(Buffer.from('ff7f', 'hex')), '-81');
  assert.equal(opensslSerial(Buffer.from('7f' + '11'.repeat(35), 'hex')), '7F' + '11'.repeat(34) + '\\\n');
});

test('IP addresses print as OpenSSL does: dotted quad, 8 uncompressed uppercase groups, <invalid>', () => {
  assert.equal(formatIpAddress(Buffer.from([127, 0, 0, 1])), '127.0.0.1');
  assert.equal(formatIpAddress(Buffer.from('00000000000000000000000000000001', 'hex')), '0:0:0:0:0:0:0:1');
  assert.equal(formatIpAddress(Buffer.from('20010db8abcd00000000000000000001', 'hex')), '2001:DB8:ABCD:0:0:0:0:1');
  assert.equal(formatIpAddress(Buffer.from('0a000001ffffff00', 'hex')), '<invalid>');
});

test('otherName with a newline is cut after it, as BIO_gets reads one line', () => {
  const gn = der.implicit(0, der.sequence(der.oid('1.3.6.1.4.1.311.20.2.3'), der.explicit(0, der.utf8String('a\nb'))));
  assert.deepEqual(altNameEntry(parseGeneralName(new DerReader(gn).read(''))), ['othername', 'UPN:a\n']);
});

const python = spawnSync('python3', ['-c', 'import ssl'], { encoding: 'utf8' });
test('live cross-check: python3 decodes every fixture the same way right now', { skip: python.status !== 0 ? 'python3 not available' : false }, () => {
  const dir = processTempDir('sslsock-peercert-');
  const paths = files.map((file) => {
    const path = join(dir, file);
    writeFileSync(path, readFileSync(new URL(file, DIR)));
    return path;
  });
  const script = 'import ssl,sys,json\ndef l(x):\n  if isinstance(x,bytes): return {"$bytes": x.hex()}\n  if isinstance(x,(tuple,list)): return [l(i) for i in x]\n  if isinstance(x,dict): return {k:l(v) for k,v in x.items()}\n  return x\nprint(json.dumps([l(ssl._ssl._test_decode_cert(p)) for p in sys.argv[1:]]))';
  const r = spawnSync('python3', ['-c', script, ...paths], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const live = JSON.parse(r.stdout) as unknown[];
  assert.equal(live.length, files.length);
  files.forEach((file, i) => assert.equal(jsonOf(peerCertDict(parseCertificate(certOf(file)))), JSON.stringify(live[i]), file));
});
