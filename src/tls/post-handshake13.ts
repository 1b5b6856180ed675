/**
 * What a connection does with handshake messages after its handshake: in TLS
 * 1.3 (RFC 8446 §4.6) KeyUpdate both ways, NewSessionTicket and
 * post-handshake client authentication, over the traffic secrets it keeps;
 * in TLS 1.2 nothing but refusing renegotiation. The Connection owns one
 * `PostHandshake13` from the end of a TLS 1.3 handshake on.
 */
import type { HandshakeContext, TrafficSecrets } from './handshake-common.js';
import { fatal } from './handshake-common.js';
import type { InboundLimits } from './inbound-limits.js';
import type { KeySchedule } from './keyschedule.js';
import { encodeKeyUpdate } from './messages/key-update.js';
import { answerCertificateRequest, PostHandshakeAuthDone, requestClientCertificate } from './pha.js';
import { keepTicket, sendTickets } from './post-handshake.js';
import type { RecordLayer } from './record.js';
import { HandshakeType } from './registry/handshake-types.js';
import { decodeAs, describeType, frame } from './states.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import type { Transcript } from './transcript.js';

/** The connection as the post-handshake exchanges see it. */
export interface PostHandshakeHost extends HandshakeContext {
  readonly isServer: boolean;
  /** We have queued our close_notify. */
  readonly closed: boolean;
}

/** A TLS 1.3 connection after its handshake: its traffic secrets, and the messages that may come then. */
export class PostHandshake13 {
  /** The current traffic secrets (the application ones move on with each KeyUpdate). */
  secrets: TrafficSecrets;
  /** RFC 8446 §4.6.3: answer a burst of update_requested with a single KeyUpdate until we write again. */
  private answeredKeyUpdate = false;
  /** We asked the peer to update the key it writes with (RFC 8446 §5.5 read side); cleared when it does. */
  private peerKeyUpdateRequested = false;
  private ticketsSent = 0;
  /** Server: a post-handshake CertificateRequest awaiting its answer. */
  private pha: HandshakeState | null = null;

  constructor(
    private readonly ctx: PostHandshakeHost,
    private readonly records: RecordLayer,
    private readonly limits: InboundLimits,
    readonly schedule: KeySchedule,
    secrets: TrafficSecrets,
    /** The handshake transcript, which post-handshake authentication continues. */
    readonly transcript: Transcript | null,
  ) {
    this.secrets = secrets;
  }

  /** RFC 8446 §4.6: the only messages after the handshake. */
  handle(msg: IncomingMessage): void {
    const ctx = this.ctx;
    if (msg.type === HandshakeType.key_update) this.limits.keyUpdate();
    if (msg.type === HandshakeType.key_update) return this.processKeyUpdate(decodeAs(msg, 'key_update').updateRequested);
    if (msg.type === HandshakeType.new_session_ticket && !ctx.isServer) {
      const ticket = keepTicket(ctx, this.schedule, this.secrets, decodeAs(msg, 'new_session_ticket'));
      if (ticket !== null) ctx.config.onTicket?.(ticket);
      return;
    }
    if (msg.type === HandshakeType.certificate_request && !ctx.isServer) {
      return answerCertificateRequest(ctx, msg, this.transcript!, this.schedule, this.secrets.clientApplication);
    }
    if (this.pha !== null) {
      this.pha = this.pha.handle(msg);
      if (this.pha instanceof PostHandshakeAuthDone) this.pha = null;
      return;
    }
    fatal('unexpected_message', `${describeType(msg.type)} after the handshake`);
  }

  /** Server: sends `count` NewSessionTickets now (none without ticket keys). */
  sendTickets(count: number): void {
    if (!this.ctx.isServer || count <= 0) return;
    sendTickets(this.ctx, this.schedule, this.secrets, count, this.ticketsSent);
    this.ticketsSent += count;
  }

  /** Server: queues a post-handshake CertificateRequest (the caller has checked that one may be sent). */
  requestClientAuth(transcript: Transcript): void {
    this.pha = requestClientCertificate(this.ctx, transcript, this.schedule, () => this.secrets.clientApplication);
  }

