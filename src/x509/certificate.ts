/**
 * The X.509 v3 certificate model (RFC 5280 §4.1): `parseCertificate(der)`.
 *
 * The structure is validated completely at parse time (strict DER, field
 * order, version rules, duplicate extensions); extension *contents* are
 * decoded on first access through `cert.extensions` (see extensions.ts), so
 * callers that only need names and keys pay nothing for them. All byte
 * fields are views into the input buffer, which must not be modified.
 */
import { DerReader, asBuffer } from './der-reader.js';
import { Tag, TagClass, CONSTRUCTED } from './der-tags.js';
import { decodeIntegerBytes, integerFromBytes, decodeBitString, type BitString, type DerTime } from './der-values.js';
import { X509Error } from './errors.js';
import { Extensions, parseExtensionList } from './extensions.js';
import { readName, type Name } from './name.js';
import {
  readAlgorithmIdentifier,
  readSubjectPublicKeyInfo,
  signatureAlgorithmInfo,
  type SignatureAlgorithmInfo,
  type SubjectPublicKeyInfo,
} from './algorithm.js';

/** RFC 5280 §4.1.2.1: Version ::= INTEGER { v1(0), v2(1), v3(2) }. */
export const X509Version = { v1: 1, v2: 2, v3: 3 } as const;
const ENCODED_V1 = 0;
const ENCODED_V2 = 1;
const ENCODED_V3 = 2;

/** Context tags inside TBSCertificate. */
const TBS_VERSION = TagClass.CONTEXT | CONSTRUCTED | 0;
const TBS_ISSUER_UID = TagClass.CONTEXT | 1;
const TBS_SUBJECT_UID = TagClass.CONTEXT | 2;
const TBS_EXTENSIONS = TagClass.CONTEXT | CONSTRUCTED | 3;

const EMPTY_EXTENSIONS = new Extensions([]);

export interface Certificate {
  /** The complete DER encoding. */
  readonly raw: Buffer;
  /** The DER of TBSCertificate: the signed bytes. */
  readonly tbsRaw: Buffer;
  /** X.509 version as people count it: 1, 2 or 3 (the encoded INTEGER plus one). */
  readonly version: 1 | 2 | 3;
  /** serialNumber as a signed integer (RFC 5280 wants positive; negative ones are parsed, as OpenSSL does). */
  readonly serialNumber: bigint;
  /** serialNumber INTEGER contents octets as encoded (two's complement, minimal). */
  readonly serialRaw: Buffer;
  /** The outer signatureAlgorithm (what signatureValue was made with). */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** TBSCertificate.signature; RFC 5280 §4.1.1.2 requires it to equal `signatureAlgorithm` (validation checks `raw` equality). */
  readonly tbsSignatureAlgorithm: SignatureAlgorithmInfo;
  /** signatureValue bits (ECDSA: DER Ecdsa-Sig-Value; RSA: the signature octets). */
  readonly signatureValue: Buffer;
  readonly issuer: Name;
  readonly subject: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The Validity times as encoded (raw text, UTCTime vs GeneralizedTime, fraction). */
  readonly notBeforeTime: DerTime;
  readonly notAfterTime: DerTime;
  readonly subjectPublicKeyInfo: SubjectPublicKeyInfo;
  readonly issuerUniqueId: BitString | null;
  readonly subjectUniqueId: BitString | null;
  /** Extensions (empty when absent), decoded lazily. */
  readonly extensions: Extensions;
  /** Subject and issuer are the same name (canonical comparison, RFC 5280 §6.1 "self-issued"). */
  readonly isSelfIssued: boolean;
}

class ParsedCertificate implements Certificate {
  private serialCache: bigint | null = null;
  constructor(
    readonly raw: Buffer,
    readonly tbsRaw: Buffer,
    readonly version: 1 | 2 | 3,
    readonly serialRaw: Buffer,
    readonly signatureAlgorithm: SignatureAlgorithmInfo,
    readonly tbsSignatureAlgorithm: SignatureAlgorithmInfo,
    readonly signatureValue: Buffer,
    readonly issuer: Name,
    readonly subject: Name,
    readonly notBeforeTime: DerTime,
    readonly notAfterTime: DerTime,
    readonly subjectPublicKeyInfo: SubjectPublicKeyInfo,
    readonly issuerUniqueId: BitString | null,
    readonly subjectUniqueId: BitString | null,
    readonly extensions: Extensions,
  ) {}

