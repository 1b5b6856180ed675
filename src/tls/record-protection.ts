/**
 * Record protection for one direction of a connection: the AEAD key, the
 * IV and the 64-bit sequence number (a `Direction`, Go's `halfConn`), and
 * sealing / opening of single records for TLS 1.3 (RFC 8446 §5.2–5.3) and
 * TLS 1.2 AEAD suites (RFC 5246 §6.2.3.3, RFC 5288 for GCM, RFC 7905 for
 * ChaCha20-Poly1305). `record.ts` owns framing and queues and is the only
 * user of this file; handshake code talks to `RecordLayer`.
 */
import { CryptoError, type AeadKey, type CryptoProvider } from '../crypto/provider.js';
import { TLSError } from './errors.js';
import { ContentType } from './registry/content-types.js';
import { ProtocolVersion } from './registry/versions.js';
import type { CipherSuite } from './registry/suites.js';

/** RFC 8446 §5.1: type(1) || legacy_record_version(2) || length(2). */
export const RECORD_HEADER_LENGTH = 5;
/** RFC 8446 §5.1 / RFC 5246 §6.2.1: at most 2^14 bytes of plaintext per record. */
export const MAX_PLAINTEXT_LENGTH = 2 ** 14;
/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
export const MAX_CIPHERTEXT_LENGTH_TLS13 = 2 ** 14 + 256;
/** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048. */
export const MAX_CIPHERTEXT_LENGTH_TLS12 = 2 ** 14 + 2048;
/** RFC 8446 §5.4: the encoded TLSInnerPlaintext (content || type || zeros) MUST NOT exceed 2^14 + 1. */
export const MAX_INNER_PLAINTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 1;
/** RFC 5116 / RFC 8446 §5.3: every AEAD we use has a 16-byte tag and a 12-byte nonce. */
export const AEAD_TAG_LENGTH = 16;
export const AEAD_NONCE_LENGTH = 12;
/** RFC 5288 §3: TLS 1.2 GCM nonce = salt (4, implicit) || nonce_explicit (8, in the record). */
export const GCM12_EXPLICIT_NONCE_LENGTH = 8;
/** RFC 5246 §6.2.3.3: additional_data = seq_num(8) || type(1) || version(2) || length(2). */
const TLS12_AAD_LENGTH = 13;
/**
 * RFC 8446 §5.5: AES-GCM keys must not protect more than 2^24.5 full-size
 * records; we ask for a KeyUpdate at 2^24 to leave room for the records in
 * flight. ChaCha20-Poly1305's limit exceeds 2^64, i.e. the sequence space.
 */
export const AES_GCM_KEY_UPDATE_THRESHOLD = 2 ** 24;

const UINT32 = 2 ** 32;
const UINT32_MAX = UINT32 - 1;

export type ProtectionKind = 'none' | 'tls13' | 'tls12';

/**
 * One side of the record layer (reading or writing): cipher state and the
 * sequence number. The sequence number is kept as two uint32 halves so the
 * nonce is computed in place (iv XOR seq, RFC 8446 §5.3) without BigInt or
 * allocation per record, and the full 64-bit range is honoured.
 */
export class Direction {
  kind: ProtectionKind = 'none';
  suite: CipherSuite | null = null;
  aead: AeadKey | null = null;
  /** Reused for every record: the AEAD copies it when the cipher is created. */
  readonly nonce: Buffer;
  /** TLS 1.2 additional data, reused per record. */
  private readonly aad12: Buffer;
  private ivHi = 0;
  private ivLo = 0;
  private seqHi = 0;
  private seqLo = 0;
  /** Set once sequence number 2^64-1 has been used: the next record would wrap (RFC 8446 §5.3). */
  private exhausted = false;

  constructor(readonly name: 'read' | 'write') {
    // Both in one small buffer: an ArrayBuffer less per direction.
    const scratch = Buffer.alloc(AEAD_NONCE_LENGTH + TLS12_AAD_LENGTH);
    this.nonce = scratch.subarray(0, AEAD_NONCE_LENGTH);
    this.aad12 = scratch.subarray(AEAD_NONCE_LENGTH);
  }

