/**
 * The write half of the record layer (RFC 8446 §5; RFC 5246 §6): content is
 * coalesced into records of one type, fragmented at 2^14 bytes, padded as
 * the policy says (TLS 1.3), sealed under the write key and framed into an
 * output arena. `RecordLayer` (record.ts) adds the read half; see there for
 * how the two are driven.
 */
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import { allocateArena, handOut, type ArenaOwner } from './arena-pool.js';
import { TLSError } from './errors.js';
import { ContentType, isContentType } from './registry/content-types.js';
import type { CipherSuite } from './registry/suites.js';
import { ProtocolVersion } from './registry/versions.js';
import { AEAD_TAG_LENGTH, Direction, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH, layOutRecord13, sealRecord, sealedRecordLength, tls13Overhead, type ProtectionKind } from './record-protection.js';

/** TLS 1.3 application-data records laid out by `deferRecords`, for someone else to seal, in this order. */
export interface DeferredRecords {
  /** The write key they must be sealed with. */
  readonly aead: AeadKey;
  readonly count: number;
  /** Bytes of the layout (headers, contents, inner types, tag room). */
  readonly length: number;
  /** Each record's nonce, 12 bytes each (RFC 8446 §5.3). */
  readonly nonces: Buffer;
}

/** Bytes `deferRecords` lays out for `n` bytes of application data: per record a header, the inner content type and the tag. */
export function deferredLength(n: number): number {
  return n + Math.ceil(n / MAX_PLAINTEXT_LENGTH) * (RECORD_HEADER_LENGTH + tls13Overhead(0));
}

/** Zero bytes of padding to add to a TLS 1.3 record carrying `contentLength` bytes of `type` (RFC 8446 §5.4). Clamped to the record limit. */
export type PaddingPolicy = (type: number, contentLength: number) => number;

export interface RecordLayerOptions {
  readonly provider: CryptoProvider;
  /** TLS 1.3 record padding; default none. */
  readonly padding?: PaddingPolicy;
}

/**
 * Outgoing records are sealed straight into an arena; takeOutgoing() hands
 * out the filled part as one view (no concatenation). An arena serves one
 * batch (the bytes between two takeOutgoing calls): it is sized for the
 * largest batch seen so far, so a batch rarely has to be moved to stay
 * contiguous, and it is let go at takeOutgoing, so a connection holds no
 * output buffer between batches — an idle connection pins nothing, and a
 * small batch comes from Node's shared pool (below 4 KiB). A consumer that
 * knows when a batch's bytes have left (the SSLSocket pump) gives its arena
 * back with `recycleOutgoing()` (./arena-pool.ts).
 */