  /** Server: a post-handshake CertificateRequest is waiting for the client's answer. */
  get clientAuthPending(): boolean {
    return this.pha !== null;
  }

  /** We are writing application data: a later update_requested gets its answer again. */
  writing(): void {
    this.answeredKeyUpdate = false;
  }

  /** Before each record of application data: RFC 8446 §5.5, change keys before the AEAD's safety limit. */
  updateKeyIfDue(): void {
    if (this.keyUpdateDueWithin(1)) this.sendKeyUpdate(false);
  }

  /** True when a KeyUpdate is due before one of the next `n` records (then they go one by one through updateKeyIfDue). */
  keyUpdateDueWithin(n: number): boolean {
    // The record count is a Number (exact far past any limit): no BigInt per record.
    const last = this.records.writeDirection.recordCount + n - 1;
    return this.records.writeDirection.needsKeyUpdateAt(last) || last >= this.ctx.config.keyUpdateRecordLimit;
  }

  /**
   * RFC 8446 §5.5 on the read side: receivers SHOULD NOT enforce the AEAD
   * limits (no alert), but when the peer's key has protected as many records
   * as we would before updating our own (the AES-GCM threshold, or the
   * configured record limit), we ask the peer for a KeyUpdate, once per key.
   */
  requestPeerKeyUpdateIfDue(): void {
    if (this.peerKeyUpdateRequested || this.ctx.closed) return;
    const read = this.records.readDirection;
    if (read.recordCount < this.ctx.config.keyUpdateRecordLimit && !read.needsKeyUpdate) return;
    this.peerKeyUpdateRequested = true;
    this.sendKeyUpdate(true);
  }

  private processKeyUpdate(requested: boolean): void {
    const suite = this.ctx.negotiated.suite!;
    const s = this.secrets;
    // The peer's traffic secret moves on; our read key follows.
    const peerIsClient = this.ctx.isServer;
    const next = this.schedule.nextApplicationTrafficSecret(peerIsClient ? s.clientApplication : s.serverApplication);
    this.secrets = peerIsClient ? { ...s, clientApplication: next } : { ...s, serverApplication: next };
    this.ctx.setReadKey(suite, next);
    this.peerKeyUpdateRequested = false;
    if (requested && !this.answeredKeyUpdate && !this.ctx.closed) {
      this.answeredKeyUpdate = true;
      this.sendKeyUpdate(false);
    }
  }

  /** Sends a KeyUpdate and moves our write key on (RFC 8446 §4.6.3). */
  sendKeyUpdate(requestPeer: boolean): void {
    const suite = this.ctx.negotiated.suite!;
    const s = this.secrets;
    this.ctx.sendHandshake(frame(HandshakeType.key_update, encodeKeyUpdate({ type: 'key_update', updateRequested: requestPeer })));
    const mineIsClient = !this.ctx.isServer;
    const next = this.schedule.nextApplicationTrafficSecret(mineIsClient ? s.clientApplication : s.serverApplication);
    this.secrets = mineIsClient ? { ...s, clientApplication: next } : { ...s, serverApplication: next };
    this.ctx.setWriteKey(suite, next);
  }
}

/**
 * RFC 5246 §7.4.1.1 / RFC 5746: after a TLS 1.2 handshake a HelloRequest (to
 * a client) or a ClientHello (to a server) asks for renegotiation, which we
 * never do: refused with no_renegotiation (as OpenSSL with
 * SSL_OP_NO_RENEGOTIATION), sent fatal so that both sides end alike.
 */
export function refusePostHandshake12(isServer: boolean, msg: IncomingMessage): never {
  const renegotiation = isServer ? HandshakeType.client_hello : HandshakeType.hello_request;
  if (msg.type === renegotiation) fatal('no_renegotiation', `${describeType(msg.type)} after the handshake: renegotiation is not supported`);
  fatal('unexpected_message', `${describeType(msg.type)} after the handshake`);
}