  /** TLS 1.3: `iv` is the 12-byte write IV from the key schedule. Resets the sequence number. */
  setKey13(provider: CryptoProvider, suite: CipherSuite, key: Uint8Array, iv: Uint8Array): void {
    if (suite.version !== 'TLSv1.3') throw new TLSError('internal_error', `${suite.ianaName} is not a TLS 1.3 suite`);
    if (iv.length !== AEAD_NONCE_LENGTH) throw new TLSError('internal_error', `TLS 1.3 IV must be ${AEAD_NONCE_LENGTH} bytes, got ${iv.length}`);
    this.install(provider, suite, key, 'tls13');
    this.nonce.set(iv, 0);
    this.captureIv();
  }

  /**
   * TLS 1.2: `fixedIv` is the implicit part from the key block: the 4-byte
   * salt for GCM (RFC 5288), the 12-byte IV for ChaCha20 (RFC 7905). Resets
   * the sequence number (a new epoch starts at ChangeCipherSpec).
   */
  setKey12(provider: CryptoProvider, suite: CipherSuite, key: Uint8Array, fixedIv: Uint8Array): void {
    if (suite.version !== 'TLSv1.2') throw new TLSError('internal_error', `${suite.ianaName} is not a TLS 1.2 suite`);
    if (fixedIv.length !== suite.fixedIvLength) throw new TLSError('internal_error', `${suite.ianaName} fixed IV must be ${suite.fixedIvLength} bytes, got ${fixedIv.length}`);
    this.install(provider, suite, key, 'tls12');
    this.nonce.fill(0);
    this.nonce.set(fixedIv, 0);
    this.captureIv();
  }

  private install(provider: CryptoProvider, suite: CipherSuite, key: Uint8Array, kind: ProtectionKind): void {
    if (key.length !== suite.keyLength) throw new TLSError('internal_error', `${suite.ianaName} key must be ${suite.keyLength} bytes, got ${key.length}`);
    this.aead = provider.createAead(suite.aead, key);
    this.suite = suite;
    this.kind = kind;
    this.seqHi = 0;
    this.seqLo = 0;
    this.exhausted = false;
  }

  /** The nonce's last 8 bytes are rewritten per record; remember the IV's. */
  private captureIv(): void {
    this.ivHi = this.nonce.readUInt32BE(4);
    this.ivLo = this.nonce.readUInt32BE(8);
  }

  /** The sequence number of the next record in this direction. */
  get sequence(): bigint {
    return (BigInt(this.seqHi) << 32n) | BigInt(this.seqLo);
  }

  /** Records protected under the current key (the sequence number as a double; exact below 2^53). */
  get recordCount(): number {
    return this.seqHi * UINT32 + this.seqLo;
  }

  /** Sets the next sequence number. For tests (exhaustion, nonce layout) and nothing else. */
  setSequence(seq: bigint): void {
    if (seq < 0n || seq > 0xffffffffffffffffn) throw new TLSError('internal_error', `sequence number ${seq} out of range`);
    this.seqHi = Number(seq >> 32n);
    this.seqLo = Number(seq & 0xffffffffn);
    this.exhausted = false;
  }

  /** True when the current write key should be replaced (RFC 8446 §5.5). */
  get needsKeyUpdate(): boolean {
    return this.needsKeyUpdateAt(this.recordCount);
  }

  /** needsKeyUpdate once `records` records have been protected under the current key. */
  needsKeyUpdateAt(records: number): boolean {
    if (this.kind !== 'tls13' || this.suite === null || this.suite.aead === 'CHACHA20-POLY1305') return false;
    return records >= AES_GCM_KEY_UPDATE_THRESHOLD;
  }

  /** Fails when the sequence number space is used up; called before every protected or plain record. */
  checkSequence(): void {
    if (this.exhausted) {
      throw new TLSError(this.name === 'read' ? 'unexpected_message' : 'internal_error', `${this.name} sequence number would wrap past 2^64-1 (RFC 8446 §5.3)`);
    }
  }

  /** Moves to the next sequence number. */
  advance(): void {
    if (this.seqLo === UINT32_MAX) {
      if (this.seqHi === UINT32_MAX) {
        this.exhausted = true;
        return;
      }
      this.seqLo = 0;
      this.seqHi++;
    } else {
      this.seqLo++;
    }
  }

