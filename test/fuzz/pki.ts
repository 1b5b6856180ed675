/**
 * Writes the fuzz PKI (test/fuzz/corpus/certs): an Ed25519 root, a server
 * certificate for localhost and a client certificate, valid until 2099. Run
 * by capture.ts when the files are missing; they are committed so recorded
 * transcripts (which carry these certificates) stay valid.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { CA } from '../../src/testing/index.js';
import { CERT_DIR, certFile } from './fixtures.js';

const NOT_AFTER = new Date('2099-01-01T00:00:00Z');
const NOT_BEFORE = new Date('2020-01-01T00:00:00Z');

export function writePki(): void {
  mkdirSync(CERT_DIR, { recursive: true });
  const ca = CA.create({ keyType: 'ed25519', commonName: 'sslsock fuzz CA', notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
  const server = ca.issueCert('localhost', '127.0.0.1', { notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
  const client = ca.issueClientCert('client@example.org', { commonName: 'fuzz client', notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
  writeFileSync(certFile('ca.pem'), ca.certPem);
  writeFileSync(certFile('server.pem'), server.certChainPems.join(''));
  writeFileSync(certFile('server.key'), server.privateKeyPem);
  writeFileSync(certFile('client.pem'), client.certChainPems.join(''));
  writeFileSync(certFile('client.key'), client.privateKeyPem);
}
