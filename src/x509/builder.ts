/**
 * Certificate and CRL builder: turns a plain spec into a DER X.509 v3
 * certificate (RFC 5280 §4.1) or v2 CRL (RFC 5280 §5.1), signed through a
 * provider `PrivateKey`. Used by `sslsock/testing` and by tests that need
 * certificates with exact properties; it validates what it is given but is
 * deliberately able to express unusual certificates (long validity, any
 * name attributes, non-critical constraints) because tests need them.
 */
import { defaultProvider, type CryptoProvider, type PrivateKey, type PublicKey, type SignatureAlgorithm } from '../crypto/index.js';
import { encodeGeneralName, encodeGeneralNames, encodeName, type GeneralNameSpec, type NameSpec } from './builder-names.js';
import { der, DerReader, X509Error } from './der.js';
import { CrlReason as CRL_REASONS, KeyUsageBit as KEY_USAGE_BITS, type CrlReasonName, type KeyUsageName } from './extensions.js';
import { OID, oidFromName } from './oids.js';
import { PEM_LABEL, toPem } from './pem.js';

export { CRL_REASONS, KEY_USAGE_BITS, type CrlReasonName, type KeyUsageName };
export { encodeName, type GeneralNameSpec, type NameAttributeSpec, type NameSpec } from './builder-names.js';

// ───────────────────────────── extensions ─────────────────────────────

/** An extension given as raw bytes (any OID, any value). */
export interface RawExtension {
  readonly oid: string;
  readonly critical?: boolean;
  /** The extnValue contents (the DER inside the OCTET STRING). */
  readonly value: Uint8Array;
}

/** `critical` defaults are noted per extension; each follows RFC 5280's MUST/SHOULD. */
export interface ExtensionsSpec {
  /** Default critical (RFC 5280 §4.2.1.9: MUST be critical in CA certificates). */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number | null; readonly critical?: boolean };
  /** Default critical (§4.2.1.3 SHOULD). */
  readonly keyUsage?: readonly KeyUsageName[] | { readonly usages: readonly KeyUsageName[]; readonly critical?: boolean };
  /** Names from `oids.ts` ('serverAuth', 'clientAuth', …) or dotted OIDs. Default non-critical. */
  readonly extKeyUsage?: readonly string[] | { readonly usages: readonly string[]; readonly critical?: boolean };
  /** Default critical only when the subject is empty (§4.2.1.6). */
  readonly subjectAltName?: readonly GeneralNameSpec[] | { readonly names: readonly GeneralNameSpec[]; readonly critical?: boolean };
  /** Default critical (§4.2.1.10 MUST). */
  readonly nameConstraints?: {
    readonly permitted?: readonly GeneralNameSpec[];
    readonly excluded?: readonly GeneralNameSpec[];
    readonly critical?: boolean;
  };
  /** true (default): SHA-1 of the subject key (§4.2.1.2 method 1); false: omit; bytes: that identifier. */
  readonly subjectKeyIdentifier?: boolean | Uint8Array;
  /** true (default): the issuer key's identifier (§4.2.1.1); false: omit; bytes: that identifier. */
  readonly authorityKeyIdentifier?: boolean | Uint8Array;
  /** URIs, one DistributionPoint with a fullName each (§4.2.1.13). */
  readonly crlDistributionPoints?: readonly string[];
  /** §4.2.2.1: OCSP responder and CA-issuer URIs. */
  readonly authorityInfoAccess?: { readonly ocsp?: readonly string[]; readonly caIssuers?: readonly string[] };
  /** Anything else, appended in order. */
  readonly extra?: readonly RawExtension[];
}

function extension(oid: string, critical: boolean, value: Uint8Array): Buffer {
  // DER: a DEFAULT FALSE boolean is omitted when false (X.690 §11.5).
  return critical ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(oid), der.octetString(value));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 over the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Uint8Array, provider: CryptoProvider = defaultProvider): Buffer {
  const r = new DerReader(spki, 'subjectPublicKeyInfo');
  const seq = r.sequence('subjectPublicKeyInfo');
  r.finish();
  seq.sequence('algorithm');
  const key = seq.bitString('subjectPublicKey');
  seq.finish();
  return provider.hash('SHA-1', key.bytes);
}

