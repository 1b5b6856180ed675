/**
 * Strict DER reader (X.690 §8 BER restricted by §10/§11 DER rules).
 *
 * A `DerReader` walks the elements inside one constructed value. All offsets
 * are absolute in the outermost buffer; element bytes are `subarray` views
 * (no copies). Every fault throws `DerError` with a field path and offset;
 * no other exception type escapes for any input.
 */
import { DerError, joinPath, type DerErrorCode } from './errors.js';
import { CONSTRUCTED, CLASS_MASK, HIGH_TAG_NUMBER, STRING_TAG_NAMES, TAG_NUMBER_MASK, Tag, describeTag } from './der-tags.js';
import { decodeBitString, decodeBoolean, decodeInteger, decodeNull, decodeSmallInteger, decodeString, decodeTime, oidFromContents } from './der-values.js';
import type { BitString, DerString, DerTime } from './der-values.js';

/** One TLV element. `raw` and `contents` are views into the parsed buffer. */
export interface DerElement {
  /**
   * First identifier octet (class | constructed | number). For the
   * high-tag-number form the low five bits are 0x1f and `tagNumber` holds the
   * number; comparing `id` against a low tag can never match such an element.
   */
  readonly id: number;
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** Absolute offset of the identifier octet. */
  readonly offset: number;
  /** Absolute offset of the first contents octet. */
  readonly contentsOffset: number;
  /** The whole encoding (identifier, length, contents). */
  readonly raw: Buffer;
  /** The contents octets. */
  readonly contents: Buffer;
  /** Field path of this element, for error messages. */
  readonly path: string;
}

/** Largest length we accept: 4 length octets (X.509 objects are far smaller). */
const MAX_LENGTH_OCTETS = 4;
/** Largest tag number we accept in high-tag-number form (fits a 31-bit integer). */
const MAX_TAG_NUMBER = 0x7fffffff;
/** X.690 §8.1.3.5: 0x80 marks the indefinite form, 0xff is reserved. */
const LENGTH_INDEFINITE = 0x80;
const LENGTH_RESERVED = 0xff;
const LONG_FORM = 0x80;
const SHORT_FORM_MAX = 0x7f;

/**
 * The reader's element: views and the path string are made on first use, so
 * walking a certificate allocates little beyond what callers keep.
 */
class Element implements DerElement {
  private rawView: Buffer | null = null;
  private contentsView: Buffer | null = null;
  private pathText: string | null = null;
  constructor(
    readonly id: number,
    readonly tagNumber: number,
    /** @internal */ readonly buf: Buffer,
    /** @internal */ readonly start: number,
    /** @internal */ readonly contentsStart: number,
    /** @internal */ readonly end: number,
    /** @internal */ readonly base: number,
    private readonly parent: DerReader,
    private readonly field: string,
  ) {}
  get tagClass(): number {
    return this.id & CLASS_MASK;
  }
  get constructed(): boolean {
    return (this.id & CONSTRUCTED) !== 0;
  }
  get offset(): number {
    return this.base + this.start;
  }
  get contentsOffset(): number {
    return this.base + this.contentsStart;
  }
  get raw(): Buffer {
    return (this.rawView ??= this.buf.subarray(this.start, this.end));
  }
  get contents(): Buffer {
    return (this.contentsView ??= this.buf.subarray(this.contentsStart, this.end));
  }
  get path(): string {
    return (this.pathText ??= joinPath(this.parent.path, this.field));
  }
}