  /** RFC 8446 §5.3 / RFC 7905 §2: nonce = iv XOR (64-bit seq left-padded to 12 bytes). Writes into `this.nonce`. */
  xorNonce(): Buffer {
    this.nonce.writeUInt32BE((this.ivHi ^ this.seqHi) >>> 0, 4);
    this.nonce.writeUInt32BE((this.ivLo ^ this.seqLo) >>> 0, 8);
    return this.nonce;
  }

  /** Writes seq_num (8 bytes, big-endian) at `out[offset]`. */
  writeSequence(out: Buffer, offset: number): void {
    out.writeUInt32BE(this.seqHi, offset);
    out.writeUInt32BE(this.seqLo, offset + 4);
  }

  /** RFC 5246 §6.2.3.3 additional data for the current sequence number. */
  tls12Aad(type: number, version: number, plaintextLength: number): Buffer {
    this.writeSequence(this.aad12, 0);
    this.aad12[8] = type;
    this.aad12.writeUInt16BE(version, 9);
    this.aad12.writeUInt16BE(plaintextLength, 11);
    return this.aad12;
  }
}

/** RFC 8446 §5.2: what a TLS 1.3 record adds to its content beyond the header: the inner content type, the padding, the tag. */
export function tls13Overhead(padding: number): number {
  return 1 + padding + AEAD_TAG_LENGTH;
}

/** Bytes a protected record adds to its content, beyond the header (for sizing). */
export function recordOverhead(dir: Direction, padding: number): number {
  switch (dir.kind) {
    case 'none':
      return 0;
    case 'tls13':
      return tls13Overhead(padding);
    case 'tls12':
      return dir.suite!.explicitNonceLength + AEAD_TAG_LENGTH;
  }
}

/** Bytes of a whole record (header included) carrying `contentLength` bytes of content under `dir`. */
export function sealedRecordLength(dir: Direction, contentLength: number, padding: number): number {
  return RECORD_HEADER_LENGTH + contentLength + recordOverhead(dir, padding);
}

function writeHeader(out: Buffer, offset: number, type: number, version: number, length: number): void {
  out[offset] = type;
  out.writeUInt16BE(version, offset + 1);
  out.writeUInt16BE(length, offset + 3);
}

/**
 * TLS 1.3 (RFC 8446 §5.2): lays out at `out[offset]` one record to be sealed
 * in place — the header (application_data, 0x0303: also the additional
 * data), then TLSInnerPlaintext = content || type || `padding` zeros, where
 * its ciphertext goes; room for the tag must follow. Returns the
 * TLSInnerPlaintext's length. Shared by sealRecord and by the records laid
 * out for a worker to seal (RecordWriter.deferRecords).
 */
export function layOutRecord13(out: Buffer, offset: number, type: number, content: readonly Uint8Array[], contentLength: number, padding: number): number {
  const innerLength = contentLength + 1 + padding;
  writeHeader(out, offset, ContentType.application_data, ProtocolVersion.TLSv1_2, innerLength + AEAD_TAG_LENGTH);
  let at = offset + RECORD_HEADER_LENGTH;
  for (const part of content) {
    out.set(part, at);
    at += part.length;
  }
  out[at] = type;
  if (padding > 0) out.fill(0, at + 1, at + 1 + padding);
  return innerLength;
}

/**
 * Protects one record whose content is the concatenation of `content`
 * (`contentLength` bytes in all) and writes the whole record, header
 * included, into `out` at `offset`, which must have room for
 * `sealedRecordLength(dir, contentLength, padding)` bytes. Returns the bytes
 * written. The content is read straight from the caller's buffers — no
 * joining, no copy before sealing — and may be reused once this returns.
 */
