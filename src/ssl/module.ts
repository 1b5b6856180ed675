/**
 * The ssl module's functions and capability constants (python-ssl-api.md
 * §3.8, §3.9, §4): `createDefaultContext`, default verify paths, the
 * DER/PEM/time helpers with Python's ValueError texts, `RAND_*`, `Purpose`
 * and `_ASN1Object`, `HAS_*` and the library identity.
 *
 * Library identity is reported honestly: this is sslsock's own TLS engine
 * (cryptographic primitives from Node's OpenSSL), not OpenSSL, so
 * `OPENSSL_VERSION` names sslsock; code that checks
 * `OPENSSL_VERSION.startsWith('OpenSSL ')` is, rightly, told otherwise.
 */
import { readFileSync } from 'node:fs';
import { defaultProvider } from '../crypto/index.js';
import { X509Error } from '../x509/errors.js';
import { derCertToPem, pemToDerCert } from '../x509/pem.js';
import { CERT_DIR_ENV, CERT_FILE_ENV, DEFAULT_CERT_DIR, DEFAULT_CERT_FILE } from '../x509/store.js';
import { certTimeToSeconds as x509CertTimeToSeconds } from '../x509/time.js';
import { ValueError } from '../socket/errors.js';
import { isDirectory, isFile } from './certs.js';
import { CERT_NONE, CERT_REQUIRED, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER } from './constants.js';
import { SSLContext } from './context.js';
import { pyTypeName } from './pyargs.js';

// ---- _ASN1Object and Purpose --------------------------------------------------

type ObjectRow = readonly [nid: number, shortname: string, longname: string, oid: string];

/** The OpenSSL object table entries Python code meets (NIDs as in OpenSSL 3.0's obj_mac.h). */
const OBJECTS: readonly ObjectRow[] = [
  [6, 'rsaEncryption', 'rsaEncryption', '1.2.840.113549.1.1.1'],
  [13, 'CN', 'commonName', '2.5.4.3'],
  [14, 'C', 'countryName', '2.5.4.6'],
  [15, 'L', 'localityName', '2.5.4.7'],
  [16, 'ST', 'stateOrProvinceName', '2.5.4.8'],
  [17, 'O', 'organizationName', '2.5.4.10'],
  [18, 'OU', 'organizationalUnitName', '2.5.4.11'],
  [48, 'emailAddress', 'emailAddress', '1.2.840.113549.1.9.1'],
  [83, 'keyUsage', 'X509v3 Key Usage', '2.5.29.15'],
  [85, 'subjectAltName', 'X509v3 Subject Alternative Name', '2.5.29.17'],
  [87, 'basicConstraints', 'X509v3 Basic Constraints', '2.5.29.19'],
  [105, 'serialNumber', 'serialNumber', '2.5.4.5'],
  [126, 'extendedKeyUsage', 'X509v3 Extended Key Usage', '2.5.29.37'],
  [129, 'serverAuth', 'TLS Web Server Authentication', '1.3.6.1.5.5.7.3.1'],
  [130, 'clientAuth', 'TLS Web Client Authentication', '1.3.6.1.5.5.7.3.2'],
  [131, 'codeSigning', 'Code Signing', '1.3.6.1.5.5.7.3.3'],
  [132, 'emailProtection', 'E-mail Protection', '1.3.6.1.5.5.7.3.4'],
  [133, 'timeStamping', 'Time Stamping', '1.3.6.1.5.5.7.3.8'],
  [180, 'OCSPSigning', 'OCSP Signing', '1.3.6.1.5.5.7.3.9'],
  [391, 'DC', 'domainComponent', '0.9.2342.19200300.100.1.25'],
  [415, 'prime256v1', 'prime256v1', '1.2.840.10045.3.1.7'],
  [458, 'UID', 'userId', '0.9.2342.19200300.100.1.1'],
  [715, 'secp384r1', 'secp384r1', '1.3.132.0.34'],
  [910, 'anyExtendedKeyUsage', 'Any Extended Key Usage', '2.5.29.37.0'],
  [1034, 'X25519', 'X25519', '1.3.101.110'],
  [1087, 'ED25519', 'ED25519', '1.3.101.112'],
];

