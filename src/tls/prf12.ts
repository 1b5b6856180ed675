/**
 * TLS 1.2 key derivation (RFC 5246 §5, §6.3, §7.4.9; RFC 7627; RFC 5705),
 * for the ECDHE + AEAD suites we support:
 *
 * ```ts
 * const ms = extendedMasterSecret(provider, suite.hash, preMasterSecret, sessionHash); // RFC 7627 (always used)
 * const kb = keyBlock12(provider, suite, ms, clientRandom, serverRandom);
 * record.setWriteKey12(suite, kb.clientWriteKey, kb.clientWriteIv);  // client side
 * const vd = finishedVerifyData12(provider, suite.hash, ms, 'client', transcriptHash);  // 12 bytes
 * ```
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { TLSError } from './errors.js';
import type { KeyLogCallback } from './keyschedule.js';
import type { CipherSuite } from './registry/suites.js';

/** RFC 5246 §8.1: the master secret is always 48 bytes. */
export const MASTER_SECRET_LENGTH = 48;
/** RFC 5246 §7.4.9: verify_data_length for all our suites. */
export const VERIFY_DATA_LENGTH_12 = 12;
/** RFC 5246 §7.4.1.2: client and server random. */
export const RANDOM_LENGTH = 32;

/** RFC 5246 / RFC 7627 / RFC 5705 PRF labels. */
const Labels = {
  masterSecret: 'master secret',
  extendedMasterSecret: 'extended master secret',
  keyExpansion: 'key expansion',
  clientFinished: 'client finished',
  serverFinished: 'server finished',
} as const;

/** RFC 5705 §4: labels an exporter must not use because TLS itself uses them. */
export const RESERVED_EXPORTER_LABELS: ReadonlySet<string> = new Set(Object.values(Labels));

/** RFC 5705 §4: context_value_length is a uint16. */
const MAX_EXPORTER_CONTEXT_LENGTH = 0xffff;

function ascii(s: string): Buffer {
  return Buffer.from(s, 'ascii');
}

/**
 * RFC 5246 §5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) || HMAC(secret, A(2) + seed) || …,
 * A(0) = seed, A(i) = HMAC(secret, A(i-1)); PRF(secret, label, seed) = P_<hash>(secret, label || seed).
 */
export function prf12(provider: CryptoProvider, hash: HashAlgorithm, secret: Uint8Array, label: string | Uint8Array, seed: Uint8Array, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0) throw new TLSError('internal_error', `PRF output length ${length} is invalid`);
  const labelBytes = typeof label === 'string' ? ascii(label) : label;
  const labelSeed = Buffer.concat([labelBytes, seed]);
  const out = Buffer.allocUnsafe(length);
  let a: Buffer = labelSeed;
  let filled = 0;
  while (filled < length) {
    a = provider.hmac(hash, secret, a);
    const block = provider.hmac(hash, secret, Buffer.concat([a, labelSeed]));
    filled += block.copy(out, filled, 0, Math.min(block.length, length - filled));
  }
  return out;
}

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]. */
export function masterSecret(provider: CryptoProvider, hash: HashAlgorithm, preMasterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, keyLog?: KeyLogCallback): Buffer {
  checkRandoms(clientRandom, serverRandom);
  const ms = prf12(provider, hash, preMasterSecret, Labels.masterSecret, Buffer.concat([clientRandom, serverRandom]), MASTER_SECRET_LENGTH);
  keyLog?.('CLIENT_RANDOM', ms);
  return ms;
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * session_hash = Hash(handshake messages up to and including ClientKeyExchange).
 */
export function extendedMasterSecret(provider: CryptoProvider, hash: HashAlgorithm, preMasterSecret: Uint8Array, sessionHash: Uint8Array, keyLog?: KeyLogCallback): Buffer {
  const ms = prf12(provider, hash, preMasterSecret, Labels.extendedMasterSecret, sessionHash, MASTER_SECRET_LENGTH);
  keyLog?.('CLIENT_RANDOM', ms);
  return ms;
}

/** The AEAD key block (no MAC keys): RFC 5246 §6.3 order client key, server key, client IV, server IV. */
export interface KeyBlock12 {
  readonly clientWriteKey: Buffer;
  readonly serverWriteKey: Buffer;
  /** The implicit IV: 4-byte salt for GCM (RFC 5288), 12 bytes for ChaCha20 (RFC 7905). */
  readonly clientWriteIv: Buffer;
  readonly serverWriteIv: Buffer;
}

/** RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random). */
export function keyBlock12(provider: CryptoProvider, suite: CipherSuite, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): KeyBlock12 {
  if (suite.version !== 'TLSv1.2') throw new TLSError('internal_error', `${suite.ianaName} is not a TLS 1.2 suite`);
  checkRandoms(clientRandom, serverRandom);
  const k = suite.keyLength;
  const iv = suite.fixedIvLength;
  const block = prf12(provider, suite.hash, master, Labels.keyExpansion, Buffer.concat([serverRandom, clientRandom]), 2 * k + 2 * iv);
  return {
    clientWriteKey: block.subarray(0, k),
    serverWriteKey: block.subarray(k, 2 * k),
    clientWriteIv: block.subarray(2 * k, 2 * k + iv),
    serverWriteIv: block.subarray(2 * k + iv, 2 * k + 2 * iv),
  };
}

/** RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]. */
export function finishedVerifyData12(provider: CryptoProvider, hash: HashAlgorithm, master: Uint8Array, sender: 'client' | 'server', transcriptHash: Uint8Array): Buffer {
  return prf12(provider, hash, master, sender === 'client' ? Labels.clientFinished : Labels.serverFinished, transcriptHash, VERIFY_DATA_LENGTH_12);
}

/** Checks a received TLS 1.2 Finished in constant time. */
export function verifyFinished12(provider: CryptoProvider, hash: HashAlgorithm, master: Uint8Array, sender: 'client' | 'server', transcriptHash: Uint8Array, received: Uint8Array): boolean {
  return provider.constantTimeEqual(finishedVerifyData12(provider, hash, master, sender, transcriptHash), received);
}

/**
 * RFC 5705 §4: PRF(master_secret, label, client_random + server_random [+ uint16 context_length + context]).
 * `context` null means "no context", which differs from an empty one in TLS 1.2.
 */
export function exportKeyingMaterial12(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | null,
  length: number,
): Buffer {
  if (RESERVED_EXPORTER_LABELS.has(label)) throw new TLSError('internal_error', `exporter label "${label}" is reserved by TLS (RFC 5705 §4)`);
  checkRandoms(clientRandom, serverRandom);
  const parts: Uint8Array[] = [clientRandom, serverRandom];
  if (context !== null) {
    if (context.length > MAX_EXPORTER_CONTEXT_LENGTH) throw new TLSError('internal_error', `exporter context of ${context.length} bytes exceeds 65535`);
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(context.length, 0);
    parts.push(len, context);
  }
  return prf12(provider, hash, master, label, Buffer.concat(parts), length);
}

function checkRandoms(clientRandom: Uint8Array, serverRandom: Uint8Array): void {
  if (clientRandom.length !== RANDOM_LENGTH || serverRandom.length !== RANDOM_LENGTH) {
    throw new TLSError('internal_error', `client/server random must be ${RANDOM_LENGTH} bytes, got ${clientRandom.length}/${serverRandom.length}`);
  }
}
