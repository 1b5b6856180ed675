/**
 * Python's ssl exception hierarchy, and the one place that turns engine
 * failures (`TLSError`) into it, with OpenSSL's `library` / `reason`
 * mnemonics and Python's message layout (python-ssl-api.md §2), without the
 * `(_ssl.c:NNNN)` suffix.
 *
 *   OSError
 *    └─ SSLError (library, reason)
 *        ├─ SSLZeroReturnError, SSLWantReadError, SSLWantWriteError,
 *        ├─ SSLSyscallError, SSLEOFError
 *        └─ SSLCertVerificationError (verifyCode, verifyMessage) = CertificateError
 */
import { OSError } from '../socket/errors.js';
import { TLSError } from '../tls/errors.js';
import type { AlertName } from '../tls/registry/alerts.js';
import { SSLErrorNumber } from './constants.js';

function setName(cls: { prototype: object }, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** Python's `repr()` of a one-element tuple of str, as `str(SSLError('x'))` prints it. */
function tupleRepr(args: unknown[]): string {
  const items = args.map((a) => (typeof a === 'string' ? `'${a.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(a)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/**
 * Python's `ssl.SSLError`. `new SSLError(errno, message)` gives `message ===
 * strerror === message`; a one-argument SSLError prints as Python's tuple form
 * (`str(SSLError('x')) == "('x',)"`). `library` and `reason` are null unless
 * the error came from the engine.
 */
export class SSLError extends OSError {
  library: string | null = null;
  reason: string | null = null;

  constructor(...args: unknown[]) {
    super(...args);
    // Python: str(SSLError) is strerror when it is a str, else str(args).
    if (typeof this.strerror === 'string' && args.length >= 2) this.message = this.strerror;
    else if (args.length >= 1) this.message = tupleRepr(args);
  }
}
setName(SSLError, 'SSLError');

export class SSLZeroReturnError extends SSLError {}
setName(SSLZeroReturnError, 'SSLZeroReturnError');
export class SSLWantReadError extends SSLError {}
setName(SSLWantReadError, 'SSLWantReadError');
export class SSLWantWriteError extends SSLError {}
setName(SSLWantWriteError, 'SSLWantWriteError');
export class SSLSyscallError extends SSLError {}
setName(SSLSyscallError, 'SSLSyscallError');
export class SSLEOFError extends SSLError {}
setName(SSLEOFError, 'SSLEOFError');

/** Python's `SSLCertVerificationError` (also `CertificateError`). In Python it is also a ValueError; JavaScript has single inheritance. */
export class SSLCertVerificationError extends SSLError {
  /** Python: `ssl.SSLCertVerificationError.verify_code`. */
  verifyCode: number | null = null;
  /** Python: `ssl.SSLCertVerificationError.verify_message`. */
  verifyMessage: string | null = null;
}
setName(SSLCertVerificationError, 'SSLCertVerificationError');
export const CertificateError = SSLCertVerificationError;
export type CertificateError = SSLCertVerificationError;

type SSLErrorClass = new (...args: unknown[]) => SSLError;

/** Build an engine-originated error with Python's `[LIB: REASON] text` layout. */
export function makeSSLError<C extends SSLErrorClass>(
  cls: C,
  errno: number,
  text: string,
  library: string | null = null,
  reason: string | null = null,
): InstanceType<C> {
  let message = text;
  if (library !== null && reason !== null) message = `[${library}: ${reason}] ${text}`;
  else if (library !== null) message = `[${library}] ${text}`;
  const e = new cls(errno, message) as InstanceType<C>;
  e.library = library;
  e.reason = reason;
  return e;
}

/**
 * SSLWantReadError / SSLWantWriteError are flow control, raised on the normal
 * path of every non-blocking handshake and read (Python's API requires the
 * exception): the same class, errno, strerror, args and message, but built
 * without capturing a stack trace, which cost more than the rest of the
 * object (3.7% of an in-memory handshake). `e.stack` is then the message line.
 */
function flowControlError<C extends SSLErrorClass>(cls: C, errno: number, text: string): InstanceType<C> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return makeSSLError(cls, errno, text);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function wantReadError(): SSLWantReadError {
  return flowControlError(SSLWantReadError, SSLErrorNumber.SSL_ERROR_WANT_READ, 'The operation did not complete (read)');
}

export function wantWriteError(): SSLWantWriteError {
  return flowControlError(SSLWantWriteError, SSLErrorNumber.SSL_ERROR_WANT_WRITE, 'The operation did not complete (write)');
}

export function zeroReturnError(): SSLZeroReturnError {
  return makeSSLError(SSLZeroReturnError, SSLErrorNumber.SSL_ERROR_ZERO_RETURN, 'TLS/SSL connection has been closed (EOF)');
}

/**
 * Transport EOF in the middle of the TLS stream. The first one carries
 * OpenSSL 3's reason (`[SSL: UNEXPECTED_EOF_WHILE_READING] …`); later ones
 * (the peer is already gone) have no library, as Python shows.
 */
export function eofError(first = true): SSLEOFError {
  return first
    ? makeSSLError(SSLEOFError, SSLErrorNumber.SSL_ERROR_EOF, 'EOF occurred in violation of protocol', 'SSL', 'UNEXPECTED_EOF_WHILE_READING')
    : makeSSLError(SSLEOFError, SSLErrorNumber.SSL_ERROR_EOF, 'EOF occurred in violation of protocol');
}

export function syscallError(): SSLSyscallError {
  return makeSSLError(SSLSyscallError, SSLErrorNumber.SSL_ERROR_SYSCALL, 'Some I/O error occurred');
}

/** A certificate verification failure as the handshake reports it. */
export function certVerificationError(verifyCode: number, verifyMessage: string): SSLCertVerificationError {
  const e = makeSSLError(
    SSLCertVerificationError,
    SSLErrorNumber.SSL_ERROR_SSL,
    `certificate verify failed: ${verifyMessage}`,
    'SSL',
    'CERTIFICATE_VERIFY_FAILED',
  );
  e.verifyCode = verifyCode;
  e.verifyMessage = verifyMessage;
  return e;
}

/** Alerts that OpenSSL names with the SSLv3 prefix; all others are TLSv1 (python-ssl-api.md §2.5). */
const SSLV3_ALERTS: ReadonlySet<AlertName> = new Set<AlertName>([
  'close_notify',
  'unexpected_message',
  'bad_record_mac',
  'decompression_failure',
  'handshake_failure',
  'no_certificate',
  'bad_certificate',
  'unsupported_certificate',
  'certificate_revoked',
  'certificate_expired',
  'certificate_unknown',
  'illegal_parameter',
]);

/** OpenSSL's reason mnemonic and text for an alert received from the peer. */
export function peerAlertReason(alert: AlertName): [reason: string, text: string] {
  const words = alert === 'user_canceled' ? 'user cancelled' : alert.replace(/_/g, ' ');
  const upper = words.toUpperCase().replace(/ /g, '_');
  switch (alert) {
    case 'unsupported_extension':
    case 'certificate_unobtainable':
    case 'unrecognized_name':
    case 'bad_certificate_status_response':
    case 'bad_certificate_hash_value':
      return [`TLSV1_${upper}`, `tlsv1 ${words}`];
    case 'missing_extension':
    case 'certificate_required':
      return [`TLSV13_ALERT_${upper}`, `tlsv13 alert ${words}`];
    default:
      return SSLV3_ALERTS.has(alert) ? [`SSLV3_ALERT_${upper}`, `sslv3 alert ${words}`] : [`TLSV1_ALERT_${upper}`, `tlsv1 alert ${words}`];
  }
}

/**
 * OpenSSL's reason for a failure we detected ourselves. The engine states
 * reasons in TLS terms; a few well-known ones carry OpenSSL's exact
 * mnemonic, the rest are named after the alert we sent.
 */
const LOCAL_REASONS: ReadonlyArray<[RegExp, string, string]> = [
  [/no shared cipher/i, 'NO_SHARED_CIPHER', 'no shared cipher'],
  // A record header that is not TLS (e.g. a server answering in plaintext HTTP), as OpenSSL's ssl3_get_record says.
  [/wrong version number/i, 'WRONG_VERSION_NUMBER', 'wrong version number'],
  [/no protocols available/i, 'NO_PROTOCOLS_AVAILABLE', 'no protocols available'],
  [/unsafe legacy renegotiation disabled/i, 'UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 'unsafe legacy renegotiation disabled'],
  [/inappropriate fallback/i, 'INAPPROPRIATE_FALLBACK', 'inappropriate fallback'],
  [/unsupported protocol|no (common|shared|mutually supported) (protocol )?version/i, 'UNSUPPORTED_PROTOCOL', 'unsupported protocol'],
  [/peer did not return a certificate|no client certificate/i, 'PEER_DID_NOT_RETURN_A_CERTIFICATE', 'peer did not return a certificate'],
  [/application data after close.notify/i, 'APPLICATION_DATA_AFTER_CLOSE_NOTIFY', 'application data after close notify'],
  [/callback failed/i, 'CALLBACK_FAILED', 'callback failed'],
];

const LOCAL_ALERT_REASONS: Partial<Record<AlertName, [string, string]>> = {
  bad_record_mac: ['DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'decryption failed or bad record mac'],
  record_overflow: ['PACKET_LENGTH_TOO_LONG', 'packet length too long'],
  unexpected_message: ['UNEXPECTED_MESSAGE', 'unexpected message'],
  decode_error: ['BAD_PACKET', 'bad packet'],
  illegal_parameter: ['BAD_EXTENSION', 'bad extension'],
  decrypt_error: ['BAD_SIGNATURE', 'bad signature'],
  protocol_version: ['UNSUPPORTED_PROTOCOL', 'unsupported protocol'],
  handshake_failure: ['HANDSHAKE_FAILURE', 'handshake failure'],
  missing_extension: ['MISSING_EXTENSION', 'missing extension'],
  unsupported_extension: ['UNSOLICITED_EXTENSION', 'unsolicited extension'],
  certificate_required: ['PEER_DID_NOT_RETURN_A_CERTIFICATE', 'peer did not return a certificate'],
  internal_error: ['INTERNAL_ERROR', 'internal error'],
  insufficient_security: ['INSUFFICIENT_SECURITY', 'insufficient security'],
  no_application_protocol: ['NO_APPLICATION_PROTOCOL', 'no application protocol'],
};

/** The one mapping from an engine error to Python's exception (python-ssl-api.md §2.3, §2.5). */
export function sslErrorFromTLSError(err: TLSError): SSLError {
  const code = SSLErrorNumber.SSL_ERROR_SSL;
  if (err.fromPeer) {
    const [reason, text] = peerAlertReason(err.alert);
    return makeSSLError(SSLError, code, text, 'SSL', reason);
  }
  const d = err.detail;
  if (d?.verifyCode !== undefined) return certVerificationError(d.verifyCode, d.verifyMessage ?? 'certificate verify failed');
  for (const [re, reason, text] of LOCAL_REASONS) if (re.test(err.reason)) return makeSSLError(SSLError, code, text, 'SSL', reason);
  const [reason, text] = LOCAL_ALERT_REASONS[err.alert] ?? [err.alert.toUpperCase(), err.alert.replace(/_/g, ' ')];
  return makeSSLError(SSLError, code, text, 'SSL', reason);
}

/** Any error thrown by the engine or below, as the exception the Python user sees. Non-engine errors pass through. */
export function toSSLError(err: unknown): unknown {
  return err instanceof TLSError ? sslErrorFromTLSError(err) : err;
}
