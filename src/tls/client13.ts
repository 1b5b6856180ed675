/**
 * The TLS 1.3 client handshake (RFC 8446 §4, Appendix A.1), one state per
 * expected message, in the shape of Go's handshake_client_tls13.go and
 * rustls' client/tls13.rs:
 *
 *   ExpectServerHello → (HelloRetryRequest → ExpectServerHello)
 *   → ExpectEncryptedExtensions → ExpectCertificateOrCertRequest
 *   → ExpectCertificate → ExpectCertificateVerify → ExpectFinished → traffic
 */
import type { KeyExchange } from '../crypto/provider.js';
import { selectCertificate, signCertificateVerify, verifyCertificateVerify } from './cert-select.js';
import type { CertificateChoice } from './cert-select.js';
import type { HandshakeContext } from './handshake-common.js';
import { deriveSharedSecret, fatal, recordNegotiated13 } from './handshake-common.js';
import { KeySchedule } from './keyschedule.js';
import type { HandshakeSecret } from './keyschedule.js';
import { encodeClientHello, type ClientHello } from './messages/client-hello.js';
import type { HelloRetryRequest, ServerHello } from './messages/server-hello.js';
import type { CertificateRequest13 as CertificateRequest } from './messages/certificate-request.js';
import { encodeCertificate } from './messages/certificate.js';
import { encodeCertificateVerify } from './messages/certificate-verify.js';
import { encodeFinished } from './messages/finished.js';
import { findExtension, type ClientHelloExtension, type HelloRetryRequestExtension, type ServerHelloExtension } from './messages/extensions.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12 } from './messages/server-hello.js';
import { RANDOM_LENGTH, MAX_SESSION_ID_LENGTH } from './messages/client-hello.js';
import { PskKeyExchangeMode, extensionName } from './registry/extensions.js';
import { groupById, SUPPORTED_GROUPS } from './registry/groups.js';
import type { GroupInfo } from './registry/groups.js';
import { HandshakeType } from './registry/handshake-types.js';
import { ProtocolVersion } from './registry/versions.js';
import { CERTIFICATE_SIGNATURE_SCHEMES } from './registry/signature-schemes.js';
import type { CipherSuite } from './registry/suites.js';
import { suiteById } from './registry/suites.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs, expectType, frame } from './states.js';
import { leafSpki, verifyPeerChain } from './peer-cert.js';
import { Transcript } from './transcript.js';
import { isIpAddress as isIpLiteral } from '../x509/hostname.js';

/** The only legacy compression method (RFC 8446 §4.1.2). */
const NULL_COMPRESSION = 0;

function groupInfo(kex: string): GroupInfo {
  const g = SUPPORTED_GROUPS.find((x) => x.kex === kex);
  if (!g) throw new Error(`group ${kex} is not implemented`);
  return g;
}

/** Everything the client decided in its first ClientHello; carried through the states. */
interface ClientHelloState {
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly offeredSuites: readonly CipherSuite[];
  readonly offeredVersions: readonly number[];
  readonly alpn: readonly string[];
  readonly sentServerName: string | null;
  readonly transcript: Transcript;
  keyShares: KeyExchange[];
  hello: ClientHello;
}

/** Sends the first ClientHello and returns the first state. */
export function startClient(ctx: HandshakeContext): HandshakeState {
  const cfg = ctx.config;
  if (cfg.maxVersion !== 'TLSv1.3') fatal('protocol_version', 'TLS 1.2 is not implemented yet: maximum version must be TLSv1.3');
  if (cfg.cipherSuites.length === 0) fatal('handshake_failure', 'no TLS 1.3 cipher suites configured');
  if (cfg.groups.length === 0) fatal('handshake_failure', 'no key-exchange groups configured');
  const random = ctx.provider.randomBytes(RANDOM_LENGTH);
  // Appendix D.4: a non-empty legacy_session_id makes the handshake look like a TLS 1.2 resumption to middleboxes.
  const sessionId = cfg.middleboxCompat ? ctx.provider.randomBytes(MAX_SESSION_ID_LENGTH) : Buffer.alloc(0);
  const offeredVersions = cfg.minVersion === 'TLSv1.2' ? [ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2] : [ProtocolVersion.TLSv1_3];
  const serverName = cfg.serverName && !isIpLiteral(cfg.serverName) ? cfg.serverName : null;
  const share = ctx.provider.generateKeyExchange(cfg.groups[0]!);
  const base: Omit<ClientHelloState, 'hello'> = {
    random,
    sessionId,
    offeredSuites: cfg.cipherSuites,
    offeredVersions,
    alpn: cfg.alpnProtocols,
    sentServerName: serverName,
    transcript: new Transcript(ctx.provider),
    keyShares: [share],
  };
  const st: ClientHelloState = { ...base, hello: buildClientHello(ctx, base, null) };
  ctx.setClientRandom(st.hello.random);
  sendHello(ctx, st);
  return new ExpectServerHello(ctx, st, null);
}

