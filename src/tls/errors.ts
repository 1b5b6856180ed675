import type { AlertName } from './registry/alerts.js';

/**
 * Every failure inside the engine. `alert` is the alert that was (or, for
 * `fromPeer`, that the peer) sent; `reason` says what happened in a few words
 * (e.g. 'ServerHello echoes a different legacy_session_id'). `src/ssl/errors.ts`
 * is the one place that turns these into Python's SSLError classes.
 */
export class TLSError extends Error {
  override readonly name = 'TLSError';
  constructor(
    /** The alert description involved. */
    readonly alert: AlertName,
    /** Human-readable reason; stable enough to test against. */
    readonly reason: string,
    /** True when the peer sent this alert to us; false when we detected the problem and alerted the peer. */
    readonly fromPeer = false,
    /** Extra structured detail, e.g. certificate verification result (verifyCode / verifyMessage). */
    readonly detail?: { readonly verifyCode?: number; readonly verifyMessage?: string; readonly cause?: unknown },
  ) {
    super(`${fromPeer ? 'received' : 'sent'} ${alert} alert: ${reason}`);
  }
}
