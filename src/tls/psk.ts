/**
 * TLS 1.3 resumption with a ticket's PSK (RFC 8446 §2.2, §4.2.9-§4.2.11):
 * the client's offer (identity, obfuscated age, binder) and the server's
 * choice. Only psk_dhe_ke: a resumed handshake still runs a fresh (EC)DHE,
 * so the PSK never protects traffic alone. No early data.
 */
import type { HandshakeContext } from './handshake-common.js';
import { fatal } from './handshake-common.js';
import { KeySchedule } from './keyschedule.js';
import type { ClientHello } from './messages/client-hello.js';
import { patchPskBinders } from './messages/client-hello.js';
import { findExtension, pskBindersLength, type ClientHelloExtension } from './messages/extensions.js';
import { PskKeyExchangeMode } from './registry/extensions.js';
import type { CipherSuite } from './registry/suites.js';
import { decodeTicketState13, type ClientTicket, type TicketState13 } from './tickets.js';
import type { Transcript } from './transcript.js';

const U32 = 2 ** 32;

/** What the client offers in its ClientHello. */
export interface OfferedPsk {
  readonly ticket: ClientTicket;
}

/** The ticket the client may offer with these suites at this time, or null (RFC 8446 §4.2.11: same KDF hash). */
export function usableTicket(ctx: HandshakeContext, suites: readonly CipherSuite[]): OfferedPsk | null {
  const t = ctx.config.resumeTicket;
  if (t === null || t.version !== 'TLSv1.3') return null;
  if (!suites.some((s) => s.hash === t.suite.hash)) return null;
  const now = ctx.config.clock?.() ?? t.receivedAt;
  if (now - t.receivedAt > t.lifetime * 1000) return null;
  return { ticket: t };
}

/** The pre_shared_key extension with a placeholder binder (patched by `bindClientHello`). Last in the ClientHello. */
export function pskExtension(ctx: HandshakeContext, offer: OfferedPsk): ClientHelloExtension {
  const t = offer.ticket;
  const now = ctx.config.clock?.() ?? t.receivedAt;
  const age = Math.max(0, Math.floor(now - t.receivedAt));
  const schedule = KeySchedule.forSuite(ctx.provider, t.suite);
  return {
    type: 'pre_shared_key',
    identities: [{ identity: t.ticket, obfuscatedTicketAge: (age + t.ageAdd) % U32 }],
    binders: [Buffer.alloc(schedule.hashLength)],
  };
}

/**
 * RFC 8446 §4.2.11.2: computes the binder over the transcript so far and the
 * ClientHello truncated before its binders, and writes it into `raw` (the
 * framed ClientHello, pre_shared_key last).
 */
export function bindClientHello(ctx: HandshakeContext, offer: OfferedPsk, hello: ClientHello, raw: Buffer, transcript: Transcript): void {
  const psk = findExtension(hello.extensions, 'pre_shared_key');
  if (!psk || !('binders' in psk)) return;
  const t = offer.ticket;
  const hash = transcript.digestWith(t.suite.hash, raw.subarray(0, raw.length - pskBindersLength(psk.binders)));
  const binder = KeySchedule.forSuite(ctx.provider, t.suite).early(t.psk).binder('res', hash);
  patchPskBinders(raw, [binder]);
}

/** The ticket the server resumes: its identity's index and the state sealed in it. */
export interface AcceptedPsk {
  readonly index: number;
  readonly state: TicketState13;
}

/**
 * Server: picks the first offered ticket we can open and use with `suite`
 * (same hash, within its lifetime by our clock), and checks its binder
 * in constant time — a wrong binder is fatal (decrypt_error), an unusable
 * ticket only means a full handshake. `transcript` holds what precedes this
 * ClientHello (message_hash and HelloRetryRequest after a retry).
 */
export function acceptTicketPsk(ctx: HandshakeContext, ch: ClientHello, raw: Buffer, transcript: Transcript, suite: CipherSuite): AcceptedPsk | null {
  const offer = findExtension(ch.extensions, 'pre_shared_key');
  if (!offer || !('identities' in offer)) return null;
  const modes = findExtension(ch.extensions, 'psk_key_exchange_modes');
  // RFC 8446 §4.2.9: a client offering a PSK must say how it may be used.
  if (!modes) fatal('missing_extension', 'ClientHello offers pre_shared_key without psk_key_exchange_modes');
  const cfg = ctx.config;
  const keys = cfg.ticketKeys;
  // psk_ke (PSK without (EC)DHE) is refused: such a client gets a full handshake.
  if (keys === null || !modes.modes.includes(PskKeyExchangeMode.psk_dhe_ke)) {
    cfg.onResumption?.('miss');
    return null;
  }
  const now = keys.now();
  let outcome: 'miss' | 'timeout' = 'miss';
  for (let i = 0; i < offer.identities.length; i++) {
    const id = offer.identities[i]!;
    const opened = keys.open(id.identity);
    const state = opened === null ? null : decodeTicketState13(opened);
    if (state === null || state.suite.hash !== suite.hash) continue;
    const serverAge = now - state.issuedAt;
    if (serverAge < 0 || serverAge > state.lifetime * 1000) {
      outcome = 'timeout';
      continue;
    }
    // The client's view of the age (obfuscated_ticket_age) is not checked: RFC 9846 §4.3.10 and §8.3 use it
    // only to admit early data, which we never accept, and OpenSSL resumes whatever it says. A loaded server
    // that reads a ClientHello seconds after it was written still resumes (found by the soak, bench/soak/).
    // A server that now requires a client certificate does not resume a session that had none.
    if (cfg.clientAuth === 'required' && state.peerCertificates.length === 0) continue;
    const truncated = raw.subarray(0, raw.length - pskBindersLength(offer.binders));
    const hash = transcript.digestWith(suite.hash, truncated);
    const expected = KeySchedule.forSuite(ctx.provider, suite).early(state.psk).binder('res', hash);
    if (!ctx.provider.constantTimeEqual(expected, offer.binders[i]!)) fatal('decrypt_error', 'PSK binder does not verify');
    cfg.onResumption?.('hit');
    return { index: i, state };
  }
  cfg.onResumption?.(outcome);
  return null;
}
