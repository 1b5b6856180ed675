/**
 * The TLS record layer (RFC 8446 §5; RFC 5246 §6 for TLS 1.2 AEAD suites):
 * the single home of framing, fragmentation, sequence numbers and record
 * protection. Sans-IO: bytes in, records out; records in, bytes out.
 *
 * Usage (the Connection drives it):
 * ```ts
 * const rl = new RecordLayer({ provider });
 * rl.setPlaintextRecordVersion(ProtocolVersion.TLSv1);    // client: initial ClientHello record only
 * rl.write(ContentType.handshake, clientHello);
 * rl.setPlaintextRecordVersion(ProtocolVersion.TLSv1_2);
 * socket.write(rl.takeOutgoing());                          // all pending ciphertext, one Buffer
 * rl.setChangeCipherSpecPolicy('drop-once');               // TLS 1.3 middlebox compatibility (RFC 8446 §5)
 * rl.feed(bytesFromPeer);
 * for (let r; (r = rl.nextRecord()) !== null; ) handle(r.type, r.payload); // one record at a time, so
 *                                                          // a key change applies from the next record on
 * rl.setReadKey(suite, key, iv);  rl.setWriteKey(suite, key, iv);        // TLS 1.3 (KeySchedule.trafficKeys)
 * rl.setReadKey12(suite, key, salt); rl.setWriteKey12(suite, key, salt); // TLS 1.2 (prf12 keyBlock)
 * if (rl.writeNeedsKeyUpdate) sendKeyUpdate();             // RFC 8446 §5.5 AEAD limits
 * ```
 *
 * Writes of the same content type are coalesced into full records until
 * `takeOutgoing()` / `flush()`, a content type change, a key change, or an
 * alert / change_cipher_spec (those are always sent alone, RFC 8446 §5.1).
 * Data passed to `write()` is copied; the caller may reuse its buffer.
 * Data passed to `feed()` is NOT copied: do not modify it afterwards, unless
 * `retainBuffered()` was called after reading (see there).
 *
 * The write half lives in record-write.ts (RecordWriter, which RecordLayer
 * extends), the buffering of fed bytes in byte-queue.ts, sealing and opening
 * in record-protection.ts.
 *
 * Errors are `TLSError`s naming the alert to send; after a read error the
 * read side stays failed (every later `nextRecord()` rethrows) while the
 * write side still works, so the alert can be sent.
 */
import { ByteQueue } from './byte-queue.js';
import { TLSError } from './errors.js';
import { ContentType, contentTypeName, isContentType } from './registry/content-types.js';
import type { CipherSuite } from './registry/suites.js';
import { ProtocolVersion } from './registry/versions.js';
import {
  AEAD_TAG_LENGTH,
  Direction,
  MAX_CIPHERTEXT_LENGTH_TLS12,
  MAX_CIPHERTEXT_LENGTH_TLS13,
  MAX_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  openRecord,
  type PlainRecord,
  type ProtectionKind,
} from './record-protection.js';
import { RecordWriter } from './record-write.js';

export { recycleOutgoing } from './arena-pool.js';
export {
  AES_GCM_KEY_UPDATE_THRESHOLD,
  MAX_CIPHERTEXT_LENGTH_TLS12,
  MAX_CIPHERTEXT_LENGTH_TLS13,
  MAX_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  type PlainRecord,
  type ProtectionKind,
} from './record-protection.js';
export { RecordWriter, deferredLength, type DeferredRecords, type PaddingPolicy, type RecordLayerOptions } from './record-write.js';

/** A record as the handshake / application layers see it: the (inner) content type and the plaintext. */
export type TLSRecord = PlainRecord;

/**
 * What to do with an unprotected change_cipher_spec record:
 * - 'deliver': return it like any record (TLS 1.2, and before the version is known);
 *   under TLS 1.3 read protection it is treated as 'reject'.
 * - 'drop-once': TLS 1.3 handshake: silently drop ONE record consisting of the
 *   single byte 0x01 (RFC 8446 §5, middlebox compatibility); any other value, or
 *   a second one, is unexpected_message.
 * - 'reject': unexpected_message (TLS 1.3 after the peer's Finished).
 */
export type ChangeCipherSpecPolicy = 'deliver' | 'drop-once' | 'reject';

/**
 * How a server that rejected the client's 0-RTT skips it (RFC 8446 §4.2.10):
 * - 'undecryptable': under the client's handshake key, records that fail to
 *   authenticate are discarded; the first that opens ends the skipping;
 * - 'protected': after a HelloRetryRequest (no key yet), every
 *   application_data record is discarded until the second ClientHello.
 */
export type EarlyDataSkip = 'undecryptable' | 'protected';

