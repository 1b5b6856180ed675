/**
 * Test certificates for the engine tests, issued once per process by the
 * project's test CA (src/testing): a CA (ECDSA P-256) and server leaves for
 * each key type we serve with (RSA-2048, ECDSA P-256, ECDSA P-384, Ed25519),
 * plus a client certificate. The files are written to a temporary directory
 * for the interop tests, which hand them to `openssl` / Python.
 */
import { CA, type CAKeyType, type LeafCert } from '../../src/testing/ca.js';
import type { CertifiedKey } from '../../src/tls/config.js';
import { processTempDir } from '../helpers/tmp.js';

export type LeafKind = 'rsa2048' | 'p256' | 'p384' | 'ed25519';
export const LEAF_KINDS: readonly LeafKind[] = ['rsa2048', 'p256', 'p384', 'ed25519'];

const KEY_TYPE: Record<LeafKind, CAKeyType> = { rsa2048: 'rsa2048', p256: 'ecdsa-p256', p384: 'ecdsa-p384', ed25519: 'ed25519' };

export interface LeafFiles {
  /** PEM chain without the root (what servers are configured with). */
  readonly certFile: string;
  readonly keyFile: string;
  /** What our engine sends: leaf, then the CA. */
  readonly chain: Buffer[];
  readonly certified: CertifiedKey;
}

export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly caDer: Buffer;
  readonly servers: Record<LeafKind, LeafFiles>;
  readonly client: LeafFiles;
}

function files(dir: string, name: string, leaf: LeafCert, caDer: Buffer): LeafFiles {
  const { certFile, keyFile } = leaf.writeFiles(dir, name);
  const chain = [leaf.certDer, caDer];
  return { certFile, keyFile, chain, certified: { chain, key: leaf.privateKey } };
}

let cached: TestPki | null = null;

export function testPki(): TestPki {
  if (cached) return cached;
  const dir = processTempDir('sslsock-conn-');
  const ca = new CA({ keyType: 'ecdsa-p256' });
  const { certFile: caFile } = ca.writeFiles(dir, 'ca');
  const servers = {} as Record<LeafKind, LeafFiles>;
  for (const kind of LEAF_KINDS) {
    servers[kind] = files(dir, `server-${kind}`, ca.issueCert('localhost', '127.0.0.1', { keyType: KEY_TYPE[kind] }), ca.certDer);
  }
  const client = files(dir, 'client', ca.issueClientCert({ commonName: 'sslsock client', organizationName: 'sslsock tests', keyType: 'ecdsa-p256' }), ca.certDer);
  cached = { dir, caFile, caDer: ca.certDer, servers, client };
  return cached;
}
