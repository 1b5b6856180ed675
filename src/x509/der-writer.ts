/**
 * DER writer: small composable encoders, each returning the complete
 * encoding of one element as a Buffer. Nest them to build structures:
 *
 * ```ts
 * import { der } from './der.js';
 * const aid = der.sequence(der.oid('1.2.840.113549.1.1.11'), der.null());
 * const ext = der.sequence(der.oid('2.5.29.19'), der.boolean(true), der.octetString(der.sequence(der.boolean(true))));
 * const exts = der.explicit(3, der.sequence(ext));
 * ```
 *
 * Inputs the writer cannot encode (bad OID text, out-of-range date, a
 * character outside a string type's repertoire) throw `DerError('bad_*')`.
 */
import { DerError } from './errors.js';
import { CONSTRUCTED, TagClass, Tag } from './der-tags.js';

const SHORT_FORM_MAX = 0x7f;
const LONG_FORM = 0x80;

function lengthOctets(n: number): Buffer {
  if (n <= SHORT_FORM_MAX) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([LONG_FORM | bytes.length, ...bytes]);
}

/** Any element from its identifier octet (low-tag-number form) and contents. */
export function element(id: number, contents: Uint8Array): Buffer {
  if (!Number.isInteger(id) || id < 0 || id > 0xff || (id & 0x1f) === 0x1f) throw new DerError('tag_too_large', `identifier ${id} is not a one-octet tag`);
  return Buffer.concat([Buffer.of(id), lengthOctets(contents.length), contents]);
}

/** A constructed element whose contents are the concatenation of `children`. */
export function constructed(id: number, children: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(children);
  return element(id | CONSTRUCTED, body);
}

export function sequence(...children: Uint8Array[]): Buffer {
  return constructed(Tag.SEQUENCE, children);
}

/** SET with the children in the order given (use `setOf` for DER SET OF ordering). */
export function set(...children: Uint8Array[]): Buffer {
  return constructed(Tag.SET, children);
}

/** X.690 §11.6: DER SET OF orders its encodings as octet strings, shorter padded with zeros. */
export function setOf(...children: Uint8Array[]): Buffer {
  const sorted = [...children].sort(compareDerOrder);
  return constructed(Tag.SET, sorted);
}

