/**
 * Python's `getpeercert()` / `_ssl._test_decode_cert()` dictionary for a
 * certificate, key for key and string for string (python-ssl-api.md §6.6):
 * tuples become arrays, the key order is CPython's insertion order, and every
 * text format is OpenSSL's print routine (`i2a_ASN1_INTEGER`,
 * `ASN1_TIME_print`, `GENERAL_NAME_print`, `i2t_ASN1_OBJECT`).
 */
import type { Certificate } from './certificate.js';
import { Tag } from './der-tags.js';
import { DerReader } from './der-reader.js';
import { decodeBitString } from './der-values.js';
import { X509Error } from './errors.js';
import type { GeneralName } from './general-name.js';
import type { Name } from './name.js';
import { OID, oidLongName } from './oids.js';
import { formatAsn1Time } from './time.js';

/**
 * A name as Python shows it: RDNs, each a list of [attributeLongName, value]
 * pairs. Values are text, except a BIT STRING value (x500UniqueIdentifier),
 * which CPython returns as bytes (a Buffer here).
 */
export type PeerCertName = [string, string | Buffer][][];
/** A subjectAltName entry: ['DNS', 'x'], ['IP Address', '…'], ['DirName', PeerCertName], … */
export type PeerCertAltName = [string, string] | ['DirName', PeerCertName];

export interface PeerCertDict {
  subject: PeerCertName;
  issuer: PeerCertName;
  version: number;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  subjectAltName?: PeerCertAltName[];
  OCSP?: string[];
  caIssuers?: string[];
  crlDistributionPoints?: string[];
}

const EMPTY_SEQUENCE = Buffer.of(Tag.SEQUENCE, 0);

/** The getpeercert() dict of `cert` (keys in CPython's order, optional keys omitted). */
export function peerCertDict(cert: Certificate): PeerCertDict {
  const out: PeerCertDict = {
    subject: peerCertName(cert.subject),
    issuer: peerCertName(cert.issuer),
    version: cert.version,
    serialNumber: opensslSerial(cert.serialRaw),
    notBefore: formatAsn1Time(cert.notBeforeTime),
    notAfter: formatAsn1Time(cert.notAfterTime),
  };
  // X509_get_ext_d2i returns NULL for a malformed extension: CPython then omits the key.
  const san = tolerant(() => cert.extensions.subjectAltName);
  if (san !== null) out.subjectAltName = san.map(altNameEntry);
  // RFC 5280 forbids an empty GeneralNames (our decoder rejects it), but OpenSSL decodes it and CPython shows ().
  else if (cert.extensions.get(OID.subjectAltName)?.value.equals(EMPTY_SEQUENCE)) out.subjectAltName = [];
  const aia = tolerant(() => cert.extensions.authorityInfoAccess);
  if (aia !== null) {
    const ocsp = aiaUris(aia, OID.ocsp);
    if (ocsp.length > 0) out.OCSP = ocsp;
    const ca = aiaUris(aia, OID.caIssuers);
    if (ca.length > 0) out.caIssuers = ca;
  }
  const dps = tolerant(() => cert.extensions.crlDistributionPoints);
  if (dps !== null) {
    const uris: string[] = [];
    // A DP without distributionPoint is skipped (CVE-2019-5010); relative names carry no URI.
    for (const dp of dps) for (const gn of dp.fullName ?? []) if (gn.type === 'uniformResourceIdentifier') uris.push(pyStringFromBytes(gn.bytes));
    if (uris.length > 0) out.crlDistributionPoints = uris;
  }
  return out;
}

function tolerant<T>(get: () => T | null): T | null {
  try {
    return get();
  } catch (e) {
    if (e instanceof X509Error) return null;
    throw e;
  }
}

function aiaUris(aia: readonly { method: string; location: GeneralName }[], method: string): string[] {
  const out: string[] = [];
  for (const ad of aia) if (ad.method === method && ad.location.type === 'uniformResourceIdentifier') out.push(pyStringFromBytes(ad.location.bytes));
  return out;
}

/** `_create_tuple_for_X509_NAME`: one array per RDN, empty RDNs dropped. */
export function peerCertName(name: Name): PeerCertName {
  const out: PeerCertName = [];
  for (const rdn of name.rdns) {
    if (rdn.length === 0) continue;
    out.push(rdn.map((a): [string, string | Buffer] => [a.name, a.tag === Tag.BIT_STRING ? bitStringData(a.rawValue) : a.value]));
  }
  return out;
}

/** The octets after the unused-bits octet, as ASN1_STRING_get0_data gives them for a BIT STRING. */
function bitStringData(raw: Buffer): Buffer {
  return decodeBitString(new DerReader(raw, 'value').read('')).bytes;
}

