import { TLSError } from './errors.js';
import { AlertLevel, alertName } from './registry/alerts.js';
import { ContentType } from './registry/content-types.js';

/** OpenSSL's MAX_EMPTY_RECORDS: empty records in a row before SSL_R_RECORD_TOO_SMALL. */
export const MAX_EMPTY_RECORDS = 32;
/** OpenSSL's MAX_WARN_ALERT_COUNT: the 5th non-fatal alert in a row is SSL_R_TOO_MANY_WARN_ALERTS. */
export const MAX_WARN_ALERT_COUNT = 5;
/** BoringSSL's kMaxKeyUpdates: KeyUpdates without application data between them. */
export const MAX_KEY_UPDATES = 32;

/**
 * Counters that stop a peer from keeping us busy without making progress:
 * records that carry nothing (empty application data), non-fatal alerts and
 * KeyUpdates, each refused past a limit with unexpected_message as OpenSSL
 * (and BoringSSL, for KeyUpdate) do. Also classifies incoming alerts.
 */
export class InboundLimits {
  private emptyRecords = 0;
  private warnAlerts = 0;
  private keyUpdates = 0;

  /** Every record read, before it is processed. */
  record(type: number, length: number): void {
    if (length === 0) {
      if (++this.emptyRecords > MAX_EMPTY_RECORDS) throw new TLSError('unexpected_message', 'record too small');
      return;
    }
    this.emptyRecords = 0;
    if (type !== ContentType.alert) this.warnAlerts = 0;
    if (type === ContentType.application_data) this.keyUpdates = 0;
  }

  /** Each KeyUpdate received. */
  keyUpdate(): void {
    if (++this.keyUpdates > MAX_KEY_UPDATES) throw new TLSError('unexpected_message', 'too many key updates');
  }

  /**
   * One alert record's payload: returns true for close_notify, false for an
   * alert that leaves the connection up (user_canceled; a TLS 1.2 warning);
   * throws for the rest (fromPeer) and for the MAX_WARN_ALERT_COUNT-th
   * non-fatal one in a row (ours: unexpected_message).
   */
  alert(fragment: Buffer, tls12: boolean): boolean {
    // RFC 8446 §5.1 / §6: one alert per record, exactly two bytes.
    if (fragment.length !== 2) throw new TLSError('decode_error', `alert record of ${fragment.length} bytes`);
    const level = fragment[0]!;
    const code = fragment[1]!;
    const name = alertName(code);
    if (level !== AlertLevel.warning && level !== AlertLevel.fatal) throw new TLSError('illegal_parameter', `alert with unknown level ${level}`);
    if (name === 'close_notify') return true;
    // RFC 8446 §6.1: user_canceled is followed by close_notify; it is not fatal by itself.
    // RFC 5246 §7.2: in TLS 1.2 a warning alert (e.g. no_renegotiation) leaves the connection up.
    if (name === 'user_canceled' || (tls12 && level === AlertLevel.warning)) {
      if (++this.warnAlerts >= MAX_WARN_ALERT_COUNT) throw new TLSError('unexpected_message', 'too many warn alerts');
      return false;
    }
    // RFC 8446 §6: every other alert is fatal in TLS 1.3, whatever level it claims.
    throw new TLSError(name ?? 'illegal_parameter', `peer sent ${name ?? `unknown alert ${code}`}`, true);
  }
}
