/**
 * The TLS 1.3 server handshake (RFC 8446 §4, Appendix A.2) after the hello
 * step (server-hs.ts), one state per expected message:
 *
 *   ClientHello → (HelloRetryRequest → ExpectSecondClientHello)
 *   → [ExpectClientCertificate → ExpectClientCertificateVerify]
 *   → ExpectClientFinished → traffic
 */
import type { CertificateChoice } from './cert-select.js';
import { selectCertificate, signCertificateVerify, verifyCertificateVerify } from './cert-select.js';
import { Writer } from './codec.js';
import type { HandshakeContext } from './handshake-common.js';
import { fatal, recordNegotiated13, respondToKeyShare, schemesFor } from './handshake-common.js';
import { KeySchedule } from './keyschedule.js';
import type { HandshakeSecret } from './keyschedule.js';
import { encodeCertificate } from './messages/certificate.js';
import { encodeCertificateRequest } from './messages/certificate-request.js';
import { encodeCertificateVerify } from './messages/certificate-verify.js';
import { NULL_COMPRESSION, RANDOM_LENGTH, type ClientHello } from './messages/client-hello.js';
import { encodeEncryptedExtensions } from './messages/encrypted-extensions.js';
import { findExtension, writeExtension, type EncryptedExtension, type CertificateRequestExtension } from './messages/extensions.js';
import { encodeFinished } from './messages/finished.js';
import { encodeServerHello } from './messages/server-hello.js';
import { groupByKex } from './registry/groups.js';
import type { GroupInfo } from './registry/groups.js';
import { HandshakeType } from './registry/handshake-types.js';
import { CERTIFICATE_SIGNATURE_SCHEMES } from './registry/signature-schemes.js';
import type { CipherSuite } from './registry/suites.js';
import { ProtocolVersion } from './registry/versions.js';
import { acceptPeerChain } from './peer-cert.js';
import { acceptTicketPsk, type AcceptedPsk } from './psk.js';
import { chooseAlpn } from './server-hs.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs, expectType, frame, sendMessage } from './states.js';
import type { Transcript } from './transcript.js';

/** RFC 8446 §4.1.2: what a second ClientHello may change after a HelloRetryRequest. */
const MAY_CHANGE_AFTER_HRR: ReadonlySet<string> = new Set(['key_share', 'cookie', 'early_data', 'pre_shared_key', 'padding']);

/** Set after we sent a HelloRetryRequest. */
interface RetryState {
  readonly firstHello: ClientHello;
  readonly suite: CipherSuite;
  readonly group: GroupInfo;
  /** The cookie our HelloRetryRequest carried; the second ClientHello must echo it (RFC 8446 §4.2.2). */
  readonly cookie: Buffer;
}

/** Bytes of the HelloRetryRequest cookie: random, so a client cannot answer without having seen our HRR. */
const HRR_COOKIE_LENGTH = 32;

