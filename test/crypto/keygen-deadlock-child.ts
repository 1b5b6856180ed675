/**
 * Run by keygen-deadlock.test.ts in a process of its own: makes key shares
 * and signing keys through the provider, reading their public values, under
 * steady allocation (so GCs fall inside those calls), and prints how many
 * it made. It hangs, rather than fails, if node deadlocks.
 */
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { keySharePool } from '../../src/crypto/keyshare-pool.js';

const [shares, signingKeys, pooledShares] = process.argv.slice(2).map(Number) as [number, number, number];
const peer = provider.generateKeyExchange('X25519');
const junk: string[] = new Array(8);
let made = 0;
for (let i = 0; i < shares; i++) {
  const k = provider.generateKeyExchange('X25519');
  if (k.deriveSharedSecret(peer.publicKey).length !== 32) throw new Error('X25519 secret length');
  for (let j = 0; j < 20; j++) junk[j & 7] = 'x'.repeat(100 + j) + i;
  made++;
}
for (let i = 0; i < signingKeys; i++) {
  const key = provider.generateSigningKey({ type: 'ec', curve: 'P-256' });
  if (key.publicKey.spki.length === 0 || key.toDer().length === 0) throw new Error("empty SPKI or PKCS#8");
  for (let j = 0; j < 20; j++) junk[j & 7] = 'y'.repeat(100 + j) + i;
  made++;
}
// Shares from the thread pool (keyshare-pool.ts): the loop yields to the event loop so that
// generations complete, and their keys are used under the same allocation pressure.
let fromPool = 0;
for (let i = 0; i < pooledShares; i++) {
  if (i % 2 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  if (keySharePool('x25519').size > 0) fromPool++;
  const k = provider.generateKeyExchange('X25519');
  if (k.deriveSharedSecret(peer.publicKey).length !== 32) throw new Error('X25519 secret length');
  for (let j = 0; j < 20; j++) junk[j & 7] = 'z'.repeat(100 + j) + i;
  made++;
}
process.stdout.write(`${made} ${fromPool}\n`);
