/**
 * PEM (RFC 7468) framing for certificates and CRLs.
 *
 * `parsePem` finds every `-----BEGIN X-----` … `-----END X-----` block in a
 * text, ignoring anything around them as OpenSSL's PEM reader does. The
 * body must be clean base64 (whitespace allowed between characters); RFC
 * 1421 headers (`Proc-Type: …`) are skipped up to the blank line.
 * `derCertToPem` / `pemToDerCert` are Python's `DER_cert_to_PEM_cert` /
 * `PEM_cert_to_DER_cert` algorithms; the ssl layer turns their
 * `X509Error('bad_pem')` into `ValueError` with `detail` as the message.
 */
import { X509Error } from './errors.js';

export interface PemBlock {
  /** The label between BEGIN and the dashes ('CERTIFICATE', 'X509 CRL', …). */
  readonly label: string;
  readonly der: Buffer;
  /** Character offsets of the BEGIN line start and just past the END line in the text. */
  readonly start: number;
  readonly end: number;
}

export const PEM_LABEL = { certificate: 'CERTIFICATE', trustedCertificate: 'TRUSTED CERTIFICATE', crl: 'X509 CRL' } as const;

/** Base64 body line width (RFC 7468 §2: generators wrap at 64 characters). */
export const PEM_LINE_WIDTH = 64;

/**
 * OpenSSL's PEM reader (PEM_read_bio_ex) only recognises BEGIN and END lines
 * that start at the beginning of a line and end with five dashes (trailing
 * white space allowed); any other line outside a block is skipped.
 */
const BEGIN = /^-----BEGIN ([^\r\n]*?)-----[ \t\r]*$/gm;
const END = /^-----END ([^\r\n]*?)-----[ \t\r]*$/gm;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

interface PemFrame {
  readonly label: string;
  readonly body: string;
  readonly start: number;
  readonly end: number;
}

/** Finds the BEGIN/END frames without decoding the bodies. */
function scanPem(text: string): PemFrame[] {
  const out: PemFrame[] = [];
  const begin = new RegExp(BEGIN.source, 'gm');
  const endLine = new RegExp(END.source, 'gm');
  for (;;) {
    const m = begin.exec(text);
    if (m === null) break;
    const label = m[1]!;
    const bodyStart = m.index + m[0].length;
    endLine.lastIndex = bodyStart;
    const e = endLine.exec(text);
    if (e === null) throw new X509Error('bad_pem', `no END line after '-----BEGIN ${label}-----'`, '', m.index);
    if (e[1] !== label) throw new X509Error('bad_pem', `'-----END ${e[1]}-----' does not close '-----BEGIN ${label}-----'`, '', e.index);
    const end = e.index + e[0].length;
    out.push({ label, body: text.slice(bodyStart, e.index), start: m.index, end });
    begin.lastIndex = end;
  }
  return out;
}

function decodeFrame(f: PemFrame): PemBlock {
  let body = f.body;
  // RFC 1421 encapsulated headers end with an empty line.
  if (/^\s*[A-Za-z-]+:/.test(body)) {
    const blank = body.search(/\r?\n[ \t]*\r?\n/);
    if (blank < 0) throw new X509Error('bad_pem', `PEM headers in '${f.label}' are not followed by an empty line`, '', f.start);
    body = body.slice(blank).replace(/^\s+/, '');
  }
  const compact = body.replace(/[ \t\r\n]+/g, '');
  if (!BASE64_BODY.test(compact) || compact.length % 4 !== 0) throw new X509Error('bad_pem', `'${f.label}' block body is not valid base64`, '', f.start);
  return { label: f.label, der: Buffer.from(compact, 'base64'), start: f.start, end: f.end };
}

/** All PEM blocks of `text`, in order. Throws X509Error('bad_pem') for a block that is not well formed. */
export function parsePem(text: string): PemBlock[] {
  return scanPem(text).map(decodeFrame);
}

/** The DER of every block with one of the given labels; blocks with other labels are not decoded (as OpenSSL skips them). */
export function pemBlocksWithLabel(text: string, ...labels: string[]): Buffer[] {
  return scanPem(text)
    .filter((f) => labels.includes(f.label))
    .map((f) => decodeFrame(f).der);
}

