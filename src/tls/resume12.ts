/**
 * TLS 1.2 resumption (RFC 5246 §7.3 abbreviated handshake) by session id,
 * from the server's session cache (session-cache.ts), or by RFC 5077
 * session ticket sealed under the same rotating keys as TLS 1.3's
 * (tickets.ts); with the extended master secret rules of RFC 7627 §5.3.
 *
 *   server: ClientHello(ticket or session id) → ServerHello(echo), CCS, Finished → ExpectChangeCipherSpec → ExpectFinished
 *   client: ServerHello(echo) → [NewSessionTicket] → CCS → Finished → (CCS, Finished)
 */
import type { HandshakeContext } from './handshake-common.js';
import { fatal } from './handshake-common.js';
import type { Keyed12, Session12 } from './handshake12.js';
import { complete12, ExpectChangeCipherSpec12, sendChangeCipherSpecAndFinished } from './handshake12.js';
import type { ClientHello } from './messages/client-hello.js';
import { NULL_COMPRESSION } from './messages/client-hello.js';
import { findExtension, type ServerHelloExtension } from './messages/extensions.js';
import { encodeNewSessionTicket } from './messages/new-session-ticket.js';
import { encodeServerHello } from './messages/server-hello.js';
import { keyBlock12 } from './prf12.js';
import { HandshakeType } from './registry/handshake-types.js';
import { ProtocolVersion } from './registry/versions.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs12, expectType, sendMessage } from './states.js';
import { sessionExpired, type CacheLookup } from './session-cache.js';
import { decodeTicketState12, encodeTicketState12, MAX_TICKET_LIFETIME_SECONDS, type ClientTicket12, type TicketKeys, type TicketState12 } from './tickets.js';
import type { Transcript } from './transcript.js';

/**
 * Server: the session a ClientHello resumes, or null for a full handshake.
 * As OpenSSL's ssl_get_prev_session: a non-empty ticket is tried alone;
 * without one (or with TLS 1.2 tickets off) the session id names a session
 * in the cache. Each attempt is counted (session_stats hits, misses, timeouts).
 */
export function acceptSession12(ctx: HandshakeContext, ch: ClientHello): TicketState12 | null {
  const cfg = ctx.config;
  const ext = cfg.tickets12 ? findExtension(ch.extensions, 'session_ticket') : undefined;
  let found: CacheLookup;
  if (ext && ext.ticket.length > 0) found = openTicket12(cfg.ticketKeys, ext.ticket);
  else if (ch.legacySessionId.length > 0 && cfg.sessionCache !== null) found = cfg.sessionCache.lookup(ch.legacySessionId);
  else return null;
  const verdict = resumable12(ctx, ch, found);
  cfg.onResumption?.(verdict);
  return verdict === 'hit' ? (found as TicketState12) : null;
}

/** A ticket's session: none when it is not ours or its key rotated out, expired past its lifetime. */
function openTicket12(keys: TicketKeys | null, ticket: Buffer): CacheLookup {
  const opened = keys === null ? null : keys.open(ticket);
  const state = opened === null ? null : decodeTicketState12(opened);
  if (state === null) return 'unknown';
  return sessionExpired(state, keys!.now()) ? 'expired' : state;
}

/**
 * Whether a known, live session may resume into this hello: its suite still
 * offered by both (RFC 5246 §7.4.1.2), the same server name (RFC 6066 §3),
 * a client certificate when one is now required, and the extended master
 * secret rules of RFC 7627 §5.3.
 */
function resumable12(ctx: HandshakeContext, ch: ClientHello, found: CacheLookup): 'hit' | 'miss' | 'timeout' {
  if (found === 'unknown') return 'miss';
  if (found === 'expired') return 'timeout';
  const ems = !!findExtension(ch.extensions, 'extended_master_secret');
  // RFC 7627 §5.3: "If the original session used the extension but the new ClientHello does not contain it, the server MUST abort".
  if (found.ems && !ems) fatal('handshake_failure', 'inconsistent extms: the session used extended_master_secret and the ClientHello resuming it does not (RFC 7627 §5.3)');
  // RFC 7627 §5.3: a session without it is not resumed: MUST NOT when the hello has it; when neither has it the server
  // SHOULD abort, and we choose the full handshake (a new session, with EMS if the client offers it) instead.
  if (!found.ems) return 'miss';
  const offered = ch.cipherSuites.includes(found.suite.id) && ctx.config.cipherSuites.includes(found.suite);
  if (!offered || found.serverName !== ctx.negotiated.serverName) return 'miss';
  if (ctx.config.clientAuth === 'required' && found.peerCertificates.length === 0) return 'miss';
  return 'hit';
}