function buildClientHello(ctx: HandshakeContext, st: Omit<ClientHelloState, 'hello'>, cookie: Buffer | null): ClientHello {
  const cfg = ctx.config;
  const ext: ClientHelloExtension[] = [];
  if (st.sentServerName !== null) ext.push({ type: 'server_name', hostName: st.sentServerName });
  ext.push({ type: 'supported_groups', groups: cfg.groups.map((g) => groupInfo(g).id) });
  if (st.alpn.length > 0) ext.push({ type: 'application_layer_protocol_negotiation', protocols: st.alpn.map((p) => Buffer.from(p, 'latin1')) });
  ext.push({ type: 'signature_algorithms', schemes: cfg.signatureSchemes.map((s) => s.id) });
  ext.push({ type: 'signature_algorithms_cert', schemes: CERTIFICATE_SIGNATURE_SCHEMES.map((s) => s.id) });
  ext.push({ type: 'supported_versions', versions: st.offeredVersions });
  if (cookie !== null) ext.push({ type: 'cookie', cookie });
  // Sent so a server may issue tickets; resumption itself is a later feature.
  ext.push({ type: 'psk_key_exchange_modes', modes: [PskKeyExchangeMode.psk_dhe_ke] });
  ext.push({ type: 'key_share', clientShares: st.keyShares.map((k) => ({ group: groupInfo(k.group).id, keyExchange: k.publicKey })) });
  const hello: ClientHello = {
    type: 'client_hello',
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: st.random,
    legacySessionId: st.sessionId,
    cipherSuites: st.offeredSuites.map((s) => s.id),
    legacyCompressionMethods: [NULL_COMPRESSION],
    extensions: ext,
  };
  return cfg.clientHelloHook ? cfg.clientHelloHook(hello) : hello;
}

function sendHello(ctx: HandshakeContext, st: ClientHelloState): void {
  const raw = frame(HandshakeType.client_hello, encodeClientHello(st.hello));
  st.transcript.add(raw);
  ctx.sendHandshake(raw);
}

/** Checks common to ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). Returns the suite and selected version. */
function checkServerHelloCommon(st: ClientHelloState, sh: ServerHello | HelloRetryRequest, what: string): CipherSuite {
  const exts: readonly (ServerHelloExtension | HelloRetryRequestExtension)[] = sh.extensions;
  const sv = findExtension(exts, 'supported_versions');
  if (!sv) {
    // No supported_versions: the server negotiated TLS 1.2 or older.
    if (st.offeredVersions.includes(ProtocolVersion.TLSv1_2) && sh.legacyVersion === ProtocolVersion.TLSv1_2) {
      fatal('protocol_version', 'server selected TLS 1.2, which is not implemented yet');
    }
    fatal('protocol_version', `server selected legacy version 0x${sh.legacyVersion.toString(16)}, we only speak TLS 1.3`);
  }
  if (sv.selectedVersion !== ProtocolVersion.TLSv1_3) {
    // RFC 8446 §4.2.1: selecting a version not offered, or TLS 1.2 via supported_versions, is illegal_parameter.
    fatal('illegal_parameter', `${what} selects version 0x${sv.selectedVersion.toString(16)} in supported_versions`);
  }
  if (sh.legacyVersion !== ProtocolVersion.TLSv1_2) fatal('protocol_version', `${what} legacy_version is 0x${sh.legacyVersion.toString(16)}, not 0x0303`);
  if (!sh.legacySessionIdEcho.equals(st.hello.legacySessionId)) fatal('illegal_parameter', `${what} echoes a different legacy_session_id`);
  if (sh.legacyCompressionMethod !== NULL_COMPRESSION) fatal('illegal_parameter', `${what} selects compression method ${sh.legacyCompressionMethod}`);
  const suite = st.offeredSuites.find((s) => s.id === sh.cipherSuite);
  if (!suite) {
    const known = suiteById(sh.cipherSuite);
    fatal('illegal_parameter', `${what} selects cipher suite ${known ? known.ianaName : `0x${sh.cipherSuite.toString(16).padStart(4, '0')}`}, which we did not offer`);
  }
  return suite;
}