function compareDerOrder(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** INTEGER from a bigint/number, or from big-endian two's-complement bytes (minimised). */
export function integer(value: bigint | number | Uint8Array): Buffer {
  return element(Tag.INTEGER, integerContents(value));
}

/** Minimal two's-complement contents for an INTEGER. */
export function integerContents(value: bigint | number | Uint8Array): Buffer {
  if (value instanceof Uint8Array) {
    if (value.length === 0) return Buffer.of(0);
    let i = 0;
    while (i < value.length - 1 && ((value[i] === 0x00 && value[i + 1]! < 0x80) || (value[i] === 0xff && value[i + 1]! >= 0x80))) i++;
    return Buffer.from(value.subarray(i));
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new DerError('bad_integer', `cannot encode ${value} as an INTEGER`);
  let v = BigInt(value);
  const bytes: number[] = [];
  if (v >= 0n) {
    do {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    if (bytes[0]! >= 0x80) bytes.unshift(0);
  } else {
    do {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v < -1n);
    if (bytes[0]! < 0x80) bytes.unshift(0xff);
  }
  return Buffer.from(bytes);
}

/** ENUMERATED (CRL reason codes). */
export function enumerated(value: number): Buffer {
  return element(Tag.ENUMERATED, integerContents(value));
}

export function boolean(value: boolean): Buffer {
  return element(Tag.BOOLEAN, Buffer.of(value ? 0xff : 0x00));
}

export function nullValue(): Buffer {
  return element(Tag.NULL, Buffer.alloc(0));
}

const OID_TEXT = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** OBJECT IDENTIFIER from dotted text ('1.2.840.113549'). */
export function oid(dotted: string): Buffer {
  return element(Tag.OID, oidContents(dotted));
}

export function oidContents(dotted: string): Buffer {
  if (!OID_TEXT.test(dotted)) throw new DerError('bad_oid', `'${dotted}' is not a dotted OID`);
  const arcs = dotted.split('.').map((s) => BigInt(s));
  const [a, b] = arcs as [bigint, bigint];
  if (a < 2n && b >= 40n) throw new DerError('bad_oid', `second arc of '${dotted}' must be < 40`);
  const subs = [a * 40n + b, ...arcs.slice(2)];
  const out: number[] = [];
  for (const s of subs) {
    const group: number[] = [Number(s & 0x7fn)];
    for (let v = s >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return Buffer.from(out);
}

/** BIT STRING from bytes; `unusedBits` low bits of the last byte are cleared as DER requires. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new DerError('bad_bit_string', `invalid unused-bits count ${unusedBits}`);
  }
  const body = Buffer.concat([Buffer.of(unusedBits), bytes]);
  if (unusedBits > 0) body[body.length - 1]! &= 0xff << unusedBits;
  return element(Tag.BIT_STRING, body);
}

/**
 * BIT STRING for a named-bit list (KeyUsage, ReasonFlags): bit i is the
 * i-th most significant bit; X.690 §11.2.2 drops trailing zero bits.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const top = Math.max(...bits);
  const bytes = Buffer.alloc((top >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(bytes, 7 - (top & 7));
}

export function octetString(bytes: Uint8Array): Buffer {
  return element(Tag.OCTET_STRING, bytes);
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const NUMERIC = /^[0-9 ]*$/;
const LATIN1_MAX = 0xff;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ASCII_MAX = 0x7f;

/** A character string of the given type (Tag.UTF8_STRING, Tag.PRINTABLE_STRING, …), checking its repertoire. */
export function string(tag: number, value: string): Buffer {
  const bad = (what: string): never => {
    throw new DerError('bad_string', `'${value}' cannot be encoded as ${what}`);
  };
  switch (tag) {
    case Tag.UTF8_STRING:
      if (LONE_SURROGATE.test(value)) bad('UTF8String (lone surrogate)');
      return element(tag, Buffer.from(value, 'utf8'));
    case Tag.PRINTABLE_STRING:
      if (!PRINTABLE.test(value)) bad('PrintableString');
      return element(tag, Buffer.from(value, 'latin1'));
    case Tag.NUMERIC_STRING:
      if (!NUMERIC.test(value)) bad('NumericString');
      return element(tag, Buffer.from(value, 'latin1'));
    case Tag.IA5_STRING:
    case Tag.VISIBLE_STRING:
      for (const ch of value) if (ch.codePointAt(0)! > ASCII_MAX) bad('an ASCII string');
      return element(tag, Buffer.from(value, 'latin1'));
    case Tag.TELETEX_STRING:
      for (const ch of value) if (ch.codePointAt(0)! > LATIN1_MAX) bad('TeletexString (Latin-1)');
      return element(tag, Buffer.from(value, 'latin1'));
    case Tag.BMP_STRING: {
      const b = Buffer.alloc(value.length * 2);
      for (let i = 0; i < value.length; i++) b.writeUInt16BE(value.charCodeAt(i), i * 2);
      return element(tag, b);
    }
    case Tag.UNIVERSAL_STRING: {
      const cps = [...value].map((ch) => ch.codePointAt(0)!);
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => b.writeUInt32BE(cp, i * 4));
      return element(tag, b);
    }
    default:
      throw new DerError('unexpected_tag', `tag 0x${tag.toString(16)} is not a supported string type`);
  }
}

export const utf8String = (s: string): Buffer => string(Tag.UTF8_STRING, s);
export const printableString = (s: string): Buffer => string(Tag.PRINTABLE_STRING, s);
export const ia5String = (s: string): Buffer => string(Tag.IA5_STRING, s);

/** RFC 5280 §4.1.2.5: dates in 1950–2049 as UTCTime, others as GeneralizedTime. */
const UTC_TIME_MIN_YEAR = 1950;
const UTC_TIME_MAX_YEAR = 2049;
const GENERALIZED_TIME_MAX_YEAR = 9999;

function timeDigits(d: Date, yearDigits: 2 | 4): string {
  if (Number.isNaN(d.getTime())) throw new DerError('bad_time', 'cannot encode an invalid Date');
  const y = d.getUTCFullYear();
  if (y < 0 || y > GENERALIZED_TIME_MAX_YEAR) throw new DerError('bad_time', `year ${y} cannot be encoded`);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const year = yearDigits === 4 ? String(y).padStart(4, '0') : p2(y % 100);
  // Whole seconds only: RFC 5280 forbids fractional seconds.
  return `${year}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
}

export function utcTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < UTC_TIME_MIN_YEAR || y > UTC_TIME_MAX_YEAR) throw new DerError('bad_time', `UTCTime cannot hold year ${y}`);
  return element(Tag.UTC_TIME, Buffer.from(timeDigits(d, 2), 'latin1'));
}

export function generalizedTime(d: Date): Buffer {
  return element(Tag.GENERALIZED_TIME, Buffer.from(timeDigits(d, 4), 'latin1'));
}

/** RFC 5280 `Time`: UTCTime through 2049, GeneralizedTime from 2050 (and before 1950). */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  return y >= UTC_TIME_MIN_YEAR && y <= UTC_TIME_MAX_YEAR ? utcTime(d) : generalizedTime(d);
}

/** Largest tag number of the one-octet (low-tag-number) form. */
const MAX_LOW_TAG = 30;

function contextNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_LOW_TAG) throw new DerError('tag_too_large', `context tag [${n}] must be 0..${MAX_LOW_TAG}`);
  return n;
}

/** EXPLICIT `[n]`: a constructed context tag wrapping complete encodings. */
export function explicit(n: number, ...inner: Uint8Array[]): Buffer {
  return constructed(TagClass.CONTEXT | contextNumber(n), inner);
}

/**
 * IMPLICIT `[n]`: replaces the identifier octet of a complete encoding,
 * keeping its constructed bit (so `implicit(1, sequence(...))` is [1] constructed).
 */
export function implicit(n: number, encoded: Uint8Array): Buffer {
  if (encoded.length === 0 || (encoded[0]! & 0x1f) === 0x1f) throw new DerError('unexpected_tag', 'implicit() needs a complete low-tag encoding');
  const out = Buffer.from(encoded);
  out[0] = TagClass.CONTEXT | (encoded[0]! & CONSTRUCTED) | contextNumber(n);
  return out;
}

/** A primitive context tag `[n]` with raw contents (e.g. dNSName, keyIdentifier). */
export function contextPrimitive(n: number, contents: Uint8Array): Buffer {
  return element(TagClass.CONTEXT | contextNumber(n), contents);
}
