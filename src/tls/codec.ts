import { TLSError } from './errors.js';

/**
 * The strict wire codec every TLS message decoder and encoder is built on
 * (RFC 8446 §3 presentation language: big-endian integers, vectors with a
 * length prefix of 1, 2 or 3 bytes).
 *
 * Reading never throws anything but `TLSError('decode_error', …)`: a short
 * buffer, a length prefix that runs past its enclosing block, or a byte left
 * over at `expectEnd()` all say what was being read. Slices returned by the
 * reader are views (`subarray`) of the input, not copies.
 */
export class Reader {
  private pos = 0;
  private readonly buf: Buffer;
  private readonly label: string;
  private readonly parent: Reader | null;

  /**
   * @param data the bytes to read (not copied)
   * @param what what these bytes are, for error reasons ('ClientHello', 'extension key_share', …)
   * @param parent the reader this one is a vector of (its name prefixes ours in errors)
   */
  constructor(data: Uint8Array, what = 'message', parent: Reader | null = null) {
    this.buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.label = what;
    this.parent = parent;
  }

  /** What is being read, for error reasons; built only when an error needs it. */
  get what(): string {
    return this.parent ? `${this.parent.what} ${this.label}` : this.label;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.pos;
  }

  /** True when every byte has been consumed. */
  get atEnd(): boolean {
    return this.pos === this.buf.length;
  }

  private need(n: number, field: string): void {
    if (n > this.buf.length - this.pos) {
      throw new TLSError('decode_error', `${this.what}: truncated ${field} (need ${n} bytes, have ${this.buf.length - this.pos})`);
    }
  }

