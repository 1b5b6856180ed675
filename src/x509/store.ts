/**
 * A trust store with OpenSSL's X509_STORE behaviour as Python exposes it
 * (`load_verify_locations`, `set_default_verify_paths`, `cert_store_stats`,
 * `get_ca_certs`):
 *
 * - certificates and CRLs from PEM text (a cafile may hold both), concatenated
 *   DER, files, and hashed directories (`capath`: `<hash>.<n>` certificate
 *   files and `<hash>.r<n>` CRL files, read lazily when a subject is looked up,
 *   as OpenSSL's by_dir lookup does — so they count in stats only afterwards);
 * - an identical certificate or CRL added twice is kept once, silently;
 * - objects are kept in X509_STORE's order: the list is sorted by (type,
 *   canonical name) before every insertion and the new object appended, which
 *   is the order `get_ca_certs()` reports.
 *
 * Errors are `TrustStoreError` with a `kind` the ssl layer maps to Python's
 * exceptions and texts (see `kind` below).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CryptoProvider } from '../crypto/provider.js';
import { certFacts, checkCa } from './cert-facts.js';
import { parseCertificate, type Certificate } from './certificate.js';
import type { CertificateSource } from './chain.js';
import { parseCrl, type Crl } from './crl.js';
import { DerReader } from './der-reader.js';
import { X509Error } from './errors.js';
import { canonicalNameEncoding, nameHash } from './name-canon.js';
import type { Name } from './name.js';
import { peerCertDict, type PeerCertDict } from './peercert.js';
import { PEM_LABEL, parsePem, type PemBlock } from './pem.js';
import type { CrlSource } from './revocation.js';

export type TrustStoreErrorKind =
  /** A file could not be read: `errno`/`code` and `path` say why (Python: OSError / FileNotFoundError). */
  | 'os_error'
  /** A cafile / capath file had no certificate or CRL (Python: `[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found`). */
  | 'no_certificate_or_crl'
  /** A PEM block that does not decode (Python: `[X509] PEM lib`). */
  | 'pem_lib'
  /** A block that decodes but is not a certificate / CRL (Python: an ASN.1 error from OpenSSL). */
  | 'bad_asn1'
  /** cadata given as text without any certificate (Python: `no start line: cadata does not contain a certificate`). */
  | 'cadata_no_start_line'
  /** cadata given as bytes without any certificate (Python: `not enough data: cadata does not contain a certificate`). */
  | 'cadata_not_enough_data'
  /** cadata empty (Python: ValueError `Empty certificate data`). */
  | 'cadata_empty';

export class TrustStoreError extends Error {
  override readonly name = 'TrustStoreError';
  constructor(
    readonly kind: TrustStoreErrorKind,
    message: string,
    readonly path: string | null = null,
    /** For 'os_error': the errno number and Node's code ('ENOENT', …). */
    readonly errno: number | null = null,
    readonly code: string | null = null,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Python's `cert_store_stats()` shape. */
export interface TrustStoreStats {
  x509: number;
  crl: number;
  x509_ca: number;
}

type StoreObject = { readonly kind: 'x509'; readonly cert: Certificate } | { readonly kind: 'crl'; readonly crl: Crl };

/** Where OpenSSL (Debian/Ubuntu build, as Python's get_default_verify_paths reports) looks by default. */
export const DEFAULT_CERT_FILE = '/usr/lib/ssl/cert.pem';
export const DEFAULT_CERT_DIR = '/usr/lib/ssl/certs';
export const CERT_FILE_ENV = 'SSL_CERT_FILE';
export const CERT_DIR_ENV = 'SSL_CERT_DIR';

/** X509_LU_X509 sorts before X509_LU_CRL. */
const KIND_ORDER = { x509: 1, crl: 2 } as const;

function objectName(o: StoreObject): Name {
  return o.kind === 'x509' ? o.cert.subject : o.crl.issuer;
}

/** X509_NAME_cmp ordering: canonical encoding length first, then bytes. */
function compareNames(a: Name, b: Name): number {
  const x = canonicalNameEncoding(a);
  const y = canonicalNameEncoding(b);
  return x.length !== y.length ? x.length - y.length : Buffer.compare(x, y);
}

function compareObjects(a: StoreObject, b: StoreObject): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareNames(objectName(a), objectName(b));
}

function rawOf(o: StoreObject): Buffer {
  return o.kind === 'x509' ? o.cert.raw : o.crl.raw;
}

/** The pre-RFC 7468 certificate label OpenSSL still reads (PEM_STRING_X509_OLD). */
const OLD_CERTIFICATE_LABEL = 'X509 CERTIFICATE';
/** What a cafile / capath file may hold as a certificate (PEM_X509_INFO_read_bio). */
const CERTIFICATE_LABELS: ReadonlySet<string> = new Set([PEM_LABEL.certificate, PEM_LABEL.trustedCertificate, OLD_CERTIFICATE_LABEL]);
/**
 * What PEM text `cadata` may hold (PEM_read_bio_X509, as CPython's
 * _add_ca_certs calls it): a TRUSTED CERTIFICATE block is skipped there, so
 * cadata of only such blocks is "no start line" (checked against Python).
 */
const CADATA_CERTIFICATE_LABELS: ReadonlySet<string> = new Set([PEM_LABEL.certificate, OLD_CERTIFICATE_LABEL]);

/** A TRUSTED CERTIFICATE block is a certificate followed by OpenSSL's auxiliary trust data; only the certificate is used. */
function certificateBytes(block: PemBlock): Buffer {
  return block.label === PEM_LABEL.trustedCertificate ? new DerReader(block.der, 'TRUSTED CERTIFICATE').read('').raw : block.der;
}

/** The BEGIN…END frames of a text, each as its own text (so one bad block does not hide the ones before it). */
function pemFrames(text: string): string[] {
  const out: string[] = [];
  const re = /-----BEGIN ([^\r\n-]*(?:-[^\r\n-]+)*)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[0]);
  return out;
}

