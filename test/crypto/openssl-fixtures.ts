/**
 * Private-key fixtures in every PEM/DER form, generated with the `openssl`
 * CLI (a real peer, not our own code) into a temporary directory at run time.
 * Not a test file: keys.test.ts and signature-interop.test.ts use it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSWORD = 'correct horse';

export class OpensslWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'sslsock-crypto-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  run(...args: string[]): Buffer {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  text(name: string): string {
    return readFileSync(this.path(name), 'latin1');
  }

  write(name: string, data: string | Uint8Array): string {
    writeFileSync(this.path(name), data);
    return this.path(name);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One key in one encoding. */
export interface KeyFixture {
  readonly name: string;
  readonly file: string;
  readonly password?: string;
  readonly expect: { readonly type: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519'; readonly curve: string | null; readonly bits: number };
  /** A PEM line the file must contain, proving the fixture really is in the form its name says. */
  readonly marker: string | null;
}

/** Generates the base keys and every form of them; returns the fixture list. */
export function makeKeyFixtures(ws: OpensslWorkspace): KeyFixture[] {
  const pass = `pass:${PASSWORD}`;
  const rsa = { type: 'rsa', curve: null, bits: 2048 } as const;
  const p256 = { type: 'ec', curve: 'P-256', bits: 256 } as const;
  ws.run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
  ws.run('pkey', '-in', 'rsa.pem', '-traditional', '-out', 'rsa-trad.pem');
  ws.run('pkey', '-in', 'rsa.pem', '-traditional', '-aes256', '-passout', pass, '-out', 'rsa-trad-enc.pem');
  ws.run('pkcs8', '-topk8', '-in', 'rsa.pem', '-v2', 'aes-256-cbc', '-passout', pass, '-out', 'rsa-p8-enc.pem');
  ws.run('pkey', '-in', 'rsa.pem', '-outform', 'DER', '-out', 'rsa.der');
  ws.run('pkcs8', '-topk8', '-in', 'rsa.pem', '-outform', 'DER', '-passout', pass, '-out', 'rsa-p8-enc.der');
  ws.run('pkey', '-in', 'rsa.pem', '-traditional', '-outform', 'DER', '-out', 'rsa-trad.der');
  // `ecparam -genkey` writes an EC PARAMETERS block before the traditional EC PRIVATE KEY.
  ws.run('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ec-with-params.pem');
  ws.run('pkey', '-in', 'ec-with-params.pem', '-out', 'ec.pem');
  ws.run('ec', '-in', 'ec-with-params.pem', '-out', 'ec-trad.pem');
  ws.run('ec', '-in', 'ec-with-params.pem', '-outform', 'DER', '-out', 'ec-trad.der');
  ws.run('ec', '-in', 'ec-with-params.pem', '-aes128', '-passout', pass, '-out', 'ec-trad-enc.pem');
  ws.run('pkcs8', '-topk8', '-in', 'ec.pem', '-passout', pass, '-out', 'ec-p8-enc.pem');
  ws.run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'ec384.pem');
  ws.run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', 'ec521.pem');
  ws.run('genpkey', '-algorithm', 'ED25519', '-out', 'ed25519.pem');
  ws.run('pkcs8', '-topk8', '-in', 'ed25519.pem', '-passout', pass, '-out', 'ed25519-p8-enc.pem');
  ws.run('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsapss.pem');
  ws.run(
    'genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:32',
    '-out', 'rsapss-sha256.pem',
  );
  // Windows line endings.
  ws.write('ec-crlf.pem', ws.text('ec-trad.pem').replace(/\n/g, '\r\n'));
  // A certificate and its key in one file, as Python's load_cert_chain(certfile) accepts.
  ws.run('req', '-x509', '-new', '-key', 'ec.pem', '-subj', '/CN=localhost', '-days', '1', '-out', 'ec-cert.pem');
  ws.write('ec-cert-and-key.pem', ws.text('ec-cert.pem') + ws.text('ec.pem'));
  return [
    { name: 'RSA PKCS#8 PEM', file: 'rsa.pem', expect: rsa, marker: '-----BEGIN PRIVATE KEY-----' },
    { name: 'RSA traditional PEM', file: 'rsa-trad.pem', expect: rsa, marker: '-----BEGIN RSA PRIVATE KEY-----' },
    { name: 'RSA encrypted traditional PEM', file: 'rsa-trad-enc.pem', password: PASSWORD, expect: rsa, marker: 'Proc-Type: 4,ENCRYPTED' },
    { name: 'RSA encrypted PKCS#8 PEM', file: 'rsa-p8-enc.pem', password: PASSWORD, expect: rsa, marker: '-----BEGIN ENCRYPTED PRIVATE KEY-----' },
    { name: 'RSA PKCS#8 DER', file: 'rsa.der', expect: rsa, marker: null },
    { name: 'RSA traditional (PKCS#1) DER', file: 'rsa-trad.der', expect: rsa, marker: null },
    { name: 'RSA encrypted PKCS#8 DER', file: 'rsa-p8-enc.der', password: PASSWORD, expect: rsa, marker: null },
    { name: 'EC traditional PEM after EC PARAMETERS', file: 'ec-with-params.pem', expect: p256, marker: '-----BEGIN EC PARAMETERS-----' },
    { name: 'EC PKCS#8 PEM', file: 'ec.pem', expect: p256, marker: '-----BEGIN PRIVATE KEY-----' },
    { name: 'EC traditional PEM', file: 'ec-trad.pem', expect: p256, marker: '-----BEGIN EC PRIVATE KEY-----' },
    { name: 'EC traditional (SEC 1) DER', file: 'ec-trad.der', expect: p256, marker: null },
    { name: 'EC encrypted traditional PEM', file: 'ec-trad-enc.pem', password: PASSWORD, expect: p256, marker: 'DEK-Info: AES-128-CBC' },
    { name: 'EC encrypted PKCS#8 PEM', file: 'ec-p8-enc.pem', password: PASSWORD, expect: p256, marker: '-----BEGIN ENCRYPTED PRIVATE KEY-----' },
    { name: 'EC traditional PEM with CRLF line endings', file: 'ec-crlf.pem', expect: p256, marker: '-----BEGIN EC PRIVATE KEY-----\r\n' },
    { name: 'EC key after its certificate', file: 'ec-cert-and-key.pem', expect: p256, marker: '-----BEGIN CERTIFICATE-----' },
    { name: 'EC P-384 PKCS#8 PEM', file: 'ec384.pem', expect: { type: 'ec', curve: 'P-384', bits: 384 }, marker: null },
    { name: 'EC P-521 PKCS#8 PEM', file: 'ec521.pem', expect: { type: 'ec', curve: 'P-521', bits: 521 }, marker: null },
    { name: 'Ed25519 PKCS#8 PEM', file: 'ed25519.pem', expect: { type: 'ed25519', curve: null, bits: 256 }, marker: null },
    { name: 'Ed25519 encrypted PKCS#8 PEM', file: 'ed25519-p8-enc.pem', password: PASSWORD, expect: { type: 'ed25519', curve: null, bits: 256 }, marker: null },
    { name: 'RSA-PSS PKCS#8 PEM without parameters', file: 'rsapss.pem', expect: { type: 'rsa-pss', curve: null, bits: 2048 }, marker: null },
    { name: 'RSA-PSS PKCS#8 PEM restricted to SHA-256', file: 'rsapss-sha256.pem', expect: { type: 'rsa-pss', curve: null, bits: 2048 }, marker: null },
  ];
}
