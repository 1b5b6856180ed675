/**
 * Certificate revocation lists (RFC 5280 §5): `parseCrl(der)`.
 *
 * Structure is validated at parse time; CRL and entry extensions decode
 * lazily through `Extensions` (crlNumber, authorityKeyIdentifier, entry
 * reasonCode). Revocation lookup by serial is a Map built on first use.
 */
import { DerReader, asBuffer } from './der-reader.js';
import { Tag } from './der-tags.js';
import { decodeIntegerBytes, integerFromBytes, type DerTime } from './der-values.js';
import { X509Error } from './errors.js';
import { integerContents } from './der-writer.js';
import { Extensions, parseExtensionList } from './extensions.js';
import { readName, type Name } from './name.js';
import { readAlgorithmIdentifier, signatureAlgorithmInfo, type SignatureAlgorithmInfo } from './algorithm.js';

/** RFC 5280 §5.1.2.1: the only version value a CRL may encode is v2 (1). */
const ENCODED_CRL_V2 = 1;

export interface RevokedCertificate {
  readonly serialNumber: bigint;
  /** userCertificate INTEGER contents as encoded. */
  readonly serialRaw: Buffer;
  readonly revocationDate: Date;
  readonly revocationTime: DerTime;
  /** crlEntryExtensions (empty when absent). */
  readonly extensions: Extensions;
  /** reasonCode entry extension (RFC 5280 §5.3.1), null when absent. Throws X509Error when malformed. */
  readonly reason: number | null;
}

export interface Crl {
  readonly raw: Buffer;
  /** The DER of TBSCertList: the signed bytes. */
  readonly tbsRaw: Buffer;
  /** 1 or 2 (absent version field means v1). */
  readonly version: 1 | 2;
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly tbsSignatureAlgorithm: SignatureAlgorithmInfo;
  readonly signatureValue: Buffer;
  readonly issuer: Name;
  readonly thisUpdate: Date;
  readonly thisUpdateTime: DerTime;
  readonly nextUpdate: Date | null;
  readonly nextUpdateTime: DerTime | null;
  readonly revoked: readonly RevokedCertificate[];
  /** crlExtensions (empty when absent): `crlNumber`, `authorityKeyIdentifier`, `deltaCrlIndicator`, … */
  readonly extensions: Extensions;
  /** The entry revoking this serial (compared as encoded INTEGER contents), or null. */
  findRevoked(serial: bigint | Uint8Array): RevokedCertificate | null;
}

class Entry implements RevokedCertificate {
  constructor(
    readonly serialRaw: Buffer,
    readonly revocationTime: DerTime,
    readonly extensions: Extensions,
  ) {}
  get serialNumber(): bigint {
    return integerFromBytes(this.serialRaw);
  }
  get revocationDate(): Date {
    return this.revocationTime.date;
  }
  get reason(): number | null {
    return this.extensions.crlReason;
  }
}

const EMPTY_EXTENSIONS = new Extensions([]);

function serialKey(serial: bigint | Uint8Array): string {
  // Entries are indexed by their encoded contents: minimal two's complement, as the writer produces.
  return (serial instanceof Uint8Array ? asBuffer(serial) : integerContents(serial)).toString('hex');
}

class ParsedCrl implements Crl {
  private index: Map<string, RevokedCertificate> | null = null;
  constructor(
    readonly raw: Buffer,
    readonly tbsRaw: Buffer,
    readonly version: 1 | 2,
    readonly signatureAlgorithm: SignatureAlgorithmInfo,
    readonly tbsSignatureAlgorithm: SignatureAlgorithmInfo,
    readonly signatureValue: Buffer,
    readonly issuer: Name,
    readonly thisUpdateTime: DerTime,
    readonly nextUpdateTime: DerTime | null,
    readonly revoked: readonly RevokedCertificate[],
    readonly extensions: Extensions,
  ) {}
  get thisUpdate(): Date {
    return this.thisUpdateTime.date;
  }
  get nextUpdate(): Date | null {
    return this.nextUpdateTime === null ? null : this.nextUpdateTime.date;
  }
  findRevoked(serial: bigint | Uint8Array): RevokedCertificate | null {
    if (this.index === null) this.index = new Map(this.revoked.map((r) => [r.serialRaw.toString('hex'), r]));
    return this.index.get(serialKey(serial)) ?? null;
  }
}

/** Parses one DER CRL (exactly). Throws X509Error / DerError saying what and where. */
export function parseCrl(der: Uint8Array): Crl {
  const buf = asBuffer(der);
  const top = new DerReader(buf, '');
  const crlEl = top.expect(Tag.SEQUENCE, '');
  top.finish();
  const crl = DerReader.of(crlEl);
  const tbsEl = crl.expect(Tag.SEQUENCE, 'tbsCertList');
  const sigAlg = signatureAlgorithmInfo(readAlgorithmIdentifier(crl, 'signatureAlgorithm'));
  const sigBits = crl.bitString('signatureValue');
  crl.finish();
  if (sigBits.unusedBits !== 0) throw new X509Error('bad_bit_string', 'signatureValue must be a whole number of octets', 'signatureValue');

  const tbs = DerReader.of(tbsEl);
  let version: 1 | 2 = 1;
  if (tbs.peekId() === Tag.INTEGER) {
    const v = tbs.smallInteger('version', 0, Number.MAX_SAFE_INTEGER);
    if (v !== ENCODED_CRL_V2) throw new X509Error('bad_version', `CRL version field must be v2 (1) when present, got ${v}`, 'tbsCertList.version');
    version = 2;
  }
  const tbsSigAlg = signatureAlgorithmInfo(readAlgorithmIdentifier(tbs, 'signature'));
  const issuer = readName(tbs, 'issuer');
  const thisUpdate = tbs.time('thisUpdate');
  const next = tbs.peekId();
  const nextUpdate = next === Tag.UTC_TIME || next === Tag.GENERALIZED_TIME ? tbs.time('nextUpdate') : null;
  const revoked: RevokedCertificate[] = [];
  const list = tbs.optional(Tag.SEQUENCE, 'revokedCertificates');
  if (list !== null) {
    const r = DerReader.of(list);
    for (let i = 0; !r.done; i++) {
      const e = r.sequence(`[${i}]`);
      const serialRaw = decodeIntegerBytes(e.expect(Tag.INTEGER, 'userCertificate'));
      const date = e.time('revocationDate');
      const extEl = e.optional(Tag.SEQUENCE, 'crlEntryExtensions');
      e.finish();
      if (extEl !== null && version !== 2) throw new X509Error('bad_crl', 'entry extensions require a v2 CRL', extEl.path, extEl.offset);
      revoked.push(new Entry(serialRaw, date, extEl === null ? EMPTY_EXTENSIONS : new Extensions(parseExtensionList(extEl))));
    }
  }
  const extWrap = tbs.explicit(0, 'crlExtensions');
  let extensions = EMPTY_EXTENSIONS;
  if (extWrap !== null) {
    extensions = new Extensions(parseExtensionList(extWrap.expect(Tag.SEQUENCE, '')));
    extWrap.finish();
    if (version !== 2) throw new X509Error('bad_crl', 'crlExtensions require a v2 CRL', 'tbsCertList.crlExtensions');
  }
  tbs.finish();
  return new ParsedCrl(buf, tbsEl.raw, version, sigAlg, tbsSigAlg, sigBits.bytes, issuer, thisUpdate, nextUpdate, revoked, extensions);
}
