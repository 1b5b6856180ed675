/**
 * TLS 1.2 resumption (RFC 5246 §7.3 abbreviated handshake) with RFC 5077
 * session tickets sealed under the same rotating keys as TLS 1.3's
 * (tickets.ts), and the extended master secret rules of RFC 7627 §5.3: a
 * session resumes only into a handshake with the same EMS state.
 *
 *   server: ClientHello(ticket) → ServerHello(echo), CCS, Finished → ExpectChangeCipherSpec → ExpectFinished
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
import { decodeTicketState12, encodeTicketState12, MAX_TICKET_LIFETIME_SECONDS, type ClientTicket12, type TicketState12 } from './tickets.js';
import type { Transcript } from './transcript.js';

/**
 * Server: the session a ClientHello's ticket resumes, or null for a full
 * handshake (no ticket, not ours, rotated out, expired, a suite the client no
 * longer offers, another EMS state, or a client certificate now required).
 */
export function acceptTicket12(ctx: HandshakeContext, ch: ClientHello): TicketState12 | null {
  const ext = findExtension(ch.extensions, 'session_ticket');
  const keys = ctx.config.ticketKeys;
  if (!ext || ext.ticket.length === 0) return null;
  const opened = keys ? keys.open(ext.ticket) : null;
  const state = opened === null ? null : decodeTicketState12(opened);
  const verdict = ((): 'hit' | 'miss' | 'timeout' => {
    if (state === null) return 'miss';
    const age = keys!.now() - state.issuedAt;
    if (age < 0 || age > state.lifetime * 1000) return 'timeout';
    const offered = ch.cipherSuites.includes(state.suite.id) && ctx.config.cipherSuites.includes(state.suite);
    // RFC 7627 §5.3: with EMS in the session but not in this hello (or the reverse), no abbreviated handshake.
    const ems = !!findExtension(ch.extensions, 'extended_master_secret');
    if (!offered || ems !== state.ems) return 'miss';
    if (ctx.config.clientAuth === 'required' && state.peerCertificates.length === 0) return 'miss';
    return 'hit';
  })();
  ctx.config.onResumption?.(verdict);
  return verdict === 'hit' ? state : null;
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
  transcript.start(state.suite.hash, true);
  transcript.add(raw);
  // RFC 5077 §3.4: resuming by ticket, the server echoes the client's session id.
  sendMessage(
    ctx,
    transcript,
    HandshakeType.server_hello,
    encodeServerHello({ type: 'server_hello', legacyVersion: ProtocolVersion.TLSv1_2, random: serverRandom, legacySessionIdEcho: ch.legacySessionId, cipherSuite: state.suite.id, legacyCompressionMethod: NULL_COMPRESSION, extensions }),
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
  const state = encodeTicketState12({ suite: k.suite, issuedAt: keys.now(), lifetime, master: k.master, ems: k.ems, peerCertificates: ctx.negotiated.peerCertificates });
  sendMessage(ctx, k.transcript, HandshakeType.new_session_ticket, encodeNewSessionTicket({ type: 'new_session_ticket', version: 'TLSv1.2', lifetimeHint: lifetime, ticket: keys.seal(state) }));
}

/** Client: the session a server may resume, offered in the ClientHello (ticket, else its session id). */
export function offeredSession12(ctx: HandshakeContext): ClientTicket12 | null {
  const t = ctx.config.resumeTicket;
  if (t === null || t.version !== 'TLSv1.2') return null;
  const now = ctx.config.clock?.() ?? t.receivedAt;
  if (t.lifetime > 0 && now - t.receivedAt > t.lifetime * 1000) return null;
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
  const afterServer = (serverFinished: Buffer): HandshakeState => {
    sendChangeCipherSpecAndFinished(k, 'client');
    return complete12(k, serverFinished);
  };
  const expectCcs = () => new ExpectChangeCipherSpec12(k, 'server', afterServer);
  return ticketAck ? new ExpectNewSessionTicket12(k, offered.sessionId, expectCcs) : expectCcs();
}

/**
 * Client: the NewSessionTicket a server that acknowledged session_ticket
 * sends before its ChangeCipherSpec (RFC 5077 §3.3); kept for the next
 * connection (an empty ticket means none this time).
 */
export class ExpectNewSessionTicket12 implements HandshakeState {
  readonly name = 'ExpectNewSessionTicket';
  constructor(
    private readonly k: Keyed12,
    private readonly sessionId: Buffer,
    private readonly next: () => HandshakeState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    expectType(msg, HandshakeType.new_session_ticket, this.name);
    const nst = decodeAs12(msg, 'new_session_ticket');
    this.k.transcript.add(msg.raw);
    keepSession12(this.k, this.sessionId, nst.ticket, nst.lifetimeHint);
    return this.next();
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
