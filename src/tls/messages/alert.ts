import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { AlertDescription, AlertLevel, alertName, type AlertName } from '../registry/alerts.js';

/** An alert record's payload (RFC 8446 §6). */
export interface Alert {
  readonly level: 'warning' | 'fatal';
  /** The description's name, or null for a code point we do not know. */
  readonly description: AlertName | null;
  /** The description code point as received. */
  readonly code: number;
}

/**
 * Decodes one alert: exactly two bytes (a record may not hold two alerts,
 * nor split one, RFC 8446 §5.1). An unknown level is decode_error.
 */
export function decodeAlert(payload: Uint8Array): Alert {
  const r = new Reader(payload, 'Alert');
  const level = r.u8('level');
  const code = r.u8('description');
  r.expectEnd();
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) throw new TLSError('decode_error', `Alert: unknown level ${level}`);
  return { level: level === AlertLevel.fatal ? 'fatal' : 'warning', description: alertName(code), code };
}

/** Encodes an alert payload. */
export function encodeAlert(level: 'warning' | 'fatal', description: AlertName): Buffer {
  const w = new Writer(2);
  w.u8(AlertLevel[level]).u8(AlertDescription[description]);
  return w.finish();
}
