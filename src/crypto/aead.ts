/**
 * AEAD record protection: AES-128/256-GCM and ChaCha20-Poly1305 (RFC 5116,
 * RFC 8439) over node:crypto. This is the record layer's hot path, so:
 * the key is imported once into a KeyObject (no per-record key parsing),
 * inputs are passed as views (no copies), `open` returns `update()`'s own
 * buffer, and `seal` copies `update()`'s output and the tag into a slice of
 * a shared slab (node:crypto has no "update into this buffer", so one copy
 * is unavoidable; the slab saves a 16 KiB ArrayBuffer allocation per record,
 * measured ~15-25% of seal time — see bench/crypto.ts). `sealInto` makes that
 * one copy the last: it writes into the caller's buffer (the record layer's
 * outgoing bytes), from plaintext given in parts so nothing is joined first.
 *
 * Consequence for callers: a sealed record is a Buffer view whose `.buffer`
 * is shared with other records (as with Node's own pooled small Buffers);
 * always honour `byteOffset`/`byteLength`. Slices are never reused.
 */
import * as nodeCrypto from 'node:crypto';
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, aeadInfo } from './algorithms.js';
import { asCryptoError, guard, requireBytes, requireLength, view } from './errors.js';
import { CryptoError, type AeadAlgorithm, type AeadKey } from './provider.js';

/**
 * @types/node types ChaCha20-Poly1305 ciphers separately from GCM ones, but at run
 * time both expose the same setAAD/getAuthTag/setAuthTag API with the options we pass;
 * typing every name as a GCM name keeps one code path.
 */
type NodeAeadName = nodeCrypto.CipherGCMTypes;

/** 256 KiB: fifteen full TLS records per ArrayBuffer, and a bound on the memory one retained record can pin. */
const SLAB_SIZE = 256 * 1024;
/** Larger outputs get their own allocation so a slab is never mostly wasted. */
const SLAB_MAX_SLICE = SLAB_SIZE / 8;
/** Slices start 8-byte aligned, like Node's pool, so typed-array views over them stay legal. */
const SLICE_ALIGN = 8;

/** A bump allocator over shared ArrayBuffers: memory is handed out once and freed by GC with the last view. */
class OutputSlab {
  private slab: ArrayBuffer | null = null;
  private offset = 0;

  take(length: number): Buffer {
    if (length > SLAB_MAX_SLICE) return Buffer.allocUnsafe(length);
    if (this.slab === null || this.offset + length > SLAB_SIZE) {
      this.slab = new ArrayBuffer(SLAB_SIZE);
      this.offset = 0;
    }
    const out = Buffer.from(this.slab, this.offset, length);
    this.offset += (length + SLICE_ALIGN - 1) & ~(SLICE_ALIGN - 1);
    return out;
  }
}

const sealOutput = new OutputSlab();
/** One options object for every cipher call (node reads it, never keeps it): none per key. */
const CIPHER_OPTIONS = { authTagLength: AEAD_TAG_LENGTH } as const;

export class NodeAeadKey implements AeadKey {
  readonly keyLength: number;
  readonly nonceLength = AEAD_NONCE_LENGTH;
  readonly tagLength = AEAD_TAG_LENGTH;
  private readonly nodeName: NodeAeadName;
  private readonly key: nodeCrypto.KeyObject;

  constructor(
    readonly algorithm: AeadAlgorithm,
    key: Uint8Array,
  ) {
    const info = aeadInfo(algorithm);
    requireLength(key, info.keyLength, `${algorithm} key`);
    this.keyLength = info.keyLength;
    this.nodeName = info.nodeName as NodeAeadName;
    // createSecretKey copies the bytes, so the caller may wipe or reuse its buffer.
    this.key = guard('bad_key', `${algorithm} key import`, () => nodeCrypto.createSecretKey(view(key)));
  }

