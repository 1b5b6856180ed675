/**
 * What `SSLContext.load_cert_chain()` and `load_verify_locations()` read
 * from disk or memory, with Python's (OpenSSL's) errors exactly
 * (python-ssl-api.md §5.3), and the context's trust store.
 *
 * - `loadCertifiedKey`: a PEM certificate chain (leaf first) and its private
 *   key (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8 or legacy `Proc-Type`
 *   encryption), checked to belong together.
 * - `CaStore`: trusted certificates and CRLs, from PEM files, `cadata`
 *   (PEM text or concatenated DER) and OpenSSL hashed directories
 *   (`<subject-hash>.<n>`, `<hash>.r<n>` for CRLs) read lazily on lookup, as
 *   OpenSSL's `capath` does. It is what `verifyCertificateChain` consults.
 */
import { readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
import { CryptoError } from '../crypto/provider.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { certFacts, checkCa } from '../x509/cert-facts.js';
import type { CertificateSource } from '../x509/chain.js';
import { parseCrl, type Crl } from '../x509/crl.js';
import type { Name } from '../x509/name.js';
import { nameHash, namesEqual } from '../x509/name-canon.js';
import { pemBlocksWithLabel, PEM_LABEL } from '../x509/pem.js';
import type { CrlSource } from '../x509/revocation.js';
import type { CertifiedKey } from '../tls/config.js';
import { fromNodeError, OSError, ValueError } from '../socket/errors.js';
import { strerror } from '../socket/errno.js';
import { makeSSLError, SSLError } from './errors.js';

/** OpenSSL's packed reason code for `ERR_R_PEM_LIB` (what Python shows as errno of "[SSL] PEM lib"). */
const ERR_PEM_LIB = 524297;
/** X509_R_KEY_VALUES_MISMATCH. */
const ERR_KEY_VALUES_MISMATCH = 116;
/** X509_R_NO_CERTIFICATE_OR_CRL_FOUND. */
const ERR_NO_CERTIFICATE_OR_CRL_FOUND = 136;
/** PEM_BUFSIZE: OpenSSL's password buffer, which Python checks passwords against. */
const MAX_PASSWORD_BYTES = 1024;

const PRIVATE_KEY_BLOCK = /-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;
const LEGACY_ENCRYPTION_HEADER = /Proc-Type:\s*4,\s*ENCRYPTED/;

/** Python's `password` argument: str, bytes-like, or a callable returning one. */
export type Password = string | Uint8Array | (() => string | Uint8Array) | null | undefined;

/** A path argument as Python accepts it (str, bytes). */
export type PathLike = string | Uint8Array;

function pemLibError(library: 'SSL' | 'X509'): SSLError {
  return makeSSLError(SSLError, ERR_PEM_LIB, 'PEM lib', library);
}

/** Validates a filesystem path argument; `what` names it in Python's TypeError. */
export function checkPath(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new TypeError(`${what} should be a valid filesystem path`);
}

/** glibc texts for file errors the socket layer's table does not carry. */
const FILE_ERROR_TEXT: Readonly<Record<string, string>> = {
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EROFS: 'Read-only file system',
};

/** A Node fs error as Python's OSError subclass (`[Errno 21] Is a directory`). */
export function fsOSError(e: unknown): Error {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && Object.hasOwn(osConstants.errno, code)) {
    const errno = osConstants.errno[code as keyof typeof osConstants.errno];
    const known = strerror(errno);
    return new OSError(errno, FILE_ERROR_TEXT[code] ?? known);
  }
  return fromNodeError(e);
}

/** Reads a file as OpenSSL's loaders do; failures become Python's OSError subclasses (no filename, as `_ssl` reports them). */
export function readPathOrOSError(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw fsOSError(e);
  }
}

function checkPasswordType(password: Password): void {
  if (password === null || password === undefined) return;
  if (typeof password === 'string' || password instanceof Uint8Array || typeof password === 'function') return;
  throw new TypeError('password should be a string or callable');
}

