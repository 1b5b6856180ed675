/**
 * AlgorithmIdentifier (RFC 5280 §4.1.1.2), signature algorithms mapped onto
 * the provider's `SignatureAlgorithm`, and SubjectPublicKeyInfo (§4.1.2.7).
 *
 * An algorithm we do not know, or a known one with parameters we cannot use,
 * is not a parse error (OpenSSL parses such certificates too): it yields
 * `algorithm: null` with `unsupportedReason`, and path validation rejects it.
 */
import type { EcCurve, HashAlgorithm, KeyType, SignatureAlgorithm } from '../crypto/provider.js';
import { DerReader, validateDer, type DerElement } from './der-reader.js';
import { Tag } from './der-tags.js';
import { DerError, X509Error, joinPath } from './errors.js';
import { OID, oidLongName } from './oids.js';
import type { BitString } from './der-values.js';

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The complete encoding of the parameters element, or null when absent. */
  readonly parameters: Buffer | null;
  /** The complete AlgorithmIdentifier encoding. */
  readonly raw: Buffer;
}

export function readAlgorithmIdentifier(r: DerReader, field: string): AlgorithmIdentifier {
  const el = r.expect(Tag.SEQUENCE, field);
  return algorithmIdentifierFrom(el);
}

export function algorithmIdentifierFrom(el: DerElement): AlgorithmIdentifier {
  const s = DerReader.of(el);
  const oid = s.oid('algorithm');
  let parameters: Buffer | null = null;
  if (!s.done) {
    const p = s.read('parameters');
    // Fast path for the usual NULL; anything else is checked to be DER all the way down.
    if (!(p.id === Tag.NULL && p.contents.length === 0)) validateDer(p);
    parameters = p.raw;
  }
  s.finish();
  return { oid, parameters, raw: el.raw };
}

/** A signature AlgorithmIdentifier plus its meaning for the crypto provider. */
export interface SignatureAlgorithmInfo extends AlgorithmIdentifier {
  /** OpenSSL's long name ('sha256WithRSAEncryption', 'ecdsa-with-SHA256', 'rsassaPss', 'ED25519') or the dotted OID. */
  readonly name: string;
  /** Null when unknown or unusable; `unsupportedReason` then says why. */
  readonly algorithm: SignatureAlgorithm | null;
  readonly unsupportedReason: string | null;
}

const NULL_PARAMS = Buffer.of(Tag.NULL, 0);

const RSA_PKCS1: ReadonlyMap<string, HashAlgorithm> = new Map([
  [OID.sha1WithRSAEncryption, 'SHA-1'],
  [OID.sha256WithRSAEncryption, 'SHA-256'],
  [OID.sha384WithRSAEncryption, 'SHA-384'],
  [OID.sha512WithRSAEncryption, 'SHA-512'],
]);
const ECDSA: ReadonlyMap<string, HashAlgorithm> = new Map([
  [OID.ecdsaWithSHA1, 'SHA-1'],
  [OID.ecdsaWithSHA256, 'SHA-256'],
  [OID.ecdsaWithSHA384, 'SHA-384'],
  [OID.ecdsaWithSHA512, 'SHA-512'],
]);
export const HASH_OIDS: ReadonlyMap<string, HashAlgorithm> = new Map([
  [OID.sha1, 'SHA-1'],
  [OID.sha256, 'SHA-256'],
  [OID.sha384, 'SHA-384'],
  [OID.sha512, 'SHA-512'],
]);

/** RFC 4055 §3.1 defaults: SHA-1, MGF1-SHA-1, salt 20, trailer 1. */
const PSS_DEFAULT_HASH: HashAlgorithm = 'SHA-1';
const PSS_DEFAULT_SALT = 20;
const PSS_TRAILER_BC = 1;
const PSS_MAX_SALT = 0xffff;

export function signatureAlgorithmInfo(aid: AlgorithmIdentifier): SignatureAlgorithmInfo {
  const name = oidLongName(aid.oid);
  // Plain object literals (no spread): this runs for every certificate parsed.
  const ok = (algorithm: SignatureAlgorithm): SignatureAlgorithmInfo => ({ oid: aid.oid, parameters: aid.parameters, raw: aid.raw, name, algorithm, unsupportedReason: null });
  const no = (reason: string): SignatureAlgorithmInfo => ({ oid: aid.oid, parameters: aid.parameters, raw: aid.raw, name, algorithm: null, unsupportedReason: reason });
  const rsaHash = RSA_PKCS1.get(aid.oid);
  if (rsaHash !== undefined) {
    // RFC 4055 §5: parameters MUST be NULL; absent parameters are tolerated as OpenSSL does.
    if (aid.parameters !== null && !aid.parameters.equals(NULL_PARAMS)) return no(`${name} parameters must be NULL`);
    return ok({ kind: 'rsa-pkcs1', hash: rsaHash });
  }
  const ecHash = ECDSA.get(aid.oid);
  if (ecHash !== undefined) {
    // RFC 5758 §3.2: parameters MUST be absent.
    if (aid.parameters !== null) return no(`${name} must have no parameters`);
    return ok({ kind: 'ecdsa', hash: ecHash });
  }
  if (aid.oid === OID.ed25519) {
    if (aid.parameters !== null) return no('Ed25519 must have no parameters'); // RFC 8410 §3
    return ok({ kind: 'ed25519' });
  }
  if (aid.oid === OID.rsassaPss) {
    if (aid.parameters === null) return no('RSASSA-PSS signature without parameters');
    try {
      return ok(parsePssParams(aid.parameters));
    } catch (e) {
      if (e instanceof X509Error) return no(`RSASSA-PSS parameters: ${e.detail}`);
      throw e;
    }
  }
  return no(`unsupported signature algorithm ${name}`);
}

