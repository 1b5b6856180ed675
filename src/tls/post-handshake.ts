/**
 * TLS 1.3 messages after the handshake that carry sessions (RFC 8446
 * §4.6.1): the server's NewSessionTickets and the client's keeping of them.
 */
import type { HandshakeContext, TrafficSecrets } from './handshake-common.js';
import { fatal, keepBytes } from './handshake-common.js';
import type { KeySchedule } from './keyschedule.js';
import { encodeNewSessionTicket, type NewSessionTicket13 } from './messages/new-session-ticket.js';
import { HandshakeType } from './registry/handshake-types.js';
import { frame } from './states.js';
import { encodeTicketState13, MAX_TICKET_LIFETIME_SECONDS, type ClientTicket } from './tickets.js';

/** ticket_nonce: a per-connection counter, as OpenSSL's 8-byte one (unique among this connection's tickets). */
const NONCE_LENGTH = 8;

/**
 * Server: sends `count` NewSessionTickets, each with its own nonce (so its
 * own PSK), age_add and sealed state. Tickets allow no early data.
 */
export function sendTickets(ctx: HandshakeContext, schedule: KeySchedule, secrets: TrafficSecrets, count: number, firstNonce: number): void {
  const cfg = ctx.config;
  const keys = cfg.ticketKeys;
  const n = ctx.negotiated;
  if (keys === null || n.suite === null) return;
  // A ticket must stay openable for its whole lifetime: its key lives at least one rotation period.
  const lifetime = Math.min(cfg.ticketLifetime, Math.floor(keys.rotationMs / 1000), MAX_TICKET_LIFETIME_SECONDS);
  for (let i = 0; i < count; i++) {
    const nonce = Buffer.alloc(NONCE_LENGTH);
    nonce.writeBigUInt64BE(BigInt(firstNonce + i));
    const ageAdd = ctx.provider.randomBytes(4).readUInt32BE(0);
    const state = encodeTicketState13({
      suite: n.suite,
      issuedAt: keys.now(),
      lifetime,
      ageAdd,
      psk: schedule.resumptionPsk(secrets.resumptionMaster, nonce),
      alpn: n.alpn,
      peerCertificates: n.peerCertificates,
    });
    const msg: NewSessionTicket13 = { type: 'new_session_ticket', version: 'TLSv1.3', lifetime, ageAdd, nonce, ticket: keys.seal(state), extensions: [] };
    ctx.sendHandshake(frame(HandshakeType.new_session_ticket, encodeNewSessionTicket(msg)));
  }
}

/** Client: turns a NewSessionTicket into what resumption needs, or null for a ticket to discard (lifetime 0). */
export function keepTicket(ctx: HandshakeContext, schedule: KeySchedule, secrets: TrafficSecrets, nst: NewSessionTicket13): ClientTicket | null {
  // RFC 8446 §4.6.1: at most 7 days; zero means "discard immediately".
  if (nst.lifetime > MAX_TICKET_LIFETIME_SECONDS) fatal('illegal_parameter', `NewSessionTicket lifetime ${nst.lifetime} s exceeds 7 days`);
  if (nst.lifetime === 0) return null;
  const n = ctx.negotiated;
  return {
    version: 'TLSv1.3',
    suite: n.suite!,
    ticket: keepBytes(nst.ticket),
    psk: schedule.resumptionPsk(secrets.resumptionMaster, nst.nonce),
    ageAdd: nst.ageAdd,
    lifetime: nst.lifetime,
    receivedAt: ctx.config.clock?.() ?? 0,
    serverName: n.serverName,
    alpn: n.alpn,
    peerCertificates: n.peerCertificates,
  };
}
