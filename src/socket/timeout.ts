/**
 * Python's timeout values: `null` blocks, `0` is non-blocking, a positive
 * number of seconds bounds each operation. Also the module-wide default
 * (`getdefaulttimeout` / `setdefaulttimeout`) that new sockets start with.
 */
import { OverflowError, ValueError } from './errors.js';
import { pyTypeName } from './address.js';

/**
 * The longest timeout Python accepts: int64 nanoseconds (_PyTime_t), about
 * 292 years. Waits longer than a Node timer can hold re-arm (wait.ts).
 */
export const MAX_TIMEOUT_SECONDS = 9_223_372_036.854775;

/** Python's OverflowError for a timeout past MAX_TIMEOUT_SECONDS. */
export function checkTimeoutRange(seconds: number): void {
  if (seconds > MAX_TIMEOUT_SECONDS) throw new OverflowError('timestamp out of range for platform time_t');
}

/** Check a timeout the way Python's settimeout() does; returns seconds or null. */
export function parseTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || typeof value === 'boolean') {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  if (Number.isNaN(value)) throw new ValueError('Invalid value NaN (not a number)');
  if (value < 0) throw new ValueError('Timeout value out of range');
  checkTimeoutRange(value);
  return value;
}

let defaultTimeout: number | null = null;

/** Python's `socket.getdefaulttimeout()`. */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/** Python's `socket.setdefaulttimeout(timeout)`: applies to sockets created afterwards. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = parseTimeout(timeout);
}
