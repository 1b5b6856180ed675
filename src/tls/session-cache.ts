/**
 * The server's TLS 1.2 session cache (RFC 5246 §7.4.1.2, §F.1.4): sessions
 * named by the 32-byte session id of their ServerHello, kept so a client
 * offering that id can resume them with an abbreviated handshake.
 *
 * Bounded in entries and in time, as OpenSSL's internal cache: at most
 * `maxEntries` sessions (SSL_SESSION_CACHE_MAX_SIZE_DEFAULT, 20480), each
 * for `timeoutSeconds` from its creation (the session timeout: 7200 s, as
 * OpenSSL's tls1_default_timeout and so Python's `SSLSession.timeout`).
 * Sessions are kept in creation order, which with one timeout is their
 * expiry order (OpenSSL 3 sorts its cache by expiry): adding a session first
 * drops the expired ones at the head, then evicts the oldest while the cache
 * is full (OpenSSL's `cache_full` count). A resumption does not extend a
 * session's life (RFC 5246 §F.1.4 bounds it from its creation).
 *
 * Owned by whoever configures servers (Python's SSLContext); the engine reads
 * no clock of its own, so the owner passes one.
 */
import { TLSError } from './errors.js';
import type { TicketState12 } from './tickets.js';

/** OpenSSL's SSL_SESSION_CACHE_MAX_SIZE_DEFAULT. */
export const DEFAULT_SESSION_CACHE_SIZE = 20480;
/** OpenSSL's tls1_default_timeout (what Python reports as `SSLSession.timeout`). */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 7200;

export interface SessionCacheOptions {
  readonly maxEntries?: number;
  readonly timeoutSeconds?: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** Whether a session (cached or sealed in a ticket) has outlived its lifetime, or claims to come from the future. */
export function sessionExpired(state: TicketState12, now: number): boolean {
  const age = now - state.issuedAt;
  return age < 0 || age > state.lifetime * 1000;
}

/** What a lookup found: the session, none under that id, or one that had expired (and is now forgotten). */
export type CacheLookup = TicketState12 | 'unknown' | 'expired';

export class SessionCache12 {
  private _maxEntries: number;
  private _timeoutSeconds: number;
  /** Hex session id → session, oldest first. */
  private readonly entries = new Map<string, TicketState12>();
  /** Sessions evicted because the cache was full (OpenSSL's sess_cache_full). */
  evictions = 0;

  constructor(private readonly options: SessionCacheOptions) {
    this._maxEntries = checkPositive(options.maxEntries ?? DEFAULT_SESSION_CACHE_SIZE, 'session cache size');
    this._timeoutSeconds = checkPositive(options.timeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS, 'session timeout');
  }

  now(): number {
    return this.options.now();
  }

  /** Sessions held, expired ones not yet dropped included (OpenSSL's SSL_CTX_sess_number). */
  get size(): number {
    return this.entries.size;
  }

  get maxEntries(): number {
    return this._maxEntries;
  }
  /** A smaller bound applies from the next session added. */
  set maxEntries(value: number) {
    this._maxEntries = checkPositive(value, 'session cache size');
  }

  /** The lifetime of sessions added from now on. */
  get timeoutSeconds(): number {
    return this._timeoutSeconds;
  }
  set timeoutSeconds(value: number) {
    this._timeoutSeconds = checkPositive(value, 'session timeout');
  }

  /** Stores a session under its id (the caller stamps `issuedAt` and `lifetime`). */
  add(id: Buffer, state: TicketState12): void {
    if (id.length === 0) return;
    const now = this.now();
    for (const [key, s] of this.entries) {
      if (!sessionExpired(s, now)) break;
      this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size < this._maxEntries) break;
      this.entries.delete(key);
      this.evictions++;
    }
    this.entries.set(id.toString('hex'), state);
  }

  /** The session named by a ClientHello's session id; an expired one is removed. */
  lookup(id: Buffer): CacheLookup {
    const key = id.toString('hex');
    const state = this.entries.get(key);
    if (state === undefined) return 'unknown';
    if (!sessionExpired(state, this.now())) return state;
    this.entries.delete(key);
    return 'expired';
  }

  /** Forgets a session (one that can no longer be resumed). */
  remove(id: Buffer): void {
    this.entries.delete(id.toString('hex'));
  }
}

function checkPositive(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new TLSError('internal_error', `${what} must be a positive integer, not ${value}`);
  return value;
}