/** Server: the abbreviated handshake's first flight (RFC 5246 §7.3): ServerHello, ChangeCipherSpec, Finished. */
export function resumeServer12(
  ctx: HandshakeContext,
  transcript: Transcript,
  ch: ClientHello,
  raw: Buffer,
  state: TicketState12,
  extensions: ServerHelloExtension[],
  serverRandom: Buffer,
): HandshakeState {
  const n = ctx.negotiated;
  n.suite = state.suite;
  n.resumed = true;
  n.peerCertificates = state.peerCertificates.map((c) => Buffer.from(c));
  // RFC 5246 §7.4.1.3 (RFC 5077 §3.4 for a ticket): the server echoes the client's session id.
  n.sessionId = Buffer.from(ch.legacySessionId);
  transcript.start(state.suite.hash, true);
  transcript.add(raw);
  // RFC 6066 §3: "When resuming a session, the server MUST NOT include a server_name extension in the server hello."
  const exts = extensions.filter((e) => e.type !== 'server_name');
  sendMessage(
    ctx,
    transcript,
    HandshakeType.server_hello,
    encodeServerHello({ type: 'server_hello', legacyVersion: ProtocolVersion.TLSv1_2, random: serverRandom, legacySessionIdEcho: n.sessionId, cipherSuite: state.suite.id, legacyCompressionMethod: NULL_COMPRESSION, extensions: exts }),
  );
  const k = resumedKeys(ctx, transcript, state.suite, state.master, state.ems, ch.random, serverRandom);
  const serverFinished = sendChangeCipherSpecAndFinished(k, 'server');
  // RFC 5929 §3.1: tls-unique is the first Finished, the server's in an abbreviated handshake.
  return new ExpectChangeCipherSpec12(k, 'client', () => complete12(k, serverFinished));
}

function resumedKeys(ctx: HandshakeContext, transcript: Transcript, suite: TicketState12['suite'], master: Buffer, ems: boolean, clientRandom: Buffer, serverRandom: Buffer): Keyed12 {
  const s: Session12 = { ctx, suite, transcript, clientRandom, serverRandom, ems };
  return { ...s, master: Buffer.from(master), keys: keyBlock12(ctx.provider, suite, master, clientRandom, serverRandom) };
}

/** Server, full handshake: a NewSessionTicket right before our ChangeCipherSpec (RFC 5077 §3.3). */
export function sendTicket12(k: Keyed12): void {
  const { ctx } = k;
  const keys = ctx.config.ticketKeys;
  if (keys === null) return;
  const lifetime = Math.min(ctx.config.ticketLifetime, Math.floor(keys.rotationMs / 1000), MAX_TICKET_LIFETIME_SECONDS);
  const state = encodeTicketState12(sessionState12(k, keys.now(), lifetime));
  sendMessage(ctx, k.transcript, HandshakeType.new_session_ticket, encodeNewSessionTicket({ type: 'new_session_ticket', version: 'TLSv1.2', lifetimeHint: lifetime, ticket: keys.seal(state) }));
}

/** Server, full handshake complete: the session goes into the cache under the id our ServerHello gave it. */
export function cacheSession12(k: Keyed12): void {
  const cache = k.ctx.config.sessionCache;
  const id = k.ctx.negotiated.sessionId;
  if (cache === null || id.length === 0) return;
  cache.add(Buffer.from(id), sessionState12(k, cache.now(), cache.timeoutSeconds));
}

/** What resuming a full handshake's session takes (a ticket's sealed state, a cache entry). */
function sessionState12(k: Keyed12, issuedAt: number, lifetime: number): TicketState12 {
  const n = k.ctx.negotiated;
  return { suite: k.suite, issuedAt, lifetime, master: Buffer.from(k.master), ems: k.ems, serverName: n.serverName, peerCertificates: n.peerCertificates };
}