/** RFC 8446 §4.2: a server may only send extensions the client offered. */
function rejectUnsolicited(exts: readonly { type: string; code?: number }[], allowed: readonly string[], what: string): void {
  for (const e of exts) {
    if (allowed.includes(e.type)) continue;
    const name = e.type === 'unknown' ? extensionName(e.code ?? -1) ?? `unknown extension ${e.code}` : e.type;
    fatal('unsupported_extension', `${what} carries ${name}, which we did not offer`);
  }
}

class ExpectServerHello implements HandshakeState {
  readonly name = 'ExpectServerHello';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly st: ClientHelloState,
    /** Set after a HelloRetryRequest: the suite and group the server asked for. */
    private readonly retry: { suite: CipherSuite; group: number } | null,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    expectType(msg, HandshakeType.server_hello, this.name);
    const decoded = decodeAs(msg, 'server_hello');
    if (decoded.type === 'hello_retry_request') {
      if (this.retry) fatal('unexpected_message', 'second HelloRetryRequest'); // RFC 8446 §4.1.4
      return this.processHelloRetryRequest(decoded, msg.raw);
    }
    return this.processServerHello(decoded, msg.raw);
  }

  /** RFC 8446 §4.1.4. */
  private processHelloRetryRequest(hrr: HelloRetryRequest, raw: Buffer): HandshakeState {
    const { ctx, st } = this;
    const suite = checkServerHelloCommon(st, hrr, 'HelloRetryRequest');
    rejectUnsolicited(hrr.extensions, ['supported_versions', 'key_share', 'cookie'], 'HelloRetryRequest');
    const ks = findExtension(hrr.extensions, 'key_share');
    const cookie = findExtension(hrr.extensions, 'cookie');
    // "Clients MUST abort the handshake with an illegal_parameter alert if the HelloRetryRequest would not result in any change in the ClientHello."
    if (!ks && !cookie) fatal('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    let group = groupInfo(st.keyShares[0]!.group).id;
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
    st.hello = buildClientHello(ctx, st, cookie ? cookie.cookie : null);
    // Appendix D.4: the compatibility CCS goes right before the second ClientHello.
    if (ctx.config.middleboxCompat) ctx.sendChangeCipherSpec();
    sendHello(ctx, st);
    return new ExpectServerHello(ctx, st, { suite, group });
  }

  private processServerHello(sh: ServerHello, raw: Buffer): HandshakeState {
    const { ctx, st } = this;
    // RFC 8446 §4.1.3: TLS 1.3 servers negotiating an older version mark their random; a TLS 1.3
    // client must check it even though we would reject TLS 1.2 anyway, to report the attack as such.
    const tail = sh.random.subarray(RANDOM_LENGTH - DOWNGRADE_TLS12.length);
    if (!findExtension(sh.extensions, 'supported_versions') && (tail.equals(DOWNGRADE_TLS12) || tail.equals(DOWNGRADE_TLS11))) {
      fatal('illegal_parameter', 'ServerHello random carries the TLS 1.3 downgrade sentinel');
    }
    const suite = checkServerHelloCommon(st, sh, 'ServerHello');
    rejectUnsolicited(sh.extensions, ['supported_versions', 'key_share'], 'ServerHello');
    if (this.retry && this.retry.suite !== suite) fatal('illegal_parameter', 'ServerHello selects a different cipher suite than the HelloRetryRequest');
    const ks = findExtension(sh.extensions, 'key_share');
    if (!ks) fatal('missing_extension', 'ServerHello has no key_share (PSK-only modes are not offered)');
    const group = groupById(ks.serverShare.group);
    const mine = group ? st.keyShares.find((k) => k.group === group.kex) : undefined;
    if (!group || !mine) fatal('illegal_parameter', `ServerHello key_share uses group 0x${ks.serverShare.group.toString(16)}, for which we sent no share`);
    if (this.retry && this.retry.group !== group.id) fatal('illegal_parameter', 'ServerHello key_share group differs from the HelloRetryRequest');
    const shared = deriveSharedSecret(mine, group, ks.serverShare.keyExchange, 'server');
    recordNegotiated13(ctx.negotiated, suite, group);
    st.transcript.start(suite.hash);
    st.transcript.add(raw);
    const schedule = KeySchedule.forSuite(ctx.provider, suite, { keyLog: (label, secret) => ctx.keyLog(label, secret) });
    const hs = schedule.early(null).handshake(shared);
    const secrets = hs.trafficSecrets(st.transcript.digest());
    ctx.setReadKey(suite, secrets.server);
    // Our write side moves to the handshake key now (as Go's establishHandshakeKeys does), so an
    // alert about the server's flight is protected as the server expects; the compatibility CCS
    // (Appendix D.4) must precede it, unless it already preceded the second ClientHello.
    if (ctx.config.middleboxCompat && !this.retry) ctx.sendChangeCipherSpec();
    ctx.setWriteKey(suite, secrets.client);
    return new ExpectEncryptedExtensions({ ctx, st, suite, schedule, hs, clientHs: secrets.client, serverHs: secrets.server });
  }
}

