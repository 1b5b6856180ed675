/**
 * The node:crypto (OpenSSL) implementation of the crypto provider. Each
 * family of primitives lives in its own module; this class only wires them
 * to the interface. Every method either returns or throws CryptoError.
 */
import { NodeAeadKey } from './aead.js';
import { hashInfo } from './algorithms.js';
import { NodeHash, constantTimeEqual, hash, hkdfExpand, hkdfExtract, hmac, randomBytes } from './hash.js';
import { generateKeyExchange, importKeyExchange, respondKeyExchange, supportsKeyExchange } from './kex.js';
import { generateSigningKey, importPrivateKey, importPublicKey } from './keys.js';
import type {
  AeadAlgorithm,
  AeadKey,
  CryptoProvider,
  Hash,
  HashAlgorithm,
  KeyExchange,
  KeyExchangeGroup,
  KeyExchangeResponse,
  KeyGenSpec,
  PrivateKey,
  PublicKey,
} from './provider.js';

export class NodeCryptoProvider implements CryptoProvider {
  readonly name = 'node';

  randomBytes(n: number): Buffer {
    return randomBytes(n);
  }

  constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
    return constantTimeEqual(a, b);
  }

  hashLength(algorithm: HashAlgorithm): number {
    return hashInfo(algorithm).outputLength;
  }

  createHash(algorithm: HashAlgorithm): Hash {
    return NodeHash.create(algorithm);
  }

  hash(algorithm: HashAlgorithm, data: Uint8Array): Buffer {
    return hash(algorithm, data);
  }

  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Buffer {
    return hmac(algorithm, key, data);
  }

  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Buffer {
    return hkdfExtract(algorithm, salt, ikm);
  }

  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
    return hkdfExpand(algorithm, prk, info, length);
  }

  createAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    return new NodeAeadKey(algorithm, key);
  }

  supportsKeyExchange(group: KeyExchangeGroup): boolean {
    return supportsKeyExchange(group);
  }

  respondKeyExchange(group: KeyExchangeGroup, peerPublicKey: Uint8Array): KeyExchangeResponse {
    return respondKeyExchange(group, peerPublicKey);
  }

  generateKeyExchange(group: KeyExchangeGroup): KeyExchange {
    return generateKeyExchange(group);
  }

  importKeyExchange(group: KeyExchangeGroup, privateKey: Uint8Array): KeyExchange {
    return importKeyExchange(group, privateKey);
  }

  importPrivateKey(data: string | Uint8Array, password?: string | Uint8Array): PrivateKey {
    return importPrivateKey(data, password);
  }

  importPublicKey(spki: Uint8Array): PublicKey {
    return importPublicKey(spki);
  }

  generateSigningKey(spec: KeyGenSpec): PrivateKey {
    return generateSigningKey(spec);
  }
}
