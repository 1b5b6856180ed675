/**
 * Diffie-Hellman key exchange: X25519 / X448 (RFC 7748) and ECDH over
 * P-256/P-384/P-521. Public values travel in TLS encodings (RFC 8446
 * §4.2.8.2): raw bytes for X25519/X448, uncompressed SEC 1 points for the
 * NIST curves.
 */
import * as nodeCrypto from 'node:crypto';
import { CURVES, MONTGOMERY, SEC1_UNCOMPRESSED } from './algorithms.js';
import { keySharePool } from './keyshare-pool.js';
import { guard, requireBytes, requireLength, view } from './errors.js';
import { CryptoError, type KeyExchange } from './provider.js';

export type MontgomeryGroup = 'X25519' | 'X448';
export type EcdhGroup = 'P-256' | 'P-384' | 'P-521';
export type DhGroup = MontgomeryGroup | EcdhGroup;

function isMontgomery(group: DhGroup): group is MontgomeryGroup {
  return group === 'X25519' || group === 'X448';
}

export function generateDh(group: DhGroup): KeyExchange {
  if (isMontgomery(group)) return generateMontgomery(group);
  const ecdh = guard('unsupported', `${group} key generation`, () => {
    const e = nodeCrypto.createECDH(CURVES[group].opensslName);
    e.generateKeys();
    return e;
  });
  return new EcdhKeyExchange(group, ecdh);
}

/**
 * The public value comes out of the generation itself (`publicKeyEncoding`),
 * never from `export()` on the new key afterwards: node (20.20 at least)
 * can deadlock there. export() holds the key's mutex while it allocates
 * the JWK's strings; an allocation may run a GC; the GC finalizes the
 * KeyGenJob that made the key, whose destructor takes the same mutex. A
 * loop of generateKeyPairSync + export hung within ~20,000 keys in two of
 * three runs here (main thread in ~KeyGenJob under ExportJWKEdKey); with
 * the encoding done inside the job, 1.8 million ran through
 * (test/crypto/keygen-deadlock.test.ts).
 *
 * Most shares come ready-made from the thread pool (keyshare-pool.ts); this
 * generates inline only when none is ready.
 */
export function generateMontgomery(group: MontgomeryGroup): MontgomeryKeyExchange {
  const type = MONTGOMERY[group].nodeType;
  const pooled = keySharePool(type).take();
  if (pooled !== undefined) return new MontgomeryKeyExchange(group, pooled.privateKey, pooled.publicJwk);
  const { privateKey, publicKey } = guard('unsupported', `${group} key generation`, () => generateEncodingPublic<nodeCrypto.JsonWebKey>(type, { format: 'jwk' }));
  return new MontgomeryKeyExchange(group, privateKey, publicKey);
}

/** generateKeyPairSync with only the public key encoded (node allows it; @types/node has no overload for it): the private key stays a KeyObject. */
export function generateEncodingPublic<P>(type: string, publicKeyEncoding: { format: 'jwk' } | { format: 'der'; type: 'spki' }): { privateKey: nodeCrypto.KeyObject; publicKey: P } {
  const generate = nodeCrypto.generateKeyPairSync as unknown as (type: string, options: object) => { privateKey: nodeCrypto.KeyObject; publicKey: P };
  return generate(type, { publicKeyEncoding });
}

export function importDh(group: DhGroup, privateKey: Uint8Array): KeyExchange {
  if (isMontgomery(group)) {
    const { keyLength, pkcs8Prefix } = MONTGOMERY[group];
    requireLength(privateKey, keyLength, `${group} private key`);
    const key = guard('bad_key', `${group} private key import`, () =>
      nodeCrypto.createPrivateKey({ key: Buffer.concat([pkcs8Prefix, privateKey]), format: 'der', type: 'pkcs8' }),
    );
    return new MontgomeryKeyExchange(group, key);
  }
  const { coordinateLength, opensslName } = CURVES[group];
  requireLength(privateKey, coordinateLength, `${group} private scalar`);
  // setPrivateKey rejects 0 and values ≥ n, and derives the public point.
  const ecdh = guard('bad_key', `${group} private scalar import`, () => {
    const e = nodeCrypto.createECDH(opensslName);
    e.setPrivateKey(view(privateKey));
    return e;
  });
  return new EcdhKeyExchange(group, ecdh);
}

