/**
 * Certificates and contexts for the soak (./run.ts): one test CA, a server
 * certificate for "localhost", a client certificate the server verifies
 * (CERT_OPTIONAL: a client that shows one must pass verification, the others
 * may show none), our client contexts per TLS version and certificate, and
 * the node:tls options for the same. The certificates travel as PEM text so
 * the clients can run in a process of their own (./client-process.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tls from 'node:tls';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { showsCert, type Auth, type TlsVersion } from './plan.js';

export const LOOPBACK = '127.0.0.1';
export const HOSTNAME = 'localhost';
export const CLIENT_CN = 'soak client';

export interface SoakCerts {
  readonly caPem: string;
  /** The server's key, then its chain. */
  readonly serverPem: string;
  readonly clientKeyPem: string;
  readonly clientChainPem: string;
}

export interface ClientContexts {
  /** Our client contexts by TLS version, without and with the client certificate (resumption uses the same ones). */
  ours(version: TlsVersion, auth: Auth): ssl.SSLContext;
  /** node:tls connect options (without host/port/session) by TLS version and auth. */
  node(version: TlsVersion, auth: Auth): tls.ConnectionOptions;
}

export function makeCerts(): SoakCerts {
  const ca = CA.create({ keyType: 'ecdsa-p256' });
  const serverLeaf = ca.issueCert(HOSTNAME);
  const clientLeaf = ca.issueClientCert('client@soak.test', { commonName: CLIENT_CN });
  return {
    caPem: ca.root.certPem,
    serverPem: serverLeaf.privateKeyAndCertChainPem,
    clientKeyPem: clientLeaf.privateKeyPem,
    clientChainPem: clientLeaf.certChainPems.join(''),
  };
}

/** loadCertChain() reads files, as Python's does: the PEM goes through a temporary one. */
function loadCert(ctx: ssl.SSLContext, pem: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-soak-'));
  try {
    const file = join(dir, 'cert.pem');
    writeFileSync(file, pem, { mode: 0o600 });
    ctx.loadCertChain(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function serverContext(certs: SoakCerts): ssl.SSLContext {
  const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  loadCert(server, certs.serverPem);
  server.loadVerifyLocations(null, null, certs.caPem);
  server.verifyMode = ssl.CERT_OPTIONAL;
  return server;
}

export function clientContexts(certs: SoakCerts): ClientContexts {
  const ours = new Map<string, ssl.SSLContext>();
  for (const version of ['1.3', '1.2'] as const) {
    for (const cert of [false, true]) {
      const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      c.loadVerifyLocations(null, null, certs.caPem);
      if (version === '1.2') c.maximumVersion = ssl.TLSVersion.TLSv1_2;
      else c.minimumVersion = ssl.TLSVersion.TLSv1_3;
      if (cert) loadCert(c, certs.clientKeyPem + certs.clientChainPem);
      ours.set(`${version}/${cert}`, c);
    }
  }
  const versions: Record<TlsVersion, tls.ConnectionOptions> = {
    '1.3': { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
    '1.2': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
  };
  const clientCert = { cert: certs.clientChainPem, key: certs.clientKeyPem };
  return {
    ours: (version, auth) => ours.get(`${version}/${showsCert(auth)}`)!,
    node: (version, auth) => ({ ca: certs.caPem, servername: HOSTNAME, ...versions[version], ...(showsCert(auth) ? clientCert : {}) }),
  };
}
