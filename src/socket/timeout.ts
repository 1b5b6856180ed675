/**
 * Python's timeout values: `null` blocks, `0` is non-blocking, a positive
 * number of seconds bounds each operation. Also the module-wide default
 * (`getdefaulttimeout` / `setdefaulttimeout`) that new sockets start with.
 */
import { OverflowError, ValueError } from './errors.js';
import { pyTypeName } from './address.js';

/** Largest timeout Node's timers accept (2^31-1 ms); Python's own limit is larger. */
const MAX_TIMEOUT_SECONDS = 2147483.647;

/** Check a timeout the way Python's settimeout() does; returns seconds or null. */
export function parseTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || typeof value === 'boolean') {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  if (Number.isNaN(value)) throw new ValueError('Invalid value NaN (not a number)');
  if (value < 0) throw new ValueError('Timeout value out of range');
  if (value > MAX_TIMEOUT_SECONDS) throw new OverflowError('timeout doesn\'t fit into C timeval');
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