export function sealRecord(
  dir: Direction,
  type: number,
  plaintextVersion: number,
  content: readonly Uint8Array[],
  contentLength: number,
  padding: number,
  out: Buffer,
  offset: number,
): number {
  dir.checkSequence();
  const body = offset + RECORD_HEADER_LENGTH;
  let bytes: number;
  switch (dir.kind) {
    case 'none': {
      writeHeader(out, offset, type, plaintextVersion, contentLength);
      let at = body;
      for (const part of content) {
        out.set(part, at);
        at += part.length;
      }
      bytes = at - offset;
      break;
    }
    case 'tls13': {
      // TLSInnerPlaintext is assembled where its ciphertext goes and sealed in place: one AEAD
      // update per record (a second one for the type byte costs more than copying the content).
      const innerLength = layOutRecord13(out, offset, type, content, contentLength, padding);
      const inner = out.subarray(body, body + innerLength);
      // The additional data is the header just written (RFC 8446 §5.2).
      bytes = RECORD_HEADER_LENGTH + dir.aead!.sealInto(dir.xorNonce(), out.subarray(offset, body), [inner], out, body);
      break;
    }
    case 'tls12': {
      const explicit = dir.suite!.explicitNonceLength;
      writeHeader(out, offset, type, ProtocolVersion.TLSv1_2, explicit + contentLength + AEAD_TAG_LENGTH);
      let nonce: Buffer;
      if (explicit > 0) {
        // RFC 5288 §3: nonce_explicit must never repeat under a key; the sequence number is the customary choice.
        dir.writeSequence(out, body);
        dir.nonce.set(out.subarray(body, body + explicit), dir.nonce.length - explicit);
        nonce = dir.nonce;
      } else {
        nonce = dir.xorNonce();
      }
      const aad = dir.tls12Aad(type, ProtocolVersion.TLSv1_2, contentLength);
      bytes = RECORD_HEADER_LENGTH + explicit + dir.aead!.sealInto(nonce, aad, content, out, body + explicit);
      break;
    }
  }
  dir.advance();
  return bytes;
}

/** An opened record: content type and plaintext content. */
export interface PlainRecord {
  readonly type: number;
  readonly payload: Buffer;
}

/**
 * Removes protection from one record: its 5-byte `header` (the TLS 1.3
 * additional data) and its `body`; `type` and `version` come from the header.
 * Throws TLSError(bad_record_mac) on authentication failure and
 * record_overflow / unexpected_message for RFC 8446 §5.2 / §5.4 violations.
 */
export function openRecord(dir: Direction, type: number, version: number, header: Buffer, body: Buffer): PlainRecord {
  dir.checkSequence();
  let result: PlainRecord;
  switch (dir.kind) {
    case 'none':
      result = { type, payload: body };
      break;
    case 'tls13': {
      const inner = openOrBadMac(dir, dir.xorNonce(), header, body);
      if (inner.length > MAX_INNER_PLAINTEXT_LENGTH) {
        throw new TLSError('record_overflow', `decrypted TLSInnerPlaintext of ${inner.length} bytes exceeds 2^14+1 (RFC 8446 §5.4)`);
      }
      // RFC 8446 §5.4: the content type is the last non-zero byte; all zeros is unexpected_message.
      let i = inner.length - 1;
      while (i >= 0 && inner[i] === 0) i--;
      if (i < 0) throw new TLSError('unexpected_message', 'protected record has no non-zero content type (all-zero TLSInnerPlaintext)');
      result = { type: inner[i]!, payload: inner.subarray(0, i) };
      break;
    }
    case 'tls12': {
      const explicit = dir.suite!.explicitNonceLength;
      const plaintextLength = body.length - explicit - AEAD_TAG_LENGTH;
      if (plaintextLength < 0) throw new TLSError('bad_record_mac', `TLS 1.2 record of ${body.length} bytes is too short for the nonce and tag`);
      let nonce: Buffer;
      if (explicit > 0) {
        dir.nonce.set(body.subarray(0, explicit), dir.nonce.length - explicit);
        nonce = dir.nonce;
      } else {
        nonce = dir.xorNonce();
      }
      const payload = openOrBadMac(dir, nonce, dir.tls12Aad(type, version, plaintextLength), body.subarray(explicit));
      if (payload.length > MAX_PLAINTEXT_LENGTH) throw new TLSError('record_overflow', `decrypted record of ${payload.length} bytes exceeds 2^14 (RFC 5246 §6.2.3)`);
      result = { type, payload };
      break;
    }
  }
  dir.advance();
  return result;
}

function openOrBadMac(dir: Direction, nonce: Buffer, aad: Buffer, ciphertext: Buffer): Buffer {
  try {
    return dir.aead!.open(nonce, aad, ciphertext);
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'bad_tag') {
      throw new TLSError('bad_record_mac', `record failed ${dir.suite!.aead} authentication`, false, { cause: e });
    }
    throw e;
  }
}
