/**
 * Context verification settings reaching the handshake: CRL flags (codes 3
 * and 23, as in CPython's test_crl_check), hostname_checks_common_name,
 * VERIFY_X509_PARTIAL_CHAIN and trust loaded from a capath directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { CA, type LeafCert } from '../../src/testing/index.js';
import { defaultProvider } from '../../src/crypto/index.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { nameHash } from '../../src/x509/name-canon.js';

const ca = CA.create();

interface Side {
  obj: ssl.SSLObject;
  incoming: ssl.MemoryBIO;
  outgoing: ssl.MemoryBIO;
}

function wrap(ctx: ssl.SSLContext, options: ssl.WrapBioOptions): Side {
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  return { obj: ctx.wrapBio(incoming, outgoing, options), incoming, outgoing };
}

/** Runs both handshakes in memory; returns the client's error (null on success). */
function clientOutcome(cctx: ssl.SSLContext, cert: LeafCert, hostname = 'localhost'): unknown {
  return handshake(cctx, cert, hostname).error;
}

/** Runs both handshakes in memory; the client's error (null on success) and its SSLObject. */
function handshake(cctx: ssl.SSLContext, cert: LeafCert, hostname = 'localhost'): { error: unknown; client: ssl.SSLObject } {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  cert.configureCert(sctx);
  const c = wrap(cctx, { serverHostname: hostname });
  const s = wrap(sctx, { serverSide: true });
  let client: unknown = undefined;
  for (let i = 0; i < 6 && client === undefined; i++) {
    try {
      c.obj.doHandshake();
      client = null;
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) client = e;
    }
    s.incoming.write(c.outgoing.read());
    try {
      s.obj.doHandshake();
    } catch {
      // the server's own outcome is not under test here
    }
    c.incoming.write(s.outgoing.read());
  }
  return { error: client, client: c.obj };
}

function code(e: unknown): number | null {
  return e instanceof ssl.SSLCertVerificationError ? e.verifyCode : null;
}

test('test_crl_check: VERIFY_CRL_CHECK_LEAF without a CRL → 3; with a CRL revoking the leaf → 23; fine otherwise', () => {
  const leaf = ca.issueCert('localhost');
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-crl-'));
  try {
    const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ca.configureTrust(cctx);
    assert.equal(clientOutcome(cctx, leaf), null);
    cctx.verifyFlags |= ssl.VERIFY_CRL_CHECK_LEAF;
    const e = clientOutcome(cctx, leaf) as ssl.SSLCertVerificationError;
    assert.equal(code(e), 3);
    assert.equal(e.verifyMessage, 'unable to get certificate CRL');
    cctx.loadVerifyLocations(ca.createCrl().writeFile(join(dir, 'empty.crl')));
    assert.equal(clientOutcome(cctx, leaf), null);
    const revokedCtx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ca.configureTrust(revokedCtx);
    revokedCtx.verifyFlags |= ssl.VERIFY_CRL_CHECK_LEAF;
    revokedCtx.loadVerifyLocations(ca.createCrl({ revoked: [leaf] }).writeFile(join(dir, 'revoked.crl')));
    const r = clientOutcome(revokedCtx, leaf) as ssl.SSLCertVerificationError;
    assert.equal(code(r), 23);
    assert.equal(r.verifyMessage, 'certificate revoked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostname_checks_common_name: a CN-only certificate matches by CN until it is switched off (then 62)', () => {
  const cnOnly = ca.issueCert({ commonName: 'localhost' });
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  assert.equal(clientOutcome(cctx, cnOnly), null);
  cctx.hostnameChecksCommonName = false;
  assert.equal(code(clientOutcome(cctx, cnOnly)), 62);
});

test('VERIFY_X509_PARTIAL_CHAIN: an intermediate as trust anchor is enough only with the flag (else 2)', () => {
  const inter = ca.createChildCA();
  const leaf = inter.issueCert('localhost');
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  cctx.loadVerifyLocations(null, null, inter.certPem);
  assert.equal(code(clientOutcome(cctx, leaf)), 2);
  cctx.verifyFlags |= ssl.VERIFY_X509_PARTIAL_CHAIN;
  assert.equal(clientOutcome(cctx, leaf), null);
});

test('capath: the trust anchor is found by subject hash in an OpenSSL hashed directory, lazily', () => {
  const leaf = ca.issueCert('localhost');
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-capath-'));
  try {
    const hash = nameHash(parseCertificate(ca.certDer).subject, defaultProvider);
    writeFileSync(join(dir, `${hash}.0`), ca.certPem);
    const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    cctx.loadVerifyLocations(null, dir);
    assert.deepEqual(cctx.certStoreStats(), { x509: 0, crl: 0, x509_ca: 0 });
    assert.equal(clientOutcome(cctx, leaf), null);
    assert.deepEqual(cctx.certStoreStats(), { x509: 1, crl: 0, x509_ca: 1 });
    assert.deepEqual(cctx.getCaCerts(true), [ca.certDer]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check_hostname off: the chain is still verified but the name is not', () => {
  const leaf = ca.issueCert('localhost');
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  cctx.checkHostname = false;
  assert.equal(clientOutcome(cctx, leaf, 'example.org'), null);
  const untrusted = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  untrusted.checkHostname = false;
  assert.equal(code(clientOutcome(untrusted, leaf, 'example.org')), 20);
});

test('verified chains cached per context: the same peer certificate and chain every time; trust and flag changes take effect at once', () => {
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  const cert = ca.issueCert('localhost');
  const first = handshake(cctx, cert);
  assert.equal(first.error, null);
  const again = handshake(cctx, cert);
  assert.equal(again.error, null);
  assert.deepEqual(again.client.getpeercert(), first.client.getpeercert());
  assert.deepEqual(again.client.getVerifiedChain(), first.client.getVerifiedChain());
  assert.equal(first.client.getVerifiedChain().length, 2, 'leaf and anchor');
  // Still checked per connection: the name …
  assert.equal(code(handshake(cctx, cert, 'other.example').error), 62);
  // … flags that add checks (CRL: none loaded → 3) …
  cctx.verifyFlags |= ssl.VERIFY_CRL_CHECK_LEAF;
  assert.equal(code(handshake(cctx, cert).error), 3);
  cctx.verifyFlags &= ~ssl.VERIFY_CRL_CHECK_LEAF;
  assert.equal(handshake(cctx, cert).error, null);
  // … and a chain from another CA is not trusted until that CA is loaded, then is.
  const other = CA.create();
  const otherCert = other.issueCert('localhost');
  assert.equal(code(handshake(cctx, otherCert).error), 20);
  other.configureTrust(cctx);
  assert.equal(handshake(cctx, otherCert).error, null);
  assert.equal(handshake(cctx, cert).error, null);
  // A verify mode change reaches new connections too.
  const none = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  none.checkHostname = false;
  none.verifyMode = ssl.CERT_NONE;
  assert.equal(handshake(none, otherCert).error, null);
  none.verifyMode = ssl.CERT_REQUIRED;
  assert.equal(code(handshake(none, otherCert).error), 20);
});