function hashFromIdentifier(r: DerReader, field: string): HashAlgorithm {
  const aid = readAlgorithmIdentifier(r, field);
  const hash = HASH_OIDS.get(aid.oid);
  if (hash === undefined) throw new X509Error('bad_algorithm', `unsupported hash ${oidLongName(aid.oid)}`, joinPath(r.path, field));
  // RFC 4055 §2.1: NULL or absent parameters.
  if (aid.parameters !== null && !aid.parameters.equals(NULL_PARAMS)) throw new X509Error('bad_algorithm', 'hash parameters must be NULL or absent', joinPath(r.path, field));
  return hash;
}

/** RFC 4055 §3.1 RSASSA-PSS-params; MGF1's hash must equal the message hash (the provider's PSS contract). */
export function parsePssParams(params: Buffer): SignatureAlgorithm {
  const top = new DerReader(params, 'parameters');
  const s = top.sequence('');
  top.finish();
  let hash = PSS_DEFAULT_HASH;
  let mgfHash = PSS_DEFAULT_HASH;
  let saltLength = PSS_DEFAULT_SALT;
  const h = s.explicit(0, 'hashAlgorithm');
  if (h !== null) {
    hash = hashFromIdentifier(h, '');
    h.finish();
  }
  const m = s.explicit(1, 'maskGenAlgorithm');
  if (m !== null) {
    const mgf = m.sequence('');
    m.finish();
    const mgfOid = mgf.oid('algorithm');
    if (mgfOid !== OID.mgf1) throw new X509Error('bad_algorithm', `unsupported mask generation function ${oidLongName(mgfOid)}`, mgf.path);
    mgfHash = hashFromIdentifier(mgf, 'parameters');
    mgf.finish();
  }
  const salt = s.explicit(2, 'saltLength');
  if (salt !== null) {
    saltLength = salt.smallInteger('', 0, PSS_MAX_SALT);
    salt.finish();
  }
  const trailer = s.explicit(3, 'trailerField');
  if (trailer !== null) {
    if (trailer.smallInteger('', 0, PSS_MAX_SALT) !== PSS_TRAILER_BC) throw new X509Error('bad_algorithm', 'trailerField must be 1', trailer.path);
    trailer.finish();
  }
  s.finish();
  if (mgfHash !== hash) throw new X509Error('bad_algorithm', `MGF1 hash ${mgfHash} differs from message hash ${hash}`, 'parameters');
  return { kind: 'rsa-pss', hash, saltLength };
}

/** SubjectPublicKeyInfo with the key type recognised. */
export interface SubjectPublicKeyInfo {
  /** The complete SubjectPublicKeyInfo encoding (what `CryptoProvider.importPublicKey` takes). */
  readonly raw: Buffer;
  readonly algorithm: AlgorithmIdentifier;
  /** 'rsa', 'rsa-pss', 'ec', 'ed25519', or null for other algorithms (DSA, X25519, Ed448, …). */
  readonly keyType: KeyType | null;
  /** Named curve OID of an EC key (null for explicit curve parameters or non-EC keys). */
  readonly curveOid: string | null;
  /** The named curve when the provider knows it. */
  readonly curve: EcCurve | null;
  /** The subjectPublicKey BIT STRING. */
  readonly publicKey: BitString;
}

const CURVES: ReadonlyMap<string, EcCurve> = new Map([
  [OID.prime256v1, 'P-256'],
  [OID.secp384r1, 'P-384'],
  [OID.secp521r1, 'P-521'],
]);

export function readSubjectPublicKeyInfo(r: DerReader, field: string): SubjectPublicKeyInfo {
  const el = r.expect(Tag.SEQUENCE, field);
  const s = DerReader.of(el);
  const algorithm = readAlgorithmIdentifier(s, 'algorithm');
  const publicKey = s.bitString('subjectPublicKey');
  s.finish();
  let keyType: KeyType | null = null;
  let curveOid: string | null = null;
  switch (algorithm.oid) {
    case OID.rsaEncryption:
      keyType = 'rsa';
      break;
    case OID.rsassaPss:
      keyType = 'rsa-pss';
      break;
    case OID.ed25519:
      keyType = 'ed25519';
      break;
    case OID.ecPublicKey:
      keyType = 'ec';
      // RFC 5480 §2.1.1: namedCurve OID; implicitCurve / specifiedCurve leave curveOid null.
      if (algorithm.parameters !== null && algorithm.parameters[0] === Tag.OID) {
        try {
          const p = new DerReader(algorithm.parameters, joinPath(s.path, 'algorithm.parameters'));
          curveOid = p.oid('');
          p.finish();
        } catch (e) {
          if (!(e instanceof DerError)) throw e;
          throw new DerError(e.code, e.detail, e.path, el.offset);
        }
      }
      break;
    default:
      break;
  }
  return { raw: el.raw, algorithm, keyType, curveOid, curve: curveOid === null ? null : CURVES.get(curveOid) ?? null, publicKey };
}
