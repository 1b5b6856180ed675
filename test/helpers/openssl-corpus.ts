/**
 * A small PKI made with the `openssl` CLI at test time (keys, `openssl ca`
 * for exact validity dates and extensions, revocation and CRLs), so
 * verification results can be compared with `openssl verify` and with
 * Python's ssl module on the very same files.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, runOpenssl, pythonJson } from './openssl.js';

export type KeyKind = 'ec' | 'rsa' | 'rsa1024' | 'ed25519' | 'ec-explicit';

export interface IssueSpec {
  /** Subject in openssl -subj form, e.g. '/O=Corpus/CN=Root'. */
  readonly subject: string;
  /** Key name (created on first use). */
  readonly key: string;
  readonly keyKind?: KeyKind;
  /** Name of the issuing certificate, or 'self'. */
  readonly issuer: string;
  /** YYYYMMDDHHMMSSZ. */
  readonly start?: string;
  readonly end?: string;
  /** Extension config lines (the [v3] section body). */
  readonly ext: readonly string[];
  /** Signature digest (default: the key's default, SHA-256). */
  readonly md?: string;
}

interface Entity {
  readonly certPath: string;
  readonly keyPath: string;
  readonly caDir: string;
}

export const VALID_FROM = '20200101000000Z';
export const VALID_UNTIL = '20990101000000Z';

export const CA_EXT = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'];
export const LEAF_EXT = [
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage = serverAuth,clientAuth',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid:always',
];

const KEYGEN_ARGS: Readonly<Record<KeyKind, readonly string[]>> = {
  ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  ed25519: ['-algorithm', 'ED25519'],
  'ec-explicit': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:explicit'],
};
const NEWKEY_ARGS: Readonly<Record<KeyKind, readonly string[]>> = {
  ec: ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['rsa:2048'],
  rsa1024: ['rsa:1024'],
  ed25519: ['ed25519'],
  'ec-explicit': ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:explicit'],
};

export class Pki {
  private readonly entities = new Map<string, Entity>();
  private readonly keys = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** Path of a key generated earlier (by `pregenerate` or by `issue`). */
  keyPath(name: string): string {
    const existing = this.keys.get(name);
    if (existing === undefined) throw new Error(`corpus: no key named ${name}`);
    return existing;
  }

