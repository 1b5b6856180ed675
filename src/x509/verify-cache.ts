/**
 * Verified peer chains remembered per SSL context: a client meets the same
 * server chain on every connection (and a server the same client chains),
 * and building and checking it again — issuer lookup, extensions, purpose,
 * key sizes, name constraints — costs as much as a signature.
 *
 * What makes a remembered result safe to reuse:
 * - the key is everything the result depends on besides time and name: the
 *   exact DER of every certificate the peer sent, the trust store (its
 *   identity and its generation, bumped on every addition), the verify
 *   flags, purpose, depth, security level and host-check flags (name
 *   constraints read them);
 * - only successes are kept; a hit still checks the host name / IP and the
 *   validity period of every certificate against now, and anything but a
 *   pass there goes through full verification again, so every failure is
 *   reported exactly as a fresh verification reports it;
 * - CRL checking (VERIFY_CRL_CHECK_*) or extra CRLs bypass the cache;
 * - the bound (LRU) keeps memory flat whatever peers send.
 * (One difference that remains: when the store holds several issuers with
 * the same name and different validity periods, a fresh build at a later
 * time might prefer another valid issuer; the remembered chain is then still
 * a valid chain to a trusted anchor.)
 */
import { RecentMap, bytesKey } from '../crypto/recent.js';
import type { Certificate } from './certificate.js';
import type { CertFacts } from './cert-facts.js';

/** Entries per context: enough for the distinct peers a context talks to; each holds one chain's parsed certificates. */
export const VERIFIED_CHAINS_PER_CONTEXT = 128;

/** What a cached result depends on besides the peer's certificates. */
export interface VerifyCacheParams {
  readonly store: object | null;
  /** The store's generation; a store without one is never cached against. */
  readonly storeGeneration: number | undefined;
  readonly flags: number;
  readonly purpose: string | null;
  readonly maxDepth: number;
  readonly authLevel: number;
  readonly hostFlags: number;
}

const storeIds = new WeakMap<object, number>();
let nextStoreId = 1;

function storeId(store: object | null): number {
  if (store === null) return 0;
  let id = storeIds.get(store);
  if (id === undefined) storeIds.set(store, (id = nextStoreId++));
  return id;
}

export class VerifiedChainCache {
  private readonly entries: RecentMap<readonly CertFacts[]>;

  constructor(capacity: number = VERIFIED_CHAINS_PER_CONTEXT) {
    this.entries = new RecentMap(capacity);
  }

  /** The key for a peer chain under these parameters, or null when such a verification must not be cached. */
  keyFor(chain: readonly (Uint8Array | Certificate)[], p: VerifyCacheParams): string | null {
    if (p.store !== null && p.storeGeneration === undefined) return null;
    let key = `${storeId(p.store)}:${p.storeGeneration ?? 0}:${p.flags}:${p.purpose}:${p.maxDepth}:${p.authLevel}:${p.hostFlags}`;
    for (const c of chain) {
      const der = c instanceof Uint8Array ? c : c.raw;
      // Length-prefixed, so no two different lists of certificates give the same key.
      key += `|${der.length}:${bytesKey(der)}`;
    }
    return key;
  }

  get(key: string): readonly CertFacts[] | undefined {
    return this.entries.get(key);
  }

  /** Records a chain that verified (never a failure). */
  remember(key: string, chain: readonly CertFacts[]): void {
    this.entries.set(key, chain);
  }

  get size(): number {
    return this.entries.size;
  }
}