function hex16(v: number): string {
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/**
 * Answers a ClientHello for which the hello step (server-hs.ts) settled on
 * TLS 1.3: suite, key share (or a HelloRetryRequest), certificate, ALPN, and
 * our whole first flight.
 */
export function respond13(ctx: HandshakeContext, transcript: Transcript, ch: ClientHello, raw: Buffer, retry: RetryState | null): HandshakeState {
  const cfg = ctx.config;
  // RFC 8446 §4.1.2: a TLS 1.3 ClientHello has exactly the null compression method.
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== NULL_COMPRESSION) {
    fatal('illegal_parameter', 'ClientHello legacy_compression_methods is not exactly [null]');
  }

  // Cipher suite: the server's preference among those the client offers.
  const suite = retry ? retry.suite : cfg.cipherSuites.find((s) => s.version === 'TLSv1.3' && ch.cipherSuites.includes(s.id));
  if (!suite) fatal('handshake_failure', 'no shared cipher: no TLS 1.3 cipher suite in common');
  if (retry && !ch.cipherSuites.includes(suite.id)) fatal('illegal_parameter', 'second ClientHello no longer offers the cipher suite we selected');

  // RFC 8446 §9.2: without PSK, supported_groups, key_share and signature_algorithms are mandatory.
  const groupsExt = findExtension(ch.extensions, 'supported_groups');
  const shareExt = findExtension(ch.extensions, 'key_share');
  if (!groupsExt) fatal('missing_extension', 'ClientHello has no supported_groups');
  if (!shareExt) fatal('missing_extension', 'ClientHello has no key_share');
  const sigExt = findExtension(ch.extensions, 'signature_algorithms');
  if (!sigExt) fatal('missing_extension', 'ClientHello has no signature_algorithms');
  for (const share of shareExt.clientShares) {
    // RFC 8446 §4.2.8: each share must be for a group listed in supported_groups.
    if (!groupsExt.groups.includes(share.group)) fatal('illegal_parameter', `key_share for group ${hex16(share.group)} not listed in supported_groups`);
  }

  const ours = cfg.groups.map(groupByKex);
  let chosen: { group: GroupInfo; share: Buffer } | null = null;
  if (retry) {
    // RFC 8446 §4.1.2: the retried ClientHello carries exactly one share, for the group we asked for.
    const only = shareExt.clientShares;
    if (only.length !== 1 || only[0]!.group !== retry.group.id) fatal('illegal_parameter', `second ClientHello key_share is not one share for ${retry.group.name}`);
    chosen = { group: retry.group, share: only[0]!.keyExchange };
  } else {
    for (const g of ours) {
      const share = shareExt.clientShares.find((s) => s.group === g.id);
      if (share) {
        chosen = { group: g, share: share.keyExchange };
        break;
      }
    }
  }

  const choice = chooseCertificate(ctx, sigExt.schemes);
  const alpn = chooseAlpn(ctx, ch);

  if (!chosen) {
    const wanted = ours.find((g) => groupsExt.groups.includes(g.id));
    if (!wanted) fatal('handshake_failure', 'no key-exchange group in common');
    return sendHelloRetryRequest(ctx, transcript, ch, raw, suite, wanted);
  }

  // RFC 8446 §4.2.11: a ticket is considered once the hello will be answered (the binder covers the retry).
  const resumed = acceptTicketPsk(ctx, ch, raw, transcript, suite);
  transcript.start(suite.hash);
  transcript.add(raw);
  return sendServerFlight(ctx, transcript, ch, suite, chosen.group, chosen.share, choice, alpn, retry !== null, resumed);
}

/** RFC 8446 §4.1.4: ask for a key share in a group we both support. */
function sendHelloRetryRequest(ctx: HandshakeContext, transcript: Transcript, ch: ClientHello, raw: Buffer, suite: CipherSuite, group: GroupInfo): HandshakeState {
  transcript.add(raw);
  transcript.replaceWithMessageHash(suite.hash);
  // RFC 8446 §4.2.2: the cookie proves the second ClientHello answers this HelloRetryRequest (the stateless
  // servers' tool; we keep state, so a random value we remember is enough), and it is checked on return.
  const cookie = ctx.provider.randomBytes(HRR_COOKIE_LENGTH);
  const hrr = frame(
    HandshakeType.server_hello,
    encodeServerHello({
      type: 'hello_retry_request',
      legacyVersion: ProtocolVersion.TLSv1_2,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: NULL_COMPRESSION,
      extensions: [
        { type: 'key_share', selectedGroup: group.id },
        { type: 'supported_versions', selectedVersion: ProtocolVersion.TLSv1_3 },
        { type: 'cookie', cookie },
      ],
    }),
  );
  transcript.add(hrr);
  ctx.sendHandshake(hrr);
  ctx.negotiated.helloRetry = true;
  // RFC 8446 §4.2.10: 0-RTT sent with the first ClientHello is skipped until the second one.
  if (findExtension(ch.extensions, 'early_data')) ctx.skipRejectedEarlyData('protected');
  // Appendix D.4: in compatibility mode the server's CCS follows its first handshake message.
  if (ch.legacySessionId.length > 0) ctx.sendChangeCipherSpec();
  return new ExpectSecondClientHello(ctx, transcript, { firstHello: ch, suite, group, cookie });
}