export class TrustStore implements CertificateSource, CrlSource {
  private readonly objects: StoreObject[] = [];
  private _generation = 0;

  /**
   * Bumped whenever what lookups can find changes (a certificate or CRL
   * added, from any source, or a directory added): results computed from
   * the store (verified chains) are reusable only while it stays the same.
   */
  get generation(): number {
    return this._generation;
  }
  private sorted = true;
  private readonly directories: string[] = [];
  /** Per directory and name hash: the next unread `<hash>.<n>` / `<hash>.r<n>` index. */
  private readonly dirProgress = new Map<string, { certs: number; crls: number }>();

  constructor(readonly provider: CryptoProvider) {}

  // ───────────── adding ─────────────

  /**
   * X509_STORE_add_cert / _add_crl: OpenSSL sorts the object list (by type,
   * then name) before looking for a duplicate and then appends the new object
   * unsorted. Since only the last object can be out of place, "sort" is
   * inserting it after its equals (the sort is stable).
   */
  private insert(o: StoreObject): boolean {
    if (!this.sorted) {
      const last = this.objects.pop() as StoreObject;
      this.objects.splice(this.upperBound(last), 0, last);
      this.sorted = true;
    }
    const raw = rawOf(o);
    for (let i = this.lowerBound(o); i < this.objects.length && compareObjects(this.objects[i] as StoreObject, o) === 0; i++) {
      const e = this.objects[i] as StoreObject;
      if (e.kind === o.kind && rawOf(e).equals(raw)) return false;
    }
    this.objects.push(o);
    this.sorted = this.objects.length <= 1;
    this._generation++;
    return true;
  }