const MIN_ARENA = 512;
const MAX_ARENA = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export class RecordWriter {
  /** Write-side protection state. */
  readonly writeDirection = new Direction('write');

  protected readonly provider: CryptoProvider;
  private readonly padding: PaddingPolicy | null;

  // Content not yet sealed (same type), and sealed records in
  // `arena[outStart, outEnd)`; bytes before outStart belong to whoever took them.
  /** Content written but not yet sealed (copies, joined only by sealing), pendingLength bytes in all. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private pendingType = 0;
  private arena: Buffer = EMPTY;
  private outStart = 0;
  private outEnd = 0;
  /** The largest batch taken so far (bytes), for sizing arenas. */
  private maxBatch = 0;
  private plaintextVersion: number = ProtocolVersion.TLSv1_2;
  /** Records written in total, across keys. */
  protected recordsWritten = 0;
  /** Told by arena-pool when an arena of ours was recycled (a pump gives them back). A token of its own, so a handed-out arena pins nothing of the connection. */
  private readonly arenaOwner: ArenaOwner = { arenasComeBack: false };

  constructor(options: RecordLayerOptions) {
    this.provider = options.provider;
    this.padding = options.padding ?? null;
  }

  /** TLS 1.3: seals pending writes under the old key, then switches. Resets the write sequence number. */
  setWriteKey(suite: CipherSuite, key: Uint8Array, iv: Uint8Array): void {
    this.flush();
    this.writeDirection.setKey13(this.provider, suite, key, iv);
  }

  /** TLS 1.2 (after sending ChangeCipherSpec). */
  setWriteKey12(suite: CipherSuite, key: Uint8Array, fixedIv: Uint8Array): void {
    this.flush();
    this.writeDirection.setKey12(this.provider, suite, key, fixedIv);
  }

  get writeProtection(): ProtectionKind {
    return this.writeDirection.kind;
  }

  /** Sequence number of the next record sealed under the current key (pending writes not yet sealed are not counted). */
  get writeSeq(): bigint {
    return this.writeDirection.sequence;
  }

  /** True when the write key has protected enough AES-GCM records that a KeyUpdate is due (RFC 8446 §5.5). */
  get writeNeedsKeyUpdate(): boolean {
    return this.writeDirection.needsKeyUpdate;
  }

  /**
   * Version in the header of unprotected records written from now on
   * (default 0x0303; a client may use 0x0301 for its initial ClientHello,
   * RFC 8446 §5.1). Pending writes are sealed first.
   */
  setPlaintextRecordVersion(version: number): void {
    this.flush();
    this.plaintextVersion = version;
  }

  /**
   * Queues `data` as records of `type`: fragmented at 2^14 bytes, coalesced
   * with earlier pending writes of the same type, sealed with the current
   * write key. An empty `data` writes nothing. With `now`, everything is
   * sealed at once (write + flush) and a last partial record is sealed
   * straight from `data` rather than copied to wait for more: for callers
   * that take the output right away (an SSLObject flushes every write).
   */
  write(type: number, data: Uint8Array, now = false): void {
    if (!isContentType(type)) throw new TLSError('internal_error', `cannot write a record of unknown content type ${type}`);
    if (data.length === 0) return;
    if (this.pendingLength > 0 && this.pendingType !== type) this.flush();
    this.pendingType = type;
    let offset = 0;
    if (this.pendingLength > 0) {
      // Top up the partial record; if that fills it, seal pending || data directly, without joining them.
      offset = Math.min(MAX_PLAINTEXT_LENGTH - this.pendingLength, data.length);
      if (this.pendingLength + offset === MAX_PLAINTEXT_LENGTH) {
        this.seal([...this.pending, data.subarray(0, offset)], MAX_PLAINTEXT_LENGTH);
        this.pending = [];
        this.pendingLength = 0;
      } else {
        this.pending.push(Buffer.from(data.subarray(0, offset)));
        this.pendingLength += offset;
      }
    }
    // Full records are sealed from the caller's buffer at once; only a tail is copied to wait for more.
    for (; data.length - offset >= MAX_PLAINTEXT_LENGTH; offset += MAX_PLAINTEXT_LENGTH) {
      this.seal([data.subarray(offset, offset + MAX_PLAINTEXT_LENGTH)], MAX_PLAINTEXT_LENGTH);
    }
    if (offset < data.length) {
      if (now) {
        this.seal([data.subarray(offset)], data.length - offset);
      } else {
        this.pending = [Buffer.from(data.subarray(offset))];
        this.pendingLength = data.length - offset;
      }
    }
    // RFC 8446 §5.1 / §6: alerts are never coalesced; a ChangeCipherSpec stands alone too.
    if (now || type === ContentType.alert || type === ContentType.change_cipher_spec) this.flush();
  }

  /**
   * Makes room in the output for `contentLength` bytes of content about to
   * be written with `write(type, data, true)`: one arena of the exact size
   * (sealing then never moves records, nor reserves the 2x a growing batch
   * gets). Only a hint; sealing still makes room as it goes.
   */
  expectWrite(contentLength: number): void {
    if (contentLength <= 0 || this.padding !== null || this.pendingLength > 0) return;
    const records = Math.ceil(contentLength / MAX_PLAINTEXT_LENGTH);
    this.reserve(contentLength + records * sealedRecordLength(this.writeDirection, 0, 0), true, true);
  }

  /** Queues several application-data chunks, coalesced into full records. */
  writeBatch(chunks: readonly Uint8Array[], type: number = ContentType.application_data): void {
    for (const c of chunks) this.write(type, c);
  }

  /**
   * Protection done elsewhere (a worker), TLS 1.3 application data only:
   * lays `data` out in `out` at `offset` as records for someone else to seal
   * in place — per record its header (the additional data), the content, the
   * inner content type (RFC 8446 §5.2, no padding) and room for the tag,
   * `deferredLength(data.length)` bytes in all — and hands out their nonces.
   * Their sequence numbers are taken now, after everything sealed so far
   * (pending content is sealed first), so they must reach the peer after
   * what takeOutgoing() returns now and before what it returns later. Returns
   * null, taking nothing, when this key cannot be handed out (not TLS 1.3,
   * a padding policy, `accepts` refuses the key, or no data).
   */
  deferRecords(data: Uint8Array, out: Uint8Array, offset: number, accepts: (aead: AeadKey) => boolean): DeferredRecords | null {
    const dir = this.writeDirection;
    if (dir.kind !== 'tls13' || this.padding !== null || data.length === 0 || !accepts(dir.aead!)) return null;
    const length = deferredLength(data.length);
    if (offset < 0 || offset + length > out.length) throw new TLSError('internal_error', `${length} bytes of deferred records do not fit at ${offset} of ${out.length}`);
    this.flush();
    const count = Math.ceil(data.length / MAX_PLAINTEXT_LENGTH);
    // Its own small ArrayBuffer: posting a view of Node's shared pool would clone all 8 KiB of it.
    const nonces = Buffer.from(new ArrayBuffer(count * dir.nonce.length));
    const view = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    let at = offset;
    for (let i = 0; i < count; i++) {
      dir.checkSequence();
      const content = data.subarray(i * MAX_PLAINTEXT_LENGTH, (i + 1) * MAX_PLAINTEXT_LENGTH);
      at += RECORD_HEADER_LENGTH + layOutRecord13(view, at, ContentType.application_data, [content], content.length, 0) + AEAD_TAG_LENGTH;
      nonces.set(dir.xorNonce(), i * dir.nonce.length);
      dir.advance();
      this.recordsWritten++;
    }
    return { aead: dir.aead!, count, length, nonces };
  }

  /** Seals any pending content into a record now. */
  flush(): void {
    if (this.pendingLength > 0) this.sealPending();
  }

  private sealPending(): void {
    this.seal(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
  }

  /** Seals one record of `pendingType` whose content is `content` (contentLength bytes) into the arena. */
  private seal(content: readonly Uint8Array[], contentLength: number): void {
    const dir = this.writeDirection;
    let padding = 0;
    if (this.padding !== null && dir.kind === 'tls13') {
      const wanted = this.padding(this.pendingType, contentLength);
      padding = Number.isInteger(wanted) && wanted > 0 ? Math.min(wanted, MAX_PLAINTEXT_LENGTH - contentLength) : 0;
    }
    this.reserve(sealedRecordLength(dir, contentLength, padding));
    this.outEnd += sealRecord(dir, this.pendingType, this.plaintextVersion, content, contentLength, padding, this.arena, this.outEnd);
    this.recordsWritten++;
  }

  /**
   * Makes room for `n` more bytes after outEnd, moving the untaken records to a new arena if needed
   * (`exact`: no more than that). `bulk`: application data, whose batches are sized by the largest
   * seen; an alert or a handshake message after a 1 MiB write gets an arena of its own size.
   */
  private reserve(n: number, exact = false, bulk = this.pendingType === ContentType.application_data): void {
    if (this.outEnd + n <= this.arena.length) return;
    const need = this.outEnd - this.outStart + n;
    const untaken = need - n;
    // Roomy: the largest batch seen (or twice what a growing batch needs), so any later batch fits
    // a recycled arena and a batch is rarely moved. Exact: what this batch needs, when it is known.
    const roomy = Math.max(exact ? need : 2 * need, MIN_ARENA, bulk ? Math.min(MAX_ARENA, this.maxBatch) : 0);
    // (Roomy too where arenas come back, exact or not: a pump recycles them, one roomy arena serves every batch.)
    const next = allocateArena(exact && !this.arenaOwner.arenasComeBack ? Math.max(need, MIN_ARENA) : roomy);
    // Rare (once per arena): the records not yet taken must stay contiguous with the new one.
    if (untaken > 0) this.arena.copy(next, 0, this.outStart, this.outEnd);
    this.arena = next;
    this.outStart = 0;
    this.outEnd = untaken;
  }

  /** True when there is anything to send (sealed or pending). */
  get hasOutgoing(): boolean {
    return this.outEnd > this.outStart || this.pendingLength > 0;
  }

  /** All pending ciphertext as one Buffer (empty when none), after sealing pending writes. A view of the arena; never written again. */
  takeOutgoing(): Buffer {
    this.flush();
    if (this.outEnd === this.outStart) return EMPTY;
    const out = this.arena.subarray(this.outStart, this.outEnd);
    handOut(this.arena, out, this.arenaOwner);
    this.maxBatch = Math.max(this.maxBatch, out.length);
    this.arena = EMPTY;
    this.outStart = 0;
    this.outEnd = 0;
    return out;
  }

  /** All pending ciphertext as a list of Buffers in order (for writev-style sinks); at most one, as records are sealed contiguously. */
  takeOutgoingChunks(): Buffer[] {
    const out = this.takeOutgoing();
    return out.length === 0 ? [] : [out];
  }
}