const DOTTED_OID = /^\d+(\.\d+)+$/;

/** Python's `ssl._ASN1Object` namedtuple `(nid, shortname, longname, oid)`. */
export class _ASN1Object {
  readonly nid: number;
  readonly shortname: string;
  readonly longname: string;
  readonly oid: string;

  /** `_ASN1Object(oid)`: a dotted OID only. */
  constructor(oid: string) {
    const row = lookupObject(oid, false);
    [this.nid, this.shortname, this.longname, this.oid] = row;
    Object.freeze(this);
  }

  /** `_ASN1Object.fromnid(nid)`. */
  static fromnid(nid: number): _ASN1Object {
    if (nid < 0) throw new ValueError('NID must be positive.');
    const row = OBJECTS.find((r) => r[0] === nid);
    if (!row) throw new ValueError(`unknown NID ${nid}`);
    return new _ASN1Object(row[3]);
  }

  /** `_ASN1Object.fromname(name)`: short name, long name or dotted OID. */
  static fromname(name: string): _ASN1Object {
    return new _ASN1Object(lookupObject(name, true)[3]);
  }

  /** The namedtuple as a tuple (sslsock only: Python's namedtuple is a tuple already). */
  toArray(): [number, string, string, string] {
    return [this.nid, this.shortname, this.longname, this.oid];
  }

  toString(): string {
    return `_ASN1Object(nid=${this.nid}, shortname='${this.shortname}', longname='${this.longname}', oid='${this.oid}')`;
  }
}

function lookupObject(text: string, byName: boolean): ObjectRow {
  if (typeof text !== 'string') throw new TypeError(`argument must be str, not ${pyTypeName(text)}`);
  if (DOTTED_OID.test(text)) {
    const row = OBJECTS.find((r) => r[3] === text);
    // OBJ_txt2obj accepts any dotted OID; without a NID Python reports "Unknown object".
    if (!row) throw new ValueError('Unknown object');
    return row;
  }
  const row = byName ? OBJECTS.find((r) => r[1] === text || r[2] === text) : undefined;
  if (!row) throw new ValueError(`unknown object '${text}'`);
  return row;
}

/** Python's `ssl.Purpose` enum. */
export const Purpose = Object.freeze({
  SERVER_AUTH: new _ASN1Object('1.3.6.1.5.5.7.3.1'),
  CLIENT_AUTH: new _ASN1Object('1.3.6.1.5.5.7.3.2'),
});

// ---- default verify paths -----------------------------------------------------


/** Python's `DefaultVerifyPaths` namedtuple. */
export interface DefaultVerifyPaths {
  cafile: string | null;
  capath: string | null;
  openssl_cafile_env: string;
  openssl_cafile: string;
  openssl_capath_env: string;
  openssl_capath: string;
}

/**
 * `get_default_verify_paths()`: the env var if set (even to ''), else
 * OpenSSL's default; each only if it exists. The paths are the trust store's
 * (src/x509/store.ts), which `set_default_verify_paths()` loads.
 */
export function getDefaultVerifyPaths(): DefaultVerifyPaths {
  const cafile = process.env[CERT_FILE_ENV] ?? DEFAULT_CERT_FILE;
  const capath = process.env[CERT_DIR_ENV] ?? DEFAULT_CERT_DIR;
  return {
    cafile: isFile(cafile) ? cafile : null,
    capath: isDirectory(capath) ? capath : null,
    openssl_cafile_env: CERT_FILE_ENV,
    openssl_cafile: DEFAULT_CERT_FILE,
    openssl_capath_env: CERT_DIR_ENV,
    openssl_capath: DEFAULT_CERT_DIR,
  };
}

// ---- create_default_context -----------------------------------------------------

