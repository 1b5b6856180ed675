import type { CryptoProvider, Hash, HashAlgorithm } from '../crypto/provider.js';
import { HandshakeType } from './registry/handshake-types.js';

/**
 * The handshake transcript (RFC 8446 §4.4.1). Messages are buffered until the
 * suite (and so the hash) is known: the client sends its ClientHello before
 * the server picks a suite.
 */
export class Transcript {
  private pending: Buffer[] = [];
  private hash: Hash | null = null;
  /**
   * Every message as added, kept until the hash is fixed and afterwards only
   * on request: a TLS 1.2 CertificateVerify signs the messages themselves, not
   * their hash (RFC 5246 §7.4.8).
   */
  private all: Buffer[] | null = [];
  /**
   * The digest of the transcript as it stands, until the next message: a
   * handshake asks twice for the same one (a Finished is verified, then the
   * traffic secrets derived, over the same messages). Readers only read it.
   */
  private last: Buffer | null = null;

  constructor(private readonly provider: CryptoProvider) {}

  /** Adds one whole handshake message (4-byte header included). */
  add(message: Uint8Array): void {
    this.last = null;
    // Once the hash runs and no message is kept, the bytes are hashed at once: no copy needed.
    if (this.hash !== null && this.all === null) {
      this.hash.update(message);
      return;
    }
    const m = Buffer.from(message);
    this.all?.push(m);
    if (this.hash) this.hash.update(m);
    else this.pending.push(m);
  }

  /** Fixes the hash algorithm once the suite is known; buffered messages are hashed now. `keepMessages` for messages() (TLS 1.2). */
  start(algorithm: HashAlgorithm, keepMessages = false): void {
    if (!keepMessages) this.all = null;
    if (this.hash) return;
    this.hash = this.provider.createHash(algorithm);
    for (const m of this.pending) this.hash.update(m);
    this.pending = [];
  }

  get started(): boolean {
    return this.hash !== null;
  }

  /** Hash of every message so far (`Transcript-Hash(...)`). */
  digest(): Buffer {
    if (!this.hash) throw new Error('transcript hash requested before the suite was chosen');
    return (this.last ??= this.hash.digest());
  }

  /** An independent copy: post-handshake authentication continues the handshake transcript once per request (RFC 8446 §4.4.1). */
  fork(): Transcript {
    const t = new Transcript(this.provider);
    t.pending = [...this.pending];
    t.hash = this.hash ? this.hash.clone() : null;
    return t;
  }

  /**
   * Hash of the transcript so far followed by `extra`, without adding it:
   * the PSK binder's Transcript-Hash(Truncate(ClientHello)) (RFC 8446 §4.2.11.2).
   */
  digestWith(algorithm: HashAlgorithm, extra: Uint8Array): Buffer {
    if (this.hash) return this.hash.clone().update(extra).digest();
    return this.provider.hash(algorithm, Buffer.concat([...this.pending, extra]));
  }

  /** The concatenation of every message added so far (RFC 5246 §7.4.8 `handshake_messages`). */
  messages(): Buffer {
    if (this.all === null) throw new Error('transcript messages were not kept (start(hash, true))');
    return Buffer.concat(this.all);
  }

  /**
   * RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by a
   * synthetic message_hash message carrying Hash(ClientHello1). Call with only
   * ClientHello1 in the transcript, before adding the HelloRetryRequest.
   */
  replaceWithMessageHash(algorithm: HashAlgorithm): void {
    const inner = this.hash ? this.hash.digest() : this.provider.hash(algorithm, Buffer.concat(this.pending));
    const header = Buffer.from([HandshakeType.message_hash, 0, 0, inner.length]);
    this.last = null;
    this.hash = this.provider.createHash(algorithm);
    this.pending = [];
    this.hash.update(header).update(inner);
  }
}
