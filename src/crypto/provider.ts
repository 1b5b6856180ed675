/**
 * The crypto provider interface: every cryptographic primitive sslsock uses,
 * behind one synchronous interface. Nothing outside `src/crypto/` imports
 * `node:crypto`; everything above asks a `CryptoProvider`.
 *
 * Algorithms are named in neutral terms (not TLS code points): the TLS
 * registries map their code points onto these names.
 */

/** Raised for every failure inside the provider. `code` says what failed. */
export type CryptoErrorCode =
  | 'bad_tag' // AEAD authentication failed (becomes bad_record_mac upstream)
  | 'bad_key' // malformed / unsupported key material (private, public or symmetric)
  | 'bad_public_value' // key-exchange peer value: wrong length, not on curve, infinity, all-zero X25519 output
  | 'bad_signature_encoding' // signature that cannot be parsed (e.g. non-DER ECDSA)
  | 'bad_password' // encrypted private key: missing or wrong password
  | 'unsupported' // algorithm / curve / hash not supported
  | 'bad_argument' // caller passed something of the wrong size or kind
  | 'worker_failed'; // the seal worker (seal-pool.ts) failed or died before finishing a job

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type HashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export type AeadAlgorithm = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';

/**
 * Key-exchange groups. Public values use TLS encodings: raw 32 / 56 bytes for
 * X25519 / X448, uncompressed SEC1 points (0x04||X||Y) for the NIST curves, and
 * for the X25519MLKEM768 hybrid (draft-ietf-tls-ecdhe-mlkem) the ML-KEM-768
 * part first: encapsulation key || X25519 value from the initiator,
 * ciphertext || X25519 value from the responder, secret ML-KEM || X25519.
 */
export type KeyExchangeGroup = 'X25519' | 'X448' | 'P-256' | 'P-384' | 'P-521' | 'X25519MLKEM768';

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/** A signature algorithm, independent of TLS code points. */
export type SignatureAlgorithm =
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm } // DER-encoded (r,s) as TLS and X.509 use
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm; readonly saltLength: number } // MGF1 with the same hash
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'ed25519' };

/** A prepared AEAD key for one direction: the key is imported once, seal/open per record. */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly keyLength: number;
  readonly nonceLength: number; // 12
  readonly tagLength: number; // 16
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer;
  /**
   * Seals the concatenation of `plaintextParts` and writes ciphertext || tag
   * into `out` at `offset`; returns the bytes written (total plaintext + tag).
   * Lets a record layer seal content and a trailer (TLS 1.3's inner content
   * type and padding) without joining them first, straight into its output
   * buffer. Throws CryptoError('bad_argument') when `out` is too small.
   */
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintextParts: readonly Uint8Array[], out: Uint8Array, offset: number): number;
  /** Input is ciphertext || tag. Throws CryptoError('bad_tag') when authentication fails. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Buffer;
}

/** Incremental hash; `digest()` does not finalise, so a transcript can be hashed at every step. */
export interface Hash {
  readonly algorithm: HashAlgorithm;
  readonly outputLength: number;
  update(data: Uint8Array): this;
  /** Digest of everything so far; the hash can keep being updated afterwards. */
  digest(): Buffer;
  /** An independent copy with the same state. */
  clone(): Hash;
}

/** An ephemeral key-exchange private key. */
export interface KeyExchange {
  readonly group: KeyExchangeGroup;
  /** Our public value in TLS encoding. */
  readonly publicKey: Buffer;
  /** Validates the peer's public value and returns the shared secret (X coordinate for ECDH). Throws CryptoError('bad_public_value'). */
  deriveSharedSecret(peerPublicKey: Uint8Array): Buffer;
}

/** The responder's half of a key exchange (TLS server): its public value (a KEM ciphertext for ML-KEM) and the shared secret. */
export interface KeyExchangeResponse {
  readonly publicKey: Buffer;
  readonly sharedSecret: Buffer;
}

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519';

export interface PublicKey {
  readonly type: KeyType;
  /** For 'ec' keys. */
  readonly curve: EcCurve | null;
  /** Modulus bits (RSA), field bits (EC), 256 (Ed25519). */
  readonly bits: number;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Buffer;
  /** False for a signature that does not verify or cannot be parsed; throws CryptoError('unsupported') when the algorithm does not fit the key. */
  verify(algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): boolean;
  /** True when both are the same key. */
  equals(other: PublicKey): boolean;
}

export interface PrivateKey {
  readonly type: KeyType;
  readonly curve: EcCurve | null;
  readonly bits: number;
  readonly publicKey: PublicKey;
  sign(algorithm: SignatureAlgorithm, data: Uint8Array): Buffer;
  /** PKCS#8 PEM; encrypted (AES-256-CBC, PBKDF2) when a password is given. */
  toPem(password?: string | Uint8Array): string;
  /** Unencrypted PKCS#8 DER. */
  toDer(): Buffer;
}

export type KeyGenSpec =
  | { readonly type: 'rsa'; readonly bits: number }
  | { readonly type: 'ec'; readonly curve: EcCurve }
  | { readonly type: 'ed25519' };

export interface CryptoProvider {
  readonly name: string;

  randomBytes(n: number): Buffer;
  /** Constant-time equality; false for different lengths. */
  constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean;

  hashLength(algorithm: HashAlgorithm): number;
  createHash(algorithm: HashAlgorithm): Hash;
  hash(algorithm: HashAlgorithm, data: Uint8Array): Buffer;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Buffer;
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Buffer;
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Buffer;

  createAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey;

  /** Whether this provider can run `group` here (ML-KEM needs a node:crypto that has it). */
  supportsKeyExchange(group: KeyExchangeGroup): boolean;
  /** A fresh ephemeral key pair: the initiator's (TLS client's) side. */
  generateKeyExchange(group: KeyExchangeGroup): KeyExchange;
  /**
   * The responder's (TLS server's) side against the initiator's public value:
   * for Diffie-Hellman groups a fresh key pair and the derived secret, for a
   * KEM an encapsulation. Throws CryptoError('bad_public_value') for an invalid peer value.
   */
  respondKeyExchange(group: KeyExchangeGroup, peerPublicKey: Uint8Array): KeyExchangeResponse;
  /** A key pair from a known private value (raw bytes for X25519/X448, the scalar for NIST curves; not for the hybrid): for tests and trace reproduction. */
  importKeyExchange(group: KeyExchangeGroup, privateKey: Uint8Array): KeyExchange;

  /** PEM (PKCS#8, encrypted PKCS#8, traditional RSA/EC, encrypted traditional) or DER PKCS#8. Throws CryptoError('bad_password') / ('bad_key'). */
  importPrivateKey(data: string | Uint8Array, password?: string | Uint8Array): PrivateKey;
  /** DER SubjectPublicKeyInfo. Throws CryptoError('bad_key'). */
  importPublicKey(spki: Uint8Array): PublicKey;
  generateSigningKey(spec: KeyGenSpec): PrivateKey;
}