/** The keyword arguments of Python's `create_default_context(purpose, *, cafile=None, capath=None, cadata=None)`. */
export interface DefaultContextOptions {
  /** Python's `cafile`: a PEM file of trusted CA certificates. */
  cafile?: string | null;
  /** Python's `capath`: a directory of hashed CA certificate files (`openssl rehash`). */
  capath?: string | null;
  /** Python's `cadata`: PEM text, or DER bytes, of trusted CA certificates. */
  cadata?: string | Uint8Array | null;
}

/** `create_default_context(purpose=Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None)` (python-ssl-api.md §4.1, 3.11 defaults). */
export function createDefaultContext(purpose: _ASN1Object = Purpose.SERVER_AUTH, options: DefaultContextOptions = {}): SSLContext {
  if (!(purpose instanceof _ASN1Object)) throw new TypeError(String(purpose));
  let ctx: SSLContext;
  if (purpose.oid === Purpose.SERVER_AUTH.oid) {
    ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.verifyMode = CERT_REQUIRED;
    ctx.checkHostname = true;
  } else if (purpose.oid === Purpose.CLIENT_AUTH.oid) {
    ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  } else {
    throw new ValueError(String(purpose));
  }
  const { cafile, capath, cadata } = options;
  if (cafile != null || capath != null || cadata != null) ctx.loadVerifyLocations(cafile, capath, cadata);
  else if (ctx.verifyMode !== CERT_NONE) ctx.loadDefaultCerts(purpose);
  // Python: keylog_filename from SSLKEYLOGFILE.
  const keylog = process.env.SSLKEYLOGFILE;
  if (keylog) ctx.keylogFilename = keylog;
  return ctx;
}

export interface UnverifiedContextOptions extends DefaultContextOptions {
  certReqs?: number | null;
  checkHostname?: boolean;
  purpose?: _ASN1Object;
  certfile?: string | null;
  keyfile?: string | null;
}

/**
 * Python's private `_create_unverified_context(protocol=None, *, cert_reqs=CERT_NONE,
 * check_hostname=False, purpose=SERVER_AUTH, certfile, keyfile, cafile, capath, cadata)`
 * (alias `_create_stdlib_context`), step for step.
 */
export function _createUnverifiedContext(protocol: number | null = null, options: UnverifiedContextOptions = {}): SSLContext {
  const purpose = options.purpose ?? Purpose.SERVER_AUTH;
  if (!(purpose instanceof _ASN1Object)) throw new TypeError(String(purpose));
  if (purpose.oid === Purpose.SERVER_AUTH.oid) protocol ??= PROTOCOL_TLS_CLIENT;
  else if (purpose.oid === Purpose.CLIENT_AUTH.oid) protocol ??= PROTOCOL_TLS_SERVER;
  else throw new ValueError(String(purpose));
  const ctx = new SSLContext(protocol);
  const checkHostname = options.checkHostname ?? false;
  ctx.checkHostname = checkHostname;
  const certReqs = options.certReqs === undefined ? CERT_NONE : options.certReqs;
  if (certReqs !== null) ctx.verifyMode = certReqs;
  if (checkHostname) ctx.checkHostname = true;
  const { certfile, keyfile, cafile, capath, cadata } = options;
  if (keyfile && !certfile) throw new ValueError('certfile must be specified');
  if (certfile || keyfile) ctx.loadCertChain(certfile!, keyfile);
  if (cafile || capath || cadata) ctx.loadVerifyLocations(cafile, capath, cadata);
  else if (ctx.verifyMode !== CERT_NONE) ctx.loadDefaultCerts(purpose);
  const keylog = process.env.SSLKEYLOGFILE;
  if (keylog) ctx.keylogFilename = keylog;
  return ctx;
}
/** Python: `ssl._create_stdlib_context`. */
export const _createStdlibContext = _createUnverifiedContext;

// ---- certificate helpers ----------------------------------------------------------

function x509ToValueError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof X509Error) throw new ValueError(e.detail ?? e.message);
    throw e;
  }
}

/** `DER_cert_to_PEM_cert(der_cert_bytes)`. */
export function DERCertToPEMCert(der: Uint8Array): string {
  if (!(der instanceof Uint8Array)) throw new TypeError(`a bytes-like object is required, not '${pyTypeName(der)}'`);
  return derCertToPem(der);
}

