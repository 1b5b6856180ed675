/**
 * The demo's X.509 part: the test CA's server certificate run through
 * sslsock's own path validation (OpenSSL 3.0 rules), for the names it covers
 * and for the usual ways validation fails, with Python's verify codes and
 * messages. No TLS here: the certificate checks alone.
 */
import type { CryptoProvider } from '../crypto/index.js';
import { CA, type LeafCert } from '../testing/index.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { parseCrl } from '../x509/crl.js';
import { pemToDerCert } from '../x509/pem.js';
import { TrustStore } from '../x509/store.js';
import { pythonVerifyMessage } from '../x509/verify-codes.js';
import { verifyCertificateChain, X509_V_FLAG, type VerifyOptions } from '../x509/verify.js';

const MS_PER_DAY = 86_400_000;
const WRONG_HOST = 'example.com';
const WRONG_IP = '127.0.0.2';

export interface CheckResult {
  readonly case: string;
  readonly ok: boolean;
  /** X509_V_ERR code, 0 when ok. */
  readonly verifyCode: number;
  /** Python's `verify_message`. */
  readonly verifyMessage: string;
  readonly chain?: string[];
}

export interface X509Report {
  readonly validations: CheckResult[];
  readonly failures: CheckResult[];
}

function hostOrIp(name: string): Pick<VerifyOptions, 'hostname' | 'ip'> {
  return /^[0-9.]+$/.test(name) || name.includes(':') ? { ip: name } : { hostname: name };
}

function check(label: string, name: string | null, options: Omit<VerifyOptions, 'provider'>, provider: CryptoProvider): CheckResult {
  const r = verifyCertificateChain({ ...options, provider });
  if (r.ok) return { case: label, ok: true, verifyCode: 0, verifyMessage: 'ok', chain: r.chain.map((c) => c.subject.commonNames[0] ?? c.subject.toString()) };
  return { case: label, ok: false, verifyCode: r.code, verifyMessage: pythonVerifyMessage(r.code, name) };
}

function chainOf(leaf: LeafCert): Certificate[] {
  return leaf.certChainPems.map((pem) => parseCertificate(pemToDerCert(pem)));
}

/** `root` anchors the store; `intermediate` issued `server` (and issues the failing variants). */
export function runX509(root: CA, intermediate: CA, server: LeafCert, provider: CryptoProvider): X509Report {
  const store = new TrustStore(provider);
  store.addCertificate(root.certDer);
  const chain = chainOf(server);
  const validations = server.identities.map((name) => check(name, name, { chain, store, ...hostOrIp(name) }, provider));

  const now = Date.now();
  const expired = intermediate.issueCert('localhost', { notBefore: new Date(now - 30 * MS_PER_DAY), notAfter: new Date(now - MS_PER_DAY) });
  const future = intermediate.issueCert('localhost', { notBefore: new Date(now + MS_PER_DAY) });
  const clientOnly = intermediate.issueClientCert('alice@example.org');
  const otherStore = new TrustStore(provider);
  otherStore.addCertificate(CA.create().certDer);
  const revoked = intermediate.issueCert('localhost');
  const crls = [parseCrl(intermediate.createCrl({ revoked: [revoked] }).der), parseCrl(root.createCrl().der)];

  const failures = [
    check(`host name '${WRONG_HOST}'`, WRONG_HOST, { chain, store, hostname: WRONG_HOST }, provider),
    check(`IP address ${WRONG_IP}`, WRONG_IP, { chain, store, ip: WRONG_IP }, provider),
    check('expired certificate', 'localhost', { chain: chainOf(expired), store, hostname: 'localhost' }, provider),
    check('certificate not yet valid', 'localhost', { chain: chainOf(future), store, hostname: 'localhost' }, provider),
    check('issuer not trusted', 'localhost', { chain, store: otherStore, hostname: 'localhost' }, provider),
    check('intermediate not sent', 'localhost', { chain: chain.slice(0, 1), store, hostname: 'localhost' }, provider),
    check('revoked (VERIFY_CRL_CHECK_LEAF)', 'localhost', { chain: chainOf(revoked), store, crls, flags: X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK, hostname: 'localhost' }, provider),
    check('client-only certificate on a server', null, { chain: chainOf(clientOnly), store }, provider),
  ];
  return { validations, failures };
}
