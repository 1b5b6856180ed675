/**
 * A throwaway certificate authority for tests, in the spirit of Python's
 * `trustme`: create a CA, issue server/client certificates for DNS names,
 * IP addresses and e-mail addresses, intermediates and CRLs, all in memory.
 *
 * ```ts
 * const ca = CA.create();                              // ECDSA P-256 root
 * const leaf = ca.issueCert('localhost', '127.0.0.1'); // serverAuth + clientAuth
 * ctx.loadVerifyLocations(undefined, undefined, ca.certPem);
 * sctx.loadCertChain(...Object.values(leaf.writeFiles(dir)).slice(0, 2));
 * ```
 *
 * Never use these certificates outside tests: keys are unprotected and the
 * CA has no revocation infrastructure beyond what tests ask for.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider, type CryptoProvider, type KeyGenSpec, type PrivateKey, type PublicKey } from '../crypto/index.js';
import {
  buildCertificate,
  buildCrl,
  encodeName,
  type CrlReasonName,
  type ExtensionsSpec,
  type GeneralNameSpec,
  type KeyUsageName,
  type NameAttributeSpec,
} from '../x509/builder.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { idnaEncodeHostname, parseIpAddress } from '../x509/hostname.js';
import { PEM_LABEL, pemBlocksWithLabel, toPem } from '../x509/pem.js';

/** Key types a test CA can use (trustme's `KeyType` plus P-384 and Ed25519). */
export type CAKeyType = 'rsa2048' | 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519';

const KEY_SPECS: Readonly<Record<CAKeyType, KeyGenSpec>> = {
  rsa2048: { type: 'rsa', bits: 2048 },
  'ecdsa-p256': { type: 'ec', curve: 'P-256' },
  'ecdsa-p384': { type: 'ec', curve: 'P-384' },
  ed25519: { type: 'ed25519' },
};

export const KEY_TYPES: readonly CAKeyType[] = Object.keys(KEY_SPECS) as CAKeyType[];

/** trustme's default: ECDSA keys are fast to make and small. */
const DEFAULT_KEY_TYPE: CAKeyType = 'ecdsa-p256';
const DEFAULT_ORGANIZATION = 'sslsock testing';
/** trustme's default path length: deep enough for any test chain. */
const DEFAULT_PATH_LENGTH = 9;

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
/** Back-dating absorbs clock skew between test processes and peers. */
const BACKDATE_MS = MS_PER_HOUR;
const CA_LIFETIME_MS = 10 * 365 * MS_PER_DAY;
const LEAF_LIFETIME_MS = 365 * MS_PER_DAY;
/** When only one end of a validity period is given and it falls outside the default, the other end sits this far away. */
const ADJUSTED_SPAN_MS = MS_PER_DAY;
const CRL_LIFETIME_MS = 7 * MS_PER_DAY;

/** RFC 5280 §4.1.2.2: at most 20 octets; 159 random bits keep the INTEGER positive and within that. */
const SERIAL_BYTES = 20;
const SERIAL_TOP_BIT_MASK = 0x7f;
const RANDOM_SUFFIX_BYTES = 8;

/** The structural part of `SSLContext` that `configureTrust` needs (Python's `load_verify_locations`). */
export interface TrustConfigurable {
  loadVerifyLocations(cafile?: string | null, capath?: string | null, cadata?: string | Uint8Array | null): void;
}

/** The structural part of `SSLContext` that `configureCert` needs (Python's `load_cert_chain`). */
export interface CertConfigurable {
  loadCertChain(certfile: string, keyfile?: string | null, password?: unknown): void;
}

export interface CAOptions {
  keyType?: CAKeyType;
  organizationName?: string;
  organizationalUnitName?: string;
  /** Not set by default (as trustme). */
  commonName?: string;
  /** basicConstraints pathLenConstraint; null for none. Default 9. */
  pathLength?: number | null;
  notBefore?: Date;
  notAfter?: Date;
  /** RFC 5280 §4.2.1.10 name constraints on everything this CA issues. */
  nameConstraints?: { permitted?: readonly GeneralNameSpec[]; excluded?: readonly GeneralNameSpec[] };
  provider?: CryptoProvider;
}