/** RFC 8446 §4.1.4: after a HelloRetryRequest, the client's second ClientHello (TLS 1.3 only). */
class ExpectSecondClientHello implements HandshakeState {
  readonly name = 'ExpectSecondClientHello';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly transcript: Transcript,
    private readonly retry: RetryState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    expectType(msg, HandshakeType.client_hello, this.name);
    const ch = decodeAs(msg, 'client_hello');
    checkSecondClientHello(this.retry.firstHello, ch);
    // RFC 8446 §4.2.2: the client MUST copy our cookie into its second ClientHello.
    const cookie = findExtension(ch.extensions, 'cookie');
    if (!cookie) fatal('missing_extension', 'second ClientHello does not echo the HelloRetryRequest cookie');
    if (!this.ctx.provider.constantTimeEqual(cookie.cookie, this.retry.cookie)) fatal('illegal_parameter', 'second ClientHello carries a cookie we did not send');
    return respond13(this.ctx, this.transcript, ch, msg.raw, this.retry);
  }
}

/** The certificate to serve: one whose key can sign a scheme the client offers. */
function chooseCertificate(ctx: HandshakeContext, clientSchemes: readonly number[]): CertificateChoice {
  const certs = ctx.config.certificates;
  if (certs.length === 0) fatal('handshake_failure', 'server has no certificate configured');
  const choice = selectCertificate(certs, clientSchemes, schemesFor(ctx.config, 'TLSv1.3'));
  if (!choice) fatal('handshake_failure', 'no certificate matches the signature algorithms the client offers');
  return choice;
}

/** RFC 8446 §4.1.2: the second ClientHello must repeat the first except for the listed changes. */
function checkSecondClientHello(first: ClientHello, second: ClientHello): void {
  const same = (a: Buffer, b: Buffer) => a.equals(b);
  if (
    first.legacyVersion !== second.legacyVersion ||
    !same(first.random, second.random) ||
    !same(first.legacySessionId, second.legacySessionId) ||
    first.cipherSuites.join() !== second.cipherSuites.join() ||
    first.legacyCompressionMethods.join() !== second.legacyCompressionMethods.join()
  ) {
    fatal('illegal_parameter', 'second ClientHello changes fields other than those a HelloRetryRequest allows');
  }
  const encoded = (h: ClientHello) =>
    h.extensions
      .filter((e) => !MAY_CHANGE_AFTER_HRR.has(e.type))
      .map((e) => {
        const w = new Writer();
        writeExtension(w, e);
        return w.finish().toString('hex');
      })
      .join(',');
  if (encoded(first) !== encoded(second)) fatal('illegal_parameter', 'second ClientHello changes extensions a HelloRetryRequest does not allow to change');
  if (findExtension(second.extensions, 'early_data')) fatal('illegal_parameter', 'second ClientHello offers early_data');
}