function listAndCritical<T>(v: readonly T[] | { readonly critical?: boolean }, key: 'usages' | 'names', dflt: boolean): [readonly T[], boolean] {
  if (Array.isArray(v)) return [v as readonly T[], dflt];
  const o = v as { readonly critical?: boolean } & Record<string, unknown>;
  return [o[key] as readonly T[], o.critical ?? dflt];
}

function encodeExtensions(
  spec: ExtensionsSpec,
  ctx: { subjectEmpty: boolean; subjectKeyId: Buffer; authorityKeyId: Buffer | null },
): Buffer[] {
  const out: Buffer[] = [];
  const bc = spec.basicConstraints;
  if (bc !== undefined) {
    const fields: Buffer[] = [];
    if (bc.ca) fields.push(der.boolean(true));
    if (bc.pathLength !== undefined && bc.pathLength !== null) {
      if (!bc.ca) throw new X509Error('bad_extension', 'basicConstraints pathLength is only meaningful when ca is true (RFC 5280 §4.2.1.9)');
      fields.push(der.integer(bc.pathLength));
    }
    out.push(extension(OID.basicConstraints, bc.critical ?? true, der.sequence(...fields)));
  }
  if (spec.keyUsage !== undefined) {
    const [usages, critical] = listAndCritical<KeyUsageName>(spec.keyUsage, 'usages', true);
    if (usages.length === 0) throw new X509Error('bad_extension', 'keyUsage needs at least one usage (RFC 5280 §4.2.1.3)');
    const bits = usages.map((u) => {
      if (!Object.hasOwn(KEY_USAGE_BITS, u)) throw new X509Error('bad_extension', `unknown key usage '${u}'`);
      return KEY_USAGE_BITS[u];
    });
    out.push(extension(OID.keyUsage, critical, der.namedBits(bits)));
  }
  if (spec.extKeyUsage !== undefined) {
    const [usages, critical] = listAndCritical<string>(spec.extKeyUsage, 'usages', false);
    const oids = usages.map((u) => {
      const dotted = oidFromName(u);
      if (dotted === null) throw new X509Error('bad_extension', `unknown extended key usage '${u}'`);
      return der.oid(dotted);
    });
    out.push(extension(OID.extKeyUsage, critical, der.sequence(...oids)));
  }
  if (spec.subjectAltName !== undefined) {
    const [names, critical] = listAndCritical<GeneralNameSpec>(spec.subjectAltName, 'names', ctx.subjectEmpty);
    if (names.length === 0) throw new X509Error('bad_extension', 'subjectAltName needs at least one name (RFC 5280 §4.2.1.6)');
    out.push(extension(OID.subjectAltName, critical, encodeGeneralNames(names)));
  }
  const nc = spec.nameConstraints;
  if (nc !== undefined) {
    // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }: only base, per §4.2.1.10.
    const subtrees = (names: readonly GeneralNameSpec[]): Buffer[] => names.map((n) => der.sequence(encodeGeneralName(n, true)));
    const parts: Buffer[] = [];
    if (nc.permitted !== undefined && nc.permitted.length > 0) parts.push(der.implicit(0, der.sequence(...subtrees(nc.permitted))));
    if (nc.excluded !== undefined && nc.excluded.length > 0) parts.push(der.implicit(1, der.sequence(...subtrees(nc.excluded))));
    if (parts.length === 0) throw new X509Error('bad_extension', 'nameConstraints needs permitted or excluded subtrees (RFC 5280 §4.2.1.10)');
    out.push(extension(OID.nameConstraints, nc.critical ?? true, der.sequence(...parts)));
  }
  if (spec.subjectKeyIdentifier !== false) {
    const id = spec.subjectKeyIdentifier instanceof Uint8Array ? spec.subjectKeyIdentifier : ctx.subjectKeyId;
    out.push(extension(OID.subjectKeyIdentifier, false, der.octetString(id)));
  }
  if (spec.authorityKeyIdentifier !== false) {
    const id = spec.authorityKeyIdentifier instanceof Uint8Array ? spec.authorityKeyIdentifier : ctx.authorityKeyId;
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
    if (id !== null) out.push(extension(OID.authorityKeyIdentifier, false, der.sequence(der.contextPrimitive(0, id))));
  }
  if (spec.crlDistributionPoints !== undefined && spec.crlDistributionPoints.length > 0) {
    // DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName, … };
    // DistributionPointName is a CHOICE (explicit [0]) whose fullName is [0] IMPLICIT GeneralNames.
    const points = spec.crlDistributionPoints.map((uri) =>
      der.sequence(der.explicit(0, der.implicit(0, encodeGeneralNames([{ type: 'uri', value: uri }])))),
    );
    out.push(extension(OID.cRLDistributionPoints, false, der.sequence(...points)));
  }
  const aia = spec.authorityInfoAccess;
  if (aia !== undefined) {
    const descriptions = [
      ...(aia.ocsp ?? []).map((uri) => der.sequence(der.oid(OID.ocsp), encodeGeneralName({ type: 'uri', value: uri }))),
      ...(aia.caIssuers ?? []).map((uri) => der.sequence(der.oid(OID.caIssuers), encodeGeneralName({ type: 'uri', value: uri }))),
    ];
    if (descriptions.length > 0) out.push(extension(OID.authorityInfoAccess, false, der.sequence(...descriptions)));
  }
  for (const e of spec.extra ?? []) out.push(extension(e.oid, e.critical ?? false, e.value));
  return out;
}