/**
 * X25519/X448 keys cross the node:crypto boundary as JWK (RFC 8037 `OKP`), not
 * as DER SubjectPublicKeyInfo: OpenSSL 3 takes raw keys straight from a JWK but
 * runs its generic DER decoder/encoder for SPKI, which made import ~7× and
 * export ~3× slower than the X25519 operation itself (bench/tls-handshake:
 * key-share handling was ~12% of a handshake).
 */
export class MontgomeryKeyExchange implements KeyExchange {
  readonly publicKey: Buffer;

  constructor(
    readonly group: MontgomeryGroup,
    private readonly privateKey: nodeCrypto.KeyObject,
    /** The public key as generation encoded it; absent for an imported private key (no KeyGenJob: export is safe). */
    publicJwk?: nodeCrypto.JsonWebKey,
  ) {
    const jwk = publicJwk ?? guard('bad_key', `${group} public key export`, () => nodeCrypto.createPublicKey(privateKey).export({ format: 'jwk' }));
    this.publicKey = Buffer.from(jwk.x ?? '', 'base64url');
    const { keyLength } = MONTGOMERY[group];
    if (this.publicKey.length !== keyLength) throw new CryptoError('bad_key', `${group} public key export gave no ${keyLength}-byte key`);
  }

  deriveSharedSecret(peerPublicKey: Uint8Array): Buffer {
    const { keyLength } = MONTGOMERY[this.group];
    requireBytes(peerPublicKey, `${this.group} peer public value`);
    if (peerPublicKey.length !== keyLength) {
      throw new CryptoError('bad_public_value', `${this.group} public value must be ${keyLength} bytes, got ${peerPublicKey.length}`);
    }
    const secret = guard('bad_public_value', this.group, () => {
      const x = view(peerPublicKey).toString('base64url');
      const publicKey = nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: this.group, x }, format: 'jwk' });
      return nodeCrypto.diffieHellman({ privateKey: this.privateKey, publicKey });
    });
    // RFC 8446 §7.4.2 / RFC 7748 §6: an all-zero result means a low-order peer point; abort.
    // (OpenSSL 3 already refuses it; the check keeps the rule independent of the backend.)
    if (isAllZero(secret)) throw new CryptoError('bad_public_value', `${this.group} shared secret is all zero (low-order peer public value)`);
    return secret;
  }
}

class EcdhKeyExchange implements KeyExchange {
  readonly publicKey: Buffer;

  constructor(
    readonly group: EcdhGroup,
    private readonly ecdh: nodeCrypto.ECDH,
  ) {
    this.publicKey = guard('bad_key', `${group} public key export`, () => ecdh.getPublicKey(undefined, 'uncompressed'));
  }

  deriveSharedSecret(peerPublicKey: Uint8Array): Buffer {
    requireBytes(peerPublicKey, `${this.group} peer public value`);
    const expected = 1 + 2 * CURVES[this.group].coordinateLength;
    // RFC 8446 §4.2.8.2: only the uncompressed form is allowed; this also excludes the one-byte
    // encoding of the point at infinity.
    if (peerPublicKey.length !== expected || peerPublicKey[0] !== SEC1_UNCOMPRESSED) {
      throw new CryptoError(
        'bad_public_value',
        `${this.group} public value must be an uncompressed point of ${expected} bytes starting 0x04, got ${peerPublicKey.length} bytes starting 0x${(peerPublicKey[0] ?? 0).toString(16).padStart(2, '0')}`,
      );
    }
    // computeSecret decodes with EC_POINT_oct2point, which checks coordinates < p and that the point is on the curve.
    return guard('bad_public_value', `${this.group} ECDH (peer point invalid)`, () => this.ecdh.computeSecret(view(peerPublicKey)));
  }
}

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  // Indexed, not for…of: no iterator per shared secret.
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}
