/**
 * PEM framing and Python's helpers: DER_cert_to_PEM_cert, PEM_cert_to_DER_cert
 * and cert_time_to_seconds, checked against python3 itself (message text
 * included) when it is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parsePem, pemBlocksWithLabel, toPem, derCertToPem, pemToDerCert, pyA2bBase64 } from '../../src/x509/pem.js';
import { certTimeToSeconds, formatAsn1Time, formatCertDate } from '../../src/x509/time.js';
import { X509Error } from '../../src/x509/errors.js';
import { readElement, der } from '../../src/x509/der.js';
import { decodeTime } from '../../src/x509/der-values.js';

const DIR = new URL('../../../test/vectors/x509/', import.meta.url);
const keycert = readFileSync(new URL('cpython-keycert.pem', DIR), 'latin1');
const python = spawnSync('python3', ['-c', 'import ssl'], { encoding: 'utf8' });
const noPython = python.status !== 0 ? 'python3 not available' : false;

/** Runs `fn(arg)` in python3 for each argument; returns ['ok', value] or ['err', str(e)] per argument. */
function pyEach(fn: string, args: string[]): [string, unknown][] {
  const script = `import ssl,sys,json\nout=[]\nfor a in json.loads(sys.stdin.read()):\n  try: out.append(['ok', ${fn}])\n  except Exception as e: out.append(['err', str(e)])\nprint(json.dumps(out))`;
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(args), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [string, unknown][];
}

test('parsePem finds every block among surrounding text, with labels and offsets', () => {
  const blocks = parsePem(keycert);
  assert.deepEqual(blocks.map((b) => b.label), ['PRIVATE KEY', 'CERTIFICATE']);
  assert.equal(blocks[1]!.der[0], 0x30);
  const text = `junk before\n${toPem('CERTIFICATE', blocks[1]!.der)}middle text\n${toPem('X509 CRL', Buffer.from([0x30, 0]))}trailer`;
  const again = parsePem(text);
  assert.deepEqual(again.map((b) => b.label), ['CERTIFICATE', 'X509 CRL']);
  assert.ok(again[0]!.der.equals(blocks[1]!.der));
  assert.equal(text.slice(again[0]!.start, again[0]!.start + 27), '-----BEGIN CERTIFICATE-----');
  assert.deepEqual(pemBlocksWithLabel(text, 'X509 CRL').map((b) => b.toString('hex')), ['3000']);
});

test('PEM errors: missing END, mismatched END, bad base64; other labels are not decoded by pemBlocksWithLabel', () => {
  assert.throws(() => parsePem('-----BEGIN CERTIFICATE-----\nMAA=\n'), (e: unknown) => e instanceof X509Error && e.code === 'bad_pem');
  assert.throws(() => parsePem('-----BEGIN CERTIFICATE-----\nMAA=\n-----END X509 CRL-----\n'), X509Error);
  assert.throws(() => parsePem('-----BEGIN CERTIFICATE-----\nMA*=\n-----END CERTIFICATE-----\n'), X509Error);
  assert.throws(() => parsePem('-----BEGIN CERTIFICATE-----\nMAA\n-----END CERTIFICATE-----\n'), X509Error);
  const mixed = '-----BEGIN RSA PRIVATE KEY-----\n!!!\n-----END RSA PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n';
  assert.deepEqual(pemBlocksWithLabel(mixed, 'CERTIFICATE').map((b) => b.toString('hex')), ['3000']);
  // BEGIN/END lines count only at the start of a line, as in OpenSSL.
  assert.deepEqual(parsePem('junk -----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'), []);
  assert.equal(parsePem('x\r\n-----BEGIN CERTIFICATE-----  \r\nMAA=\r\n-----END CERTIFICATE-----\r\n')[0]!.der.toString('hex'), '3000');
  const withHeaders = '-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES\n\nMAA=\n-----END X-----\n';
  assert.equal(parsePem(withHeaders)[0]!.der.toString('hex'), '3000');
});

test('toPem writes 64-character lines and a trailing newline', () => {
  const pem = toPem('CERTIFICATE', Buffer.alloc(100, 7));
  const lines = pem.split('\n');
  assert.equal(lines[0], '-----BEGIN CERTIFICATE-----');
  assert.equal(lines[1]!.length, 64);
  assert.equal(lines[2]!.length, 64);
  assert.equal(lines[3]!.length, 136 - 128);
  assert.equal(lines[4], '-----END CERTIFICATE-----');
  assert.equal(lines[5], '');
});

