import type { ConnectionConfig } from './config.js';
import { TLSError } from './errors.js';
import type { HandshakeContext, Negotiated, ResolvedConfig, Secrets12, TrafficSecrets } from './handshake-common.js';
import { emptyNegotiated, fatal, keepBytes, resolveConfig } from './handshake-common.js';
import { startClient } from './client-hs.js';
import { startServer } from './server-hs.js';
import { AlertDescription, AlertLevel } from './registry/alerts.js';
import { InboundLimits } from './inbound-limits.js';
import type { AlertName } from './registry/alerts.js';
import { ContentType, contentTypeName } from './registry/content-types.js';
import type { CipherSuite } from './registry/suites.js';
import { RecordLayer, type DeferredRecords, type EarlyDataSkip, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './record.js';
import type { AeadKey } from '../crypto/provider.js';
import { ByteQueue } from './byte-queue.js';
import { HandshakeBuffer } from './handshake-buffer.js';
import { acceptsChangeCipherSpec } from './states.js';
import { decodeChangeCipherSpec } from './messages/change-cipher-spec.js';
import { channelBinding, exportKeyingMaterial, keepSecrets, type ChannelBindingType } from './exporters.js';
import type { HandshakeState } from './states.js';
import { ProtocolVersion } from './registry/versions.js';
import { KeySchedule } from './keyschedule.js';
import { PostHandshake13, refusePostHandshake12 } from './post-handshake13.js';
import type { AnyClientTicket } from './tickets.js';
import type { Transcript } from './transcript.js';

/** RFC 8446 §5 / Appendix D.4: the compatibility change_cipher_spec is the single byte 1. */
const CCS_PAYLOAD = Buffer.from([1]);
/** What an emptied or unset buffer field points at: shared, as it holds nothing. */
const NO_BYTES = Buffer.alloc(0);

/**
 * One TLS 1.3 or TLS 1.2 connection, client or server, sans-IO: bytes in with
 * `receive()`, bytes out with `takeOutgoing()`, plaintext with `write()` /
 * `read()`. Synchronous; no I/O, timers or promises. This is what
 * `ssl.SSLObject` drives (Python's `_ssl._SSLSocket` over OpenSSL's `SSL`).
 */
export class Connection implements HandshakeContext {
  readonly isServer: boolean;
  readonly config: ResolvedConfig;
  readonly negotiated: Negotiated = emptyNegotiated();

  private readonly records: RecordLayer;
  private readonly hsReader: HandshakeBuffer;
  private readonly limits = new InboundLimits();
  private readKeyInstalled = false;
  private plainAlertWindow = false;
  /** Bytes held back while the plaintext-alert window is open. */
  private inbox: Buffer = NO_BYTES;
  private state: HandshakeState | null = null;
  private started = false;
  /** TLS 1.3, once the handshake is complete: the traffic secrets and what comes after the handshake. */
  private post: PostHandshake13 | null = null;
  private secrets12: Secrets12 | null = null;
  private clientRandom: Buffer = NO_BYTES;

  /** Decrypted application data not yet read. */
  private readonly plaintext = new ByteQueue();
  private failure: TLSError | null = null;
  private _handshakeDone = false;
  private _peerClosed = false;
  private _closed = false;
  /** Server: the first ClientHello has been read (from then on the compatibility CCS may come). */
  private helloReceived = false;

  constructor(role: 'client' | 'server', config: ConnectionConfig) {
    this.isServer = role === 'server';
    this.config = resolveConfig(config);
    this.records = new RecordLayer({ provider: this.config.provider });
    this.hsReader = new HandshakeBuffer(this.config.maxHandshakeMessageSize);
    // RFC 8446 §5: one middlebox-compatibility change_cipher_spec may arrive during the handshake, but only
    // after the first ClientHello: a server treats one before it as an unexpected record (processHandshakeRecord arms it).
    this.records.setChangeCipherSpecPolicy(this.isServer ? 'reject' : 'drop-once');
  }

  static client(config: ConnectionConfig): Connection {
    return new Connection('client', config);
  }

  static server(config: ConnectionConfig): Connection {
    return new Connection('server', config);
  }

  get provider() {
    return this.config.provider;
  }

  // ---- public state -------------------------------------------------------

  get handshakeDone(): boolean {
    return this._handshakeDone;
  }
  /** The peer's close_notify has been received: read() returns empty from now on once drained. */
  get peerClosed(): boolean {
    return this._peerClosed;
  }
  /** We have queued our close_notify. */
  get closed(): boolean {
    return this._closed;
  }
  /** The connection failed (alert sent or received); every call now rethrows this. */
  get error(): TLSError | null {
    return this.failure;
  }
  /** Decrypted application data not yet read. */
  get pendingPlaintext(): number {
    return this.plaintext.length;
  }
  /** True when progress needs bytes from the peer (handshake in progress, or nothing to read yet). */
  get wantsRead(): boolean {
    if (this.failure || this._peerClosed) return false;
    if (!this._handshakeDone) return true;
    return this.plaintext.length === 0;
  }
  /** The handshake has begun (a session can no longer be offered). */
  get hasStarted(): boolean {
    return this.started;
  }
  /** Ciphertext waiting in takeOutgoing() (a client that has not started yet has its ClientHello to send). */
  get hasOutgoing(): boolean {
    if (!this.started) return !this.isServer;
    return this.records.hasOutgoing;
  }

  // ---- bytes in / out -----------------------------------------------------

  /**
   * Feeds ciphertext from the peer. Processes every whole record; a partial
   * record waits for more. On a fatal error, queues our alert (unless the
   * peer's alert caused it) and throws TLSError; every later call rethrows it.
   * The caller may reuse its buffer once this returns. `more`, when given,
   * is fed right after `input` (a record's body apart from its header: the
   * two are read as one record, without joining them).
   */
  receive(input: Uint8Array, more?: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.ensureStarted();
    // Unprotected records' payloads are views of the input and the handshake
    // layer keeps them, so plaintext-era input is copied whole. Protected
    // records are opened in place into fresh plaintext, so then only the
    // unfinished record left over is copied (retainBuffered), not every byte.
    const transient = this.records.readProtection !== 'none' && !this.plainAlertWindow;
    try {
      if (this.plainAlertWindow) {
        // (It copies what it keeps.)
        if (!this.screenPlaintextAlerts(more === undefined ? input : Buffer.concat([input, more]))) return;
      } else if (transient && more !== undefined && this.records.canReadRecord(input, more)) {
        // A whole record given apart from its header, nothing else waiting: opened without queueing.
        const rec = this.records.readRecord(input, more);
        if (rec !== null) this.processRecord(rec.type, rec.payload);
        return;
      } else {
        this.records.feed(transient ? input : Buffer.from(input));
        if (more !== undefined) this.records.feed(transient ? more : Buffer.from(more));
      }
      // One record at a time, so a key change applies from the next record on.
      for (;;) {
        const rec = this.records.nextRecord();
        if (rec === null) break;
        this.processRecord(rec.type, rec.payload);
      }
      if (transient) this.records.retainBuffered();
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Server, between our first flight and the client's first protected record:
   * a client that fails to verify us may send its alert unprotected (OpenSSL
   * does, as it has not switched keys yet; OpenSSL's servers accept this too,
   * ENC_READ_STATE_ALLOW_PLAIN_ALERTS). Plaintext alerts are taken here;
   * everything from the first other record on goes to the record layer.
   * Returns false when only a partial record is buffered.
   */
  private screenPlaintextAlerts(data: Uint8Array): boolean {
    this.inbox = this.inbox.length === 0 ? Buffer.from(data) : Buffer.concat([this.inbox, data]);
    while (this.inbox.length >= RECORD_HEADER_LENGTH) {
      const type = this.inbox[0]!;
      const total = RECORD_HEADER_LENGTH + this.inbox.readUInt16BE(RECORD_HEADER_LENGTH - 2);
      if (type !== ContentType.alert && type !== ContentType.change_cipher_spec) break;
      if (this.inbox.length < total) return false;
      const record = this.inbox.subarray(0, total);
      this.inbox = this.inbox.subarray(total);
      if (type === ContentType.alert) {
        this.processAlert(record.subarray(RECORD_HEADER_LENGTH));
      } else {
        // The compatibility CCS: the record layer drops it (or rejects a bad one).
        this.records.feed(record);
        const rec = this.records.nextRecord();
        if (rec !== null) this.processRecord(rec.type, rec.payload);
      }
    }
    if (this.inbox.length < RECORD_HEADER_LENGTH) return false;
    this.plainAlertWindow = false;
    this.records.feed(this.inbox);
    this.inbox = NO_BYTES;
    return true;
  }

  /** Ciphertext to send to the peer (may be empty). */
  takeOutgoing(): Buffer {
    this.ensureStarted();
    return this.records.takeOutgoing();
  }

  /**
   * Sends application data. Only after the handshake, and not after close().
   * `now`: the caller takes the output right away (RecordWriter.write's
   * `now`: sealed at once, nothing copied to be coalesced later).
   */
  write(data: Uint8Array, now = false): void {
    if (this.failure) throw this.failure;
    if (!this._handshakeDone) throw new TLSError('internal_error', 'application data written before the handshake completed');
    if (this._closed) throw new TLSError('internal_error', 'application data written after close_notify');
    this.guard(() => {
      const post = this.post;
      post?.writing();
      if (now) this.records.expectWrite(data.length);
      for (let off = 0; off < data.length; off += MAX_PLAINTEXT_LENGTH) {
        post?.updateKeyIfDue();
        this.records.write(ContentType.application_data, data.subarray(off, off + MAX_PLAINTEXT_LENGTH), now);
      }
    });
  }

  /**
   * write() with the sealing left to the caller (a worker): RecordWriter.deferRecords. Null, nothing
   * written, when write() must do it: TLS 1.2, a KeyUpdate due within them, a key `accepts` refuses.
   */
  writeDeferred(data: Uint8Array, out: Uint8Array, offset: number, accepts: (aead: AeadKey) => boolean): DeferredRecords | null {
    if (this.failure) throw this.failure;
    const post = this.post;
    if (!this._handshakeDone || this._closed || post === null) return null;
    if (post.keyUpdateDueWithin(Math.ceil(data.length / MAX_PLAINTEXT_LENGTH))) return null;
    let deferred: DeferredRecords | null = null;
    this.guard(() => {
      post.writing();
      deferred = this.records.deferRecords(data, out, offset, accepts);
    });
    return deferred;
  }

  /** Up to `max` bytes of decrypted application data; an empty Buffer when none is buffered. */
  read(max = Number.MAX_SAFE_INTEGER): Buffer {
    if (max <= 0 || this.plaintext.length === 0) return Buffer.alloc(0);
    return this.plaintext.take(Math.min(Math.floor(max), this.plaintext.length));
  }

  /** Queues close_notify (RFC 8446 §6.1). Reading may continue until the peer closes too. */
  close(): void {
    if (this._closed || this.failure) return;
    this.ensureStarted();
    this._closed = true;
    this.sendAlert('close_notify', AlertLevel.warning);
  }

  /** Sends a KeyUpdate now (RFC 8446 §4.6.3); with requestPeer the peer must update its keys too. */
  keyUpdate(requestPeer: boolean): void {
    if (this.failure) throw this.failure;
    if (!this._handshakeDone) throw new TLSError('internal_error', 'KeyUpdate before the handshake completed');
    if (this._closed) throw new TLSError('internal_error', 'KeyUpdate after close_notify');
    const post = this.post;
    if (!post) throw new TLSError('internal_error', 'KeyUpdate does not exist in TLS 1.2');
    this.guard(() => post.sendKeyUpdate(requestPeer));
  }

  /**
   * Server: queues a post-handshake CertificateRequest (RFC 8446 §4.6.2); the
   * client's answer is taken by receive(). Refused (without harming the
   * connection) unless this is a TLS 1.3 server whose client offered
   * post_handshake_auth and no request is outstanding.
   */
  requestClientAuth(): void {
    if (this.failure) throw this.failure;
    if (!this.isServer) throw new TLSError('internal_error', 'post-handshake authentication is requested by the server');
    const post = this.post;
    if (!this._handshakeDone || this.negotiated.version !== 'TLSv1.3' || !post) throw new TLSError('internal_error', 'post-handshake authentication needs a completed TLS 1.3 handshake');
    // The handshake transcript is kept exactly when the client offered post_handshake_auth.
    const transcript = post.transcript;
    if (!this.negotiated.postHandshakeAuthOffered || !transcript) throw new TLSError('internal_error', 'the client did not offer post_handshake_auth');
    if (post.clientAuthPending) throw new TLSError('internal_error', 'a post-handshake CertificateRequest is already outstanding');
    if (this._closed) throw new TLSError('internal_error', 'post-handshake authentication after close_notify');
    this.guard(() => post.requestClientAuth(transcript));
  }

  /** Server: a post-handshake CertificateRequest is waiting for the client's answer. */
  get clientAuthPending(): boolean {
    return this.post?.clientAuthPending ?? false;
  }

  /** RFC 8446 §7.5 / RFC 5705 exporter (./exporters.ts). */
  exportKeyingMaterial(label: string, context: Uint8Array | null, length: number): Buffer {
    return exportKeyingMaterial(this.provider, this.negotiated, this.secrets12, this.post, label, context, length);
  }

  /** Channel binding data (RFC 5929 / RFC 9266, ./exporters.ts). Null before the handshake. */
  channelBinding(type: ChannelBindingType): Buffer | null {
    return channelBinding(this.provider, this.negotiated, this.secrets12, this.post, type);
  }

  // ---- HandshakeContext ---------------------------------------------------

  sendHandshake(message: Buffer): void {
    this.records.write(ContentType.handshake, message);
  }

  sendChangeCipherSpec(): void {
    this.records.write(ContentType.change_cipher_spec, CCS_PAYLOAD);
  }

  setReadKey(suite: CipherSuite, secret: Buffer): void {
    // RFC 8446 §5.1: handshake messages may not span a key change.
    if (!this.hsReader.isEmpty) fatal('unexpected_message', 'handshake message spans a change of keys');
    const k = KeySchedule.forSuite(this.provider, suite).trafficKeys(secret);
    this.records.setReadKey(suite, k.key, k.iv);
    // The first read key of a server is the client's handshake key: open the plaintext-alert window.
    if (this.isServer && !this.readKeyInstalled) this.plainAlertWindow = true;
    this.readKeyInstalled = true;
  }

  skipRejectedEarlyData(mode: EarlyDataSkip): void {
    this.records.skipRejectedEarlyData(mode);
  }

  setWriteKey(suite: CipherSuite, secret: Buffer): void {
    const k = KeySchedule.forSuite(this.provider, suite).trafficKeys(secret);
    this.records.setWriteKey(suite, k.key, k.iv);
  }

  setClientRandom(random: Buffer): void {
    // Only the key log needs it after the ClientHello.
    if (this.config.keyLog !== null) this.clientRandom = keepBytes(random);
  }

  keyLog(label: string, secret: Buffer): void {
    this.config.keyLog?.(label, this.clientRandom, secret);
  }

  handshakeComplete(schedule: KeySchedule, secrets: TrafficSecrets, transcript?: Transcript): void {
    // The transcript outlives the handshake only where post-handshake authentication may continue it
    // (RFC 8446 §4.6.2): a client that offered it, a server whose client did.
    const pha = this.isServer ? this.negotiated.postHandshakeAuthOffered : this.config.postHandshakeAuth;
    this.post = new PostHandshake13(this, this.records, this.limits, schedule, keepSecrets(secrets), pha ? (transcript ?? null) : null);
    this._handshakeDone = true;
    // RFC 8446 §5: after the peer's Finished a change_cipher_spec is unexpected_message.
    this.records.setChangeCipherSpecPolicy('reject');
    // RFC 8446 §4.6.1: tickets right after the client's Finished (their segment also carries the ACK
    // the client's first write would otherwise wait for under Nagle).
    if (this.isServer) this.sendTickets(this.config.numTickets);
  }

  /** Server: sends NewSessionTickets now (none without ticket keys). */
  sendTickets(count: number): void {
    this.post?.sendTickets(count);
  }

  /** Client: the ticket to offer for resumption; only before the connection starts. */
  offerTicket(ticket: AnyClientTicket | null): void {
    if (this.started) throw new TLSError('internal_error', 'a session can only be offered before the handshake starts');
    this.config.resumeTicket = ticket;
  }

  useTls12(): void {
    // RFC 5246 §7.1: ChangeCipherSpec is a protocol message in TLS 1.2; the states decide where it may come.
    this.records.setChangeCipherSpecPolicy('deliver');
    // RFC 5246 §6.2.1: every later record carries the negotiated version.
    this.records.requireRecordVersion(ProtocolVersion.TLSv1_2);
  }

  setReadKey12(suite: CipherSuite, key: Buffer, fixedIv: Buffer): void {
    this.records.setReadKey12(suite, key, fixedIv);
    this.readKeyInstalled = true;
  }

  setWriteKey12(suite: CipherSuite, key: Buffer, fixedIv: Buffer): void {
    this.records.setWriteKey12(suite, key, fixedIv);
  }

  handshakeComplete12(secrets: Secrets12): void {
    this.secrets12 = secrets;
    this._handshakeDone = true;
    this.records.setChangeCipherSpecPolicy('reject');
  }

  // ---- internals ----------------------------------------------------------

  private ensureStarted(): void {
    if (this.started) return;
    this.started = true;
    // A configuration the client cannot start with (e.g. TLS 1.2 only) fails before any byte is
    // sent: there is no peer to alert yet.
    this.guard(() => {
      if (this.isServer) {
        this.state = startServer(this);
      } else {
        // RFC 8446 §5.1: the initial ClientHello record may say 0x0301 for compatibility, as OpenSSL's does.
        this.records.setPlaintextRecordVersion(ProtocolVersion.TLSv1);
        this.state = startClient(this);
        this.records.setPlaintextRecordVersion(ProtocolVersion.TLSv1_2);
      }
    });
  }

  /** Runs fn; any failure becomes the connection's fatal error, with our alert queued unless the peer sent it. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  /** guard()'s failure half, for the hot paths that catch inline (no closure per call). */
  private fail(e: unknown): never {
    const err = e instanceof TLSError ? e : new TLSError('internal_error', `internal error: ${(e as Error)?.message ?? String(e)}`, false, { cause: e });
    if (!this.failure) {
      this.failure = err;
      if (!err.fromPeer && this.state !== null) {
        try {
          this.sendAlert(err.alert, AlertLevel.fatal);
        } catch {
          // The alert could not be protected (e.g. failure inside the record layer): nothing more to send.
        }
      }
    }
    throw this.failure;
  }

  private sendAlert(alert: AlertName, level: number): void {
    this.records.write(ContentType.alert, Buffer.from([level, AlertDescription[alert]]));
  }

  private processRecord(type: number, fragment: Buffer): void {
    // RFC 8446 §6.1: nothing may follow close_notify.
    if (this._peerClosed) fatal('unexpected_message', `${contentTypeName(type) ?? `content type ${type}`} record after close_notify`);
    this.limits.record(type, fragment.length);
    switch (type) {
      case ContentType.handshake:
        return this.processHandshakeRecord(fragment);
      case ContentType.alert:
        return this.processAlert(fragment);
      case ContentType.change_cipher_spec:
        return this.processChangeCipherSpec(fragment);
      case ContentType.application_data:
        if (!this._handshakeDone) fatal('unexpected_message', 'application data before the handshake completed');
        this.plaintext.push(fragment);
        this.post?.requestPeerKeyUpdateIfDue();
        return;
      default:
        fatal('unexpected_message', `unexpected record content type ${type}`);
    }
  }

  private processHandshakeRecord(fragment: Buffer): void {
    // RFC 8446 §5.1: handshake records may not be empty.
    if (fragment.length === 0) fatal('unexpected_message', 'empty handshake record');
    this.hsReader.push(fragment);
    for (;;) {
      const msg = this.hsReader.next();
      if (msg === null) break;
      // RFC 8446 §4.6 / RFC 5246 §7.4.1.1: what may come after the handshake.
      if (this.secrets12) refusePostHandshake12(this.isServer, msg);
      else if (this.post) this.post.handle(msg);
      else {
        if (!this.state) fatal('unexpected_message', 'handshake message after the handshake failed');
        if (this.isServer && !this.helloReceived) {
          this.helloReceived = true;
          this.records.setChangeCipherSpecPolicy('drop-once');
        }
        this.state = this.state.handle(msg);
      }
    }
  }

  /** RFC 5246 §7.1: a TLS 1.2 ChangeCipherSpec, exactly where a state expects one and never inside a handshake message. */
  private processChangeCipherSpec(fragment: Buffer): void {
    decodeChangeCipherSpec(fragment);
    if (!this.hsReader.isEmpty) fatal('unexpected_message', 'ChangeCipherSpec inside a fragmented handshake message');
    const state = this.state;
    if (this._handshakeDone || state === null || !acceptsChangeCipherSpec(state)) {
      fatal('unexpected_message', `ChangeCipherSpec received ${this._handshakeDone ? 'after the handshake' : `while ${state?.name ?? 'not expecting one'}`}`);
    }
    this.state = state.handleChangeCipherSpec();
  }

  private processAlert(fragment: Buffer): void {
    if (this.limits.alert(fragment, this.negotiated.version === 'TLSv1.2')) this._peerClosed = true;
  }
}