  u8(field = 'uint8'): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field = 'uint16'): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(field = 'uint24'): number {
    this.need(3, field);
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(field = 'uint32'): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** The next `n` bytes, as a view of the input. */
  bytes(n: number, field = 'bytes'): Buffer {
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Everything not yet consumed, as a view. */
  rest(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  /** opaque field<min..max> with a 1-byte length prefix. */
  opaque8(field: string, min = 0, max = 0xff): Buffer {
    return this.checked(this.bytes(this.lengthPrefix(1, field), field), field, min, max);
  }

  /** opaque field<min..max> with a 2-byte length prefix. */
  opaque16(field: string, min = 0, max = 0xffff): Buffer {
    return this.checked(this.bytes(this.lengthPrefix(2, field), field), field, min, max);
  }

  /** opaque field<min..max> with a 3-byte length prefix. */
  opaque24(field: string, min = 0, max = 0xffffff): Buffer {
    return this.checked(this.bytes(this.lengthPrefix(3, field), field), field, min, max);
  }

  private lengthPrefix(size: number, field: string): number {
    if (size > this.buf.length - this.pos) {
      throw new TLSError('decode_error', `${this.what}: truncated ${field} length (need ${size} bytes, have ${this.buf.length - this.pos})`);
    }
    const v = this.buf.readUIntBE(this.pos, size);
    this.pos += size;
    return v;
  }

  /** A vector with a 1-byte length prefix, as a sub-reader confined to it. */
  vec8(field: string, min = 0, max = 0xff): Reader {
    return new Reader(this.opaque8(field, min, max), field, this);
  }

  /** A vector with a 2-byte length prefix, as a sub-reader confined to it. */
  vec16(field: string, min = 0, max = 0xffff): Reader {
    return new Reader(this.opaque16(field, min, max), field, this);
  }

  /** A vector with a 3-byte length prefix, as a sub-reader confined to it. */
  vec24(field: string, min = 0, max = 0xffffff): Reader {
    return new Reader(this.opaque24(field, min, max), field, this);
  }

  /**
   * A vector of uint16 values (cipher suites, groups, signature schemes):
   * the byte length must be even and within [min, max] bytes.
   */
  u16List(field: string, min = 0, max = 0xffff): number[] {
    const body = this.opaque16(field, min, max);
    if (body.length % 2 !== 0) throw new TLSError('decode_error', `${this.what}: ${field} has odd length ${body.length}`);
    const out: number[] = [];
    for (let i = 0; i < body.length; i += 2) out.push(body.readUInt16BE(i));
    return out;
  }

  /** A vector of uint8 values with a 1-byte length prefix. */
  u8List(field: string, min = 0, max = 0xff): number[] {
    return [...this.opaque8(field, min, max)];
  }

  /** Throws decode_error when bytes remain: every TLS structure must be consumed exactly. */
  expectEnd(field = this.what): void {
    if (this.pos !== this.buf.length) {
      throw new TLSError('decode_error', `${field}: ${this.buf.length - this.pos} trailing byte(s)`);
    }
  }

  private checked(v: Buffer, field: string, min: number, max: number): Buffer {
    if (v.length < min || v.length > max) {
      throw new TLSError('decode_error', `${this.what}: ${field} length ${v.length} outside ${min}..${max}`);
    }
    return v;
  }
}

const INITIAL_CAPACITY = 256;

/**
 * A growable big-endian writer. Length-prefixed blocks are written by
 * reserving the prefix, running the body, and patching the length in place,
 * so nesting costs no copies. `finish()` returns a view of the internal
 * buffer (no copy); the writer must not be used afterwards.
 *
 * Encoding something that cannot be represented (a value or a vector too
 * large for its field) is our own bug, not the peer's, so it throws
 * `TLSError('internal_error', …)`.
 */
export class Writer {
  private buf: Buffer;
  private len = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private check(v: number, max: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new TLSError('internal_error', `cannot encode ${field} value ${v} (max ${max})`);
  }

  u8(v: number, field = 'uint8'): this {
    this.check(v, 0xff, field);
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  u16(v: number, field = 'uint16'): this {
    this.check(v, 0xffff, field);
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  u24(v: number, field = 'uint24'): this {
    this.check(v, 0xffffff, field);
    this.ensure(3);
    this.buf.writeUIntBE(v, this.len, 3);
    this.len += 3;
    return this;
  }

  u32(v: number, field = 'uint32'): this {
    this.check(v, 0xffffffff, field);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** opaque<0..2^8-1>: a 1-byte length then the bytes. */
  opaque8(data: Uint8Array, field = 'opaque8'): this {
    return this.u8(data.length, `${field} length`).bytes(data);
  }

  /** opaque<0..2^16-1>: a 2-byte length then the bytes. */
  opaque16(data: Uint8Array, field = 'opaque16'): this {
    return this.u16(data.length, `${field} length`).bytes(data);
  }

  /** opaque<0..2^24-1>: a 3-byte length then the bytes. */
  opaque24(data: Uint8Array, field = 'opaque24'): this {
    return this.u24(data.length, `${field} length`).bytes(data);
  }

  /** A uint16 list with a 2-byte byte-length prefix. */
  u16List(values: readonly number[], field = 'u16 list'): this {
    return this.u16Prefixed(() => {
      for (const v of values) this.u16(v, field);
    }, field);
  }

  /** A uint8 list with a 1-byte length prefix. */
  u8List(values: readonly number[], field = 'u8 list'): this {
    return this.u8Prefixed(() => {
      for (const v of values) this.u8(v, field);
    }, field);
  }

  /** Writes `body()` preceded by its length in 1 byte. */
  u8Prefixed(body: () => void, field = 'vector'): this {
    return this.prefixed(1, 0xff, body, field);
  }

  /** Writes `body()` preceded by its length in 2 bytes. */
  u16Prefixed(body: () => void, field = 'vector'): this {
    return this.prefixed(2, 0xffff, body, field);
  }

  /** Writes `body()` preceded by its length in 3 bytes. */
  u24Prefixed(body: () => void, field = 'vector'): this {
    return this.prefixed(3, 0xffffff, body, field);
  }

  private prefixed(size: number, max: number, body: () => void, field: string): this {
    this.ensure(size);
    const at = this.len;
    this.len += size;
    body();
    const n = this.len - at - size;
    if (n > max) throw new TLSError('internal_error', `cannot encode ${field}: ${n} bytes exceed ${max}`);
    this.buf.writeUIntBE(n, at, size);
    return this;
  }

  /** The bytes written, as a view of the internal buffer (no copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** Runs `body` on a fresh Writer and returns the bytes. */
export function encode(body: (w: Writer) => void, capacity?: number): Buffer {
  const w = new Writer(capacity);
  body(w);
  return w.finish();
}