test('derCertToPem / pemToDerCert equal Python for certificates and edge inputs', { skip: noPython }, () => {
  const certDer = pemBlocksWithLabel(keycert, 'CERTIFICATE')[0]!;
  const ders = [certDer, Buffer.alloc(0), Buffer.from('ab', 'hex'), Buffer.alloc(48, 1)];
  const py = pyEach('ssl.DER_cert_to_PEM_cert(bytes.fromhex(a))', ders.map((d) => d.toString('hex')));
  ders.forEach((d, i) => assert.deepEqual(['ok', derCertToPem(d)], py[i]));

  const H = '-----BEGIN CERTIFICATE-----';
  const F = '-----END CERTIFICATE-----';
  const pems = [
    derCertToPem(certDer),
    ` ${H}\nMAA=\n${F}\n`,
    `${H}\nMAA=\n${F}\n junk`,
    `${H}\nMAA=\n${F} \n\n`,
    `${H}MAA=${F}`,
    `${H}\nM A*A=\n${F}`,
    `${H}\nMAA\n${F}`,
    `${H}\nMAAAA\n${F}`,
    `${H}\nMA==MAA=\n${F}`,
    `${H}\nMA=A\n${F}`,
    `${H}\n=MAA=\n${F}`,
    `${H}\n${F}`,
    `${H}\nMAéA=\n${F}`,
    `${H}\nMAé€A=\n${F}`,
    `${H}\nM😀AA=\n${F}`,
  ];
  const pyDer = pyEach('ssl.PEM_cert_to_DER_cert(a).hex()', pems);
  pems.forEach((p, i) => {
    let ours: [string, unknown];
    try {
      ours = ['ok', pemToDerCert(p).toString('hex')];
    } catch (e) {
      assert.ok(e instanceof X509Error);
      ours = ['err', e.detail];
    }
    assert.deepEqual(ours, pyDer[i], JSON.stringify(p));
  });
  assert.equal(pyA2bBase64('TWFu').toString(), 'Man');
});

test('certTimeToSeconds equals ssl.cert_time_to_seconds, errors included', { skip: noPython }, () => {
  const inputs = [
    'May  9 00:00:00 2007 GMT',
    'Jan  5 09:34:43 2018 GMT',
    'Jan 05 09:34:43 2018 GMT',
    'jan  5 09:34:43 2018 gmt',
    'JAN 5 9:3:4 2018 GMT',
    'Dec 31 23:59:60 2049 GMT',
    'Dec 31 23:59:61 1999 GMT',
    'Feb 31 00:00:00 2021 GMT',
    'Feb 29 12:00:00 2024 GMT',
    'Jan  1 00:00:00 1970 GMT',
    'Jan  1 00:00:00 1900 GMT',
    'Aug 26 14:23:15 2028 GMT',
    'Jan\t 5   09:34:43\n2018  GMT',
    'Jan  5 09:34:43 2018 UTC',
    'Jan  5 09:34:43 2018 GMT ',
    'Jan  5 09:34:43 2018 GMTx',
    'Foo  5 09:34:43 2018 GMT',
    'Jan 32 09:34:43 2018 GMT',
    'Jan  0 09:34:43 2018 GMT',
    'Jan  5 24:34:43 2018 GMT',
    'Jan  5 09:60:43 2018 GMT',
    'Jan  5 09:34:62 2018 GMT',
    'Jan  5 09:34:43 18 GMT',
    'Jan5 09:34:43 2018 GMT',
    '',
    'Ja',
    "Jan  5 09:34:43 2018 GMT'",
    'Jan  5 09:34:43 0000 GMT',
    'Jan  5 09:34:43 9999 GMT',
  ];
  const py = pyEach('ssl.cert_time_to_seconds(a)', inputs);
  inputs.forEach((s, i) => {
    let ours: [string, unknown];
    try {
      ours = ['ok', certTimeToSeconds(s)];
    } catch (e) {
      ours = ['err', (e as Error).message];
    }
    assert.deepEqual(ours, py[i], JSON.stringify(s));
  });
});

test('ASN1_TIME_print format: space-padded day, fraction kept, round trip with certTimeToSeconds', () => {
  const t = (s: string, id: number) => decodeTime(readElement(Buffer.concat([Buffer.of(id, s.length), Buffer.from(s)]), 't'));
  assert.equal(formatAsn1Time(t('180105093443Z', 0x17)), 'Jan  5 09:34:43 2018 GMT');
  assert.equal(formatAsn1Time(t('20371028142316Z', 0x18)), 'Oct 28 14:23:16 2037 GMT');
  assert.equal(formatAsn1Time(t('20240105093443.5Z', 0x18)), 'Jan  5 09:34:43.5 2024 GMT');
  const d = new Date('2028-08-26T14:23:15Z');
  assert.equal(formatCertDate(d), 'Aug 26 14:23:15 2028 GMT');
  assert.equal(certTimeToSeconds(formatCertDate(d)) * 1000, d.getTime());
  assert.equal(formatAsn1Time(decodeTime(readElement(der.time(d), 't'))), 'Aug 26 14:23:15 2028 GMT');
});
