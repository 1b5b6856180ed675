/**
 * Certificate time text as Python shows it: `ASN1_TIME_print`'s format for
 * getpeercert() (`'Aug 26 14:23:15 2028 GMT'`, day space-padded) and
 * `ssl.cert_time_to_seconds()` parsing, with Python's error messages.
 */
import type { DerTime } from './der-values.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * OpenSSL `ASN1_TIME_print`: `'%b %e %H:%M:%S[.fraction] %Y GMT'`, what
 * getpeercert() returns for notBefore/notAfter (fraction only for a
 * GeneralizedTime that carries one).
 */
export function formatAsn1Time(t: DerTime): string {
  const d = t.date;
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const fraction = t.fraction === '' ? '' : `.${t.fraction}`;
  return `${MONTHS[d.getUTCMonth()]} ${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${fraction} ${d.getUTCFullYear()} GMT`;
}

/** The same format for a Date (whole seconds). */
export function formatCertDate(d: Date): string {
  return formatAsn1Time({ date: d, raw: '', generalized: false, fraction: '' });
}

/** Python's str regex `\s` (Unicode whitespace), which strptime uses for every run of format whitespace. */
const PY_WS = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+';

/** `_strptime` regexes for ' %d %H:%M:%S %Y GMT' (IGNORECASE, anchored at the start). */
const STRPTIME_REST = new RegExp(
  `^${PY_WS}(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])${PY_WS}(2[0-3]|[0-1]\\d|\\d):([0-5]\\d|\\d):(6[0-1]|[0-5]\\d|\\d)${PY_WS}(\\d\\d\\d\\d)${PY_WS}GMT`,
  'i',
);
const REST_FORMAT = ' %d %H:%M:%S %Y GMT';
const SECONDS_PER_DAY = 86400;

/** Python's repr() of a str, enough for error messages (quotes and escapes like CPython). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0x80 && cp < 0xa0) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python's `str.title()` restricted to what can match a month name. */
function title3(s: string): string {
  return /^[A-Za-z]{3}$/.test(s) ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s;
}

/**
 * `ssl.cert_time_to_seconds(cert_time)`: seconds since the epoch (UTC) for a
 * string like 'May  9 00:00:00 2007 GMT'. Follows CPython: the month is
 * matched case-insensitively on the first three characters, the rest goes
 * through `strptime(' %d %H:%M:%S %Y GMT')` (whitespace runs, ' 5' or '05'
 * days, seconds up to 61), then `calendar.timegm` (which normalises
 * out-of-range days such as Feb 31). Throws Error with Python's ValueError text.
 */
export function certTimeToSeconds(certTime: string): number {
  const month = MONTHS.indexOf(title3(certTime.slice(0, 3)) as (typeof MONTHS)[number]);
  if (month < 0) throw new Error(`time data ${pyRepr(certTime)} does not match format "%b${REST_FORMAT}"`);
  const rest = certTime.slice(3);
  const m = STRPTIME_REST.exec(rest);
  if (m === null) throw new Error(`time data ${pyRepr(rest)} does not match format ${pyRepr(REST_FORMAT)}`);
  if (m[0].length !== rest.length) throw new Error(`unconverted data remains: ${rest.slice(m[0].length)}`);
  const day = Number(m[1]!.trim());
  const year = Number(m[5]);
  // _strptime builds datetime_date(year, 1, 1): year 0 is out of its range.
  if (year === 0) throw new Error('year 0 is out of range');
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  const days = Math.round(d.getTime() / 1000 / SECONDS_PER_DAY) + day - 1;
  return days * SECONDS_PER_DAY + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}
