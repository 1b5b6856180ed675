/**
 * Contents decoders for primitive DER values (X.690 §8 with the DER
 * restrictions of §10–§11). Each takes an element already framed by the
 * reader, so IMPLICIT-tagged values decode with the same rules.
 */
import { DerError, type DerErrorCode } from './errors.js';
import { CONSTRUCTED, STRING_TAG_NAMES, Tag } from './der-tags.js';
import type { DerElement } from './der-reader.js';

function fail(el: DerElement, code: DerErrorCode, detail: string): never {
  throw new DerError(code, detail, el.path, el.offset);
}

function primitive(el: DerElement, what: string): Buffer {
  if (el.id & CONSTRUCTED) fail(el, 'wrong_form', `${what} must use the primitive form`);
  return el.contents;
}

/** X.690 §8.3.2: an INTEGER's first nine bits are never all zeros or all ones. */
function checkMinimalInteger(el: DerElement, c: Buffer): void {
  if (c.length === 0) fail(el, 'bad_integer', 'INTEGER has no contents octets');
  if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
    fail(el, 'bad_integer', 'INTEGER is not minimally encoded');
  }
}

/** Two's-complement big-endian contents → bigint. */
export function decodeInteger(el: DerElement): bigint {
  const c = primitive(el, 'INTEGER');
  checkMinimalInteger(el, c);
  return integerFromBytes(c);
}

/** Validates an INTEGER and returns its contents octets (e.g. a serial number kept byte-exact). */
export function decodeIntegerBytes(el: DerElement): Buffer {
  const c = primitive(el, 'INTEGER');
  checkMinimalInteger(el, c);
  return c;
}

/** Signed big-endian two's complement → bigint (no validation). */
export function integerFromBytes(c: Uint8Array): bigint {
  if (c.length === 0) return 0n;
  if (c.length <= 6) {
    let v = 0;
    for (let i = 0; i < c.length; i++) v = v * 256 + c[i]!;
    if (c[0]! >= 0x80) v -= 2 ** (8 * c.length);
    return BigInt(v);
  }
  let v = BigInt('0x' + Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('hex'));
  if (c[0]! >= 0x80) v -= 1n << BigInt(8 * c.length);
  return v;
}

/** INTEGER restricted to [min, max]. */
export function decodeSmallInteger(el: DerElement, min: number, max: number): number {
  const c = primitive(el, 'INTEGER');
  checkMinimalInteger(el, c);
  if (c.length > 7) fail(el, 'integer_too_large', `INTEGER of ${c.length} octets is too large here`);
  const v = Number(integerFromBytes(c));
  if (v < min || v > max) fail(el, 'integer_too_large', `INTEGER ${v} is outside [${min}, ${max}]`);
  return v;
}

/** ENUMERATED shares INTEGER's encoding (X.690 §8.4). */
export function decodeEnumerated(el: DerElement, max: number): number {
  return decodeSmallInteger(el, 0, max);
}

/** X.690 §11.1: DER BOOLEAN is one octet, 0x00 or 0xFF. */
export function decodeBoolean(el: DerElement): boolean {
  const c = primitive(el, 'BOOLEAN');
  if (c.length !== 1) fail(el, 'bad_boolean', `BOOLEAN must be one octet, got ${c.length}`);
  if (c[0] === 0x00) return false;
  if (c[0] === 0xff) return true;
  fail(el, 'bad_boolean', `BOOLEAN octet 0x${c[0]!.toString(16)} is neither 0x00 nor 0xff`);
}

export function decodeNull(el: DerElement): void {
  const c = primitive(el, 'NULL');
  if (c.length !== 0) fail(el, 'bad_null', 'NULL must have no contents');
}

/** A BIT STRING: `bytes` with the trailing `unusedBits` of the last octet zero. */
export interface BitString {
  readonly bytes: Buffer;
  readonly unusedBits: number;
  /** Number of meaningful bits. */
  readonly bitLength: number;
}

/** X.690 §8.6.2 / §11.2: unused-bits octet 0..7, 0 when empty, unused bits zero. */
export function decodeBitString(el: DerElement): BitString {
  const c = primitive(el, 'BIT STRING');
  if (c.length === 0) fail(el, 'bad_bit_string', 'BIT STRING has no unused-bits octet');
  const unused = c[0]!;
  if (unused > 7) fail(el, 'bad_bit_string', `BIT STRING unused-bits octet ${unused} exceeds 7`);
  if (c.length === 1 && unused !== 0) fail(el, 'bad_bit_string', 'empty BIT STRING must have 0 unused bits');
  if (unused !== 0 && (c[c.length - 1]! & ((1 << unused) - 1)) !== 0) fail(el, 'bad_bit_string', 'BIT STRING unused bits are not zero');
  const bytes = c.subarray(1);
  return { bytes, unusedBits: unused, bitLength: bytes.length * 8 - unused };
}

