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
import type { ClientTicket } from '../tls/tickets.js';

const CREATE = Symbol('SSLSession');
/** An id for sessions that have no ticket of their own (OpenSSL's session id length). */
const SESSION_ID_LENGTH = 32;

export class SSLSession {
  /** @internal The context the session belongs to (set_session refuses another one). */
  readonly _context!: object;
  /** @internal What the engine resumes with; null for a session without a ticket. */
  readonly _ticket!: ClientTicket | null;
  readonly id!: Buffer;
  /** Seconds since the epoch. */
  readonly time!: number;
  readonly timeout!: number;
  readonly ticketLifetimeHint!: number;

  /** Not constructible, as in Python. */
  constructor(...args: unknown[]) {
    if (args[0] !== CREATE) throw new TypeError("cannot create '_ssl.SSLSession' instances");
    const [, context, ticket, id, time, timeout, hint] = args as [symbol, object, ClientTicket | null, Buffer, number, number, number];
    Object.assign(this, { _context: context, _ticket: ticket, id, time, timeout, ticketLifetimeHint: hint });
    Object.freeze(this);
  }

  get hasTicket(): boolean {
    return this._ticket !== null;
  }

  /** Python's `==`: the same session id. */
  equals(other: unknown): boolean {
    return other instanceof SSLSession && this.id.equals(other.id);
  }

  /** @internal A client's session from a ticket. */
  static _fromTicket(context: object, provider: CryptoProvider, ticket: ClientTicket, nowMs: number): SSLSession {
    const id = provider.hash('SHA-256', ticket.ticket);
    return new SSLSession(CREATE, context, ticket, id, Math.floor(nowMs / 1000), ticket.lifetime, ticket.lifetime);
  }

  /** @internal A session without a ticket: a server's, or a client's before any ticket arrived (id empty then). */
  static _withoutTicket(context: object, provider: CryptoProvider | null, timeout: number, nowMs: number): SSLSession {
    const id = provider === null ? Buffer.alloc(0) : provider.randomBytes(SESSION_ID_LENGTH);
    return new SSLSession(CREATE, context, null, id, Math.floor(nowMs / 1000), timeout, 0);
  }

  toString(): string {
    return `<_ssl.SSLSession object id=${this.id.toString('hex')}>`;
  }
}
