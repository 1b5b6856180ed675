/**
 * How the `sslsock` command reports failure: exit statuses scripts can test
 * and one line per error (the stack only with --debug).
 */
import * as ssl from '../ssl/index.js';
import { UsageError } from './args.js';

export const EXIT_OK = 0;
/** A TLS, certificate-verification or network failure. */
export const EXIT_FAILURE = 1;
/** A command-line mistake (BSD sysexits' EX_USAGE spirit, as Python's argparse uses). */
export const EXIT_USAGE = 2;
/** Stopped by the user with Ctrl-C (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/** The fields of a Python exception a user looks at. */
export interface ErrorView {
  /** Python's class name (`type(e).__name__`). */
  readonly class: string;
  readonly errno: number | null;
  readonly library: string | null;
  readonly reason: string | null;
  /** Only on SSLCertVerificationError. */
  readonly verifyCode?: number | null;
  readonly verifyMessage?: string | null;
  /** Python's str(e), without the `(_ssl.c:NNNN)` suffix. */
  readonly message: string;
}

export function errorView(e: unknown): ErrorView {
  if (!(e instanceof ssl.OSError)) throw e; // not a Python-shaped failure: a bug, reported by the CLI with its stack
  const base = {
    class: e.name,
    errno: typeof e.errno === 'number' ? e.errno : null,
    library: e instanceof ssl.SSLError ? e.library : null,
    reason: e instanceof ssl.SSLError ? e.reason : null,
  };
  if (e instanceof ssl.SSLCertVerificationError) return { ...base, verifyCode: e.verifyCode, verifyMessage: e.verifyMessage, message: e.message };
  return { ...base, message: e.message };
}

/** Python's one-line `Class: str(e)`, with the verify code where there is one. */
export function errorLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = e instanceof ssl.SSLCertVerificationError && e.verifyCode !== null ? ` (verify code ${e.verifyCode})` : '';
  return `${e.name}: ${e.message}${code}`;
}

export function exitStatusOf(e: unknown): number {
  return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
