/**
 * Ephemeral key exchange for TLS: which implementation serves each group, and
 * the responder's side (generate-and-derive for Diffie-Hellman, encapsulate
 * for the ML-KEM hybrid).
 */
import { KEY_EXCHANGE_GROUPS } from './algorithms.js';
import { generateDh, importDh } from './kex-dh.js';
import { generateHybrid, mlkemAvailable, respondHybrid } from './kex-hybrid.js';
import { CryptoError, type KeyExchange, type KeyExchangeGroup, type KeyExchangeResponse } from './provider.js';

export function supportsKeyExchange(group: KeyExchangeGroup): boolean {
  if (!KEY_EXCHANGE_GROUPS.has(group)) return false;
  return group === 'X25519MLKEM768' ? mlkemAvailable() : true;
}

function checkGroup(group: KeyExchangeGroup): void {
  if (!supportsKeyExchange(group)) {
    const why = KEY_EXCHANGE_GROUPS.has(group) ? ' (node:crypto here has no ML-KEM-768)' : '';
    throw new CryptoError('unsupported', `unsupported key exchange group ${String(group)}${why}`);
  }
}

export function generateKeyExchange(group: KeyExchangeGroup): KeyExchange {
  checkGroup(group);
  return group === 'X25519MLKEM768' ? generateHybrid() : generateDh(group);
}

export function importKeyExchange(group: KeyExchangeGroup, privateKey: Uint8Array): KeyExchange {
  checkGroup(group);
  if (group === 'X25519MLKEM768') throw new CryptoError('unsupported', 'importing an X25519MLKEM768 private key is not supported');
  return importDh(group, privateKey);
}

export function respondKeyExchange(group: KeyExchangeGroup, peerPublicKey: Uint8Array): KeyExchangeResponse {
  checkGroup(group);
  if (group === 'X25519MLKEM768') return respondHybrid(peerPublicKey);
  const mine = generateDh(group);
  return { publicKey: mine.publicKey, sharedSecret: mine.deriveSharedSecret(peerPublicKey) };
}