/** The password OpenSSL's callback would hand over; only called for an encrypted key. */
function resolvePassword(password: Password): Buffer | null {
  if (password === null || password === undefined) return null;
  const value: unknown = typeof password === 'function' ? password() : password;
  let bytes: Buffer;
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
  else if (value instanceof Uint8Array) bytes = Buffer.from(value);
  else throw new TypeError(typeof password === 'function' ? 'password callback must return a string' : 'password should be a string or callable');
  if (bytes.length > MAX_PASSWORD_BYTES) throw new ValueError(`password cannot be longer than ${MAX_PASSWORD_BYTES} bytes`);
  return bytes;
}

function parseCertOrPemLib(der: Buffer, library: 'SSL' | 'X509'): Certificate {
  try {
    return parseCertificate(der);
  } catch {
    throw pemLibError(library);
  }
}

/**
 * `load_cert_chain(certfile, keyfile=None, password=None)`: the leaf and its
 * chain from `certfile`, the key from `keyfile` (default: `certfile`).
 */
export function loadCertifiedKey(certfile: unknown, keyfile: unknown, password: Password, provider: CryptoProvider): CertifiedKey {
  const certPath = checkPath(certfile, 'certfile');
  const keyPath = keyfile === null || keyfile === undefined ? certPath : checkPath(keyfile, 'keyfile');
  checkPasswordType(password);

  // SSL_CTX_use_certificate_chain_file: the first CERTIFICATE block is the leaf, the rest its chain.
  const certText = readPathOrOSError(certPath).toString('latin1');
  let ders: Buffer[];
  try {
    ders = pemBlocksWithLabel(certText, PEM_LABEL.certificate);
  } catch {
    throw pemLibError('SSL');
  }
  if (ders.length === 0) throw pemLibError('SSL');
  const chain = ders.map((d) => parseCertOrPemLib(d, 'SSL'));

  // SSL_CTX_use_PrivateKey_file: the first private key block.
  const keyText = keyPath === certPath ? certText : readPathOrOSError(keyPath).toString('latin1');
  const block = PRIVATE_KEY_BLOCK.exec(keyText);
  if (block === null) throw pemLibError('SSL');
  const encrypted = block[1] === 'ENCRYPTED PRIVATE KEY' || LEGACY_ENCRYPTION_HEADER.test(block[0]);
  let key: PrivateKey;
  try {
    if (encrypted) {
      const pw = resolvePassword(password);
      if (pw === null) throw pemLibError('SSL');
      key = provider.importPrivateKey(block[0], pw);
    } else {
      key = provider.importPrivateKey(block[0]);
    }
  } catch (e) {
    if (e instanceof CryptoError) throw pemLibError('SSL');
    throw e;
  }

  // SSL_CTX_check_private_key.
  const leaf = chain[0]!;
  let matches = false;
  try {
    matches = provider.importPublicKey(leaf.subjectPublicKeyInfo.raw).equals(key.publicKey);
  } catch {
    matches = false;
  }
  if (!matches) throw makeSSLError(SSLError, ERR_KEY_VALUES_MISMATCH, 'key values mismatch', 'X509', 'KEY_VALUES_MISMATCH');
  return { chain: chain.map((c) => c.raw), key };
}