  /** First index whose object does not sort before `o` (the list must be sorted). */
  private lowerBound(o: StoreObject): number {
    let lo = 0;
    let hi = this.objects.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareObjects(this.objects[mid] as StoreObject, o) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose object sorts after `o`. */
  private upperBound(o: StoreObject): number {
    let lo = 0;
    let hi = this.objects.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareObjects(this.objects[mid] as StoreObject, o) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds one certificate; false when an identical one is already there. */
  addCertificate(cert: Certificate | Uint8Array): boolean {
    return this.insert({ kind: 'x509', cert: cert instanceof Uint8Array ? parseCertificate(cert) : cert });
  }

  /** Adds one CRL; false when an identical one is already there. */
  addCrl(crl: Crl | Uint8Array): boolean {
    return this.insert({ kind: 'crl', crl: crl instanceof Uint8Array ? parseCrl(crl) : crl });
  }

  /**
   * Every CERTIFICATE / TRUSTED CERTIFICATE / X509 CRL block of a PEM text
   * (X509_load_cert_crl_file); other text and blocks are ignored. All or
   * nothing: a block that does not decode or parse throws 'pem_lib' before
   * anything is added; no block at all throws 'no_certificate_or_crl'.
   */
  addPem(text: string, path: string | null = null): { certificates: number; crls: number } {
    return this.insertAll(pemObjects(text, path));
  }

  private insertAll(objects: readonly StoreObject[]): { certificates: number; crls: number } {
    for (const o of objects) this.insert(o);
    const certificates = objects.filter((o) => o.kind === 'x509').length;
    return { certificates, crls: objects.length - certificates };
  }

  /**
   * Concatenated DER certificates (Python's bytes `cadata`): read one after
   * another until the data ends or one does not parse. Nothing readable at all
   * is 'cadata_not_enough_data'; a bad certificate after good ones is
   * 'bad_asn1' (the good ones stay added, as in CPython's _add_ca_certs).
   */
  addDer(data: Uint8Array): number {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    let count = 0;
    while (offset < buf.length) {
      let cert: Certificate;
      try {
        const el = new DerReader(buf, 'cadata', offset).read('');
        cert = parseCertificate(el.raw);
        offset += el.raw.length;
      } catch (e) {
        if (!(e instanceof X509Error)) throw e;
        if (count === 0) throw new TrustStoreError('cadata_not_enough_data', 'not enough data: cadata does not contain a certificate', null, null, null, e);
        throw new TrustStoreError('bad_asn1', e.message, null, null, null, e);
      }
      this.insert({ kind: 'x509', cert });
      count++;
    }
    if (count === 0) throw new TrustStoreError('cadata_not_enough_data', 'not enough data: cadata does not contain a certificate');
    return count;
  }

  /**
   * Python's `cadata`: ASCII PEM text (certificate blocks only; other text
   * and blocks are skipped) or DER bytes. Certificates are added one by one
   * until one fails; none at all is 'cadata_no_start_line' / '…_not_enough_data'.
   */
  addCadata(data: string | Uint8Array): number {
    if (data.length === 0) throw new TrustStoreError('cadata_empty', 'Empty certificate data');
    if (typeof data !== 'string') return this.addDer(data);
    let count = 0;
    for (const frame of pemFrames(data)) {
      let cert: Certificate | null = null;
      try {
        const [block] = parsePem(frame);
        if (block === undefined || !CADATA_CERTIFICATE_LABELS.has(block.label)) continue;
        cert = parseCertificate(certificateBytes(block));
      } catch (e) {
        if (!(e instanceof X509Error)) throw e;
        if (count === 0) throw new TrustStoreError('cadata_no_start_line', 'no start line: cadata does not contain a certificate', null, null, null, e);
        throw new TrustStoreError('pem_lib', `PEM lib: ${e.message}`, null, null, null, e);
      }
      this.insert({ kind: 'x509', cert });
      count++;
    }
    if (count === 0) throw new TrustStoreError('cadata_no_start_line', 'no start line: cadata does not contain a certificate');
    return count;
  }

  /**
   * Python's `cafile`: a PEM file of certificates and CRLs. The parsed file is
   * shared by every store of the process (see `parsedCaFile`), so the system
   * bundle is parsed once, not once per `create_default_context()`.
   */
  loadFile(path: string): { certificates: number; crls: number } {
    return this.insertAll(parsedCaFile(path));
  }

  /**
   * Python's `capath`: an OpenSSL hashed directory. Nothing is read now (a
   * missing directory is not an error); files are read on lookup by subject.
   */
  addDirectory(path: string): void {
    if (!this.directories.includes(path)) {
      this.directories.push(path);
      this._generation++;
    }
  }

  /**
   * `set_default_verify_paths()`: SSL_CERT_FILE (or OpenSSL's default file)
   * and SSL_CERT_DIR (or the default directory; ':'-separated), silently
   * skipping what does not exist or does not load.
   */
  loadDefaultPaths(env: Readonly<Record<string, string | undefined>> = process.env): void {
    const file = env[CERT_FILE_ENV] ?? DEFAULT_CERT_FILE;
    try {
      this.loadFile(file);
    } catch (e) {
      if (!(e instanceof TrustStoreError)) throw e;
    }
    const dirs = (env[CERT_DIR_ENV] ?? DEFAULT_CERT_DIR).split(':').filter((d) => d.length > 0);
    for (const d of dirs) this.addDirectory(d);
  }

  // ───────────── capath lookups (by_dir) ─────────────

  private loadFromDirectories(name: Name, wantCrls: boolean): void {
    if (this.directories.length === 0) return;
    const hash = nameHash(name, this.provider);
    for (const dir of this.directories) {
      const key = `${dir}\0${hash}`;
      const progress = this.dirProgress.get(key) ?? { certs: 0, crls: 0 };
      for (;;) {
        const n = wantCrls ? progress.crls : progress.certs;
        const file = join(dir, `${hash}.${wantCrls ? 'r' : ''}${n}`);
        if (!isFile(file)) break;
        try {
          this.addPem(readFileSync(file, 'latin1'), file);
        } catch (e) {
          // by_dir stops at a file that does not load, as OpenSSL's get_cert_by_subject does.
          if (e instanceof TrustStoreError) break;
          throw e;
        }
        if (wantCrls) progress.crls++;
        else progress.certs++;
      }
      this.dirProgress.set(key, progress);
    }
  }

  // ───────────── lookups ─────────────

  certificatesBySubject(name: Name): readonly Certificate[] {
    this.loadFromDirectories(name, false);
    const key = canonicalNameEncoding(name);
    const out: Certificate[] = [];
    for (const o of this.objects) if (o.kind === 'x509' && canonicalNameEncoding(o.cert.subject).equals(key)) out.push(o.cert);
    return out;
  }

  crlsByIssuer(name: Name): readonly Crl[] {
    this.loadFromDirectories(name, true);
    const key = canonicalNameEncoding(name);
    const out: Crl[] = [];
    for (const o of this.objects) if (o.kind === 'crl' && canonicalNameEncoding(o.crl.issuer).equals(key)) out.push(o.crl);
    return out;
  }

  /** Every certificate, in store order. */
  certificates(): Certificate[] {
    return this.objects.flatMap((o) => (o.kind === 'x509' ? [o.cert] : []));
  }

  /** Every CRL, in store order. */
  crls(): Crl[] {
    return this.objects.flatMap((o) => (o.kind === 'crl' ? [o.crl] : []));
  }

  /** Python's `cert_store_stats()`: x509_ca counts certificates X509_check_ca accepts as CAs. */
  stats(): TrustStoreStats {
    let x509 = 0;
    let crl = 0;
    let ca = 0;
    for (const o of this.objects) {
      if (o.kind === 'crl') {
        crl++;
        continue;
      }
      x509++;
      if (checkCa(certFacts(o.cert)) !== 0) ca++;
    }
    return { x509, crl, x509_ca: ca };
  }

  /** Python's `get_ca_certs(binary_form)`: CA certificates in store order, as getpeercert() dicts or DER. */
  getCaCerts(binaryForm: true): Buffer[];
  getCaCerts(binaryForm?: false): PeerCertDict[];
  getCaCerts(binaryForm = false): PeerCertDict[] | Buffer[] {
    const cas = this.certificates().filter((c) => checkCa(certFacts(c)) !== 0);
    return binaryForm ? cas.map((c) => Buffer.from(c.raw)) : cas.map((c) => peerCertDict(c));
  }
}

/**
 * The objects of a PEM text (X509_load_cert_crl_file): every CERTIFICATE /
 * TRUSTED CERTIFICATE / X509 CRL block, other text and blocks ignored. All or
 * nothing: a block that does not decode or parse is 'pem_lib'; no block at all
 * is 'no_certificate_or_crl'.
 */
function pemObjects(text: string, path: string | null): StoreObject[] {
  const objects: StoreObject[] = [];
  try {
    for (const b of parsePem(text)) {
      if (CERTIFICATE_LABELS.has(b.label)) objects.push({ kind: 'x509', cert: parseCertificate(certificateBytes(b)) });
      else if (b.label === PEM_LABEL.crl) objects.push({ kind: 'crl', crl: parseCrl(b.der) });
    }
  } catch (e) {
    if (e instanceof X509Error) throw new TrustStoreError('pem_lib', `PEM lib: ${e.message}`, path, null, null, e);
    throw e;
  }
  if (objects.length === 0) throw new TrustStoreError('no_certificate_or_crl', 'no certificate or crl found', path);
  return objects;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TrustStoreError('os_error', err.message, path, err.errno === undefined ? null : -err.errno, err.code ?? null, e);
  }
}

/**
 * Parsed cafiles, shared by every store of the process (parsed objects are
 * immutable, so stores may share them). Keyed by path and invalidated when the
 * file's size or mtime changes; only files that loaded are kept, so an error
 * is reported afresh each time.
 */
const CA_FILE_CACHE = new Map<string, { readonly mtimeMs: number; readonly size: number; readonly objects: readonly StoreObject[] }>();
/** Enough for the system bundle and a test suite's handful of cafiles; the oldest entry goes first. */
const CA_FILE_CACHE_LIMIT = 16;

function parsedCaFile(path: string): readonly StoreObject[] {
  let stamp: { mtimeMs: number; size: number } | null;
  try {
    const st = statSync(path);
    stamp = { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    stamp = null; // readText reports why
  }
  const hit = CA_FILE_CACHE.get(path);
  if (stamp !== null && hit !== undefined && hit.mtimeMs === stamp.mtimeMs && hit.size === stamp.size) return hit.objects;
  const objects = pemObjects(readText(path), path);
  if (stamp !== null) {
    CA_FILE_CACHE.delete(path);
    if (CA_FILE_CACHE.size >= CA_FILE_CACHE_LIMIT) CA_FILE_CACHE.delete(CA_FILE_CACHE.keys().next().value as string);
    CA_FILE_CACHE.set(path, { ...stamp, objects });
  }
  return objects;
}

/** True when `path` stats as a regular file (false when missing, unreadable or a directory). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Names of the `<hash>.<n>` entries of a directory (for tools that build hashed directories). */
export function listHashedEntries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /^[0-9a-f]{8}\.r?\d+$/.test(n));
  } catch {
    return [];
  }
}
