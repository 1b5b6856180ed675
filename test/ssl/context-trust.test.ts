/**
 * SSLContext's trust store (src/x509/store.ts behind load_verify_locations,
 * set_default_verify_paths, cert_store_stats, get_ca_certs) compared with
 * Python's ssl on the same inputs: the exception class, errno, message and
 * the store's counts afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { pythonJson, pythonSkipReason, tempDir } from '../helpers/openssl.js';
import { CERTDATA, certdataSkip } from '../helpers/certdata.js';


interface Outcome {
  error: string | null;
  errno: number | null;
  message: string | null;
  stats: { x509: number; crl: number; x509_ca: number };
}

/** One load: a cafile path, or cadata as text (`text`) or bytes (`hex`). */
type Case = { name: string; cafile: string } | { name: string; text: string } | { name: string; hex: string };

const PYTHON = `import json, re, ssl, sys
out = []
for c in json.load(sys.stdin):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    r = {'error': None, 'errno': None, 'message': None}
    try:
        if 'cafile' in c: ctx.load_verify_locations(c['cafile'])
        elif 'text' in c: ctx.load_verify_locations(cadata=c['text'])
        else: ctx.load_verify_locations(cadata=bytes.fromhex(c['hex']))
    except Exception as e:
        r['error'] = type(e).__name__
        r['errno'] = getattr(e, 'errno', None)
        r['message'] = re.sub(r' \\(_ssl\\.c:\\d+\\)$', '', str(e))
    r['stats'] = ctx.cert_store_stats()
    out.append(r)
print(json.dumps(out))`;

function ours(c: Case): Outcome {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const r: Outcome = { error: null, errno: null, message: null, stats: { x509: 0, crl: 0, x509_ca: 0 } };
  try {
    if ('cafile' in c) ctx.loadVerifyLocations(c.cafile);
    else if ('text' in c) ctx.loadVerifyLocations(null, null, c.text);
    else ctx.loadVerifyLocations(null, null, Buffer.from(c.hex, 'hex'));
  } catch (e) {
    const err = e as Error & { errno?: number };
    r.error = err.name;
    r.errno = err.errno ?? null;
    r.message = err.message;
  }
  r.stats = ctx.certStoreStats();
  return r;
}

test('load_verify_locations errors and counts equal Python for cafile and cadata edge cases', { skip: certdataSkip || pythonSkipReason() || false }, () => {
  const { dir, cleanup } = tempDir('sslsock-trust-');
  try {
    const good = readFileSync(join(CERTDATA, 'pycacert.pem'), 'latin1');
    const goodPem = good.slice(good.indexOf('-----BEGIN'));
    const der = Buffer.from(goodPem.split('-----')[2]!.replace(/\s+/g, ''), 'base64').toString('hex');
    const bad = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const badBase64 = '-----BEGIN CERTIFICATE-----\nA!!A\n-----END CERTIFICATE-----\n';
    const keyOnly = readFileSync(join(CERTDATA, 'ssl_key.pem'), 'latin1');
    const trusted = goodPem.replace(/(BEGIN|END) CERTIFICATE/g, '$1 TRUSTED CERTIFICATE');
    const oldLabel = goodPem.replace(/(BEGIN|END) CERTIFICATE/g, '$1 X509 CERTIFICATE');
    const file = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text, 'latin1');
      return p;
    };
    const cases: Case[] = [
      { name: 'cafile: only a private key', cafile: file('key.pem', keyOnly) },
      { name: 'cafile: good then undecodable block', cafile: file('mixed.pem', goodPem + bad) },
      { name: 'cafile: TRUSTED CERTIFICATE', cafile: file('trusted.pem', trusted) },
      { name: 'cafile: no PEM at all', cafile: file('junk.pem', 'junk') },
      { name: 'cafile: CRL only', cafile: join(CERTDATA, 'revocation.crl') },
      { name: 'cafile: a directory', cafile: dir },
      { name: 'cafile: missing', cafile: join(dir, 'missing.pem') },
      { name: 'cadata text: good then undecodable block', text: goodPem + bad },
      { name: 'cadata text: good then bad base64', text: goodPem + badBase64 },
      { name: 'cadata text: undecodable block then good', text: bad + goodPem },
      { name: 'cadata text: key then good', text: keyOnly + goodPem },
      { name: 'cadata text: TRUSTED CERTIFICATE only', text: trusted },
      { name: 'cadata text: X509 CERTIFICATE label', text: oldLabel },
      { name: 'cadata bytes: good then element cut short', hex: der + Buffer.from('broken').toString('hex') },
      { name: 'cadata bytes: good then a whole non-certificate', hex: `${der}300302010a` },
      { name: 'cadata bytes: good then an OCTET STRING', hex: `${der}0400` },
      { name: 'cadata bytes: good then half a certificate', hex: der + der.slice(0, 200) },
      { name: 'cadata bytes: nothing readable', hex: Buffer.from('broken').toString('hex') },
    ];
    const expected = pythonJson<Outcome[]>(PYTHON, cases);
    for (const [i, c] of cases.entries()) {
      const want = expected[i]!;
      assert.deepEqual(ours(c), want, c.name);
      if (c.name === 'cafile: a directory') assert.equal(want.error, 'IsADirectoryError', 'Python reports a directory cafile as IsADirectoryError');
    }
  } finally {
    cleanup();
  }
});

