/**
 * The client's hello step, shared by both versions (rustls' client/hs.rs):
 * build and send the ClientHello, read the ServerHello (or
 * HelloRetryRequest), settle the version, then hand off to the TLS 1.3
 * states (client13.ts) or the TLS 1.2 states (client12.ts).
 *
 *   startClient → ExpectServerHello ─┬─ HelloRetryRequest → ExpectServerHello (1.3 only)
 *                                    ├─ TLS 1.3 → client13 ExpectEncryptedExtensions …
 *                                    └─ TLS 1.2 → client12 ExpectCertificate …
 */
import type { KeyExchange } from '../crypto/provider.js';
import type { HandshakeContext } from './handshake-common.js';
import { fatal, initialKeyShares } from './handshake-common.js';
import { encodeClientHello, MAX_SESSION_ID_LENGTH, NULL_COMPRESSION, RANDOM_LENGTH, type ClientHello } from './messages/client-hello.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, type HelloRetryRequest, type ServerHello } from './messages/server-hello.js';
import { findExtension, type ClientHelloExtension, type HelloRetryRequestExtension, type ServerHelloExtension } from './messages/extensions.js';
import { EcPointFormat, extensionName, PskKeyExchangeMode } from './registry/extensions.js';
import { groupById, groupByKex } from './registry/groups.js';
import { HandshakeType } from './registry/handshake-types.js';
import { CERTIFICATE_SIGNATURE_SCHEMES } from './registry/signature-schemes.js';
import { suiteById, SignalingSuite, type CipherSuite } from './registry/suites.js';
import { ProtocolVersion, versionCode, versionsBetween, type VersionName } from './registry/versions.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs, expectType, frame } from './states.js';
import { Transcript } from './transcript.js';
import { processServerHello13 } from './client13.js';
import { processServerHello12 } from './client12.js';
import { isIpAddress as isIpLiteral } from '../x509/hostname.js';
import { bindClientHello, pskExtension, usableTicket, type OfferedPsk } from './psk.js';
import { offeredSession12 } from './resume12.js';
import type { ClientTicket12 } from './tickets.js';

/** Everything the client decided in its ClientHello; carried through the states of either version. */
export interface ClientHelloState {
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly offeredSuites: readonly CipherSuite[];
  /** Versions offered, highest first. */
  readonly offeredVersions: readonly VersionName[];
  readonly alpn: readonly string[];
  readonly sentServerName: string | null;
  readonly transcript: Transcript;
  keyShares: KeyExchange[];
  hello: ClientHello;
  /** The ticket offered for resumption (dropped after a HelloRetryRequest for another hash). */
  psk: OfferedPsk | null;
  /** A TLS 1.2 session offered for an abbreviated handshake (RFC 5077 ticket, or its session id). */
  readonly session12: ClientTicket12 | null;
}

/** Sends the first ClientHello and returns the first state. */
export function startClient(ctx: HandshakeContext): HandshakeState {
  const cfg = ctx.config;
  const offeredVersions = versionsBetween(cfg.minVersion, cfg.maxVersion);
  if (offeredVersions.length === 0) fatal('protocol_version', 'no protocols available: minimum version is above maximum version');
  const offeredSuites = cfg.cipherSuites.filter((s) => offeredVersions.includes(s.version));
  if (offeredSuites.length === 0) fatal('handshake_failure', `no cipher suites configured for ${offeredVersions.join(' / ')}`);
  if (cfg.groups.length === 0) fatal('handshake_failure', 'no key-exchange groups configured');
  const random = ctx.provider.randomBytes(RANDOM_LENGTH);
  // RFC 8446 Appendix D.4: a non-empty legacy_session_id makes a TLS 1.3 handshake look like a TLS 1.2
  // resumption to middleboxes. A TLS 1.2-only client has no session to resume and sends none.
  // RFC 5077 §3.4: with a TLS 1.2 ticket, a fresh session id the server echoes when it resumes; without one, the session's id.
  const session12 = offeredVersions.includes('TLSv1.2') ? offeredSession12(ctx) : null;
  const sessionId =
    session12 !== null && session12.ticket.length === 0
      ? session12.sessionId
      : (cfg.middleboxCompat && offeredVersions.includes('TLSv1.3')) || session12 !== null
        ? ctx.provider.randomBytes(MAX_SESSION_ID_LENGTH)
        : Buffer.alloc(0);
  const serverName = cfg.serverName && !isIpLiteral(cfg.serverName) ? cfg.serverName : null;
  const base: Omit<ClientHelloState, 'hello'> = {
    random,
    sessionId,
    offeredSuites,
    offeredVersions,
    alpn: cfg.alpnProtocols,
    sentServerName: serverName,
    transcript: new Transcript(ctx.provider),
    // TLS 1.2 generates its ECDHE key when the ServerKeyExchange names the group.
    keyShares: offeredVersions.includes('TLSv1.3') ? initialKeyShares(ctx.provider, cfg.groups) : [],
    psk: offeredVersions.includes('TLSv1.3') ? usableTicket(ctx, offeredSuites) : null,
    session12,
  };
  const st: ClientHelloState = { ...base, hello: buildClientHello(ctx, base, null) };
  ctx.setClientRandom(st.hello.random);
  sendHello(ctx, st);
  return new ExpectServerHello(ctx, st, null);
}

