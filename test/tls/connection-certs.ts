/**
 * Test certificates for the engine tests, made with the `openssl` CLI once per
 * process into a temporary directory: a CA (ECDSA P-256) and leaves for each
 * key type we serve with (RSA-2048, ECDSA P-256, ECDSA P-384, Ed25519), plus
 * a client certificate. The files are also used by the interop tests, which
 * hand them to `openssl s_server` / Python.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider } from '../../src/crypto/index.js';
import type { CertifiedKey } from '../../src/tls/config.js';

export type LeafKind = 'rsa2048' | 'p256' | 'p384' | 'ed25519';
export const LEAF_KINDS: readonly LeafKind[] = ['rsa2048', 'p256', 'p384', 'ed25519'];

export interface LeafFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** Leaf then CA. */
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

const KEYGEN: Record<LeafKind, string[]> = {
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-algorithm', 'ED25519'],
};

function ossl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pemToDer(pem: string): Buffer {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(b64, 'base64');
}

function leaf(dir: string, name: string, kind: LeafKind, cn: string, caDer: Buffer, extFile: string): LeafFiles {
  ossl(['genpkey', ...KEYGEN[kind], '-out', `${name}.key`], dir);
  ossl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir);
  ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', extFile, '-out', `${name}.pem`], dir);
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const chain = [pemToDer(readFileSync(certFile, 'latin1')), caDer];
  const key = defaultProvider.importPrivateKey(readFileSync(keyFile, 'latin1'));
  return { certFile, keyFile, chain, certified: { chain, key } };
}

let cached: TestPki | null = null;

export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-conn-'));
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], dir);
  ossl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=sslsock test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem'], dir);
  const caFile = join(dir, 'ca.pem');
  const caDer = pemToDer(readFileSync(caFile, 'latin1'));
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const servers = {} as Record<LeafKind, LeafFiles>;
  for (const kind of LEAF_KINDS) servers[kind] = leaf(dir, `server-${kind}`, kind, 'localhost', caDer, 'server.ext');
  const client = leaf(dir, 'client', 'p256', 'sslsock client', caDer, 'client.ext');
  cached = { dir, caFile, caDer, servers, client };
  return cached;
}
