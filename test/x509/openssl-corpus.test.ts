/**
 * Acceptance test for path validation: a corpus of chains generated with the
 * openssl CLI (openssl-corpus-cases.ts), each judged by `openssl verify`, by a
 * real Python handshake where the case is a plain client-side check, and by
 * verifyCertificateChain. Verdict, X509_V_ERR code and depth must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultProvider } from '../../src/crypto/index.js';
import { parseCrl } from '../../src/x509/crl.js';
import { PYTHON_DEFAULT_HOST_FLAGS } from '../../src/x509/hostname.js';
import { TrustStore } from '../../src/x509/store.js';
import { pythonVerifyMessage } from '../../src/x509/verify-codes.js';
import { verifyCertificateChain, type VerifyResult } from '../../src/x509/verify.js';
import { opensslSkipReason, pythonSkipReason, tempDir } from '../helpers/openssl.js';
import {
  Pki,
  caseFlags,
  opensslVerify,
  pemToDer,
  pythonVerifyAll,
  type CorpusCase,
} from '../helpers/openssl-corpus.js';
import { buildCorpus } from './openssl-corpus-cases.js';

/** Python contexts verify at OpenSSL security level 2; the corpus runs every judge at that level. */
export const AUTH_LEVEL = 2;

function ours(pki: Pki, c: CorpusCase, now: number): VerifyResult {
  const store = new TrustStore(defaultProvider);
  for (const name of c.trusted) store.addCertificate(pki.certDer(name));
  const purpose = c.purpose === undefined ? 'sslserver' : c.purpose;
  return verifyCertificateChain({
    chain: [pki.certDer(c.leaf), ...(c.untrusted ?? []).map((n) => pki.certDer(n))],
    store,
    crls: (c.crls ?? []).map((path) => parseCrl(pemToDer(readFileSync(path, 'latin1')))),
    time: new Date((c.attime ?? now) * 1000),
    purpose: purpose === null ? null : purpose === 'sslserver' ? 'serverAuth' : 'clientAuth',
    flags: caseFlags(c),
    maxDepth: c.maxDepth,
    hostname: c.hostname ?? null,
    ip: c.ip ?? null,
    hostFlags: c.hostFlags ?? PYTHON_DEFAULT_HOST_FLAGS,
    authLevel: AUTH_LEVEL,
    provider: defaultProvider,
  });
}

function verdict(r: VerifyResult): string {
  return r.ok ? 'ok' : `error ${r.code} at depth ${r.depth} (${r.message})`;
}

const skip = opensslSkipReason();

test('path validation agrees with openssl verify and Python on the openssl-generated corpus', { skip: skip ?? false, timeout: 180_000 }, async (t) => {
  const { dir, cleanup } = tempDir('sslsock-corpus-');
  try {
    const pki = new Pki(dir);
    const cases = await buildCorpus(pki);
    assert.ok(cases.length >= 40, `corpus has only ${cases.length} cases`);
    const now = Math.floor(Date.now() / 1000);
    const pythonCases = cases.filter((c) => c.python === true);
    const pythonSkip = pythonSkipReason();
    const python = pythonSkip === null ? pythonVerifyAll(pki, pythonCases, dir) : [];
    if (pythonSkip !== null) t.diagnostic(`Python comparisons skipped: ${pythonSkip}`);
    let compared = 0;
    for (const c of cases) {
      await t.test(c.name, () => {
        const r = ours(pki, c, now);
        if (c.opensslSkip !== true) {
          const o = opensslVerify(pki, c, now, dir, AUTH_LEVEL);
          const expected = o.ok ? 'ok' : `error ${o.code} at depth ${o.depth}`;
          const got = r.ok ? 'ok' : `error ${r.code} at depth ${r.depth}`;
          assert.equal(got, expected, `openssl verify says ${expected}; we say ${verdict(r)}\n${o.output}`);
          compared++;
        }
        const p = python.find((x) => x.name === c.name);
        if (p !== undefined) {
          assert.ok(p.code >= 0, `Python handshake did not verify: ${p.message}`);
          assert.equal(r.ok ? 0 : r.code, p.code, `Python says ${p.code} (${p.message}); we say ${verdict(r)}`);
          if (!r.ok) assert.equal(pythonVerifyMessage(r.code, c.hostname ?? c.ip ?? null), p.message);
        }
      });
    }
    assert.ok(compared >= 40, `only ${compared} cases compared with openssl verify`);
  } finally {
    cleanup();
  }
});