  /** @internal ./seal-pool.ts: the cipher and the KeyObject, cloned to the seal worker (never the raw key bytes). */
  _forWorker(): { readonly name: string; readonly key: nodeCrypto.KeyObject } {
    return { name: this.nodeName, key: this.key };
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
    requireLength(nonce, AEAD_NONCE_LENGTH, `${this.algorithm} nonce`);
    requireBytes(aad, `${this.algorithm} additional data`);
    requireBytes(plaintext, `${this.algorithm} plaintext`);
    try {
      const cipher = nodeCrypto.createCipheriv(this.nodeName, this.key, nonce, CIPHER_OPTIONS);
      cipher.setAAD(aad);
      const body = cipher.update(plaintext);
      cipher.final(); // GCM and ChaCha20-Poly1305 are stream modes: final() emits nothing, it computes the tag
      const tag = cipher.getAuthTag();
      const out = sealOutput.take(body.length + AEAD_TAG_LENGTH);
      out.set(body, 0);
      out.set(tag, body.length);
      return out;
    } catch (e) {
      throw asCryptoError(e, 'bad_argument', `${this.algorithm} seal`);
    }
  }

  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintextParts: readonly Uint8Array[], out: Uint8Array, offset: number): number {
    requireLength(nonce, AEAD_NONCE_LENGTH, `${this.algorithm} nonce`);
    requireBytes(aad, `${this.algorithm} additional data`);
    requireBytes(out, `${this.algorithm} output`);
    let total = 0;
    for (const part of plaintextParts) {
      requireBytes(part, `${this.algorithm} plaintext`);
      total += part.length;
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + total + AEAD_TAG_LENGTH > out.length) {
      throw new CryptoError('bad_argument', `${this.algorithm} sealInto: ${total + AEAD_TAG_LENGTH} bytes do not fit at offset ${offset} of a ${out.length}-byte output`);
    }
    try {
      const cipher = nodeCrypto.createCipheriv(this.nodeName, this.key, nonce, CIPHER_OPTIONS);
      cipher.setAAD(aad);
      let at = offset;
      for (const part of plaintextParts) {
        if (part.length === 0) continue;
        // Stream modes: each update() returns exactly as many bytes as it was given.
        const chunk = cipher.update(part);
        out.set(chunk, at);
        at += chunk.length;
      }
      cipher.final();
      out.set(cipher.getAuthTag(), at);
      return at + AEAD_TAG_LENGTH - offset;
    } catch (e) {
      throw asCryptoError(e, 'bad_argument', `${this.algorithm} seal`);
    }
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Buffer {
    requireLength(nonce, AEAD_NONCE_LENGTH, `${this.algorithm} nonce`);
    requireBytes(aad, `${this.algorithm} additional data`);
    requireBytes(ciphertextAndTag, `${this.algorithm} ciphertext`);
    if (ciphertextAndTag.length < AEAD_TAG_LENGTH) {
      // Too short to hold a tag: for the record layer this is an authentication failure, not a caller bug.
      throw new CryptoError('bad_tag', `${this.algorithm} ciphertext of ${ciphertextAndTag.length} bytes is shorter than the ${AEAD_TAG_LENGTH}-byte tag`);
    }
    const bodyLength = ciphertextAndTag.length - AEAD_TAG_LENGTH;
    let decipher: nodeCrypto.DecipherGCM;
    let plaintext: Buffer;
    try {
      decipher = nodeCrypto.createDecipheriv(this.nodeName, this.key, nonce, CIPHER_OPTIONS);
      decipher.setAuthTag(ciphertextAndTag.subarray(bodyLength));
      decipher.setAAD(aad);
      plaintext = decipher.update(ciphertextAndTag.subarray(0, bodyLength));
    } catch (e) {
      throw asCryptoError(e, 'bad_argument', `${this.algorithm} open`);
    }
    try {
      decipher.final();
    } catch {
      // OpenSSL reports only "unable to authenticate data"; never release the unauthenticated plaintext.
      plaintext.fill(0);
      throw new CryptoError('bad_tag', `${this.algorithm} authentication tag mismatch`);
    }
    return plaintext;
  }
}