/** X.690 §8.19: OID subidentifiers in base 128, each minimal (no leading 0x80). */
export function decodeOid(el: DerElement): string {
  const c = primitive(el, 'OBJECT IDENTIFIER');
  return oidFromContents(c, el);
}

/** OID contents `c[start, end)` → dotted string; `el` (when given) locates errors. */
export function oidFromContents(c: Uint8Array, el?: DerElement, start = 0, end = c.length): string {
  const bad = (detail: string): never => {
    if (el !== undefined) fail(el, 'bad_oid', detail);
    throw new DerError('bad_oid', detail);
  };
  if (el !== undefined && el.id & CONSTRUCTED) fail(el, 'wrong_form', 'OBJECT IDENTIFIER must use the primitive form');
  if (end <= start) bad('OBJECT IDENTIFIER has no contents');
  if ((c[end - 1]! & 0x80) !== 0) bad('OBJECT IDENTIFIER ends inside a subidentifier');
  let out = '';
  let i = start;
  let first = true;
  while (i < end) {
    if (c[i] === 0x80) bad('OBJECT IDENTIFIER subidentifier has a leading 0x80 octet');
    let v = 0;
    let big: bigint | null = null;
    for (;;) {
      const b = c[i++]!;
      if (big === null && v > 2 ** 45) big = BigInt(v);
      if (big !== null) big = (big << 7n) | BigInt(b & 0x7f);
      else v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (first) {
      // X.690 §8.19.4: the first subidentifier packs the first two arcs (40·X + Y, X ≤ 2).
      first = false;
      if (big !== null) out = `2.${big - 80n}`;
      else if (v < 40) out = `0.${v}`;
      else if (v < 80) out = `1.${v - 40}`;
      else out = `2.${v - 80}`;
    } else {
      out += '.' + (big !== null ? big.toString() : String(v));
    }
  }
  return out;
}

/** A decoded UTCTime / GeneralizedTime. */
export interface DerTime {
  readonly date: Date;
  /** The characters as encoded, e.g. `180829142316Z`. */
  readonly raw: string;
  readonly generalized: boolean;
  /** Fractional seconds digits of a GeneralizedTime ('' when absent). */
  readonly fraction: string;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const CHAR_Z = 0x5a;
const CHAR_DOT = 0x2e;
const UTC_TIME_LENGTH = 13; // YYMMDDHHMMSSZ
const GENERALIZED_TIME_LENGTH = 15; // YYYYMMDDHHMMSSZ
/** RFC 5280 §4.1.2.5.1: UTCTime YY ≥ 50 is 19YY, otherwise 20YY. */
const UTC_TIME_PIVOT = 50;
const MAX_SECONDS = 59; // X.690 §11.7/11.8 and OpenSSL: no leap second in certificates

/**
 * X.690 §11.7 / §11.8 and RFC 5280 §4.1.2.5: UTCTime is `YYMMDDHHMMSSZ`;
 * GeneralizedTime is `YYYYMMDDHHMMSS[.f+]Z` with no trailing zero in the
 * fraction (RFC 5280 forbids fractions in certificates; DER allows them, so
 * we accept them and leave the policy to validation).
 */
export function decodeTime(el: DerElement): DerTime {
  const c = primitive(el, el.id === Tag.UTC_TIME ? 'UTCTime' : 'GeneralizedTime');
  const generalized = el.id === Tag.GENERALIZED_TIME;
  const bad = (detail: string): never => fail(el, 'bad_time', `${generalized ? 'GeneralizedTime' : 'UTCTime'} ${detail}`);
  const minLength = generalized ? GENERALIZED_TIME_LENGTH : UTC_TIME_LENGTH;
  if (c.length < minLength) bad(`has ${c.length} characters, expected at least ${minLength}`);
  if (c[c.length - 1] !== CHAR_Z) bad('must end in Z (UTC)');
  const digits = minLength - 1;
  for (let i = 0; i < digits; i++) if (c[i]! < DIGIT_0 || c[i]! > DIGIT_9) bad('has a non-digit where a digit is required');
  let fraction = '';
  if (c.length !== minLength) {
    if (!generalized) bad(`must be exactly ${UTC_TIME_LENGTH} characters`);
    if (c[digits] !== CHAR_DOT) bad('has unexpected characters after the seconds');
    for (let i = digits + 1; i < c.length - 1; i++) if (c[i]! < DIGIT_0 || c[i]! > DIGIT_9) bad('fraction has a non-digit');
    fraction = c.toString('latin1', digits + 1, c.length - 1);
    if (fraction.length === 0) bad('has an empty fraction');
    if (fraction.endsWith('0')) bad('fraction has a trailing zero');
  }
  const two = (i: number): number => (c[i]! - DIGIT_0) * 10 + (c[i + 1]! - DIGIT_0);
  let year: number;
  let p: number;
  if (generalized) {
    year = two(0) * 100 + two(2);
    p = 4;
  } else {
    const yy = two(0);
    year = yy >= UTC_TIME_PIVOT ? 1900 + yy : 2000 + yy;
    p = 2;
  }
  const month = two(p);
  const day = two(p + 2);
  const hour = two(p + 4);
  const minute = two(p + 6);
  const second = two(p + 8);
  if (month < 1 || month > 12) bad(`month ${month} is out of range`);
  if (day < 1 || day > daysInMonth(year, month)) bad(`day ${day} is out of range`);
  if (hour > 23) bad(`hour ${hour} is out of range`);
  if (minute > 59) bad(`minute ${minute} is out of range`);
  if (second > MAX_SECONDS) bad(`second ${second} is out of range`);
  const ms = fraction === '' ? 0 : Math.floor(Number('0.' + fraction) * 1000);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years < 100 literal
  date.setUTCHours(hour, minute, second, ms);
  return { date, raw: c.toString('latin1'), generalized, fraction };
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** A decoded character string. */
export interface DerString {
  /** Identifier octet (Tag.UTF8_STRING, Tag.PRINTABLE_STRING, …). */
  readonly tag: number;
  readonly value: string;
  /** Contents octets as encoded. */
  readonly bytes: Buffer;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const BMP_UNIT = 2;
const UNIVERSAL_UNIT = 4;
const MAX_CODE_POINT = 0x10ffff;
const SURROGATE_MIN = 0xd800;
const SURROGATE_MAX = 0xdfff;

/**
 * Decodes a character string the way OpenSSL's `ASN1_STRING_to_UTF8` does:
 * UTF8String must be valid UTF-8, BMPString is UTF-16BE, UniversalString is
 * UTF-32BE, and every one-octet type (Printable, IA5, Teletex, Numeric,
 * Visible, …) maps octets to code points (Latin-1). Character repertoires of
 * PrintableString / IA5String are not enforced: OpenSSL accepts real
 * certificates that break them (e.g. '*' or '@' in PrintableString).
 */
export function decodeString(el: DerElement): DerString {
  const name = STRING_TAG_NAMES.get(el.id);
  if (name === undefined) {
    if ((el.id & ~CONSTRUCTED) !== el.id && STRING_TAG_NAMES.has(el.id & ~CONSTRUCTED)) fail(el, 'wrong_form', 'character strings must use the primitive form in DER');
    fail(el, 'unexpected_tag', `expected a character string, found tag 0x${el.id.toString(16)}`);
  }
  const c = el.contents;
  return { tag: el.id, value: decodeStringBytes(el, el.id, c), bytes: c };
}

function decodeStringBytes(el: DerElement, tag: number, c: Buffer): string {
  switch (tag) {
    case Tag.UTF8_STRING: {
      let ascii = true;
      for (let i = 0; i < c.length; i++) if (c[i]! >= 0x80) { ascii = false; break; }
      if (ascii) return c.toString('latin1');
      try {
        return fatalUtf8.decode(c);
      } catch {
        return fail(el, 'bad_string', 'UTF8String is not valid UTF-8');
      }
    }
    case Tag.BMP_STRING: {
      if (c.length % BMP_UNIT !== 0) fail(el, 'bad_string', 'BMPString length is not a multiple of 2');
      let s = '';
      for (let i = 0; i < c.length; i += BMP_UNIT) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case Tag.UNIVERSAL_STRING: {
      if (c.length % UNIVERSAL_UNIT !== 0) fail(el, 'bad_string', 'UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i < c.length; i += UNIVERSAL_UNIT) {
        const cp = c.readUInt32BE(i);
        if (cp > MAX_CODE_POINT || (cp >= SURROGATE_MIN && cp <= SURROGATE_MAX)) fail(el, 'bad_string', `UniversalString holds invalid code point 0x${cp.toString(16)}`);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      // One octet per character; TeletexString as Latin-1 like OpenSSL.
      return c.toString('latin1');
  }
}