  /** Generates keys concurrently (RSA key generation is what makes a corpus slow). */
  async pregenerate(keys: readonly (readonly [name: string, kind: KeyKind])[]): Promise<void> {
    await Promise.all(
      keys.map(
        ([name, kind]) =>
          new Promise<void>((resolve, reject) => {
            const path = join(this.dir, `${name}.key`);
            const child = spawn('openssl', ['genpkey', ...KEYGEN_ARGS[kind], '-out', path], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('error', reject);
            child.on('close', (code) => {
              if (code !== 0) return reject(new Error(`openssl genpkey ${kind} failed: ${stderr}`));
              this.keys.set(name, path);
              resolve();
            });
          }),
      ),
    );
  }

  private caDir(name: string): string {
    const d = join(this.dir, `ca-${name}`);
    if (!existsSync(d)) {
      mkdirSync(join(d, 'newcerts'), { recursive: true });
      writeFileSync(join(d, 'index.txt'), '');
      writeFileSync(join(d, 'serial'), `${(1000 + this.entities.size * 16).toString(16).padStart(4, '0')}\n`);
      writeFileSync(join(d, 'crlnumber'), '01\n');
      writeFileSync(
        join(d, 'ca.cnf'),
        [
          '[ ca ]',
          'default_ca = CA_default',
          '[ CA_default ]',
          `dir = ${d}`,
          `database = ${join(d, 'index.txt')}`,
          `new_certs_dir = ${join(d, 'newcerts')}`,
          `serial = ${join(d, 'serial')}`,
          `crlnumber = ${join(d, 'crlnumber')}`,
          'default_md = default',
          'policy = policy_any',
          'unique_subject = no',
          'email_in_dn = yes',
          'default_days = 1',
          '[ policy_any ]',
          'commonName = optional',
          '[ crl_ext ]',
          'authorityKeyIdentifier = keyid:always',
          '[ crl_ext_critical ]',
          'authorityKeyIdentifier = keyid:always',
          '1.2.3.4.5 = critical,ASN1:NULL',
          '[ crl_ext_noakid ]',
          'issuerAltName = email:crl@example.com',
          '',
        ].join('\n'),
      );
    }
    return d;
  }

  /** Issues (or self-signs) a certificate; returns its PEM path. */
  issue(name: string, spec: IssueSpec): string {
    const csr = join(this.dir, `${name}.csr`);
    let keyPath = this.keys.get(spec.key);
    if (keyPath === undefined) {
      // One process makes the key and the request.
      keyPath = join(this.dir, `${spec.key}.key`);
      openssl(['req', '-new', '-newkey', ...NEWKEY_ARGS[spec.keyKind ?? 'ec'], '-nodes', '-keyout', keyPath, '-subj', spec.subject, '-out', csr]);
      this.keys.set(spec.key, keyPath);
    } else {
      openssl(['req', '-new', '-key', keyPath, '-subj', spec.subject, '-out', csr]);
    }
    const extFile = join(this.dir, `${name}.ext`);
    writeFileSync(extFile, ['[ v3 ]', ...spec.ext, ''].join('\n'));
    const certPath = join(this.dir, `${name}.pem`);
    const selfSigned = spec.issuer === 'self';
    const issuer = selfSigned ? null : this.entity(spec.issuer);
    const caDir = selfSigned ? this.caDir(name) : issuer!.caDir;
    const args = ['ca', '-batch', '-config', join(caDir, 'ca.cnf'), '-in', csr, '-out', certPath, '-notext', '-preserveDN', '-extfile', extFile, '-extensions', 'v3'];
    args.push('-startdate', spec.start ?? VALID_FROM, '-enddate', spec.end ?? VALID_UNTIL, '-subj', spec.subject);
    if (spec.md !== undefined) args.push('-md', spec.md);
    if (selfSigned) args.push('-selfsign', '-keyfile', keyPath);
    else args.push('-cert', issuer!.certPath, '-keyfile', issuer!.keyPath);
    openssl(args);
    this.entities.set(name, { certPath, keyPath, caDir: selfSigned ? caDir : this.caDir(name) });
    return certPath;
  }

  entity(name: string): Entity {
    const e = this.entities.get(name);
    if (e === undefined) throw new Error(`corpus: no certificate named ${name}`);
    return e;
  }

  certPem(name: string): string {
    return readFileSync(this.entity(name).certPath, 'latin1');
  }

  certDer(name: string): Buffer {
    return pemToDer(this.certPem(name));
  }

  /** Writes a copy of `name` with one signature byte flipped. */
  corruptSignature(name: string, newName: string): string {
    const der = Buffer.from(this.certDer(name));
    der[der.length - 1] ^= 0x01;
    const certPath = join(this.dir, `${newName}.pem`);
    writeFileSync(certPath, derToPem(der, 'CERTIFICATE'));
    const e = this.entity(name);
    this.entities.set(newName, { certPath, keyPath: e.keyPath, caDir: e.caDir });
    return certPath;
  }

  /** Marks `name` revoked in its issuer's database. */
  revoke(issuer: string, name: string): void {
    const ca = this.entity(issuer);
    openssl(['ca', '-config', join(ca.caDir, 'ca.cnf'), '-revoke', this.entity(name).certPath, '-cert', ca.certPath, '-keyfile', ca.keyPath, '-crl_reason', 'keyCompromise']);
  }

  /** A CRL from `issuer`'s database; returns its PEM path. */
  crl(issuer: string, fileName: string, lastUpdate = VALID_FROM, nextUpdate = VALID_UNTIL, extSection: 'crl_ext' | 'crl_ext_critical' | 'crl_ext_noakid' = 'crl_ext'): string {
    const ca = this.entity(issuer);
    const out = join(this.dir, `${fileName}.crl.pem`);
    openssl(['ca', '-config', join(ca.caDir, 'ca.cnf'), '-gencrl', '-cert', ca.certPath, '-keyfile', ca.keyPath, '-out', out, '-crlexts', extSection, '-crl_lastupdate', lastUpdate, '-crl_nextupdate', nextUpdate]);
    return out;
  }

  /** A version 1 self-signed certificate (no extensions), valid from now for `days`. */
  selfSignV1(name: string, subject: string, key: string, days = 30): string {
    const csr = join(this.dir, `${name}.csr`);
    const keyPath = join(this.dir, `${key}.key`);
    openssl(['req', '-new', '-newkey', ...NEWKEY_ARGS.ec, '-nodes', '-keyout', keyPath, '-subj', subject, '-out', csr]);
    this.keys.set(key, keyPath);
    const certPath = join(this.dir, `${name}.pem`);
    openssl(['x509', '-req', '-in', csr, '-signkey', keyPath, '-days', String(days), '-out', certPath]);
    this.entities.set(name, { certPath, keyPath, caDir: this.caDir(name) });
    return certPath;
  }
}

export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(pem);
  if (m === null) throw new Error('no PEM block');
  return Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

// ─────────────────────────── verification inputs ───────────────────────────

export type VerifyFlagName = 'crl_check' | 'crl_check_all' | 'x509_strict' | 'partial_chain';

export interface CorpusCase {
  readonly name: string;
  readonly leaf: string;
  /** Certificates the peer sends after the leaf, in that order. */
  readonly untrusted?: readonly string[];
  /** Certificates in the trust store (CAfile). */
  readonly trusted: readonly string[];
  /** CRL file paths (from Pki.crl). */
  readonly crls?: readonly string[];
  readonly flags?: readonly VerifyFlagName[];
  /** Default 'sslserver' (what a Python client uses). */
  readonly purpose?: 'sslserver' | 'sslclient' | null;
  readonly hostname?: string;
  readonly ip?: string;
  /** Seconds since the epoch; default: the corpus's reference time. */
  readonly attime?: number;
  /** Also run a real Python handshake (client side) and compare its verify_code. */
  readonly python?: boolean;
  /** Do not compare with `openssl verify` (e.g. host flags it cannot express). */
  readonly opensslSkip?: boolean;
  /** `-verify_depth`; default OpenSSL's 100. */
  readonly maxDepth?: number;
  /** X509_CHECK_FLAG_* for our verifier; default Python's (NO_PARTIAL_WILDCARDS). `openssl verify` always uses 0. */
  readonly hostFlags?: number;
  /** Clear VERIFY_X509_TRUSTED_FIRST (Python can; `openssl verify` cannot, so such cases compare with Python only). */
  readonly untrustedFirst?: boolean;
}

export interface OpensslVerdict {
  readonly ok: boolean;
  /** First error reported (what a verify callback that stops at once sees), or 0. */
  readonly code: number;
  readonly depth: number;
  readonly output: string;
}

function writeBundle(pki: Pki, dir: string, fileName: string, names: readonly string[], extra: readonly string[] = []): string {
  const path = join(dir, fileName.replace(/[^A-Za-z0-9.-]+/g, '_'));
  writeFileSync(path, names.map((n) => pki.certPem(n)).join('') + extra.map((p) => readFileSync(p, 'latin1')).join(''));
  return path;
}

/** Runs `openssl verify` on a case and returns its first error. */
export function opensslVerify(pki: Pki, c: CorpusCase, attime: number, workDir: string, authLevel?: number): OpensslVerdict {
  const args = ['verify', '-no-CApath', '-no-CAstore', '-attime', String(c.attime ?? attime)];
  if (authLevel !== undefined) args.push('-auth_level', String(authLevel));
  if (c.trusted.length > 0) args.push('-CAfile', writeBundle(pki, workDir, `${c.name}.trusted.pem`, c.trusted));
  else args.push('-no-CAfile');
  if ((c.untrusted ?? []).length > 0) args.push('-untrusted', writeBundle(pki, workDir, `${c.name}.untrusted.pem`, c.untrusted ?? []));
  for (const crl of c.crls ?? []) args.push('-CRLfile', crl);
  const purpose = c.purpose === undefined ? 'sslserver' : c.purpose;
  if (purpose !== null) args.push('-purpose', purpose);
  for (const f of c.flags ?? []) args.push(`-${f}`);
  if (c.maxDepth !== undefined) args.push('-verify_depth', String(c.maxDepth));
  if (c.hostname !== undefined) args.push('-verify_hostname', c.hostname);
  if (c.ip !== undefined) args.push('-verify_ip', c.ip);
  args.push(pki.entity(c.leaf).certPath);
  const r = runOpenssl(args);
  const output = r.stdout + r.stderr;
  const m = /error (\d+) at (\d+) depth lookup/.exec(output);
  if (m !== null) return { ok: false, code: Number(m[1]), depth: Number(m[2]), output };
  if (r.status === 0 && /: OK\s*$/.test(r.stdout)) return { ok: true, code: 0, depth: 0, output };
  throw new Error(`openssl verify gave no verdict for ${c.name}: ${output}`);
}

export const VERIFY_FLAG_VALUES: Readonly<Record<VerifyFlagName, number>> = {
  crl_check: 0x4,
  crl_check_all: 0xc,
  x509_strict: 0x20,
  partial_chain: 0x80000,
};

/** Python's ssl default verify_flags (VERIFY_X509_TRUSTED_FIRST). */
export const PYTHON_DEFAULT_VERIFY_FLAGS = 0x8000;

/** The VerifyFlags value a case means. */
export function caseFlags(c: CorpusCase): number {
  const base = c.untrustedFirst === true ? 0 : PYTHON_DEFAULT_VERIFY_FLAGS;
  return (c.flags ?? []).reduce((acc, f) => acc | VERIFY_FLAG_VALUES[f], base);
}

export interface PythonVerdict {
  readonly name: string;
  readonly code: number;
  readonly message: string;
}

/**
 * A real handshake in Python over memory BIOs: the server presents leaf +
 * untrusted chain; the client verifies with the trusted bundle (plus CRLs)
 * and the case's flags and hostname. Returns verify_code / verify_message.
 */
export function pythonVerifyAll(pki: Pki, cases: readonly CorpusCase[], workDir: string): PythonVerdict[] {
  const jobs = cases.map((c) => ({
    name: c.name,
    chain: writeBundle(pki, workDir, `${c.name}.py-chain.pem`, [c.leaf, ...(c.untrusted ?? [])]),
    key: pki.entity(c.leaf).keyPath,
    cafile: c.trusted.length + (c.crls ?? []).length > 0 ? writeBundle(pki, workDir, `${c.name}.py-ca.pem`, c.trusted, c.crls ?? []) : null,
    flags: caseFlags(c),
    hostname: c.hostname ?? c.ip ?? null,
  }));
  return pythonHandshakes(jobs);
}

/** One client-side verification done by Python in a real (memory BIO) handshake. */
export interface PythonJob {
  readonly name: string;
  /** PEM file the server presents: leaf first, then chain (the key may be in it too). */
  readonly chain: string;
  /** PEM key file (may be the chain file). */
  readonly key: string;
  /** PEM bundle (certificates and CRLs) for the client's load_verify_locations, or null. */
  readonly cafile: string | null;
  readonly flags: number;
  /** server_hostname (and check_hostname) or null. */
  readonly hostname: string | null;
  /** SSLContext.hostname_checks_common_name (default True). */
  readonly checksCommonName?: boolean;
}

export function pythonHandshakes(jobs: readonly PythonJob[]): PythonVerdict[] {
  return pythonJson<PythonVerdict[]>(PYTHON_HANDSHAKE, jobs);
}

const PYTHON_HANDSHAKE = `
import json, ssl, sys
out = []
for job in json.load(sys.stdin):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(job['chain'], job['key'])
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = job['hostname'] is not None
    cctx.verify_flags = job['flags']
    cctx.hostname_checks_common_name = job.get('checksCommonName', True)
    if job['cafile']:
        cctx.load_verify_locations(job['cafile'])
    cin, cout, sin, sout = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = cctx.wrap_bio(cin, cout, server_hostname=job['hostname'])
    s = sctx.wrap_bio(sin, sout, server_side=True)
    verdict = None
    c_done = s_done = False
    for _ in range(16):
        if not c_done:
            try:
                c.do_handshake(); c_done = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLCertVerificationError as e:
                verdict = (e.verify_code, e.verify_message); break
        sin.write(cout.read())
        if not s_done:
            try:
                s.do_handshake(); s_done = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                verdict = (-1, 'server: ' + str(e)); break
        cin.write(sout.read())
        if c_done and s_done:
            verdict = (0, 'ok'); break
    if verdict is None:
        verdict = (-1, 'handshake did not finish')
    out.append({'name': job['name'], 'code': verdict[0], 'message': verdict[1]})
print(json.dumps(out))
`;