/** ServerHello, then EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify, Finished. */
function sendServerFlight(
  ctx: HandshakeContext,
  transcript: Transcript,
  ch: ClientHello,
  suite: CipherSuite,
  group: GroupInfo,
  clientShare: Buffer,
  choice: CertificateChoice,
  alpn: string | null,
  afterRetry: boolean,
  resumed: AcceptedPsk | null,
): HandshakeState {
  const cfg = ctx.config;
  const { publicKey: ourShare, sharedSecret: shared } = respondToKeyShare(ctx.provider, group, clientShare);
  const n = ctx.negotiated;
  recordNegotiated13(n, suite, group);
  n.alpn = alpn;
  // RFC 8446 §4.2.6: the client may be asked for a certificate after the handshake.
  n.postHandshakeAuthOffered = findExtension(ch.extensions, 'post_handshake_auth') !== undefined;
  ctx.setClientRandom(ch.random);

  const sh = frame(
    HandshakeType.server_hello,
    encodeServerHello({
      type: 'server_hello',
      legacyVersion: ProtocolVersion.TLSv1_2,
      random: ctx.provider.randomBytes(RANDOM_LENGTH),
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: NULL_COMPRESSION,
      extensions: [
        { type: 'key_share', serverShare: { group: group.id, keyExchange: ourShare } },
        { type: 'supported_versions', selectedVersion: ProtocolVersion.TLSv1_3 },
        ...(resumed ? [{ type: 'pre_shared_key' as const, selectedIdentity: resumed.index }] : []),
      ],
    }),
  );
  transcript.add(sh);
  ctx.sendHandshake(sh);
  // Appendix D.4: a client in compatibility mode (non-empty session id) gets our CCS after the ServerHello.
  if (ch.legacySessionId.length > 0 && !afterRetry) ctx.sendChangeCipherSpec();

  const schedule = KeySchedule.forSuite(ctx.provider, suite, { keyLog: (label, secret) => ctx.keyLog(label, secret) });
  const hs = schedule.early(resumed ? resumed.state.psk : null).handshake(shared);
  const hsSecrets = hs.trafficSecrets(transcript.digest());
  ctx.setWriteKey(suite, hsSecrets.server);
  ctx.setReadKey(suite, hsSecrets.client);
  // RFC 8446 §4.2.10: we never accept 0-RTT; the client's early data, sent under a key we do not have, is skipped.
  if (!afterRetry && findExtension(ch.extensions, 'early_data')) ctx.skipRejectedEarlyData('undecryptable');

  const send = (type: number, body: Buffer) => sendMessage(ctx, transcript, type, body);

  const ee: EncryptedExtension[] = [];
  if (n.serverName !== null) ee.push({ type: 'server_name', hostName: null });
  if (alpn !== null) ee.push({ type: 'application_layer_protocol_negotiation', protocols: [Buffer.from(alpn, 'latin1')] });
  send(HandshakeType.encrypted_extensions, encodeEncryptedExtensions({ type: 'encrypted_extensions', extensions: cfg.encryptedExtensionsHook ? cfg.encryptedExtensionsHook(ee) : ee }));

  if (resumed) {
    // RFC 8446 §2.2: the PSK authenticates us; no Certificate, and no CertificateRequest (§4.3.2).
    n.resumed = true;
    n.peerCertificates = resumed.state.peerCertificates.map((c) => Buffer.from(c));
    return sendServerFinished(ctx, transcript, suite, schedule, hs, hsSecrets, false);
  }
  // With post-handshake auth on, the certificate is asked for only after the handshake (OpenSSL's SSL_VERIFY_POST_HANDSHAKE).
  const requestCert = cfg.clientAuth !== 'none' && !cfg.postHandshakeAuth;
  if (requestCert) {
    const exts: CertificateRequestExtension[] = [
      { type: 'signature_algorithms', schemes: schemesFor(cfg, 'TLSv1.3').map((s) => s.id) },
      { type: 'signature_algorithms_cert', schemes: CERTIFICATE_SIGNATURE_SCHEMES.map((s) => s.id) },
    ];
    send(HandshakeType.certificate_request, encodeCertificateRequest({ type: 'certificate_request', version: 'TLSv1.3', context: Buffer.alloc(0), extensions: exts }));
  }

  n.ourCertificates = [...choice.certified.chain];
  n.signatureScheme = choice.scheme.id;
  send(
    HandshakeType.certificate,
    encodeCertificate({ type: 'certificate', version: 'TLSv1.3', context: Buffer.alloc(0), entries: choice.certified.chain.map((der) => ({ data: der, extensions: [] })) }),
  );
  const signature = signCertificateVerify(choice, true, transcript.digest());
  send(HandshakeType.certificate_verify, encodeCertificateVerify({ type: 'certificate_verify', algorithm: choice.scheme.id, signature }));
  return sendServerFinished(ctx, transcript, suite, schedule, hs, hsSecrets, requestCert);
}