// ───────────────────────────── signatures ─────────────────────────────

/** How a certificate is signed: the AlgorithmIdentifier to write and the provider algorithm to sign with. */
export interface SignatureChoice {
  readonly oid: string;
  /**
   * The complete encoding of the AlgorithmIdentifier parameters, or null to
   * omit them. RFC 4055 §5: RSA PKCS#1 v1.5 identifiers carry NULL; RFC 5758
   * §3.2 / RFC 8410 §3: ECDSA and Ed25519 carry none; RSASSA-PSS carries its
   * RSASSA-PSS-params (see `rsaPssSignature`).
   */
  readonly parameters: Buffer | null;
  readonly algorithm: SignatureAlgorithm;
}

const ECDSA_BY_CURVE = {
  'P-256': { oid: OID.ecdsaWithSHA256, hash: 'SHA-256' },
  'P-384': { oid: OID.ecdsaWithSHA384, hash: 'SHA-384' },
  'P-521': { oid: OID.ecdsaWithSHA512, hash: 'SHA-512' },
} as const;

const PSS_HASHES = {
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
} as const;

/**
 * RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash
 * (RFC 4055 §3.1, what RFC 8446 §4.2.3 requires of rsa_pss_* schemes).
 * The hash AlgorithmIdentifiers omit their parameters, as OpenSSL writes them
 * (RFC 4055 §2.1 requires accepting both forms).
 */
export function rsaPssSignature(hash: keyof typeof PSS_HASHES, provider: CryptoProvider = defaultProvider): SignatureChoice {
  const hashId = der.sequence(der.oid(PSS_HASHES[hash]));
  const saltLength = provider.hashLength(hash);
  const parameters = der.sequence(
    der.explicit(0, hashId),
    der.explicit(1, der.sequence(der.oid(OID.mgf1), hashId)),
    der.explicit(2, der.integer(saltLength)),
  );
  return { oid: OID.rsassaPss, parameters, algorithm: { kind: 'rsa-pss', hash, saltLength } };
}