/** `PEM_cert_to_DER_cert(pem_cert_string)`. */
export function PEMCertToDERCert(pem: string): Buffer {
  return x509ToValueError(() => pemToDerCert(pem));
}

/** `cert_time_to_seconds(cert_time)`: ValueError with strptime's text for malformed input. */
export function certTimeToSeconds(certTime: string): number {
  try {
    return x509CertTimeToSeconds(certTime);
  } catch (e) {
    if (e instanceof Error && !(e instanceof TypeError)) throw new ValueError(e.message);
    throw e;
  }
}

// ---- RAND_* --------------------------------------------------------------------------

/** `RAND_bytes(n)`: from the crypto provider's CSPRNG. */
export function RAND_bytes(n: number): Buffer {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`'${pyTypeName(n)}' object cannot be interpreted as an integer`);
  if (n < 0) throw new ValueError('num must be positive');
  return n === 0 ? Buffer.alloc(0) : defaultProvider.randomBytes(n);
}

/** `RAND_status()`: the platform CSPRNG is always seeded. */
export function RAND_status(): boolean {
  return true;
}

/** `RAND_add(bytes, entropy)`: validated and ignored — the platform CSPRNG needs no seeding from us. */
export function RAND_add(data: string | Uint8Array, entropy: number): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError(`a bytes-like object is required, not '${pyTypeName(data)}'`);
  if (typeof entropy !== 'number') throw new TypeError(`must be real number, not ${pyTypeName(entropy)}`);
}

// ---- capabilities and identity ----------------------------------------------------------

export const HAS_SNI = true;
export const HAS_ECDH = true;
export const HAS_ALPN = true;
export const HAS_NPN = false;
export const HAS_SSLv2 = false;
export const HAS_SSLv3 = false;
/** TLS 1.0 / 1.1 are not implemented (DESIGN.md: no legacy). */
export const HAS_TLSv1 = false;
export const HAS_TLSv1_1 = false;
/** TLS 1.2 (ECDHE + AEAD suites) and TLS 1.3 are implemented; older versions are not (DESIGN.md "No legacy"). */
export const HAS_TLSv1_2 = true;
export const HAS_TLSv1_3 = true;
export const HAS_NEVER_CHECK_COMMON_NAME = true;
/** Post-handshake authentication (3.14's HAS_PHA): TLS 1.3 verify_client_post_handshake. */
export const HAS_PHA = true;
/** Python 3.13's `ssl.HAS_PSK`: external PSKs are not offered. */
export const HAS_PSK = false;
/** Python 3.13's `ssl.HAS_PSK_TLS13`. */
export const HAS_PSK_TLS13 = false;

/** Channel binding types `get_channel_binding` knows (as Python: 'tls-unique'; 'tls-exporter' is accepted too). */
export const CHANNEL_BINDING_TYPES: readonly string[] = ['tls-unique'];

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Run from an unusual layout: fall through.
  }
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // No package.json next to us.
  }
  return '0.0.0';
}

const VERSION = packageVersion();
const [MAJOR, MINOR, PATCH] = VERSION.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0) as [number, number, number];

/** The engine's identity in OpenSSL's format: `'sslsock <version> (TLS engine in TypeScript; crypto from Node <node version>)'`. */
export const OPENSSL_VERSION = `sslsock ${VERSION} (TLS engine in TypeScript; crypto from Node ${process.versions.node}, OpenSSL ${process.versions.openssl})`;
/** `(major, minor, fix, patch, status)`: sslsock's version; status 0 as for a development release. */
export const OPENSSL_VERSION_INFO: readonly [number, number, number, number, number] = [MAJOR, MINOR, PATCH, 0, 0];
/** OpenSSL's 0xMNN00PPSL layout, from sslsock's version. */
export const OPENSSL_VERSION_NUMBER = MAJOR * 0x10000000 + MINOR * 0x100000 + PATCH * 0x10;
export const _OPENSSL_API_VERSION = OPENSSL_VERSION_INFO;
