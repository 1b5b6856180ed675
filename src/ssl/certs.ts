/**
 * What `SSLContext.load_cert_chain()` and `load_verify_locations()` read
 * from disk or memory, with Python's (OpenSSL's) errors exactly
 * (python-ssl-api.md §5.3), and the context's trust store.
 *
 * - `loadCertifiedKey`: a PEM certificate chain (leaf first) and its private
 *   key (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8 or legacy `Proc-Type`
 *   encryption), checked to belong together.
 * - `loadCafile` / `addCapath` / `loadCadata`: Python's argument checks in
 *   front of the X.509 layer's `TrustStore` (src/x509/store.ts), and the one
 *   mapping of its errors to Python's exceptions (`trustStoreErrorToPython`).
 */
import { readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
import { CryptoError } from '../crypto/provider.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { certFacts } from '../x509/cert-facts.js';
import { X509Error } from '../x509/errors.js';
import { pemBlocksWithLabel, PEM_LABEL } from '../x509/pem.js';
import { isFile, TrustStoreError, type TrustStore, type TrustStoreStats } from '../x509/store.js';
import type { CertifiedKey } from '../tls/config.js';
import { fromNodeError, OSError, ValueError } from '../socket/errors.js';
import { makeSSLError, SSLError } from './errors.js';

/** OpenSSL's packed reason code for `ERR_R_PEM_LIB` (what Python shows as errno of "[SSL] PEM lib"). */
const ERR_PEM_LIB = 524297;
/** X509V3_R_INVALID_CERTIFICATE. */
const ERR_X509V3_INVALID_CERTIFICATE = 158;
/** X509_R_KEY_VALUES_MISMATCH. */
const ERR_KEY_VALUES_MISMATCH = 116;
/** X509_R_NO_CERTIFICATE_OR_CRL_FOUND. */
const ERR_NO_CERTIFICATE_OR_CRL_FOUND = 136;
/** ASN1_R_NOT_ENOUGH_DATA. */
const ERR_ASN1_NOT_ENOUGH_DATA = 142;
/** PEM_R_BAD_BASE64_DECODE. */
const ERR_PEM_BAD_BASE64_DECODE = 100;
/** ERR_R_ASN1_LIB, packed as Python shows it (a common reason: ERR_RFLAG_COMMON set). */
const ERR_R_ASN1_LIB = 524301;
/** ERR_R_NESTED_ASN1_ERROR, packed likewise. */
const ERR_R_NESTED_ASN1_ERROR = 524554;
const CADATA_TYPE_ERROR = 'cadata should be an ASCII string or a bytes-like object';
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

/**
 * A Node fs error as Python's OSError subclass with glibc's text
 * (`IsADirectoryError: [Errno 21] Is a directory`); the texts and the
 * subclass table are the socket layer's (socket/errno.ts, socket/errors.ts).
 */
export function fsOSError(e: unknown): Error {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && Object.hasOwn(osConstants.errno, code)) return OSError.fromErrno(osConstants.errno[code as keyof typeof osConstants.errno]);
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
  // SSL_CTX_use_certificate / add0_chain_cert: OpenSSL's security check caches each certificate's
  // extensions, and one it finds invalid (x509v3_cache_extensions, EXFLAG_INVALID) is refused before the key is read.
  if (chain.some((c) => certFacts(c).invalid)) throw makeSSLError(SSLError, ERR_X509V3_INVALID_CERTIFICATE, 'invalid certificate', 'X509V3', 'INVALID_CERTIFICATE');

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

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

/** The counts `cert_store_stats()` reports. */
export type CertStoreStats = TrustStoreStats;

/** Which `load_verify_locations` argument was being loaded: OpenSSL reports a cafile and cadata through different calls. */
type TrustSource = 'cafile' | 'cadata';

/**
 * The one mapping from the trust store's errors to Python's exceptions and
 * texts (each case checked against Python 3.11 on OpenSSL 3.0):
 * - cafile (X509_STORE_load_file): OSError subclasses without a filename,
 *   `[X509] PEM lib`, `[X509: NO_CERTIFICATE_OR_CRL_FOUND] …`;
 * - cadata (CPython's _add_ca_certs): "no start line" / "not enough data"
 *   when no certificate was read, else the PEM or ASN.1 error that stopped it.
 */
export function trustStoreErrorToPython(e: TrustStoreError, source: TrustSource): Error {
  const cause = e.cause instanceof X509Error ? e.cause : null;
  switch (e.kind) {
    case 'os_error':
      return fsOSError(e.cause ?? { code: e.code });
    case 'no_certificate_or_crl':
      return makeSSLError(SSLError, ERR_NO_CERTIFICATE_OR_CRL_FOUND, 'no certificate or crl found', 'X509', 'NO_CERTIFICATE_OR_CRL_FOUND');
    case 'pem_lib':
      if (source === 'cafile') return pemLibError('X509');
      // PEM_read_bio_X509 after good certificates: a body that is not base64, or one that is not a certificate.
      return cause?.code === 'bad_pem'
        ? makeSSLError(SSLError, ERR_PEM_BAD_BASE64_DECODE, 'bad base64 decode', 'PEM', 'BAD_BASE64_DECODE')
        : makeSSLError(SSLError, ERR_R_ASN1_LIB, 'ASN1 lib', 'PEM');
    case 'bad_asn1':
      // d2i_X509_bio after good certificates: an element cut short, or a whole element that is not a certificate.
      return cause?.code === 'truncated'
        ? makeSSLError(SSLError, ERR_ASN1_NOT_ENOUGH_DATA, 'not enough data', 'ASN1', 'NOT_ENOUGH_DATA')
        : makeSSLError(SSLError, ERR_R_NESTED_ASN1_ERROR, 'nested asn1 error', 'ASN1');
    case 'cadata_no_start_line':
      return new SSLError(0, 'no start line: cadata does not contain a certificate');
    case 'cadata_not_enough_data':
      return new SSLError(0, 'not enough data: cadata does not contain a certificate');
    case 'cadata_empty':
      return new ValueError('Empty certificate data');
  }
}

function mapTrustStoreErrors<T>(source: TrustSource, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof TrustStoreError) throw trustStoreErrorToPython(e, source);
    throw e;
  }
}

/** `cafile`: every certificate and CRL in a PEM file, all or nothing. */
export function loadCafile(store: TrustStore, cafile: unknown): void {
  const path = checkPath(cafile, 'cafile');
  mapTrustStoreErrors('cafile', () => store.loadFile(path));
}

/** `capath`: an OpenSSL hashed directory, consulted lazily. A missing directory is not an error. */
export function addCapath(store: TrustStore, capath: unknown): void {
  store.addDirectory(checkPath(capath, 'capath'));
}

/** `cadata`: ASCII PEM text (junk between blocks ignored) or a bytes-like object of concatenated DER. */
export function loadCadata(store: TrustStore, cadata: unknown): void {
  let data: string | Uint8Array;
  if (typeof cadata === 'string') {
    if (!isAscii(cadata)) throw new TypeError(CADATA_TYPE_ERROR);
    data = cadata;
  } else if (cadata instanceof Uint8Array || cadata instanceof DataView) {
    data = new Uint8Array(cadata.buffer, cadata.byteOffset, cadata.byteLength);
  } else if (cadata instanceof ArrayBuffer) {
    data = new Uint8Array(cadata);
  } else {
    throw new TypeError(CADATA_TYPE_ERROR);
  }
  mapTrustStoreErrors('cadata', () => store.addCadata(data));
}

/** `set_default_verify_paths` skips a missing cafile silently, as OpenSSL does; the check is the trust store's. */
export { isFile };

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