/** What every state after ServerHello carries. */
interface Keyed {
  readonly ctx: HandshakeContext;
  readonly st: ClientHelloState;
  readonly suite: CipherSuite;
  readonly schedule: KeySchedule;
  readonly hs: HandshakeSecret;
  readonly clientHs: Buffer;
  readonly serverHs: Buffer;
}

class ExpectEncryptedExtensions implements HandshakeState {
  readonly name = 'ExpectEncryptedExtensions';
  constructor(private readonly k: Keyed) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, st } = this.k;
    expectType(msg, HandshakeType.encrypted_extensions, this.name);
    const ee = decodeAs(msg, 'encrypted_extensions');
    st.transcript.add(msg.raw);
    // RFC 8446 §4.2: only answers to what our ClientHello carried (supported_groups may always be sent, §4.2.7).
    // record_size_limit is accepted when offered (only through clientHelloHook today) and its value ignored.
    const offered = st.hello.extensions.map((e) => e.type as string);
    const allowed = ['supported_groups', ...['server_name', 'application_layer_protocol_negotiation', 'record_size_limit'].filter((t) => offered.includes(t))];
    rejectUnsolicited(ee.extensions, allowed, 'EncryptedExtensions');
    const alpn = findExtension(ee.extensions, 'application_layer_protocol_negotiation');
    if (alpn) {
      // RFC 7301 §3.1: exactly one protocol, one that we offered.
      if (alpn.protocols.length !== 1) fatal('illegal_parameter', `server ALPN lists ${alpn.protocols.length} protocols, expected exactly one`);
      const chosen = alpn.protocols[0]!.toString('latin1');
      const ours = findExtension(st.hello.extensions, 'application_layer_protocol_negotiation');
      if (!ours || !ours.protocols.some((p) => p.toString('latin1') === chosen)) fatal('illegal_parameter', `server selected ALPN protocol ${JSON.stringify(chosen)}, which we did not offer`);
      ctx.negotiated.alpn = chosen;
    }
    ctx.negotiated.serverName = st.sentServerName;
    return new ExpectCertificateOrCertRequest(this.k);
  }
}

class ExpectCertificateOrCertRequest implements HandshakeState {
  readonly name = 'ExpectCertificateOrCertRequest';
  constructor(private readonly k: Keyed) {}

  handle(msg: IncomingMessage): HandshakeState {
    if (msg.type === HandshakeType.certificate_request) {
      const cr = decodeAs(msg, 'certificate_request');
      this.k.st.transcript.add(msg.raw);
      // RFC 8446 §4.3.2: empty context during the handshake; signature_algorithms is mandatory.
      if (cr.context.length !== 0) fatal('illegal_parameter', 'CertificateRequest during the handshake has a non-empty context');
      if (!findExtension(cr.extensions, 'signature_algorithms')) fatal('missing_extension', 'CertificateRequest has no signature_algorithms');
      return new ExpectCertificate(this.k, cr);
    }
    return new ExpectCertificate(this.k, null).handle(msg);
  }
}

