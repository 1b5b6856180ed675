/**
 * Python's `ssl.SSLSession` (python-ssl-api.md §9): what `sock.session`
 * returns and `wrapSocket(..., { session })` takes to resume. Read-only, not
 * constructible, compared by id (Python's `==`; here `equals()`), bound to
 * the SSLContext whose connection produced it.
 *
 * For TLS 1.3 a client's session is the latest NewSessionTicket it read: the
 * id is SHA-256 of the ticket (as OpenSSL makes it), `time` when it arrived,
 * `timeout` and `ticketLifetimeHint` the ticket's lifetime. Right after a
 * full handshake, before any ticket was read, it is a session with an empty
 * id and no ticket (as in Python).
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { Connection } from '../tls/connection.js';
import type { AnyClientTicket } from '../tls/tickets.js';
import { ValueError } from '../socket/errors.js';

const CREATE = Symbol('SSLSession');
/** An id for sessions that have no ticket of their own (OpenSSL's session id length). */
const SESSION_ID_LENGTH = 32;

export class SSLSession {
  /** @internal The context the session belongs to (set_session refuses another one). */
  readonly _context!: object;
  /** @internal What the engine resumes with; null for a session without a ticket. */
  readonly _ticket!: AnyClientTicket | null;
  readonly id!: Buffer;
  /** Seconds since the epoch. */
  readonly time!: number;
  readonly timeout!: number;
  /** Python: `ssl.SSLSession.ticket_lifetime_hint`. */
  readonly ticketLifetimeHint!: number;

  /** Not constructible, as in Python. */
  constructor(...args: unknown[]) {
    if (args[0] !== CREATE) throw new TypeError("cannot create '_ssl.SSLSession' instances");
    const [, context, ticket, id, time, timeout, hint] = args as [symbol, object, AnyClientTicket | null, Buffer, number, number, number];
    Object.assign(this, { _context: context, _ticket: ticket, id, time, timeout, ticketLifetimeHint: hint });
    Object.freeze(this);
  }

  /** Python: `ssl.SSLSession.has_ticket`. */
  get hasTicket(): boolean {
    return this._ticket !== null && this._ticket.ticket.length > 0;
  }

  /** Python's `==`: the same session id. */
  equals(other: unknown): boolean {
    return other instanceof SSLSession && this.id.equals(other.id);
  }

  /** @internal A client's session from a ticket. */
  static _fromTicket(context: object, provider: CryptoProvider, ticket: AnyClientTicket, nowMs: number, defaultTimeout = 7200): SSLSession {
    // TLS 1.2: the session id the server gave (RFC 5246 §7.4.1.3); TLS 1.3 (and ticket-only 1.2): SHA-256 of the ticket.
    const id = ticket.version === 'TLSv1.2' && ticket.sessionId.length > 0 ? Buffer.from(ticket.sessionId) : provider.hash('SHA-256', ticket.ticket);
    return new SSLSession(CREATE, context, ticket, id, Math.floor(nowMs / 1000), ticket.lifetime || defaultTimeout, ticket.lifetime);
  }

  /** @internal The same session in a new wrapper (Python's `session` getter makes a new object each time, equal by id). */
  static _rewrap(s: SSLSession): SSLSession {
    return new SSLSession(CREATE, s._context, s._ticket, s.id, s.time, s.timeout, s.ticketLifetimeHint);
  }

  /** @internal A session without a ticket: a server's, or a client's before any ticket arrived (id empty then). */
  static _withoutTicket(context: object, id: Buffer, timeout: number, nowMs: number): SSLSession {
    return new SSLSession(CREATE, context, null, Buffer.from(id), Math.floor(nowMs / 1000), timeout, 0);
  }

  toString(): string {
    return `<_ssl.SSLSession object id=${this.id.toString('hex')}>`;
  }
}

/** A server's session id: the TLS 1.2 one its ServerHello gave (the cache's key), else a random one as OpenSSL makes for TLS 1.3. */
function serverSessionId(conn: Connection, provider: CryptoProvider): Buffer {
  return conn.negotiated.sessionId.length > 0 ? conn.negotiated.sessionId : provider.randomBytes(SESSION_ID_LENGTH);
}

/** What a session belongs to: an SSLContext (its provider and session lifetime). */
interface SessionOwner {
  readonly provider: CryptoProvider;
  readonly _ticketLifetime: number;
}

/** One connection's sessions: the one offered for resumption and the current one (SSLObject.session). */
export class SessionSlot {
  private offered: SSLSession | null = null;
  private current: SSLSession | null = null;

  /** Null before the handshake; then the last ticket read, else the resumed session, else one without ticket. */
  get(conn: Connection, context: SessionOwner, serverSide: boolean): SSLSession | null {
    if (!conn.handshakeDone) return null;
    this.current ??=
      conn.negotiated.resumed && this.offered !== null
        ? SSLSession._rewrap(this.offered)
        : SSLSession._withoutTicket(context, serverSide ? serverSessionId(conn, context.provider) : Buffer.alloc(0), context._ticketLifetime, Date.now());
    return this.current;
  }

  /** Python's checks, in its order (_ssl.c PySSL_set_session); then the engine offers the ticket. */
  set(value: unknown, conn: Connection, context: SessionOwner, serverSide: boolean): void {
    if (!(value instanceof SSLSession)) throw new TypeError('Value is not a SSLSession.');
    if (value._context !== context) throw new ValueError('Session refers to a different SSLContext.');
    if (serverSide) throw new ValueError('Cannot set session for server-side SSLSocket.');
    if (conn.handshakeDone || conn.hasStarted) throw new ValueError('Cannot set session after handshake.');
    this.offered = value;
    conn.offerTicket(value._ticket);
  }

  /** A NewSessionTicket arrived: it is the connection's session from now on. */
  onTicket(context: SessionOwner, ticket: AnyClientTicket): void {
    this.current = SSLSession._fromTicket(context, context.provider, ticket, Date.now(), context._ticketLifetime);
  }
}
