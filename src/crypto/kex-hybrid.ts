/**
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3): ML-KEM-768 (FIPS 203) run
 * beside X25519, each half's output concatenated with the ML-KEM part first:
 *   initiator value  = ML-KEM encapsulation key (1184) || X25519 public (32)
 *   responder value  = ML-KEM ciphertext (1088)        || X25519 public (32)
 *   shared secret    = ML-KEM shared secret (32)       || X25519 secret (32)
 * Only where node:crypto has ML-KEM (Node 24+, OpenSSL 3.5); feature-detected.
 */
import * as nodeCrypto from 'node:crypto';
import { MLKEM768, MONTGOMERY } from './algorithms.js';
import { guard, requireBytes } from './errors.js';
import { generateEncodingPublic, generateMontgomery, type MontgomeryKeyExchange } from './kex-dh.js';
import { CryptoError, type KeyExchange, type KeyExchangeResponse } from './provider.js';

/** node:crypto's KEM functions (Node ≥ 24.7); absent from older Node and its typings. */
interface NodeKem {
  encapsulate(key: nodeCrypto.KeyObject): { sharedKey: Buffer; ciphertext: Buffer };
  decapsulate(key: nodeCrypto.KeyObject, ciphertext: Uint8Array): Buffer;
}

const X25519_LENGTH = MONTGOMERY.X25519.keyLength;
const INITIATOR_LENGTH = MLKEM768.encapsulationKeyLength + X25519_LENGTH;
const RESPONDER_LENGTH = MLKEM768.ciphertextLength + X25519_LENGTH;

let available: boolean | undefined;

function nodeKem(): NodeKem | null {
  const kem = nodeCrypto as unknown as Partial<NodeKem>;
  return typeof kem.encapsulate === 'function' && typeof kem.decapsulate === 'function' ? (kem as NodeKem) : null;
}

/** True when node:crypto can generate ML-KEM-768 keys and encapsulate/decapsulate (checked once). */
export function mlkemAvailable(): boolean {
  if (available === undefined) {
    try {
      available = nodeKem() !== null && generateMlkemKey() !== null;
    } catch {
      available = false;
    }
  }
  return available;
}

/** The decapsulation key, and the encapsulation key as SPKI DER encoded by the generation itself (see generateMontgomery: no export() on a new key). */
function generateMlkemKey(): { readonly privateKey: nodeCrypto.KeyObject; readonly spki: Buffer } {
  const { privateKey, publicKey } = generateEncodingPublic<Buffer>(MLKEM768.nodeType, { format: 'der', type: 'spki' });
  return { privateKey, spki: publicKey };
}

function kem(): NodeKem {
  const k = nodeKem();
  if (k === null) throw new CryptoError('unsupported', 'node:crypto here has no ML-KEM');
  return k;
}

function checkLength(value: unknown, expected: number, what: string): Uint8Array {
  const bytes = requireBytes(value, what);
  if (bytes.length !== expected) throw new CryptoError('bad_public_value', `${what} must be ${expected} bytes, got ${bytes.length}`);
  return bytes;
}

export function generateHybrid(): KeyExchange {
  const { privateKey, spki } = guard('unsupported', 'ML-KEM-768 key generation', generateMlkemKey);
  return new X25519MLKEM768KeyExchange(privateKey, spki, generateMontgomery('X25519'));
}

/** The responder: encapsulate to the initiator's ML-KEM key, and answer its X25519 value with a fresh one. */
export function respondHybrid(peerPublicKey: Uint8Array): KeyExchangeResponse {
  const peer = checkLength(peerPublicKey, INITIATOR_LENGTH, 'X25519MLKEM768 peer value');
  const ek = peer.subarray(0, MLKEM768.encapsulationKeyLength);
  // Importing runs FIPS 203 §7.2's encapsulation-key check (every coefficient < q).
  const publicKey = guard('bad_public_value', 'ML-KEM-768 encapsulation key (invalid)', () =>
    nodeCrypto.createPublicKey({ key: Buffer.concat([MLKEM768.spkiPrefix, ek]), format: 'der', type: 'spki' }),
  );
  const { sharedKey, ciphertext } = guard('bad_public_value', 'ML-KEM-768 encapsulation', () => kem().encapsulate(publicKey));
  const x25519 = generateMontgomery('X25519');
  const classical = x25519.deriveSharedSecret(peer.subarray(MLKEM768.encapsulationKeyLength));
  return { publicKey: Buffer.concat([ciphertext, x25519.publicKey]), sharedSecret: Buffer.concat([sharedKey, classical]) };
}

class X25519MLKEM768KeyExchange implements KeyExchange {
  readonly group = 'X25519MLKEM768' as const;
  readonly publicKey: Buffer;

  constructor(
    private readonly decapsulationKey: nodeCrypto.KeyObject,
    spki: Buffer,
    private readonly x25519: MontgomeryKeyExchange,
  ) {
    if (spki.length !== MLKEM768.spkiPrefix.length + MLKEM768.encapsulationKeyLength) throw new CryptoError('bad_key', `ML-KEM-768 key generation gave a ${spki.length}-byte SPKI`);
    this.publicKey = Buffer.concat([spki.subarray(MLKEM768.spkiPrefix.length), x25519.publicKey]);
  }

  deriveSharedSecret(peerPublicKey: Uint8Array): Buffer {
    const peer = checkLength(peerPublicKey, RESPONDER_LENGTH, 'X25519MLKEM768 peer value');
    // A tampered ciphertext does not fail here (FIPS 203 implicit rejection): it yields an
    // unrelated secret, so the handshake fails at Finished.
    const pq = guard('bad_public_value', 'ML-KEM-768 decapsulation', () =>
      kem().decapsulate(this.decapsulationKey, peer.subarray(0, MLKEM768.ciphertextLength)),
    );
    const classical = this.x25519.deriveSharedSecret(peer.subarray(MLKEM768.ciphertextLength));
    return Buffer.concat([pq, classical]);
  }
}