/**
 * Bytes of rejected 0-RTT a server skips before it gives up with
 * unexpected_message (RFC 8446 §4.2.10, "up to the configured
 * max_early_data_size"): OpenSSL's default recv_max_early_data, 2^14.
 */
export const REJECTED_EARLY_DATA_LIMIT = 2 ** 14;

/** The RFC 8446 §5 change_cipher_spec value that may be dropped. */
const CCS_VALUE = 0x01;
/** RFC 8446 §6: an alert record holds exactly one alert: level(1) || description(1). */
const ALERT_LENGTH = 2;

const EMPTY = Buffer.alloc(0);

/** readOne()'s result for a record that was read and discarded. */
const DROPPED: unique symbol = Symbol('dropped record');

/** A record version as the error texts show it (built only for an error: not per record). */
function hex4(version: number): string {
  return `0x${version.toString(16).padStart(4, '0')}`;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function typeName(type: number): string {
  return contentTypeName(type) ?? `unknown(${type})`;
}

/** The record layer: the read half here, the write half inherited from RecordWriter (record-write.ts). */
export class RecordLayer extends RecordWriter {
  /** Read-side protection state (key, IV, sequence number). */
  readonly readDirection = new Direction('read');

  /** Incoming ciphertext, referenced as fed. */
  private readonly input = new ByteQueue();
  /** TLS 1.2 once negotiated: the one record version every record must carry (null: any 0x03xx, see checkRecordVersion). */
  private exactVersion: number | null = null;
  /** RFC 8446 §4.2.10: rejected 0-RTT being skipped, and how many bytes of it may still come. */
  private earlySkip: { readonly mode: EarlyDataSkip; budget: number } | null = null;
  private readFailure: TLSError | null = null;
  private ccsPolicy: ChangeCipherSpecPolicy = 'deliver';
  private ccsDropped = 0;
  private recordsRead = 0;

  // ───────────── keys ─────────────

  /** TLS 1.3: protect records read from now on with `key`/`iv` (RFC 8446 §7.3). Resets the read sequence number. */
  setReadKey(suite: CipherSuite, key: Uint8Array, iv: Uint8Array): void {
    this.readDirection.setKey13(this.provider, suite, key, iv);
  }

  /** TLS 1.2 (after the peer's ChangeCipherSpec): `fixedIv` is the key block's client/server_write_IV. */
  setReadKey12(suite: CipherSuite, key: Uint8Array, fixedIv: Uint8Array): void {
    this.readDirection.setKey12(this.provider, suite, key, fixedIv);
  }

  get readProtection(): ProtectionKind {
    return this.readDirection.kind;
  }

  /** Sequence number of the next record read under the current key. */
  get readSeq(): bigint {
    return this.readDirection.sequence;
  }

  /** Records written / read in total, across keys. */
  get recordCounts(): { readonly written: number; readonly read: number } {
    return { written: this.recordsWritten, read: this.recordsRead };
  }

  // ───────────── reading ─────────────

  /** Sets the change_cipher_spec policy (see ChangeCipherSpecPolicy); switching to 'drop-once' re-arms the single drop. */
  setChangeCipherSpecPolicy(policy: ChangeCipherSpecPolicy): void {
    if (policy === 'drop-once' && this.ccsPolicy !== 'drop-once') this.ccsDropped = 0;
    this.ccsPolicy = policy;
  }

  /** Appends ciphertext from the peer. The bytes are referenced, not copied. */
  feed(data: Uint8Array): void {
    this.input.push(data);
  }

  /**
   * Copies the ciphertext still buffered (at most a partial record, once every
   * whole record has been read) into memory of our own, after which the
   * buffers given to `feed()` may be reused. A caller that feeds transient
   * buffers can then feed without copying, read every whole record, and pay
   * for copying only the tail: protected records are opened in place and
   * their plaintext is fresh memory. (Unprotected records' payloads are
   * views of the fed bytes: keep those buffers, or copy the payloads.)
   */
  retainBuffered(): void {
    this.input.compact();
  }

  /** Ciphertext received but not yet returned as records (non-zero at EOF means a truncated record). */
  get bufferedBytes(): number {
    return this.input.length;
  }

  /**
   * The next record, decrypted and checked, or null when no whole record is
   * buffered. Dropped change_cipher_spec records are skipped.
   */
  nextRecord(): TLSRecord | null {
    if (this.readFailure !== null) throw this.readFailure;
    try {
      for (;;) {
        const record = this.readOne();
        if (record !== DROPPED) return record;
      }
    } catch (e) {
      if (e instanceof TLSError) this.readFailure = e;
      throw e;
    }
  }

  /** True when readRecord() takes these: nothing is buffered, and `body` is exactly what `header` announces. */
  canReadRecord(header: Uint8Array, body: Uint8Array): boolean {
    return this.input.length === 0 && header.length === RECORD_HEADER_LENGTH && body.length === ((header[3]! << 8) | header[4]!);
  }

  /**
   * One whole record given as its 5-byte header and its body, for a caller
   * that frames records itself (an SSLObject takes them out of its BIO one
   * at a time): opened as nextRecord() would, without queueing; null when it
   * was dropped. Only when canReadRecord(); else feed() them. The bytes are
   * not kept (the plaintext of a protected record is fresh memory).
   */
  readRecord(header: Uint8Array, body: Uint8Array): TLSRecord | null {
    if (this.readFailure !== null) throw this.readFailure;
    if (!this.canReadRecord(header, body)) throw new TLSError('internal_error', 'readRecord() needs an empty input queue and one whole record');
    try {
      const h = asBuffer(header);
      const type = h[0]!;
      const version = h.readUInt16BE(1);
      this.checkHeader(type, version, body.length);
      const record = this.readBody(type, version, h, asBuffer(body));
      return record === DROPPED ? null : record;
    } catch (e) {
      if (e instanceof TLSError) this.readFailure = e;
      throw e;
    }
  }

  /** One record, null when incomplete, DROPPED when a change_cipher_spec was dropped (the caller loops). */
  private readOne(): TLSRecord | null | typeof DROPPED {
    if (this.input.length < RECORD_HEADER_LENGTH) return null;
    const h = this.input.peek(RECORD_HEADER_LENGTH);
    const type = h[0]!;
    const version = h.readUInt16BE(1);
    const length = h.readUInt16BE(3);
    this.checkHeader(type, version, length);
    if (this.input.length < RECORD_HEADER_LENGTH + length) return null;

    // Header and body taken apart: a body that arrived as its own chunk (as a pump feeding
    // record by record delivers it) is opened in place, never joined to its header.
    const header = this.input.take(RECORD_HEADER_LENGTH);
    const body = length === 0 ? EMPTY : this.input.take(length);
    return this.readBody(type, version, header, body);
  }

  /** What a record header must satisfy before its body is waited for or read (RFC 8446 §5.1–5.2). */
  private checkHeader(type: number, version: number, length: number): void {
    const dir = this.readDirection;
    this.checkRecordVersion(type, version);
    if (!isContentType(type)) throw new TLSError('unexpected_message', `record of unknown content type ${type}`);
    const protectedRecord = dir.kind !== 'none' && !(dir.kind === 'tls13' && type === ContentType.change_cipher_spec);
    const limit = !protectedRecord ? MAX_PLAINTEXT_LENGTH : dir.kind === 'tls13' ? MAX_CIPHERTEXT_LENGTH_TLS13 : MAX_CIPHERTEXT_LENGTH_TLS12;
    if (length > limit) throw new TLSError('record_overflow', `${protectedRecord ? 'protected' : 'plaintext'} ${typeName(type)} record of ${length} bytes exceeds the limit of ${limit}`);
  }

  /** A whole record whose header passed checkHeader: skipped, dropped, or opened and checked. */
  private readBody(type: number, version: number, header: Buffer, body: Buffer): TLSRecord | typeof DROPPED {
    const dir = this.readDirection;
    if (this.earlySkip !== null) {
      const skipped = this.skipEarlyData(type, header, body);
      if (skipped !== null) return skipped;
    }
    if (type === ContentType.change_cipher_spec && dir.kind !== 'tls12') {
      if (this.ccsPolicy === 'drop-once' || dir.kind === 'tls13' || this.ccsPolicy === 'reject') {
        this.checkDroppableCcs(body);
        this.ccsDropped++;
        return DROPPED;
      }
    } else if (dir.kind === 'tls13' && type !== ContentType.application_data) {
      // RFC 8446 §5.2: once protection is on, every record except change_cipher_spec is protected (outer type application_data).
      throw new TLSError('unexpected_message', `unprotected ${typeName(type)} record received while TLS 1.3 read protection is active`);
    }

    const plain = openRecord(dir, type, version, header, body);
    this.recordsRead++;
    this.checkContent(plain, dir.kind);
    return plain;
  }

  /** Starts skipping the client's rejected 0-RTT (see EarlyDataSkip); `limit` bytes of it at most. */
  skipRejectedEarlyData(mode: EarlyDataSkip, limit: number = REJECTED_EARLY_DATA_LIMIT): void {
    this.earlySkip = { mode, budget: limit };
  }

  /** DROPPED for a rejected 0-RTT record, the opened record that ends the skipping, or null to read the record normally. */
  private skipEarlyData(type: number, header: Buffer, body: Buffer): TLSRecord | typeof DROPPED | null {
    const skip = this.earlySkip!;
    if (type !== ContentType.application_data) {
      // The second ClientHello (or anything else but the compatibility CCS) ends the skipping after a HelloRetryRequest.
      if (skip.mode === 'protected' && type !== ContentType.change_cipher_spec) this.earlySkip = null;
      return null;
    }
    const charge = (): typeof DROPPED => {
      // Padding cannot be told from content without the key; only the tag and the type byte are known overhead.
      skip.budget -= Math.max(0, body.length - AEAD_TAG_LENGTH - 1);
      if (skip.budget < 0) throw new TLSError('unexpected_message', 'too much early data: the rejected 0-RTT exceeds what we skip (RFC 8446 §4.2.10)');
      return DROPPED;
    };
    if (skip.mode === 'protected') return charge();
    let plain: PlainRecord;
    try {
      plain = openRecord(this.readDirection, type, header.readUInt16BE(1), header, body);
    } catch (e) {
      if (e instanceof TLSError && e.alert === 'bad_record_mac') return charge();
      throw e;
    }
    this.earlySkip = null;
    this.recordsRead++;
    this.checkContent(plain, this.readDirection.kind);
    return plain;
  }

  /**
   * What legacy_record_version is accepted (RFC 8446 §5.1: it "MUST be
   * ignored for all purposes"; Appendix D.2), decided as OpenSSL 3.0 does:
   * - unprotected records (the plaintext era before keys are installed, and
   *   the TLS 1.3 change_cipher_spec / plaintext alerts after): only the
   *   major byte is checked, so 0x0300 (SSL 3.0) … 0x03ff all pass, whether
   *   the ClientHello comes in one record or in fragments of differing
   *   versions; a major byte other than 3 is not TLS (an HTTP reply, SSLv2)
   *   and is protocol_version "wrong version number";
   * - TLS 1.3 protected records: exactly 0x0303 (RFC 8446 §5.2 "always
   *   0x0303", and it is in the AEAD's additional data), else decode_error,
   *   checked before decryption as OpenSSL does;
   * - TLS 1.2, once the version is negotiated (requireRecordVersion): every
   *   record carries it, else protocol_version (RFC 5246 §6.2.1, OpenSSL).
   */
  private checkRecordVersion(type: number, version: number): void {
    if (version >> 8 !== ProtocolVersion.TLSv1_2 >> 8) throw new TLSError('protocol_version', `wrong version number: record header says ${hex4(version)}`);
    if (this.exactVersion !== null && version !== this.exactVersion) {
      throw new TLSError('protocol_version', `wrong version number: record header says ${hex4(version)}, the negotiated version is 0x${this.exactVersion.toString(16)}`);
    }
    const protectedTls13 = this.readDirection.kind === 'tls13' && type === ContentType.application_data;
    if (protectedTls13 && version !== ProtocolVersion.TLSv1_2) throw new TLSError('decode_error', `wrong version number: protected TLS 1.3 record says ${hex4(version)}, not 0x0303 (RFC 8446 §5.2)`);
  }

  /** TLS 1.2, once negotiated: from the next record on every record must carry `version` (see checkRecordVersion). */
  requireRecordVersion(version: number): void {
    this.exactVersion = version;
  }

  private checkDroppableCcs(body: Buffer): void {
    if (this.ccsPolicy !== 'drop-once') {
      throw new TLSError('unexpected_message', 'change_cipher_spec record received where TLS 1.3 does not allow one');
    }
    if (body.length !== 1 || body[0] !== CCS_VALUE) {
      throw new TLSError('unexpected_message', 'change_cipher_spec record must be the single byte 0x01 (RFC 8446 §5)');
    }
    if (this.ccsDropped > 0) throw new TLSError('unexpected_message', 'second change_cipher_spec record during the TLS 1.3 handshake');
  }

  /** RFC 8446 §5.1 / §5.4 / §6 content checks on the (inner) record. */
  private checkContent(plain: PlainRecord, kind: ProtectionKind): void {
    if (!isContentType(plain.type)) throw new TLSError('unexpected_message', `protected record of unknown inner content type ${plain.type}`);
    if (kind === 'tls13' && plain.type === ContentType.change_cipher_spec) {
      throw new TLSError('unexpected_message', 'protected change_cipher_spec record (RFC 8446 §5)');
    }
    if (plain.payload.length === 0 && plain.type !== ContentType.application_data) {
      throw new TLSError('unexpected_message', `zero-length ${typeName(plain.type)} record (RFC 8446 §5.1)`);
    }
    if (plain.type === ContentType.alert && plain.payload.length !== ALERT_LENGTH) {
      throw new TLSError('decode_error', `alert record of ${plain.payload.length} bytes; an alert record holds exactly one 2-byte alert (RFC 8446 §6)`);
    }
  }
}