export interface IssueOptions {
  /** Subject CN; not set by default (the names are in subjectAltName, where RFC 6125 looks). */
  commonName?: string;
  organizationName?: string;
  organizationalUnitName?: string;
  /** Set in the past for a not-yet-valid or expired certificate. */
  notBefore?: Date;
  notAfter?: Date;
  /** Default: the issuing CA's key type. */
  keyType?: CAKeyType;
  /** extKeyUsage serverAuth; default true for `issueCert`, false for `issueClientCert`. */
  serverAuth?: boolean;
  /** extKeyUsage clientAuth; default true. */
  clientAuth?: boolean;
  crlDistributionPoints?: readonly string[];
  ocspUrls?: readonly string[];
}

export interface RevocationSpec {
  serialNumber: bigint;
  revocationDate?: Date;
  reason?: CrlReasonName;
}

export interface CrlOptions {
  /** Certificates (leaves or child CAs) or serials to list as revoked. */
  revoked?: readonly (LeafCert | CA | RevocationSpec)[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  /** Default: one more than this CA's previous CRL. */
  crlNumber?: bigint | number;
}

/** A CRL issued by a test CA. */
export class Crl {
  constructor(
    readonly der: Buffer,
    readonly pem: string,
  ) {}

  writeFile(path: string): string {
    writeFileSync(path, this.pem);
    return path;
  }
}

function randomSerial(provider: CryptoProvider): bigint {
  const bytes = provider.randomBytes(SERIAL_BYTES);
  bytes[0]! &= SERIAL_TOP_BIT_MASK;
  const serial = BigInt(`0x${bytes.toString('hex')}`);
  return serial === 0n ? 1n : serial;
}

function randomTag(provider: CryptoProvider): string {
  return provider.randomBytes(RANDOM_SUFFIX_BYTES).toString('hex');
}

/** Fills in whichever end of the validity period was not given, keeping notBefore ≤ notAfter. */
function validity(notBefore: Date | undefined, notAfter: Date | undefined, lifetimeMs: number): { notBefore: Date; notAfter: Date } {
  // Whole seconds: certificate times carry no fractions (RFC 5280 §4.1.2.5).
  const now = Math.floor(Date.now() / 1000) * 1000;
  let nb = notBefore ?? new Date(now - BACKDATE_MS);
  let na = notAfter ?? new Date(now + lifetimeMs);
  if (notBefore === undefined && na.getTime() < nb.getTime()) nb = new Date(na.getTime() - ADJUSTED_SPAN_MS);
  if (notAfter === undefined && nb.getTime() > na.getTime()) na = new Date(nb.getTime() + ADJUSTED_SPAN_MS);
  if (nb.getTime() > na.getTime()) throw new RangeError(`notBefore ${nb.toISOString()} is after notAfter ${na.toISOString()}`);
  return { notBefore: nb, notAfter: na };
}

const NON_ASCII = /[^\x00-\x7f]/;

/** trustme's identity rules: `user@host` → e-mail, an IP literal → iPAddress, `scheme://…` → URI, else a DNS name (IDNA-encoded). */
export function identityToGeneralName(identity: string): GeneralNameSpec {
  if (identity.length === 0) throw new TypeError('identities must be non-empty strings');
  if (identity.includes('://')) return { type: 'uri', value: identity };
  if (identity.includes('@')) return { type: 'email', value: identity };
  if (parseIpAddress(identity) !== null) return { type: 'ip', value: identity };
  return { type: 'dns', value: NON_ASCII.test(identity) ? idnaEncodeHostname(identity) : identity };
}

function subjectName(o: { organizationName?: string; organizationalUnitName?: string; commonName?: string }, defaultOu: string): NameAttributeSpec[] {
  const attrs: NameAttributeSpec[] = [
    ['organizationName', o.organizationName ?? DEFAULT_ORGANIZATION],
    ['organizationalUnitName', o.organizationalUnitName ?? defaultOu],
  ];
  if (o.commonName !== undefined) attrs.push(['commonName', o.commonName]);
  return attrs;
}

/** digitalSignature for every key; keyEncipherment only makes sense for RSA (RFC 5246 RSA key transport, still used by peers). */
function leafKeyUsage(key: PrivateKey): KeyUsageName[] {
  return key.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
}

function splitArgs(args: readonly (string | IssueOptions)[]): [string[], IssueOptions] {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && typeof last === 'object';
  const identities = (hasOptions ? args.slice(0, -1) : args) as unknown[];
  for (const id of identities) if (typeof id !== 'string') throw new TypeError('identities must be strings; options go last');
  return [identities as string[], hasOptions ? (last as IssueOptions) : {}];
}

function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** What `CA.fromPem` hands the constructor. */
interface ExistingCA {
  readonly certDer: Buffer;
  readonly privateKey: PrivateKey;
  readonly publicKey: (cert: Certificate) => PublicKey;
}

/** The CAKeyType of a key's family (any RSA size → rsa2048), so leaves default to the CA's own kind; ECDSA P-256 otherwise. */
function keyTypeOf(key: PrivateKey): CAKeyType {
  for (const kt of KEY_TYPES) {
    const spec = KEY_SPECS[kt];
    if (spec.type !== key.type) continue;
    if (spec.type === 'ec' && spec.curve !== key.curve) continue;
    return kt;
  }
  return DEFAULT_KEY_TYPE;
}

/** A certificate issued by a test CA, with its private key and chain. */
export class LeafCert {
  /** PEM certificate + key, like trustme's `private_key_and_cert_chain_pem`: key first, then the chain. */
  readonly privateKeyAndCertChainPem: string;