/** PEM text of one block: base64 in 64-character lines, '\n' line ends, trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += PEM_LINE_WIDTH) lines.push(b64.slice(i, i + PEM_LINE_WIDTH));
  lines.push(`-----END ${label}-----`);
  return lines.join('\n') + '\n';
}

export const PEM_HEADER = '-----BEGIN CERTIFICATE-----';
export const PEM_FOOTER = '-----END CERTIFICATE-----';

/** Python's `ssl.DER_cert_to_PEM_cert(der)`, character for character. */
export function derCertToPem(der: Uint8Array): string {
  return toPem(PEM_LABEL.certificate, der);
}

/** Python's str.strip() whitespace (str.isspace characters). */
const PY_STRIP = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * Python's `ssl.PEM_cert_to_DER_cert(pem)`: the text must start with the
 * header (no leading whitespace) and, stripped, end with the footer; the
 * body between goes through the lenient `base64.decodebytes`.
 * Errors carry Python's ValueError / binascii.Error text in `detail`.
 */
export function pemToDerCert(pem: string): Buffer {
  if (!pem.startsWith(PEM_HEADER)) throw new X509Error('bad_pem', `Invalid PEM encoding; must start with ${PEM_HEADER}`);
  const stripped = pem.replace(PY_STRIP, '');
  if (!stripped.endsWith(PEM_FOOTER)) throw new X509Error('bad_pem', `Invalid PEM encoding; must end with ${PEM_FOOTER}`);
  const body = stripped.slice(PEM_HEADER.length, stripped.length - PEM_FOOTER.length);
  asciiOrThrow(body);
  return pyA2bBase64(body);
}

const ASCII_MAX = 0x7f;

/** Python's `str.encode('ascii')` check, with UnicodeEncodeError's message (positions in code points). */
function asciiOrThrow(text: string): void {
  const cps = [...text].map((c) => c.codePointAt(0)!);
  const first = cps.findIndex((cp) => cp > ASCII_MAX);
  if (first < 0) return;
  let last = first;
  while (last + 1 < cps.length && cps[last + 1]! > ASCII_MAX) last++;
  const what =
    first === last
      ? `character '${pyEscapeChar(cps[first]!)}' in position ${first}`
      : `characters in position ${first}-${last}`;
  throw new X509Error('bad_pem', `'ascii' codec can't encode ${what}: ordinal not in range(128)`);
}

function pyEscapeChar(cp: number): string {
  if (cp <= 0xff) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE: readonly number[] = Array.from({ length: 128 }, (_, c) => B64_ALPHABET.indexOf(String.fromCharCode(c)));
const B64_PAD = '=';

/**
 * CPython's non-strict `binascii.a2b_base64`: characters outside the
 * alphabet are skipped, a complete pad sequence ends the data, and leftover
 * bits are an error ('Incorrect padding' / the "1 more than a multiple of 4"
 * message).
 */
export function pyA2bBase64(s: string): Buffer {
  const out: number[] = [];
  let quadPos = 0;
  let leftChar = 0;
  let pads = 0;
  let dataChars = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === B64_PAD) {
      if (quadPos >= 2 && quadPos + ++pads >= 4) {
        quadPos = 0;
        break;
      }
      continue;
    }
    const code = ch.charCodeAt(0);
    const v = code < 128 ? B64_VALUE[code]! : -1;
    if (v < 0) continue;
    pads = 0;
    dataChars++;
    switch (quadPos) {
      case 0:
        quadPos = 1;
        leftChar = v;
        break;
      case 1:
        quadPos = 2;
        out.push((leftChar << 2) | (v >> 4));
        leftChar = v & 0x0f;
        break;
      case 2:
        quadPos = 3;
        out.push((leftChar << 4) | (v >> 2));
        leftChar = v & 0x03;
        break;
      default:
        quadPos = 0;
        out.push((leftChar << 6) | v);
        leftChar = 0;
        break;
    }
  }
  if (quadPos === 1) {
    throw new X509Error('bad_pem', `Invalid base64-encoded string: number of data characters (${dataChars}) cannot be 1 more than a multiple of 4`);
  }
  if (quadPos !== 0) throw new X509Error('bad_pem', 'Incorrect padding');
  return Buffer.from(out);
}