/** The conventional signature algorithm for a signing key (what `openssl req -x509` picks). */
export function signatureForKey(key: PrivateKey): SignatureChoice {
  switch (key.type) {
    case 'rsa':
      return { oid: OID.sha256WithRSAEncryption, parameters: der.null(), algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-256' } };
    case 'rsa-pss':
      return rsaPssSignature('SHA-256');
    case 'ec': {
      const e = key.curve === null ? undefined : ECDSA_BY_CURVE[key.curve];
      if (e === undefined) throw new X509Error('bad_algorithm', `no ECDSA signature algorithm for curve ${String(key.curve)}`);
      return { oid: e.oid, parameters: null, algorithm: { kind: 'ecdsa', hash: e.hash } };
    }
    case 'ed25519':
      return { oid: OID.ed25519, parameters: null, algorithm: { kind: 'ed25519' } };
    default:
      throw new X509Error('bad_algorithm', `signing with a ${String(key.type)} key is not supported by the builder`);
  }
}

function algorithmIdentifier(s: SignatureChoice): Buffer {
  return s.parameters === null ? der.sequence(der.oid(s.oid)) : der.sequence(der.oid(s.oid), s.parameters);
}

/** SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }: the shape shared by certificates and CRLs. */
function signed(tbs: Buffer, sig: SignatureChoice, key: PrivateKey): Buffer {
  return der.sequence(tbs, algorithmIdentifier(sig), der.bitString(key.sign(sig.algorithm, tbs)));
}

// ───────────────────────────── certificates ─────────────────────────────

export interface CertificateSpec {
  /** RFC 5280 §4.1.2.2: positive, at most 20 octets. Bytes are the INTEGER's contents. */
  readonly serialNumber: bigint | number | Uint8Array;
  readonly subject: NameSpec;
  /** Defaults to `subject` (self-issued). */
  readonly issuer?: NameSpec;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The certified key. */
  readonly publicKey: PublicKey;
  /** The issuer's key; a self-signed certificate passes the subject's own private key. */
  readonly signingKey: PrivateKey;
  /** Default 3. Version 1 certificates carry no extensions. */
  readonly version?: 1 | 3;
  readonly extensions?: ExtensionsSpec;
  /** Override the algorithm chosen from the signing key. */
  readonly signature?: SignatureChoice;
  readonly provider?: CryptoProvider;
}

export interface BuiltCertificate {
  readonly der: Buffer;
  readonly tbsDer: Buffer;
  readonly pem: string;
  /** The subject key identifier written (or that would be written): the next issuer's AKI. */
  readonly subjectKeyId: Buffer;
}

/** RFC 5280 §4.1.2.2: serial numbers are at most 20 octets. */
const MAX_SERIAL_OCTETS = 20;
/** TBSCertificate version field values (RFC 5280 §4.1.2.1: v1(0), v3(2)). */
const VERSION_V3 = 2;
/** TBSCertList version v2(1) (RFC 5280 §5.1.2.1). */
const CRL_VERSION_V2 = 1;

function encodeSerial(serial: bigint | number | Uint8Array): Buffer {
  const enc = der.integer(serial);
  const contents = der.integerContents(serial);
  if (!(serial instanceof Uint8Array)) {
    if (BigInt(serial) <= 0n) throw new X509Error('bad_integer', `serial number must be positive, got ${String(serial)}`);
    if (contents.length > MAX_SERIAL_OCTETS) throw new X509Error('integer_too_large', `serial number of ${contents.length} octets exceeds ${MAX_SERIAL_OCTETS}`);
  }
  return enc;
}

const EMPTY_NAME_LENGTH = 2; // SEQUENCE {} = 30 00

/** Builds and signs an X.509 certificate. */
export function buildCertificate(spec: CertificateSpec): BuiltCertificate {
  const provider = spec.provider ?? defaultProvider;
  if (!(spec.notBefore.getTime() <= spec.notAfter.getTime())) throw new X509Error('bad_time', 'notBefore is after notAfter');
  const sig = spec.signature ?? signatureForKey(spec.signingKey);
  const subject = encodeName(spec.subject);
  const issuer = encodeName(spec.issuer ?? spec.subject);
  const subjectKeyId = keyIdentifier(spec.publicKey.spki, provider);
  const selfSigned = spec.signingKey.publicKey.equals(spec.publicKey);
  const authorityKeyId = selfSigned ? subjectKeyId : keyIdentifier(spec.signingKey.publicKey.spki, provider);
  const version = spec.version ?? 3;
  const fields: Buffer[] = [];
  if (version === 3) fields.push(der.explicit(0, der.integer(VERSION_V3)));
  fields.push(
    encodeSerial(spec.serialNumber),
    algorithmIdentifier(sig),
    issuer,
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    subject,
    Buffer.from(spec.publicKey.spki),
  );
  if (version === 3) {
    const exts = encodeExtensions(spec.extensions ?? {}, { subjectEmpty: subject.length === EMPTY_NAME_LENGTH, subjectKeyId, authorityKeyId });
    if (exts.length > 0) fields.push(der.explicit(3, der.sequence(...exts)));
  } else if (spec.extensions !== undefined) {
    throw new X509Error('bad_version', 'version 1 certificates cannot carry extensions');
  }
  const tbsDer = der.sequence(...fields);
  const certDer = signed(tbsDer, sig, spec.signingKey);
  return { der: certDer, tbsDer, pem: toPem(PEM_LABEL.certificate, certDer), subjectKeyId };
}

// ───────────────────────────── CRLs ─────────────────────────────


export interface RevokedEntrySpec {
  readonly serialNumber: bigint | number | Uint8Array;
  readonly revocationDate: Date;
  /** Omitted when absent (RFC 5280 §5.3.1: SHOULD be absent rather than 'unspecified'). */
  readonly reason?: CrlReasonName;
}

export interface CrlSpec {
  /** Must equal the issuing CA's subject byte for byte; pass the CA's encoded subject. */
  readonly issuer: NameSpec;
  readonly signingKey: PrivateKey;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revoked?: readonly RevokedEntrySpec[];
  /** RFC 5280 §5.2.3: monotonically increasing; default 1. */
  readonly crlNumber?: bigint | number;
  /** Default true: the signing key's identifier (§5.2.1 MUST). */
  readonly authorityKeyIdentifier?: boolean | Uint8Array;
  readonly signature?: SignatureChoice;
  readonly provider?: CryptoProvider;
}

export interface BuiltCrl {
  readonly der: Buffer;
  readonly pem: string;
}

/** Builds and signs a v2 CRL (RFC 5280 §5.1). */
export function buildCrl(spec: CrlSpec): BuiltCrl {
  const provider = spec.provider ?? defaultProvider;
  const sig = spec.signature ?? signatureForKey(spec.signingKey);
  const fields: Buffer[] = [der.integer(CRL_VERSION_V2), algorithmIdentifier(sig), encodeName(spec.issuer), der.time(spec.thisUpdate)];
  if (spec.nextUpdate !== undefined) fields.push(der.time(spec.nextUpdate));
  const revoked = spec.revoked ?? [];
  // §5.1.2.6: when there are no revoked certificates the list is absent, not empty.
  if (revoked.length > 0) {
    fields.push(
      der.sequence(
        ...revoked.map((r) => {
          const entry = [encodeSerial(r.serialNumber), der.time(r.revocationDate)];
          if (r.reason !== undefined) {
            if (!Object.hasOwn(CRL_REASONS, r.reason)) throw new X509Error('bad_crl', `unknown CRL reason '${r.reason}'`);
            entry.push(der.sequence(extension(OID.cRLReason, false, der.enumerated(CRL_REASONS[r.reason]))));
          }
          return der.sequence(...entry);
        }),
      ),
    );
  }
  const exts: Buffer[] = [];
  if (spec.authorityKeyIdentifier !== false) {
    const id = spec.authorityKeyIdentifier instanceof Uint8Array ? spec.authorityKeyIdentifier : keyIdentifier(spec.signingKey.publicKey.spki, provider);
    exts.push(extension(OID.authorityKeyIdentifier, false, der.sequence(der.contextPrimitive(0, id))));
  }
  exts.push(extension(OID.cRLNumber, false, der.integer(spec.crlNumber ?? 1)));
  fields.push(der.explicit(0, der.sequence(...exts)));
  const crlDer = signed(der.sequence(...fields), sig, spec.signingKey);
  return { der: crlDer, pem: toPem(PEM_LABEL.crl, crlDer) };
}
