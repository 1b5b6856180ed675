/**
 * Certificates and contexts for the soak (./run.ts): one test CA, a server
 * certificate for "localhost", a client certificate the server verifies
 * (CERT_OPTIONAL: a client that shows one must pass verification, the others
 * may show none), our client contexts per TLS version and certificate, and
 * the node:tls options for the same.
 */
import type * as tls from 'node:tls';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import type { Auth, TlsVersion } from './plan.js';

export const LOOPBACK = '127.0.0.1';
export const HOSTNAME = 'localhost';
export const CLIENT_CN = 'soak client';

export interface SoakContexts {
  readonly server: ssl.SSLContext;
  /** Our client contexts by TLS version, plain (also used for resumption) and with the client certificate. */
  ours(version: TlsVersion, auth: Auth): ssl.SSLContext;
  /** node:tls connect options (without host/port/session) by TLS version and auth. */
  node(version: TlsVersion, auth: Auth): tls.ConnectionOptions;
}

export function makeContexts(): SoakContexts {
  const ca = CA.create({ keyType: 'ecdsa-p256' });
  const serverLeaf = ca.issueCert(HOSTNAME);
  const clientLeaf = ca.issueClientCert('client@soak.test', { commonName: CLIENT_CN });

  const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  serverLeaf.configureCert(server);
  ca.configureTrust(server);
  server.verifyMode = ssl.CERT_OPTIONAL;

  const ours = new Map<string, ssl.SSLContext>();
  for (const version of ['1.3', '1.2'] as const) {
    for (const cert of [false, true]) {
      const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      ca.configureTrust(c);
      if (version === '1.2') c.maximumVersion = ssl.TLSVersion.TLSv1_2;
      else c.minimumVersion = ssl.TLSVersion.TLSv1_3;
      if (cert) clientLeaf.configureCert(c);
      ours.set(`${version}/${cert}`, c);
    }
  }
  const versions: Record<TlsVersion, tls.ConnectionOptions> = {
    '1.3': { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
    '1.2': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
  };
  const clientCert = { cert: clientLeaf.certChainPems.join(''), key: clientLeaf.privateKeyPem };
  return {
    server,
    ours: (version, auth) => ours.get(`${version}/${auth === 'client-cert'}`)!,
    node: (version, auth) => ({
      ca: ca.root.certPem,
      servername: HOSTNAME,
      ...versions[version],
      ...(auth === 'client-cert' ? clientCert : {}),
    }),
  };
}