/** CPython's PyUnicode_FromStringAndSize on raw octets: UTF-8 (replacement where CPython would raise). */
function pyStringFromBytes(b: Buffer): string {
  return b.toString('utf8');
}

/** i2a_ASN1_INTEGER wraps after this many octets with a backslash-newline; BIO_gets then stops at the newline. */
const I2A_OCTETS_PER_LINE = 35;

/**
 * OpenSSL `i2a_ASN1_INTEGER` as read back by one `BIO_gets`: uppercase hex,
 * two digits per magnitude octet ('00' for zero), '-' for negatives, and for
 * magnitudes over 35 octets only the first line ('…\\\n').
 */
export function opensslSerial(contents: Buffer): string {
  if (contents.length === 0) return '00';
  const negative = contents[0]! >= 0x80;
  let mag: Buffer = contents;
  if (negative) {
    // Two's complement magnitude.
    const m = Buffer.alloc(contents.length);
    let carry = 1;
    for (let i = contents.length - 1; i >= 0; i--) {
      const v = (~contents[i]! & 0xff) + carry;
      m[i] = v & 0xff;
      carry = v >> 8;
    }
    mag = m;
  }
  let start = 0;
  while (start < mag.length - 1 && mag[start] === 0) start++;
  mag = mag.subarray(start);
  let hex = mag.toString('hex').toUpperCase();
  if (mag.length > I2A_OCTETS_PER_LINE) hex = hex.slice(0, I2A_OCTETS_PER_LINE * 2) + '\\\n';
  return (negative ? '-' : '') + hex;
}

/** otherName type-ids GENERAL_NAME_print (OpenSSL 3.0) renders, with their label and required value tag. */
const OTHER_NAME_FORMS: ReadonlyMap<string, { label: string; tag: number }> = new Map([
  [OID.smtpUtf8Mailbox, { label: 'SmtpUTF8Mailbox', tag: Tag.UTF8_STRING }],
  [OID.xmppAddr, { label: 'XmppAddr', tag: Tag.UTF8_STRING }],
  [OID.srvName, { label: 'SRVName', tag: Tag.IA5_STRING }],
  [OID.msUpn, { label: 'UPN', tag: Tag.UTF8_STRING }],
  [OID.naiRealm, { label: 'NAIRealm', tag: Tag.UTF8_STRING }],
]);

const IPV4_LENGTH = 4;
const IPV6_LENGTH = 16;

/** One subjectAltName entry as `_get_peer_alt_names` renders it. */
export function altNameEntry(gn: GeneralName): PeerCertAltName {
  switch (gn.type) {
    case 'directoryName':
      return ['DirName', peerCertName(gn.name)];
    case 'rfc822Name':
      return ['email', pyStringFromBytes(gn.bytes)];
    case 'dNSName':
      return ['DNS', pyStringFromBytes(gn.bytes)];
    case 'uniformResourceIdentifier':
      return ['URI', pyStringFromBytes(gn.bytes)];
    case 'registeredID':
      return ['Registered ID', oidLongName(gn.oid)];
    case 'iPAddress':
      return ['IP Address', formatIpAddress(gn.bytes)];
    case 'x400Address':
      return ['X400Name', '<unsupported>'];
    case 'ediPartyName':
      return ['EdiPartyName', '<unsupported>'];
    case 'otherName':
      return ['othername', otherNameText(gn.typeId, gn.value)];
  }
}

function otherNameText(typeId: string, value: Buffer): string {
  const form = OTHER_NAME_FORMS.get(typeId);
  if (form === undefined || value[0] !== form.tag) return '<unsupported>';
  try {
    const r = new DerReader(value, 'otherName.value');
    const el = r.read('');
    r.finish();
    // BIO_printf's "%.*s" stops at a NUL; BIO_gets then reads one line, so a newline ends the text too.
    let text = `${form.label}:${el.contents.toString('utf8')}`;
    const nul = text.indexOf('\0');
    if (nul >= 0) text = text.slice(0, nul);
    const nl = text.indexOf('\n');
    return nl < 0 ? text : text.slice(0, nl + 1);
  } catch (e) {
    if (e instanceof X509Error) return '<unsupported>';
    throw e;
  }
}

/** '192.0.2.1', IPv6 as eight uppercase hex groups without '::' compression, '<invalid>' otherwise. */
export function formatIpAddress(b: Buffer): string {
  if (b.length === IPV4_LENGTH) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === IPV6_LENGTH) {
    const groups: string[] = [];
    for (let i = 0; i < IPV6_LENGTH; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).toUpperCase());
    return groups.join(':');
  }
  return '<invalid>';
}