/** Our Finished, then the application write key; next we expect the client's second flight. */
function sendServerFinished(
  ctx: HandshakeContext,
  transcript: Transcript,
  suite: CipherSuite,
  schedule: KeySchedule,
  hs: HandshakeSecret,
  hsSecrets: { readonly client: Buffer; readonly server: Buffer },
  requestCert: boolean,
): HandshakeState {
  const send = (type: number, body: Buffer) => sendMessage(ctx, transcript, type, body);
  const verifyData = schedule.finishedVerifyData(hsSecrets.server, transcript.digest());
  send(HandshakeType.finished, encodeFinished({ type: 'finished', verifyData }));

  // RFC 8446 §7.1: application secrets and the exporter hang off the transcript through the server Finished.
  const master = hs.master();
  const finishedHash = transcript.digest();
  const app = master.trafficSecrets(finishedHash);
  const exporterMaster = master.exporterMasterSecret(finishedHash);
  ctx.setWriteKey(suite, app.server);

  const k: ServerKeyed = { ctx, transcript, suite, schedule, hs, clientHs: hsSecrets.client, app, exporterMaster, master };
  return requestCert ? new ExpectClientCertificate(ctx, transcript, Buffer.alloc(0), () => new ExpectClientFinished(k)) : new ExpectClientFinished(k);
}

interface ServerKeyed {
  readonly ctx: HandshakeContext;
  readonly transcript: Transcript;
  readonly suite: CipherSuite;
  readonly schedule: KeySchedule;
  readonly hs: HandshakeSecret;
  readonly clientHs: Buffer;
  readonly app: { readonly client: Buffer; readonly server: Buffer };
  readonly exporterMaster: Buffer;
  readonly master: ReturnType<HandshakeSecret['master']>;
}

/**
 * The client's Certificate in answer to our CertificateRequest, during the
 * handshake or after it (post-handshake auth, pha.ts): `next` is the state
 * after it (and after its CertificateVerify).
 */
export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectClientCertificate';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly transcript: Transcript,
    private readonly requestContext: Buffer,
    private readonly next: () => HandshakeState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript } = this;
    expectType(msg, HandshakeType.certificate, this.name);
    const cert = decodeAs(msg, 'certificate');
    transcript.add(msg.raw);
    // RFC 8446 §4.4.2: the context echoes our CertificateRequest's (empty during the handshake).
    if (!cert.context.equals(this.requestContext)) fatal('illegal_parameter', 'client Certificate does not echo our certificate_request_context');
    if (cert.entries.length === 0) {
      // RFC 8446 §4.4.2.4: no certificate; fatal only when we require one.
      if (ctx.config.clientAuth === 'required') fatal('certificate_required', 'client sent no certificate, and one is required');
      return this.next();
    }
    const chain = cert.entries.map((e) => Buffer.from(e.data));
    const spki = acceptPeerChain(ctx, chain, true);
    return new ExpectClientCertificateVerify(ctx, transcript, spki, this.next);
  }
}

class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectClientCertificateVerify';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly transcript: Transcript,
    private readonly spki: Buffer,
    private readonly next: () => HandshakeState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript } = this;
    expectType(msg, HandshakeType.certificate_verify, this.name);
    const cv = decodeAs(msg, 'certificate_verify');
    const scheme = verifyCertificateVerify(ctx.provider, this.spki, cv.algorithm, cv.signature, schemesFor(ctx.config, 'TLSv1.3'), false, transcript.digest());
    ctx.negotiated.peerSignatureScheme = scheme.id;
    transcript.add(msg.raw);
    return this.next();
  }
}

class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectClientFinished';
  constructor(private readonly k: ServerKeyed) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript, suite, schedule } = this.k;
    expectType(msg, HandshakeType.finished, this.name);
    const fin = decodeAs(msg, 'finished', schedule.hashLength);
    if (!schedule.verifyFinished(this.k.clientHs, transcript.digest(), fin.verifyData)) fatal('decrypt_error', 'client Finished does not verify');
    transcript.add(msg.raw);
    ctx.setReadKey(suite, this.k.app.client);
    ctx.handshakeComplete(schedule, {
      clientApplication: this.k.app.client,
      serverApplication: this.k.app.server,
      exporterMaster: this.k.exporterMaster,
      resumptionMaster: this.k.master.resumptionMasterSecret(transcript.digest()),
      clientFinished: Buffer.from(fin.verifyData),
    }, transcript);
    return new ExpectTraffic();
  }
}

class ExpectTraffic implements HandshakeState {
  readonly name = 'ExpectTraffic';
  handle(msg: IncomingMessage): HandshakeState {
    fatal('unexpected_message', `handshake message type ${msg.type} after the handshake`);
  }
}