  constructor(
    readonly certDer: Buffer,
    readonly certPem: string,
    readonly privateKey: PrivateKey,
    /** Leaf first, then the intermediates up to (not including) the root. */
    readonly certChainPems: readonly string[],
    readonly serialNumber: bigint,
    readonly identities: readonly string[],
  ) {
    this.privateKeyAndCertChainPem = this.privateKeyPem + certChainPems.join('');
  }

  get privateKeyPem(): string {
    return this.privateKey.toPem();
  }

  /** Writes `<name>.pem` (chain), `<name>.key` and `<name>-combined.pem`; returns their paths. */
  writeFiles(dir: string, name = 'cert'): { certFile: string; keyFile: string; combinedFile: string } {
    mkdirSync(dir, { recursive: true });
    return {
      certFile: writeFile(dir, `${name}.pem`, this.certChainPems.join('')),
      keyFile: writeFile(dir, `${name}.key`, this.privateKeyPem),
      combinedFile: writeFile(dir, `${name}-combined.pem`, this.privateKeyAndCertChainPem),
    };
  }

  /** trustme's `configure_cert(ctx)`: `ctx.loadCertChain` from a temporary file removed afterwards. */
  configureCert(ctx: CertConfigurable): void {
    const dir = mkdtempSync(join(tmpdir(), 'sslsock-testing-'));
    try {
      ctx.loadCertChain(writeFile(dir, 'cert-and-key.pem', this.privateKeyAndCertChainPem));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** A test certificate authority: a root (from `CA.create`) or an intermediate (from `createChildCA`). */
export class CA {
  readonly certDer: Buffer;
  readonly certPem: string;
  readonly privateKey: PrivateKey;
  readonly keyType: CAKeyType;
  readonly serialNumber: bigint;
  /** The issuing CA, or null for a root. */
  readonly parent: CA | null;
  /** This CA's encoded subject: the issuer name of everything it signs. */
  readonly subjectDer: Buffer;
  readonly provider: CryptoProvider;
  private readonly pathLength: number | null;
  private crlNumber = 0n;

  /** trustme's `CA()`; equivalent to `CA.create(options)`. */
  constructor(options: CAOptions = {}, parent: CA | null = null, existing?: ExistingCA) {
    this.provider = options.provider ?? parent?.provider ?? defaultProvider;
    this.parent = parent;
    if (existing !== undefined) {
      const cert = parseCertificate(existing.certDer);
      const bc = cert.extensions.basicConstraints;
      if (bc === null || !bc.ca) throw new TypeError('the certificate is not a CA certificate (basicConstraints cA is not set)');
      if (!existing.privateKey.publicKey.equals(existing.publicKey(cert))) throw new TypeError('the private key does not match the certificate');
      this.privateKey = existing.privateKey;
      this.keyType = options.keyType ?? keyTypeOf(existing.privateKey);
      this.pathLength = bc.pathLen;
      this.subjectDer = Buffer.from(cert.subject.raw);
      this.serialNumber = cert.serialNumber;
      this.certDer = Buffer.from(cert.raw);
      this.certPem = toPem(PEM_LABEL.certificate, this.certDer);
      return;
    }
    this.keyType = options.keyType ?? parent?.keyType ?? DEFAULT_KEY_TYPE;
    if (!Object.hasOwn(KEY_SPECS, this.keyType)) throw new TypeError(`unknown key type '${this.keyType}'; expected one of ${KEY_TYPES.join(', ')}`);
    this.privateKey = this.provider.generateSigningKey(KEY_SPECS[this.keyType]);
    const defaultPathLength = parent === null ? DEFAULT_PATH_LENGTH : parent.pathLength === null ? null : parent.pathLength - 1;
    this.pathLength = options.pathLength === undefined ? defaultPathLength : options.pathLength;
    if (this.pathLength !== null && this.pathLength < 0) throw new RangeError('the parent CA allows no further intermediates (pathLength exhausted)');
    this.subjectDer = encodeName(subjectName(options, `Testing CA #${randomTag(this.provider)}`));
    this.serialNumber = randomSerial(this.provider);
    const extensions: ExtensionsSpec = {
      basicConstraints: { ca: true, pathLength: this.pathLength },
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
      ...(options.nameConstraints !== undefined ? { nameConstraints: options.nameConstraints } : {}),
    };
    const built = buildCertificate({
      serialNumber: this.serialNumber,
      subject: this.subjectDer,
      issuer: parent?.subjectDer ?? this.subjectDer,
      ...validity(options.notBefore, options.notAfter, CA_LIFETIME_MS),
      publicKey: this.privateKey.publicKey,
      signingKey: parent?.privateKey ?? this.privateKey,
      extensions,
      provider: this.provider,
    });
    this.certDer = built.der;
    this.certPem = built.pem;
  }

  static create(options: CAOptions = {}): CA {
    return new CA(options);
  }

  /**
   * trustme's `CA.from_pem(cert_bytes, private_key_bytes)`: a CA from an
   * existing certificate and its key (PEM, or DER for the certificate). It is
   * treated as a root: `configureTrust` trusts this certificate itself.
   * `options.keyType` sets the key type of the certificates it issues
   * (default: the CA key's own type when it is one of KEY_TYPES).
   */
  static fromPem(cert: string | Uint8Array, privateKey: string | Uint8Array, options: Pick<CAOptions, 'keyType' | 'provider'> & { password?: string } = {}): CA {
    const provider = options.provider ?? defaultProvider;
    const certDer = typeof cert === 'string' ? pemBlocksWithLabel(cert, PEM_LABEL.certificate)[0] : Buffer.from(cert);
    if (certDer === undefined) throw new TypeError('no CERTIFICATE block in the CA certificate PEM');
    const key = provider.importPrivateKey(privateKey, options.password);
    return new CA({ ...options, provider }, null, {
      certDer,
      privateKey: key,
      publicKey: (c) => provider.importPublicKey(c.subjectPublicKeyInfo.raw),
    });
  }

  get privateKeyPem(): string {
    return this.privateKey.toPem();
  }

  /** This CA and its ancestors below the root, nearest first: what a server sends after its leaf. */
  get intermediatePems(): string[] {
    return this.parent === null ? [] : [this.certPem, ...this.parent.intermediatePems];
  }

  /** The self-signed root at the top of this CA's chain. */
  get root(): CA {
    return this.parent === null ? this : this.parent.root;
  }

  /** trustme's `create_child_ca()`: an intermediate CA signed by this one. */
  createChildCA(options: CAOptions = {}): CA {
    return new CA(options, this);
  }

  /** trustme's `issue_cert(*identities, ...)`: a certificate for TLS servers (and clients). */
  issueCert(...args: [...identities: string[], options: IssueOptions] | string[]): LeafCert {
    const [identities, options] = splitArgs(args);
    return this.issue(identities, { serverAuth: true, clientAuth: true, ...options });
  }

  /** A client certificate: clientAuth only unless asked otherwise. Identities are optional (e-mail addresses are typical). */
  issueClientCert(...args: [...identities: string[], options: IssueOptions] | string[]): LeafCert {
    const [identities, options] = splitArgs(args);
    return this.issue(identities, { serverAuth: false, clientAuth: true, ...options });
  }

  private issue(identities: string[], options: IssueOptions): LeafCert {
    if (identities.length === 0 && options.commonName === undefined) {
      throw new TypeError('a certificate needs at least one identity (DNS name, IP address or e-mail) or a commonName');
    }
    const keyType = options.keyType ?? this.keyType;
    if (!Object.hasOwn(KEY_SPECS, keyType)) throw new TypeError(`unknown key type '${keyType}'; expected one of ${KEY_TYPES.join(', ')}`);
    const key = this.provider.generateSigningKey(KEY_SPECS[keyType]);
    const serialNumber = randomSerial(this.provider);
    const eku = [...(options.serverAuth === true ? ['serverAuth'] : []), ...(options.clientAuth !== false ? ['clientAuth'] : [])];
    const extensions: ExtensionsSpec = {
      basicConstraints: { ca: false },
      keyUsage: leafKeyUsage(key),
      ...(eku.length > 0 ? { extKeyUsage: eku } : {}),
      ...(identities.length > 0 ? { subjectAltName: identities.map(identityToGeneralName) } : {}),
      ...(options.crlDistributionPoints !== undefined ? { crlDistributionPoints: options.crlDistributionPoints } : {}),
      ...(options.ocspUrls !== undefined ? { authorityInfoAccess: { ocsp: options.ocspUrls } } : {}),
    };
    const built = buildCertificate({
      serialNumber,
      subject: subjectName(options, `Testing cert #${randomTag(this.provider)}`),
      issuer: this.subjectDer,
      ...validity(options.notBefore, options.notAfter, LEAF_LIFETIME_MS),
      publicKey: key.publicKey,
      signingKey: this.privateKey,
      extensions,
      provider: this.provider,
    });
    return new LeafCert(built.der, built.pem, key, [built.pem, ...this.intermediatePems], serialNumber, identities);
  }

  /** A v2 CRL signed by this CA listing `revoked`. */
  createCrl(options: CrlOptions = {}): Crl {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const thisUpdate = options.thisUpdate ?? new Date(now.getTime() - BACKDATE_MS);
    this.crlNumber = options.crlNumber !== undefined ? BigInt(options.crlNumber) : this.crlNumber + 1n;
    const built = buildCrl({
      issuer: this.subjectDer,
      signingKey: this.privateKey,
      thisUpdate,
      nextUpdate: options.nextUpdate ?? new Date(now.getTime() + CRL_LIFETIME_MS),
      revoked: (options.revoked ?? []).map((r) => {
        if (r instanceof LeafCert || r instanceof CA) return { serialNumber: r.serialNumber, revocationDate: thisUpdate };
        return { serialNumber: r.serialNumber, revocationDate: r.revocationDate ?? thisUpdate, ...(r.reason !== undefined ? { reason: r.reason } : {}) };
      }),
      crlNumber: this.crlNumber,
      provider: this.provider,
    });
    return new Crl(built.der, built.pem);
  }

  /** Writes `<name>.pem` (certificate) and `<name>.key`; returns their paths. */
  writeFiles(dir: string, name = 'ca'): { certFile: string; keyFile: string } {
    mkdirSync(dir, { recursive: true });
    return { certFile: writeFile(dir, `${name}.pem`, this.certPem), keyFile: writeFile(dir, `${name}.key`, this.privateKeyPem) };
  }

  /** trustme's `configure_trust(ctx)`: trust this CA's root, given as `cadata`. */
  configureTrust(ctx: TrustConfigurable): void {
    ctx.loadVerifyLocations(undefined, undefined, this.root.certPem);
  }
}
