/**
 * Section "x509": certificate parsing + chain validation with a hostname, per
 * second. One operation = parse the peer's leaf and intermediate (DER, as
 * they arrive in a TLS Certificate message), build the path to a trusted
 * root loaded beforehand, verify both signatures, check validity periods and
 * the hostname.
 *
 * sslsock: parseCertificate ×2 + verifyCertificateChain (which also checks
 * key usages, EKU, basic constraints, name constraints, AKI/SKI linkage —
 * OpenSSL's full X509_verify_cert rule set).
 * baseline: node:crypto X509Certificate ×2 + checkIssued/verify(issuer key)
 * ×2 + validity dates + checkHost: the signature and name work only, which is
 * the fastest a caller could validate with node's API (so the ratio flatters
 * node, not us).
 */
import { X509Certificate } from 'node:crypto';
import { defaultProvider } from '../src/crypto/index.js';
import { CA, type CAKeyType } from '../src/testing/index.js';
import { parseCertificate } from '../src/x509/certificate.js';
import { TrustStore } from '../src/x509/store.js';
import { verifyCertificateChain } from '../src/x509/verify.js';
import type { BenchCase, BenchSection } from './harness.js';

const HOSTNAME = 'bench.example.org';

const CHAINS: readonly { label: string; keyType: CAKeyType }[] = [
  { label: 'RSA-2048', keyType: 'rsa2048' },
  { label: 'ECDSA P-256', keyType: 'ecdsa-p256' },
];

function chainCase(label: string, keyType: CAKeyType): BenchCase {
  const root = CA.create({ keyType });
  const intermediate = root.createChildCA();
  const leaf = intermediate.issueCert(HOSTNAME, 'www.example.org');
  const leafDer = leaf.certDer;
  const interDer = intermediate.certDer;

  const store = new TrustStore(defaultProvider);
  store.addCertificate(root.certDer);
  const nodeRoot = new X509Certificate(root.certDer);

  const ours = (): void => {
    const r = verifyCertificateChain({ chain: [parseCertificate(leafDer), parseCertificate(interDer)], store, hostname: HOSTNAME, provider: defaultProvider });
    if (!r.ok) throw new Error(`sslsock rejected the ${label} benchmark chain: ${r.code} ${r.message}`);
  };

  const baseline = (): void => {
    const l = new X509Certificate(leafDer);
    const i = new X509Certificate(interDer);
    const now = Date.now();
    const ok =
      l.checkIssued(i) &&
      l.verify(i.publicKey) &&
      i.checkIssued(nodeRoot) &&
      i.verify(nodeRoot.publicKey) &&
      i.ca &&
      Date.parse(l.validFrom) <= now &&
      now <= Date.parse(l.validTo) &&
      Date.parse(i.validFrom) <= now &&
      now <= Date.parse(i.validTo) &&
      l.checkHost(HOSTNAME) !== undefined;
    if (!ok) throw new Error(`node rejected the ${label} benchmark chain`);
  };

  // Both sides must agree on the inputs before we time them.
  ours();
  baseline();
  return { name: `${label} leaf+intermediate+root: parse, verify, hostname`, ours, baseline, baselineName: 'node:crypto X509Certificate' };
}

/** Parsing alone, to show how the validation time divides between parsing and checking. */
function parseCase(): BenchCase {
  const leaf = CA.create().issueCert(HOSTNAME, 'www.example.org');
  return {
    name: 'ECDSA P-256 leaf: DER parse only',
    ours: () => void parseCertificate(leaf.certDer).subject,
    baseline: () => void new X509Certificate(leaf.certDer).subject,
    baselineName: 'node:crypto X509Certificate',
  };
}

export const x509Section: BenchSection = {
  id: 'x509',
  title: 'certificate parse + chain validation (ops/s)',
  setup: () => [...CHAINS.map((c) => chainCase(c.label, c.keyType)), parseCase()],
};