/** Length of the DER TLV at the start of `b`, or null when it is not a whole element. */
function derElementLength(b: Buffer): number | null {
  if (b.length < 2) return null;
  const first = b[1]!;
  if (first < 0x80) return 2 + first <= b.length ? 2 + first : null;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  const total = 2 + n + len;
  return total <= b.length ? total : null;
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

interface ParsedCaFile {
  readonly certs: readonly Certificate[];
  readonly crls: readonly Crl[];
}

/**
 * Parsed CA files, shared by every context of the process: the system bundle
 * (~150 certificates) is parsed once, not once per `create_default_context()`.
 * Keyed by path and invalidated when the file's size or mtime changes.
 */
const CA_FILE_CACHE = new Map<string, { mtimeMs: number; size: number; parsed: ParsedCaFile }>();
const CA_FILE_CACHE_LIMIT = 16;

function parseCaFileCached(path: string): ParsedCaFile {
  let stamp: { mtimeMs: number; size: number } | null = null;
  try {
    const st = statSync(path);
    stamp = { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    stamp = null; // readPathOrOSError reports it
  }
  const hit = CA_FILE_CACHE.get(path);
  if (stamp !== null && hit !== undefined && hit.mtimeMs === stamp.mtimeMs && hit.size === stamp.size) return hit.parsed;
  const parsed = parseCaFile(readPathOrOSError(path).toString('latin1'));
  if (stamp !== null) {
    if (CA_FILE_CACHE.size >= CA_FILE_CACHE_LIMIT) CA_FILE_CACHE.delete(CA_FILE_CACHE.keys().next().value as string);
    CA_FILE_CACHE.set(path, { ...stamp, parsed });
  }
  return parsed;
}

/** The certificates and CRLs of a PEM file, with OpenSSL's errors for files that hold neither. */
function parseCaFile(text: string): ParsedCaFile {
  let certs: Buffer[];
  let crls: Buffer[];
  try {
    certs = pemBlocksWithLabel(text, PEM_LABEL.certificate);
    crls = pemBlocksWithLabel(text, PEM_LABEL.crl);
  } catch {
    throw pemLibError('X509');
  }
  if (certs.length === 0 && crls.length === 0) {
    // A PEM file of other objects (e.g. only a key) is OpenSSL's "PEM lib"; no PEM at all is NO_CERTIFICATE_OR_CRL_FOUND.
    if (/-----BEGIN [^\r\n]*-----/.test(text)) throw pemLibError('X509');
    throw makeSSLError(SSLError, ERR_NO_CERTIFICATE_OR_CRL_FOUND, 'no certificate or crl found', 'X509', 'NO_CERTIFICATE_OR_CRL_FOUND');
  }
  const parsedCerts = certs.map((d) => parseCertOrPemLib(d, 'X509'));
  const parsedCrls = crls.map((d) => {
    try {
      return parseCrl(d);
    } catch {
      throw pemLibError('X509');
    }
  });
  return { certs: parsedCerts, crls: parsedCrls };
}

/** The counts `cert_store_stats()` reports. */
export interface CertStoreStats {
  x509: number;
  crl: number;
  x509_ca: number;
}

/**
 * The context's trust store: OpenSSL's X509_STORE with its file and
 * hashed-directory lookups. Duplicates are ignored, as OpenSSL ignores them.
 */
export class CaStore implements CertificateSource, CrlSource {
  private readonly certs: Certificate[] = [];
  private readonly crls: Crl[] = [];
  private readonly seen = new Set<string>();
  private readonly dirs: string[] = [];
  /** Hash values already looked up in the directories. */
  private readonly dirLookups = new Set<string>();

  constructor(private readonly provider: CryptoProvider) {}

  get certificates(): readonly Certificate[] {
    return this.certs;
  }

  addCertificate(cert: Certificate): void {
    const key = `c:${cert.raw.toString('base64')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.certs.push(cert);
  }

  addCrl(crl: Crl): void {
    const key = `r:${crl.raw.toString('base64')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.crls.push(crl);
  }

  /** `cafile`: every certificate and CRL in a PEM file. */
  loadFile(cafile: unknown): void {
    const path = checkPath(cafile, 'cafile');
    const parsed = parseCaFileCached(path);
    for (const c of parsed.certs) this.addCertificate(c);
    for (const c of parsed.crls) this.addCrl(c);
  }

  /** `capath`: an OpenSSL hashed directory, consulted lazily. A missing directory is not an error. */
  addDirectory(capath: unknown): void {
    const path = checkPath(capath, 'capath');
    if (!this.dirs.includes(path)) this.dirs.push(path);
  }

  /** `cadata`: ASCII PEM text (junk between blocks ignored) or concatenated DER. */
  loadData(cadata: unknown): void {
    if (typeof cadata === 'string') {
      if (!isAscii(cadata)) throw new TypeError('cadata should be an ASCII string or a bytes-like object');
      if (cadata.length === 0) throw new ValueError('Empty certificate data');
      let ders: Buffer[];
      try {
        ders = pemBlocksWithLabel(cadata, PEM_LABEL.certificate);
      } catch {
        throw pemLibError('X509');
      }
      if (ders.length === 0) throw new SSLError(0, 'no start line: cadata does not contain a certificate');
      for (const d of ders) this.addCertificate(parseCertOrPemLib(d, 'X509'));
      return;
    }
    if (cadata instanceof Uint8Array || cadata instanceof ArrayBuffer || cadata instanceof DataView) {
      const bytes = cadata instanceof ArrayBuffer ? Buffer.from(cadata) : Buffer.from(cadata.buffer, cadata.byteOffset, cadata.byteLength);
      if (bytes.length === 0) throw new ValueError('Empty certificate data');
      const found: Certificate[] = [];
      let rest = bytes;
      while (rest.length > 0) {
        const n = derElementLength(rest);
        let cert: Certificate | null = null;
        if (n !== null) {
          try {
            cert = parseCertificate(rest.subarray(0, n));
          } catch {
            cert = null;
          }
        }
        // OpenSSL stops at the first thing that is not a certificate; it is an error only if nothing was read.
        if (cert === null) break;
        found.push(cert);
        rest = rest.subarray(n!);
      }
      if (found.length === 0) throw new SSLError(0, 'not enough data: cadata does not contain a certificate');
      for (const c of found) this.addCertificate(c);
      return;
    }
    throw new TypeError('cadata should be an ASCII string or a bytes-like object');
  }

  certificatesBySubject(name: Name): readonly Certificate[] {
    this.lookupDirectories(name);
    return this.certs.filter((c) => namesEqual(c.subject, name));
  }

  crlsByIssuer(name: Name): readonly Crl[] {
    this.lookupDirectories(name);
    return this.crls.filter((c) => namesEqual(c.issuer, name));
  }

  /** by_dir: `<hash>.0`, `<hash>.1`, … (certificates) and `<hash>.r0`, … (CRLs) until one is missing. */
  private lookupDirectories(name: Name): void {
    if (this.dirs.length === 0) return;
    const hash = nameHash(name, this.provider);
    if (this.dirLookups.has(hash)) return;
    this.dirLookups.add(hash);
    for (const dir of this.dirs) {
      for (const [suffix, isCrl] of [['', false], ['r', true]] as const) {
        for (let i = 0; ; i++) {
          const file = join(dir, `${hash}.${suffix}${i}`);
          let text: string;
          try {
            if (!statSync(file).isFile()) break;
            text = readFileSync(file, 'latin1');
          } catch {
            break;
          }
          try {
            for (const d of pemBlocksWithLabel(text, isCrl ? PEM_LABEL.crl : PEM_LABEL.certificate)) {
              if (isCrl) this.addCrl(parseCrl(d));
              else this.addCertificate(parseCertificate(d));
            }
          } catch {
            // A broken file in a hashed directory is skipped, as by_dir skips it.
          }
        }
      }
    }
  }

  /** X509_check_ca() != 0: what get_ca_certs() and the x509_ca counter include. */
  static isCa(cert: Certificate): boolean {
    try {
      return checkCa(certFacts(cert)) !== 0;
    } catch {
      return false;
    }
  }

  stats(): CertStoreStats {
    return { x509: this.certs.length, crl: this.crls.length, x509_ca: this.certs.filter((c) => CaStore.isCa(c)).length };
  }
}

/** Validation of one loaded path for `set_default_verify_paths` (silently skipped when missing, as OpenSSL does). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