test('set_default_verify_paths with SSL_CERT_FILE and SSL_CERT_DIR set empty loads nothing, as Python', { skip: pythonSkipReason() ?? false }, () => {
  const saved = { file: process.env.SSL_CERT_FILE, dir: process.env.SSL_CERT_DIR };
  try {
    process.env.SSL_CERT_FILE = '';
    process.env.SSL_CERT_DIR = '';
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.setDefaultVerifyPaths();
    const expected = pythonJson<{ stats: unknown; paths: unknown[] }>(
      `import json, os, ssl
os.environ['SSL_CERT_FILE'] = ''; os.environ['SSL_CERT_DIR'] = ''
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.set_default_verify_paths()
print(json.dumps({'stats': ctx.cert_store_stats(), 'paths': list(ssl.get_default_verify_paths())}))`,
    );
    assert.deepEqual(ctx.certStoreStats(), expected.stats);
    const p = ssl.getDefaultVerifyPaths();
    assert.deepEqual([p.cafile, p.capath, p.openssl_cafile_env, p.openssl_cafile, p.openssl_capath_env, p.openssl_capath], expected.paths);
  } finally {
    if (saved.file === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved.file;
    if (saved.dir === undefined) delete process.env.SSL_CERT_DIR;
    else process.env.SSL_CERT_DIR = saved.dir;
  }
});

test('the system store through create_default_context equals Python (stats and get_ca_certs order), and a second context reuses the parsed bundle', { skip: pythonSkipReason() ?? false }, () => {
  const saved = { file: process.env.SSL_CERT_FILE, dir: process.env.SSL_CERT_DIR };
  try {
    delete process.env.SSL_CERT_FILE;
    delete process.env.SSL_CERT_DIR;
    const first = ssl.createDefaultContext();
    const t0 = process.hrtime.bigint();
    const second = ssl.createDefaultContext();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const expected = pythonJson<{ stats: unknown; ders: string[] }>(
      `import json, os, ssl
os.environ.pop('SSL_CERT_FILE', None); os.environ.pop('SSL_CERT_DIR', None)
ctx = ssl.create_default_context()
print(json.dumps({'stats': ctx.cert_store_stats(), 'ders': [d.hex() for d in ctx.get_ca_certs(True)]}))`,
    );
    for (const ctx of [first, second]) {
      assert.deepEqual(ctx.certStoreStats(), expected.stats);
      assert.deepEqual(
        (ctx.getCaCerts(true) as Buffer[]).map((d) => d.toString('hex')),
        expected.ders,
      );
    }
    // Parsing ~150 certificates takes hundreds of ms; inserting already-parsed ones a few.
    assert.ok(ms < 100, `second create_default_context took ${ms.toFixed(1)} ms`);
  } finally {
    if (saved.file !== undefined) process.env.SSL_CERT_FILE = saved.file;
    if (saved.dir !== undefined) process.env.SSL_CERT_DIR = saved.dir;
  }
});