/** Client: the session a server may resume, offered in the ClientHello (ticket, else its session id). */
export function offeredSession12(ctx: HandshakeContext): ClientTicket12 | null {
  const t = ctx.config.resumeTicket;
  if (t === null || t.version !== 'TLSv1.2') return null;
  // RFC 7627 §5.3: "The client SHOULD NOT offer an abbreviated handshake to resume a session that does not use an extended master secret."
  if (!t.ems) return null;
  // RFC 5246 §7.4.1.2: a resumption offer lists the session's suite; one we no longer enable is not offered
  // (a server would resume it anyway, or refuse: OpenSSL's "required cipher missing").
  if (!ctx.config.cipherSuites.includes(t.suite)) return null;
  const now = ctx.config.clock?.() ?? t.receivedAt;
  if (t.lifetime > 0 && now - t.receivedAt > t.lifetime * 1000) return null;
  // Without tickets (SSL_OP_NO_TICKET) only the session id can name the session.
  if (!ctx.config.tickets12 && t.ticket.length > 0) return t.sessionId.length > 0 ? { ...t, ticket: Buffer.alloc(0) } : null;
  return t;
}

/**
 * Client: the server echoed our session id — the abbreviated handshake. The
 * suite and EMS state must be the session's (RFC 5246 §7.4.1.3, RFC 7627
 * §5.3); then [NewSessionTicket], the server's CCS and Finished, and ours.
 */
export function resumeClient12(s: Session12, offered: ClientTicket12, ticketAck: boolean): HandshakeState {
  const { ctx } = s;
  if (s.suite !== offered.suite) fatal('illegal_parameter', 'ServerHello resumes the session with another cipher suite');
  if (s.ems !== offered.ems) fatal('handshake_failure', 'ServerHello resumes the session with another extended_master_secret state (RFC 7627 §5.3)');
  const n = ctx.negotiated;
  n.resumed = true;
  n.peerCertificates = offered.peerCertificates.map((c) => Buffer.from(c));
  const k = resumedKeys(ctx, s.transcript, s.suite, offered.master, s.ems, s.clientRandom, s.serverRandom);
  const expectCcs = (ticket?: NewTicket12) =>
    new ExpectChangeCipherSpec12(k, 'server', (serverFinished) => {
      if (ticket) keepSession12(k, offered.sessionId, ticket.ticket, ticket.lifetimeHint);
      sendChangeCipherSpecAndFinished(k, 'client');
      return complete12(k, serverFinished);
    });
  return ticketAck ? new ExpectNewSessionTicket12(k, expectCcs) : expectCcs();
}

/** A TLS 1.2 NewSessionTicket's contents. */
export interface NewTicket12 {
  readonly ticket: Buffer;
  readonly lifetimeHint: number;
}

/**
 * Client: the NewSessionTicket a server that acknowledged session_ticket
 * sends before its ChangeCipherSpec (RFC 5077 §3.3). It is handed on, and
 * kept for the next connection only once the server's Finished verifies
 * (RFC 5246 §7.2.2: a connection that fails is never resumed).
 */
export class ExpectNewSessionTicket12 implements HandshakeState {
  readonly name = 'ExpectNewSessionTicket';
  constructor(
    private readonly k: Keyed12,
    private readonly next: (ticket: NewTicket12) => HandshakeState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    expectType(msg, HandshakeType.new_session_ticket, this.name);
    const nst = decodeAs12(msg, 'new_session_ticket');
    this.k.transcript.add(msg.raw);
    return this.next({ ticket: Buffer.from(nst.ticket), lifetimeHint: nst.lifetimeHint });
  }
}

/** Client: hands a resumable TLS 1.2 session to the caller (onTicket). */
export function keepSession12(k: Keyed12, sessionId: Buffer, ticket: Buffer, lifetime: number): void {
  const { ctx } = k;
  if (ticket.length === 0 && sessionId.length === 0) return;
  const n = ctx.negotiated;
  ctx.config.onTicket?.({
    version: 'TLSv1.2',
    suite: k.suite,
    ticket: Buffer.from(ticket),
    sessionId: Buffer.from(sessionId),
    master: Buffer.from(k.master),
    ems: k.ems,
    lifetime: Math.min(lifetime, MAX_TICKET_LIFETIME_SECONDS),
    receivedAt: ctx.config.clock?.() ?? 0,
    serverName: n.serverName,
    alpn: n.alpn,
    peerCertificates: n.peerCertificates,
  });
}