class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly k: Keyed,
    private readonly certRequest: CertificateRequest | null,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, st } = this.k;
    expectType(msg, HandshakeType.certificate, this.name);
    const cert = decodeAs(msg, 'certificate');
    st.transcript.add(msg.raw);
    if (cert.context.length !== 0) fatal('illegal_parameter', 'server Certificate has a non-empty certificate_request_context');
    // RFC 8446 §4.4.2.4: an empty server Certificate is decode_error.
    if (cert.entries.length === 0) fatal('decode_error', 'server sent an empty Certificate');
    const chain = cert.entries.map((e) => Buffer.from(e.data));
    ctx.negotiated.peerCertificates = chain;
    const spki = leafSpki(chain[0]!);
    verifyPeerChain(ctx, chain, false);
    return new ExpectCertificateVerify(this.k, this.certRequest, spki);
  }
}

class ExpectCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly k: Keyed,
    private readonly certRequest: CertificateRequest | null,
    private readonly spki: Buffer,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, st } = this.k;
    expectType(msg, HandshakeType.certificate_verify, this.name);
    const cv = decodeAs(msg, 'certificate_verify');
    const scheme = verifyCertificateVerify(ctx.provider, this.spki, cv.algorithm, cv.signature, ctx.config.signatureSchemes, true, st.transcript.digest());
    ctx.negotiated.peerSignatureScheme = scheme.id;
    st.transcript.add(msg.raw);
    return new ExpectFinished(this.k, this.certRequest);
  }
}

class ExpectFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly k: Keyed,
    private readonly certRequest: CertificateRequest | null,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, st, suite, schedule, hs } = this.k;
    expectType(msg, HandshakeType.finished, this.name);
    const fin = decodeAs(msg, 'finished', schedule.hashLength);
    // RFC 8446 §4.4.4: constant-time comparison, decrypt_error on mismatch.
    if (!schedule.verifyFinished(this.k.serverHs, st.transcript.digest(), fin.verifyData)) fatal('decrypt_error', 'server Finished does not verify');
    st.transcript.add(msg.raw);
    const master = hs.master();
    const serverFinishedHash = st.transcript.digest();
    const app = master.trafficSecrets(serverFinishedHash);
    const exporterMaster = master.exporterMasterSecret(serverFinishedHash);
    ctx.setReadKey(suite, app.server);

    // Our second flight, under the client handshake key: [Certificate, CertificateVerify], Finished.
    if (this.certRequest) this.sendClientCertificate(this.certRequest);
    const verifyData = schedule.finishedVerifyData(this.k.clientHs, st.transcript.digest());
    const finished = frame(HandshakeType.finished, encodeFinished({ type: 'finished', verifyData }));
    st.transcript.add(finished);
    ctx.sendHandshake(finished);
    ctx.setWriteKey(suite, app.client);
    const resumptionMaster = master.resumptionMasterSecret(st.transcript.digest());
    ctx.handshakeComplete(schedule, {
      clientApplication: app.client,
      serverApplication: app.server,
      exporterMaster,
      resumptionMaster,
      clientFinished: verifyData,
    });
    return new ExpectTraffic();
  }

  /** RFC 8446 §4.4.2: an empty Certificate when we have nothing suitable, else Certificate + CertificateVerify. */
  private sendClientCertificate(cr: CertificateRequest): void {
    const { ctx, st } = this.k;
    const schemes = findExtension(cr.extensions, 'signature_algorithms')!.schemes;
    const choice: CertificateChoice | null = selectCertificate(ctx.config.certificates, schemes, ctx.config.signatureSchemes);
    const certMsg = frame(
      HandshakeType.certificate,
      encodeCertificate({
        type: 'certificate',
        version: 'TLSv1.3',
        context: cr.context,
        entries: (choice ? choice.certified.chain : []).map((der) => ({ data: der, extensions: [] })),
      }),
    );
    st.transcript.add(certMsg);
    ctx.sendHandshake(certMsg);
    if (!choice) return;
    ctx.negotiated.ourCertificates = [...choice.certified.chain];
    ctx.negotiated.signatureScheme = choice.scheme.id;
    const signature = signCertificateVerify(choice, false, st.transcript.digest());
    const cv = frame(HandshakeType.certificate_verify, encodeCertificateVerify({ type: 'certificate_verify', algorithm: choice.scheme.id, signature }));
    st.transcript.add(cv);
    ctx.sendHandshake(cv);
  }
}

/** After the handshake every message is post-handshake and handled by the connection itself. */
class ExpectTraffic implements HandshakeState {
  readonly name = 'ExpectTraffic';
  handle(msg: IncomingMessage): HandshakeState {
    fatal('unexpected_message', `handshake message type ${msg.type} after the handshake`);
  }
}