function buildClientHello(ctx: HandshakeContext, st: Omit<ClientHelloState, 'hello'>, cookie: Buffer | null): ClientHello {
  const cfg = ctx.config;
  const v13 = st.offeredVersions.includes('TLSv1.3');
  const v12 = st.offeredVersions.includes('TLSv1.2');
  const ext: ClientHelloExtension[] = [];
  if (st.sentServerName !== null) ext.push({ type: 'server_name', hostName: st.sentServerName });
  if (v12) {
    // RFC 8422 §5.1.2: only the uncompressed point format. RFC 7627 §5.1: extended master secret.
    ext.push({ type: 'ec_point_formats', formats: [EcPointFormat.uncompressed] });
    ext.push({ type: 'extended_master_secret' });
    // RFC 5077 §3.2: our ticket, or empty to ask for one (unless tickets are off: SSL_OP_NO_TICKET).
    if (cfg.tickets12) ext.push({ type: 'session_ticket', ticket: st.session12?.ticket ?? Buffer.alloc(0) });
  }
  ext.push({ type: 'supported_groups', groups: cfg.groups.map((g) => groupByKex(g).id) });
  if (st.alpn.length > 0) ext.push({ type: 'application_layer_protocol_negotiation', protocols: st.alpn.map((p) => Buffer.from(p, 'latin1')) });
  ext.push({ type: 'signature_algorithms', schemes: cfg.signatureSchemes.filter((s) => (v13 && s.tls13) || (v12 && s.tls12)).map((s) => s.id) });
  ext.push({ type: 'signature_algorithms_cert', schemes: CERTIFICATE_SIGNATURE_SCHEMES.map((s) => s.id) });
  if (v13) {
    ext.push({ type: 'supported_versions', versions: st.offeredVersions.map(versionCode) });
    if (cookie !== null) ext.push({ type: 'cookie', cookie });
    // RFC 8446 §4.2.9: tickets may be used with (EC)DHE only.
    ext.push({ type: 'psk_key_exchange_modes', modes: [PskKeyExchangeMode.psk_dhe_ke] });
    ext.push({ type: 'key_share', clientShares: st.keyShares.map((k) => ({ group: groupByKex(k.group).id, keyExchange: k.publicKey })) });
    if (cfg.postHandshakeAuth) ext.push({ type: 'post_handshake_auth' });
    // RFC 8446 §4.2.11: pre_shared_key comes last.
    if (st.psk !== null) ext.push(pskExtension(ctx, st.psk));
  }
  const suites = st.offeredSuites.map((s) => s.id);
  // RFC 5746 §3.4: the empty renegotiation_info, signalled by the SCSV (as OpenSSL does).
  if (v12) suites.push(SignalingSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  const hello: ClientHello = {
    type: 'client_hello',
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: st.random,
    legacySessionId: st.sessionId,
    cipherSuites: suites,
    legacyCompressionMethods: [NULL_COMPRESSION],
    extensions: ext,
  };
  return cfg.clientHelloHook ? cfg.clientHelloHook(hello) : hello;
}

function sendHello(ctx: HandshakeContext, st: ClientHelloState): void {
  const raw = frame(HandshakeType.client_hello, encodeClientHello(st.hello));
  if (st.psk !== null) bindClientHello(ctx, st.psk, st.hello, raw, st.transcript);
  st.transcript.add(raw);
  ctx.sendHandshake(raw);
}

/** RFC 8446 §4.2 / RFC 5246 §7.4.1.4: a server may only send extensions the client offered. */
export function rejectUnsolicited(exts: readonly { type: string; code?: number }[], allowed: readonly string[], what: string): void {
  for (const e of exts) {
    if (allowed.includes(e.type)) continue;
    const name = e.type === 'unknown' ? extensionName(e.code ?? -1) ?? `unknown extension ${e.code}` : e.type;
    fatal('unsupported_extension', `${what} carries ${name}, which we did not offer`);
  }
}

/** Records the server's ALPN answer (RFC 7301 §3.1: exactly one protocol, one that we offered) and the name we sent. */
export function acceptServerAlpnAndName(ctx: HandshakeContext, st: ClientHelloState, exts: readonly { type: string }[]): void {
  const alpn = findExtension(exts as readonly ServerHelloExtension[], 'application_layer_protocol_negotiation');
  if (alpn) {
    if (alpn.protocols.length !== 1) fatal('illegal_parameter', `server ALPN lists ${alpn.protocols.length} protocols, expected exactly one`);
    const chosen = alpn.protocols[0]!.toString('latin1');
    const ours = findExtension(st.hello.extensions, 'application_layer_protocol_negotiation');
    if (!ours || !ours.protocols.some((p) => p.toString('latin1') === chosen)) fatal('illegal_parameter', `server selected ALPN protocol ${JSON.stringify(chosen)}, which we did not offer`);
    ctx.negotiated.alpn = chosen;
  }
  ctx.negotiated.serverName = st.sentServerName;
}

/**
 * The version a ServerHello or HelloRetryRequest selects (RFC 8446 §4.2.1,
 * §4.1.3): TLS 1.3 only through supported_versions; without it, the
 * legacy_version, which must be one we offered.
 */
function selectedVersion(st: ClientHelloState, sh: ServerHello | HelloRetryRequest, what: string): VersionName {
  const sv = findExtension(sh.extensions as readonly (ServerHelloExtension | HelloRetryRequestExtension)[], 'supported_versions');
  if (sv) {
    // Selecting a version not offered, or TLS 1.2 via supported_versions, is illegal_parameter.
    if (sv.selectedVersion !== ProtocolVersion.TLSv1_3 || !st.offeredVersions.includes('TLSv1.3')) {
      fatal('illegal_parameter', `${what} selects version 0x${sv.selectedVersion.toString(16)} in supported_versions`);
    }
    if (sh.legacyVersion !== ProtocolVersion.TLSv1_2) fatal('protocol_version', `${what} legacy_version is 0x${sh.legacyVersion.toString(16)}, not 0x0303`);
    return 'TLSv1.3';
  }
  if (sh.legacyVersion === ProtocolVersion.TLSv1_2 && st.offeredVersions.includes('TLSv1.2')) return 'TLSv1.2';
  const v = `0x${sh.legacyVersion.toString(16).padStart(4, '0')}`;
  fatal('protocol_version', `unsupported protocol: server selected version ${v}, we offer ${st.offeredVersions.join(' and ')}`);
}

/** Checks common to every ServerHello and HelloRetryRequest of either version (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3). Returns the suite. */
function checkServerHelloCommon(st: ClientHelloState, sh: ServerHello | HelloRetryRequest, version: VersionName, what: string): CipherSuite {
  if (version === 'TLSv1.3' && !sh.legacySessionIdEcho.equals(st.hello.legacySessionId)) fatal('illegal_parameter', `${what} echoes a different legacy_session_id`);
  // Without a TLS 1.2 session offered, a TLS 1.2 server echoing our (compatibility) session id claims a resumption.
  if (version === 'TLSv1.2' && st.session12 === null && sh.legacySessionIdEcho.length > 0 && sh.legacySessionIdEcho.equals(st.hello.legacySessionId)) {
    fatal('illegal_parameter', `${what} resumes a session we did not offer`);
  }
  if (sh.legacyCompressionMethod !== NULL_COMPRESSION) fatal('illegal_parameter', `${what} selects compression method ${sh.legacyCompressionMethod}`);
  const suite = st.offeredSuites.find((s) => s.id === sh.cipherSuite);
  if (!suite || suite.version !== version) {
    const known = suiteById(sh.cipherSuite);
    const name = known ? known.ianaName : `0x${sh.cipherSuite.toString(16).padStart(4, '0')}`;
    fatal('illegal_parameter', `${what} selects cipher suite ${name}, which we did not offer for ${version}`);
  }
  return suite;
}

/** After a HelloRetryRequest: the suite and group the server asked for. */
export interface RetryRequest {
  readonly suite: CipherSuite;
  readonly group: number;
}

class ExpectServerHello implements HandshakeState {
  readonly name = 'ExpectServerHello';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly st: ClientHelloState,
    private readonly retry: RetryRequest | null,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    expectType(msg, HandshakeType.server_hello, this.name);
    const decoded = decodeAs(msg, 'server_hello');
    if (decoded.type === 'hello_retry_request') {
      if (this.retry) fatal('unexpected_message', 'second HelloRetryRequest'); // RFC 8446 §4.1.4
      return this.processHelloRetryRequest(decoded, msg.raw);
    }
    const { ctx, st } = this;
    const version = selectedVersion(st, decoded, 'ServerHello');
    // RFC 8446 §4.1.3: a TLS 1.3 client that lands on TLS 1.2 or below checks the downgrade sentinel.
    if (version !== 'TLSv1.3' && st.offeredVersions.includes('TLSv1.3')) {
      const tail = decoded.random.subarray(RANDOM_LENGTH - DOWNGRADE_TLS12.length);
      if (tail.equals(DOWNGRADE_TLS12) || tail.equals(DOWNGRADE_TLS11)) fatal('illegal_parameter', 'ServerHello random carries the TLS 1.3 downgrade sentinel');
    }
    // RFC 8446 §4.1.4: after a HelloRetryRequest the server is committed to TLS 1.3.
    if (this.retry && version !== 'TLSv1.3') fatal('illegal_parameter', 'ServerHello after a HelloRetryRequest negotiates TLS 1.2');
    const suite = checkServerHelloCommon(st, decoded, version, 'ServerHello');
    if (version === 'TLSv1.3') return processServerHello13(ctx, st, decoded, msg.raw, suite, this.retry);
    return processServerHello12(ctx, st, decoded, msg.raw, suite);
  }

  /** RFC 8446 §4.1.4. */
  private processHelloRetryRequest(hrr: HelloRetryRequest, raw: Buffer): HandshakeState {
    const { ctx, st } = this;
    if (selectedVersion(st, hrr, 'HelloRetryRequest') !== 'TLSv1.3') fatal('illegal_parameter', 'HelloRetryRequest without supported_versions');
    const suite = checkServerHelloCommon(st, hrr, 'TLSv1.3', 'HelloRetryRequest');
    rejectUnsolicited(hrr.extensions, ['supported_versions', 'key_share', 'cookie'], 'HelloRetryRequest');
    const ks = findExtension(hrr.extensions, 'key_share');
    const cookie = findExtension(hrr.extensions, 'cookie');
    // "Clients MUST abort the handshake with an illegal_parameter alert if the HelloRetryRequest would not result in any change in the ClientHello."
    if (!ks && !cookie) fatal('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    let group = groupByKex(st.keyShares[0]!.group).id;
    if (ks) {
      const g = groupById(ks.selectedGroup);
      if (!g || !ctx.config.groups.includes(g.kex)) fatal('illegal_parameter', `HelloRetryRequest selects group 0x${ks.selectedGroup.toString(16)}, which we did not offer`);
      if (st.keyShares.some((k) => k.group === g.kex)) fatal('illegal_parameter', `HelloRetryRequest selects group ${g.name}, for which we already sent a key share`);
      st.keyShares = [ctx.provider.generateKeyExchange(g.kex)];
      group = g.id;
    }
    ctx.negotiated.helloRetry = true;
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the transcript.
    st.transcript.replaceWithMessageHash(suite.hash);
    st.transcript.add(raw);
    // RFC 8446 §4.1.4: a PSK whose hash differs from the suite's is not offered again.
    if (st.psk !== null && st.psk.ticket.suite.hash !== suite.hash) st.psk = null;
    st.hello = buildClientHello(ctx, st, cookie ? cookie.cookie : null);
    // Appendix D.4: the compatibility CCS goes right before the second ClientHello.
    if (ctx.config.middleboxCompat) ctx.sendChangeCipherSpec();
    sendHello(ctx, st);
    return new ExpectServerHello(ctx, st, { suite, group });
  }
}