/** Wraps any Uint8Array as a Buffer view over the same memory. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class DerReader {
  private readonly buf: Buffer;
  private pos: number;
  private readonly end: number;
  private pathText: string | null;
  private pathOf: DerElement | null = null;

  /**
   * Reads elements of `data[start, end)`. Offsets reported in errors are
   * relative to `data`.
   */
  constructor(data: Uint8Array, path = '', start = 0, end = data.length) {
    this.buf = asBuffer(data);
    this.pos = start;
    this.end = end;
    this.pathText = path;
  }

  /** Path of the constructed value this reader walks. */
  get path(): string {
    return (this.pathText ??= this.pathOf!.path);
  }

  /** A reader over the contents of a constructed element. */
  static of(el: DerElement): DerReader {
    if (el instanceof Element) {
      const r = new DerReader(el.buf, '', el.contentsStart, el.end).rebase(el.base);
      r.pathText = null;
      r.pathOf = el;
      return r;
    }
    return new DerReader(el.raw, el.path, el.contentsOffset - el.offset, el.raw.length).rebase(el.offset);
  }

  /**
   * A reader over `bytes` that reports offsets as `absoluteOffset + i`: for
   * bytes cut out of a larger structure (e.g. an extension's extnValue).
   */
  static over(bytes: Uint8Array, path: string, absoluteOffset: number): DerReader {
    return new DerReader(bytes, path).rebase(absoluteOffset);
  }

  /** Offset correction so errors report offsets in the outermost buffer. */
  private base = 0;
  private rebase(offset: number): this {
    this.base = offset;
    return this;
  }

  /** True when every element has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Absolute offset of the next element. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Identifier octet of the next element, or -1 at the end. Does not validate the element. */
  peekId(): number {
    return this.pos < this.end ? this.buf[this.pos]! : -1;
  }

  fail(code: DerErrorCode, detail: string, field: string, at = this.pos): never {
    throw new DerError(code, detail, joinPath(this.path, field), this.base + at);
  }

  /** Reads the next element of any tag. */
  read(field: string): DerElement {
    const buf = this.buf;
    const start = this.pos;
    const end = this.end;
    if (start >= end) this.fail('truncated', 'expected an element, found end of data', field);
    let p = start;
    const id = buf[p++]!;
    // X.680 §8.4: UNIVERSAL 0 is reserved (BER's end-of-contents); OpenSSL rejects it too.
    if ((id & ~CONSTRUCTED) === 0) this.fail('unexpected_tag', 'universal tag 0 (end-of-contents) is not a DER element', field, start);
    let tagNumber = id & TAG_NUMBER_MASK;
    if (tagNumber === HIGH_TAG_NUMBER) {
      // X.690 §8.1.2.4.2: base-128, no leading 0x80 octet, and only for numbers ≥ 31.
      tagNumber = 0;
      let first = true;
      for (;;) {
        if (p >= end) this.fail('truncated', 'high tag number runs past the end', field, start);
        const b = buf[p++]!;
        if (first && b === LONG_FORM) this.fail('non_minimal_tag', 'high tag number has a leading 0x80 octet', field, start);
        first = false;
        if (tagNumber > MAX_TAG_NUMBER >>> 7) this.fail('tag_too_large', 'tag number too large', field, start);
        tagNumber = tagNumber * 128 + (b & SHORT_FORM_MAX);
        if ((b & LONG_FORM) === 0) break;
      }
      if (tagNumber < HIGH_TAG_NUMBER) this.fail('non_minimal_tag', `tag number ${tagNumber} must use the low-tag-number form`, field, start);
    }
    if (p >= end) this.fail('truncated', 'missing length octets', field, start);
    let length = buf[p++]!;
    if (length > SHORT_FORM_MAX) {
      if (length === LENGTH_INDEFINITE) this.fail('indefinite_length', 'indefinite length is not allowed in DER', field, start);
      if (length === LENGTH_RESERVED) this.fail('non_minimal_length', 'reserved length octet 0xff', field, start);
      const n = length & SHORT_FORM_MAX;
      if (n > MAX_LENGTH_OCTETS) this.fail('length_too_large', `length uses ${n} octets`, field, start);
      if (p + n > end) this.fail('truncated', 'length octets run past the end', field, start);
      if (buf[p] === 0) this.fail('non_minimal_length', 'length has a leading zero octet', field, start);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
      // X.690 §10.1: the short form must be used for lengths ≤ 127.
      if (length <= SHORT_FORM_MAX) this.fail('non_minimal_length', `length ${length} must use the short form`, field, start);
    }
    if (length > end - p) this.fail('truncated', `contents of ${length} octets run past the end (${end - p} left)`, field, start);
    const contentsEnd = p + length;
    this.pos = contentsEnd;
    return new Element(id, tagNumber, buf, start, p, contentsEnd, this.base, this, field);
  }

  /** Reads the next element, which must carry identifier `id`. */
  expect(id: number, field: string): DerElement {
    const got = this.peekId();
    if (got !== id) this.unexpected(id, got, field);
    const el = this.read(field);
    // A high-tag-number element never equals a low `id` thanks to the 0x1f marker.
    return el;
  }

  /** Reads the next element when it carries identifier `id`; otherwise null (nothing consumed). */
  optional(id: number, field: string): DerElement | null {
    return this.peekId() === id ? this.read(field) : null;
  }

  private unexpected(want: number, got: number, field: string): never {
    if (got >= 0 && (got & ~CONSTRUCTED) === (want & ~CONSTRUCTED)) {
      this.fail('wrong_form', `${describeTag(want)} must be ${want & CONSTRUCTED ? 'constructed' : 'primitive'}`, field);
    }
    this.fail(got < 0 ? 'truncated' : 'unexpected_tag', `expected ${describeTag(want)}, found ${describeTag(got)}`, field);
  }

  /** Throws unless every element has been consumed. */
  finish(): void {
    if (this.pos < this.end) this.fail('trailing_data', `${this.end - this.pos} unexpected trailing octets`, '');
  }

  /** SEQUENCE → a reader over its elements. */
  sequence(field: string): DerReader {
    return DerReader.of(this.expect(Tag.SEQUENCE, field));
  }

  /** SET → a reader over its elements. */
  set(field: string): DerReader {
    return DerReader.of(this.expect(Tag.SET, field));
  }

  /** Optional EXPLICIT `[n]` wrapper → a reader over its single inner element, or null. */
  explicit(n: number, field: string): DerReader | null {
    const el = this.optional(0x80 | CONSTRUCTED | n, field);
    return el === null ? null : DerReader.of(el);
  }

  integer(field: string): bigint {
    return decodeInteger(this.expect(Tag.INTEGER, field));
  }

  /** INTEGER that must fit in [min, max] (small non-negative counters, versions). */
  smallInteger(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    return decodeSmallInteger(this.expect(Tag.INTEGER, field), min, max);
  }

  boolean(field: string): boolean {
    return decodeBoolean(this.expect(Tag.BOOLEAN, field));
  }

  null(field: string): void {
    decodeNull(this.expect(Tag.NULL, field));
  }

  oid(field: string): string {
    const el = this.expect(Tag.OID, field) as Element;
    // Straight from the buffer: no contents view for the most frequent element of a certificate.
    return oidFromContents(el.buf, el, el.contentsStart, el.end);
  }

  bitString(field: string): BitString {
    return decodeBitString(this.expect(Tag.BIT_STRING, field));
  }

  octetString(field: string): Buffer {
    return this.expect(Tag.OCTET_STRING, field).contents;
  }

  /** UTCTime or GeneralizedTime (RFC 5280 `Time`). */
  time(field: string): DerTime {
    const id = this.peekId();
    if (id !== Tag.UTC_TIME && id !== Tag.GENERALIZED_TIME) this.fail(id < 0 ? 'truncated' : 'unexpected_tag', `expected UTCTime or GeneralizedTime, found ${describeTag(id)}`, field);
    return decodeTime(this.read(field));
  }

  /** Any character string type (DirectoryString and friends). */
  string(field: string): DerString {
    return decodeString(this.read(field));
  }
}