  get serialNumber(): bigint {
    if (this.serialCache === null) this.serialCache = integerFromBytes(this.serialRaw);
    return this.serialCache;
  }
  get notBefore(): Date {
    return this.notBeforeTime.date;
  }
  get notAfter(): Date {
    return this.notAfterTime.date;
  }
  get isSelfIssued(): boolean {
    return this.subject.equals(this.issuer);
  }
}

/**
 * Parses one DER certificate (exactly; trailing bytes are an error).
 * Throws `X509Error` (`DerError` for encoding faults) saying what and where.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const buf = asBuffer(der);
  const top = new DerReader(buf, '');
  const certEl = top.expect(Tag.SEQUENCE, '');
  top.finish();
  const cert = DerReader.of(certEl);
  const tbsEl = cert.expect(Tag.SEQUENCE, 'tbsCertificate');
  const sigAlg = signatureAlgorithmInfo(readAlgorithmIdentifier(cert, 'signatureAlgorithm'));
  const sigBits = cert.bitString('signatureValue');
  cert.finish();
  if (sigBits.unusedBits !== 0) throw new X509Error('bad_bit_string', 'signatureValue must be a whole number of octets', 'signatureValue');

  const tbs = DerReader.of(tbsEl);
  let version: 1 | 2 | 3 = X509Version.v1;
  const v = tbs.explicit(0, 'version');
  if (v !== null) {
    const n = v.smallInteger('', 0, Number.MAX_SAFE_INTEGER);
    v.finish();
    // DER: a DEFAULT value is never encoded (X.690 §11.5); only v2/v3 may appear.
    if (n === ENCODED_V1) throw new X509Error('bad_version', 'version v1 must be omitted (DEFAULT)', v.path);
    if (n !== ENCODED_V2 && n !== ENCODED_V3) throw new X509Error('bad_version', `unknown version ${n}`, v.path);
    version = n === ENCODED_V2 ? X509Version.v2 : X509Version.v3;
  }
  const serialEl = tbs.expect(Tag.INTEGER, 'serialNumber');
  const serialRaw = decodeIntegerBytes(serialEl);
  const tbsSigAlg = signatureAlgorithmInfo(readAlgorithmIdentifier(tbs, 'signature'));
  const issuer = readName(tbs, 'issuer');
  const validity = tbs.sequence('validity');
  const notBefore = validity.time('notBefore');
  const notAfter = validity.time('notAfter');
  validity.finish();
  const subject = readName(tbs, 'subject');
  const spki = readSubjectPublicKeyInfo(tbs, 'subjectPublicKeyInfo');
  const issuerUidEl = tbs.optional(TBS_ISSUER_UID, 'issuerUniqueID');
  const subjectUidEl = tbs.optional(TBS_SUBJECT_UID, 'subjectUniqueID');
  const extEl = tbs.explicit(3, 'extensions');
  let extensions = EMPTY_EXTENSIONS;
  if (extEl !== null) {
    extensions = new Extensions(parseExtensionList(extEl.expect(Tag.SEQUENCE, '')));
    extEl.finish();
  }
  tbs.finish();
  // RFC 5280 §4.1.2.8–9: unique IDs only in v2/v3; extensions only in v3.
  if ((issuerUidEl !== null || subjectUidEl !== null) && version === X509Version.v1) {
    throw new X509Error('bad_version', 'unique identifiers require version 2 or 3', 'tbsCertificate.version');
  }
  if (extEl !== null && version !== X509Version.v3) throw new X509Error('bad_version', 'extensions require version 3', 'tbsCertificate.version');

  return new ParsedCertificate(
    buf,
    tbsEl.raw,
    version,
    serialRaw,
    sigAlg,
    tbsSigAlg,
    sigBits.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    issuerUidEl === null ? null : decodeBitString(issuerUidEl),
    subjectUidEl === null ? null : decodeBitString(subjectUidEl),
    extensions,
  );
}

/** Context tag identifiers of TBSCertificate, for the builder. */
export const TbsTag = { version: TBS_VERSION, issuerUniqueID: TBS_ISSUER_UID, subjectUniqueID: TBS_SUBJECT_UID, extensions: TBS_EXTENSIONS } as const;
