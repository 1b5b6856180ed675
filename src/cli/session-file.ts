/**
 * `sslsock connect --sess-out FILE` / `--sess-in FILE` (openssl s_client's
 * -sess_out / -sess_in): a TLS 1.3 session ticket kept in a file between
 * runs. Python's SSLSession lives only as long as its SSLContext, so the
 * file holds the ticket itself and reading it makes a session for the new
 * run's context. Like s_client's PEM session, the file contains the
 * resumption secret: it is written readable by its owner only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultProvider } from '../crypto/index.js';
import { SSLSession } from '../ssl/session.js';
import type * as ssl from '../ssl/index.js';
import type { ClientTicket } from '../tls/tickets.js';
import { TLS13_SUITES } from '../tls/registry/suites.js';

const FORMAT = 'sslsock-session-1';
const OWNER_ONLY = 0o600;

interface SessionFile {
  readonly format: typeof FORMAT;
  readonly version: 'TLSv1.3';
  readonly suite: string;
  readonly ticket: string;
  readonly psk: string;
  readonly ageAdd: number;
  readonly lifetime: number;
  readonly receivedAt: number;
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly peerCertificates: readonly string[];
}

/** A failure reading a session file (exit status 1, one line). */
export class SessionFileError extends Error {
  override readonly name = 'SessionFileError';
}

/** Writes the connection's session; false when the server sent no ticket (nothing to resume with). */
export function writeSessionFile(path: string, session: unknown): boolean {
  const t = session instanceof SSLSession ? session._ticket : null;
  if (t === null || t.version !== 'TLSv1.3') return false;
  const doc: SessionFile = {
    format: FORMAT,
    version: t.version,
    suite: t.suite.ianaName,
    ticket: t.ticket.toString('base64'),
    psk: t.psk.toString('base64'),
    ageAdd: t.ageAdd,
    lifetime: t.lifetime,
    receivedAt: t.receivedAt,
    serverName: t.serverName,
    alpn: t.alpn,
    peerCertificates: t.peerCertificates.map((c) => c.toString('base64')),
  };
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: OWNER_ONLY });
  return true;
}

function field<T>(ok: boolean, value: T, name: string, path: string): T {
  if (!ok) throw new SessionFileError(`${path}: not an sslsock session file (bad '${name}')`);
  return value;
}

/** Reads a session written by writeSessionFile, as a session of `ctx` for wrapSocket's `session` option. */
export function readSessionFile(path: string, ctx: ssl.SSLContext): ssl.SSLSession {
  let doc: Partial<SessionFile>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<SessionFile>;
  } catch (e) {
    throw new SessionFileError(`${path}: ${e instanceof SyntaxError ? 'not an sslsock session file' : (e as Error).message}`);
  }
  field(doc.format === FORMAT && doc.version === 'TLSv1.3', null, 'format', path);
  const suite = TLS13_SUITES.find((s) => s.ianaName === doc.suite);
  const b64 = (v: unknown, name: string): Buffer => field(typeof v === 'string', Buffer.from(v as string, 'base64'), name, path);
  const num = (v: unknown, name: string): number => field(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, v as number, name, path);
  const text = (v: unknown, name: string): string | null => field(v === null || typeof v === 'string', v as string | null, name, path);
  const certs = field(Array.isArray(doc.peerCertificates), doc.peerCertificates ?? [], 'peerCertificates', path);
  const ticket: ClientTicket = {
    version: 'TLSv1.3',
    suite: field(suite !== undefined, suite!, 'suite', path),
    ticket: b64(doc.ticket, 'ticket'),
    psk: b64(doc.psk, 'psk'),
    ageAdd: num(doc.ageAdd, 'ageAdd'),
    lifetime: num(doc.lifetime, 'lifetime'),
    receivedAt: num(doc.receivedAt, 'receivedAt'),
    serverName: text(doc.serverName, 'serverName'),
    alpn: text(doc.alpn, 'alpn'),
    peerCertificates: certs.map((c, i) => b64(c, `peerCertificates[${i}]`)),
  };
  return SSLSession._fromTicket(ctx, defaultProvider, ticket, ticket.receivedAt);
}