/** Nesting limit for `validateDer` (X.509 ANY values are shallow; this bounds recursion on hostile input). */
const MAX_VALIDATE_DEPTH = 32;

/**
 * Checks that an element of type ANY (AlgorithmIdentifier parameters, …) is
 * DER throughout: constructed elements are walked and universal primitives
 * must decode (BOOLEAN one octet, minimal INTEGER, valid OID, strict times,
 * valid strings, …). OpenSSL's d2i rejects such malformed values too.
 */
export function validateDer(el: DerElement, depth = 0): void {
  if (el.constructed) {
    if (depth >= MAX_VALIDATE_DEPTH) throw new DerError('length_too_large', 'ANY value nests too deeply', el.path, el.offset);
    const r = DerReader.of(el);
    for (let i = 0; !r.done; i++) validateDer(r.read(`[${i}]`), depth + 1);
    return;
  }
  if (el.tagClass !== 0) return;
  switch (el.id) {
    case Tag.BOOLEAN:
      decodeBoolean(el);
      break;
    case Tag.INTEGER:
    case Tag.ENUMERATED:
      decodeInteger(el);
      break;
    case Tag.NULL:
      decodeNull(el);
      break;
    case Tag.OID:
      oidFromContents(el.contents, el);
      break;
    case Tag.BIT_STRING:
      decodeBitString(el);
      break;
    case Tag.UTC_TIME:
    case Tag.GENERALIZED_TIME:
      decodeTime(el);
      break;
    default:
      if (STRING_TAG_NAMES.has(el.id)) decodeString(el);
  }
}

/** Parses `data` as exactly one element (no trailing bytes). */
export function readElement(data: Uint8Array, field = ''): DerElement {
  const r = new DerReader(data, '');
  const el = r.read(field);
  r.finish();
  return el;
}

/** A reader over the contents of the single SEQUENCE that must make up all of `data`. */
export function readSequence(data: Uint8Array, path = ''): DerReader {
  const r = new DerReader(data, '');
  const el = r.expect(Tag.SEQUENCE, path);
  r.finish();
  return DerReader.of(el);
}
