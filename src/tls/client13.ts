/**
 * The TLS 1.3 client handshake (RFC 8446 §4, Appendix A.1) after the hello
 * step (client-hs.ts), one state per expected message, in the shape of Go's
 * handshake_client_tls13.go and rustls' client/tls13.rs:
 *
 *   ServerHello → ExpectEncryptedExtensions → ExpectCertificateOrCertRequest
 *   → ExpectCertificate → ExpectCertificateVerify → ExpectFinished → traffic
 */
import { selectCertificate, signCertificateVerify, verifyCertificateVerify } from './cert-select.js';
import type { CertificateChoice } from './cert-select.js';
import type { ClientHelloState, RetryRequest } from './client-hs.js';
import { acceptServerAlpnAndName, rejectUnsolicited } from './client-hs.js';
import type { HandshakeContext } from './handshake-common.js';
import { deriveSharedSecret, fatal, recordNegotiated13, schemesFor } from './handshake-common.js';
import { KeySchedule } from './keyschedule.js';
import type { HandshakeSecret } from './keyschedule.js';
import type { ServerHello } from './messages/server-hello.js';
import type { CertificateRequest13 as CertificateRequest } from './messages/certificate-request.js';
import { encodeCertificate } from './messages/certificate.js';
import { encodeCertificateVerify } from './messages/certificate-verify.js';
import { encodeFinished } from './messages/finished.js';
import { findExtension } from './messages/extensions.js';
import { groupById } from './registry/groups.js';
import { HandshakeType } from './registry/handshake-types.js';
import type { CipherSuite } from './registry/suites.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs, expectType, frame } from './states.js';
import { acceptPeerChain } from './peer-cert.js';
import type { OfferedPsk } from './psk.js';
import type { Transcript } from './transcript.js';

/**
 * RFC 8446 §4.1.3: the rest of a TLS 1.3 ServerHello, once the hello step
 * (client-hs.ts) has settled the version and suite: key share, handshake keys.
 */
export function processServerHello13(ctx: HandshakeContext, st: ClientHelloState, sh: ServerHello, raw: Buffer, suite: CipherSuite, retry: RetryRequest | null): HandshakeState {
  rejectUnsolicited(sh.extensions, ['supported_versions', 'key_share', ...(st.psk !== null ? ['pre_shared_key'] : [])], 'ServerHello');
  const resumed = acceptedPsk(st, sh, suite);
  if (retry && retry.suite !== suite) fatal('illegal_parameter', 'ServerHello selects a different cipher suite than the HelloRetryRequest');
  const ks = findExtension(sh.extensions, 'key_share');
  if (!ks) fatal('missing_extension', 'ServerHello has no key_share (PSK-only modes are not offered)');
  const group = groupById(ks.serverShare.group);
  const mine = group ? st.keyShares.find((k) => k.group === group.kex) : undefined;
  if (!group || !mine) fatal('illegal_parameter', `ServerHello key_share uses group 0x${ks.serverShare.group.toString(16)}, for which we sent no share`);
  if (retry && retry.group !== group.id) fatal('illegal_parameter', 'ServerHello key_share group differs from the HelloRetryRequest');
  const shared = deriveSharedSecret(mine, group, ks.serverShare.keyExchange, 'server');
  recordNegotiated13(ctx.negotiated, suite, group);
  st.transcript.start(suite.hash);
  st.transcript.add(raw);
  const schedule = KeySchedule.forSuite(ctx.provider, suite, { keyLog: (label, secret) => ctx.keyLog(label, secret) });
  const hs = schedule.early(resumed ? resumed.ticket.psk : null).handshake(shared);
  const secrets = hs.trafficSecrets(st.transcript.digest());
  ctx.setReadKey(suite, secrets.server);
  if (resumed) {
    ctx.negotiated.resumed = true;
    ctx.negotiated.peerCertificates = resumed.ticket.peerCertificates.map((c) => Buffer.from(c));
  }
  // Our write side moves to the handshake key now (as Go's establishHandshakeKeys does), so an
  // alert about the server's flight is protected as the server expects; the compatibility CCS
  // (Appendix D.4) must precede it, unless it already preceded the second ClientHello.
  if (ctx.config.middleboxCompat && !retry) ctx.sendChangeCipherSpec();
  ctx.setWriteKey(suite, secrets.client);
  return new ExpectEncryptedExtensions({ ctx, st, suite, schedule, hs, clientHs: secrets.client, serverHs: secrets.server, resumed: resumed !== null });
}

/** RFC 8446 §4.2.11: the server accepted our PSK; it must be the one we offered, with a suite of its hash. */
function acceptedPsk(st: ClientHelloState, sh: ServerHello, suite: CipherSuite): OfferedPsk | null {
  const ext = findExtension(sh.extensions, 'pre_shared_key');
  if (!ext || !('selectedIdentity' in ext)) return null;
  if (st.psk === null || ext.selectedIdentity !== 0) fatal('illegal_parameter', `ServerHello selects PSK identity ${ext.selectedIdentity}, which we did not offer`);
  if (st.psk.ticket.suite.hash !== suite.hash) fatal('illegal_parameter', 'ServerHello resumes a ticket with a cipher suite of another hash');
  return st.psk;
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
  /** PSK accepted: the server authenticates with its Finished only (RFC 8446 §2.2). */
  readonly resumed: boolean;
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
    acceptServerAlpnAndName(ctx, st, ee.extensions);
    return this.k.resumed ? new ExpectFinished(this.k, null) : new ExpectCertificateOrCertRequest(this.k);
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
    const spki = acceptPeerChain(ctx, chain, false);
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
    const scheme = verifyCertificateVerify(ctx.provider, this.spki, cv.algorithm, cv.signature, schemesFor(ctx.config, 'TLSv1.3'), true, st.transcript.digest());
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
    if (this.certRequest) sendClientCertificate(ctx, st.transcript, this.certRequest);
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
    }, st.transcript);
    return new ExpectTraffic();
  }

}

/**
 * RFC 8446 §4.4.2: our answer to a CertificateRequest, during the handshake or
 * after it (post-handshake auth, pha.ts): an empty Certificate when we have
 * nothing suitable, else Certificate + CertificateVerify.
 */
export function sendClientCertificate(ctx: HandshakeContext, transcript: Transcript, cr: CertificateRequest): void {
  const schemes = findExtension(cr.extensions, 'signature_algorithms')!.schemes;
  const choice: CertificateChoice | null = selectCertificate(ctx.config.certificates, schemes, schemesFor(ctx.config, 'TLSv1.3'));
  const certMsg = frame(
    HandshakeType.certificate,
    encodeCertificate({
      type: 'certificate',
      version: 'TLSv1.3',
      context: cr.context,
      entries: (choice ? choice.certified.chain : []).map((der) => ({ data: der, extensions: [] })),
    }),
  );
  transcript.add(certMsg);
  ctx.sendHandshake(certMsg);
  if (!choice) return;
  ctx.negotiated.ourCertificates = [...choice.certified.chain];
  ctx.negotiated.signatureScheme = choice.scheme.id;
  const signature = signCertificateVerify(choice, false, transcript.digest());
  const cv = frame(HandshakeType.certificate_verify, encodeCertificateVerify({ type: 'certificate_verify', algorithm: choice.scheme.id, signature }));
  transcript.add(cv);
  ctx.sendHandshake(cv);
}

/** After the handshake every message is post-handshake and handled by the connection itself. */
class ExpectTraffic implements HandshakeState {
  readonly name = 'ExpectTraffic';
  handle(msg: IncomingMessage): HandshakeState {
    fatal('unexpected_message', `handshake message type ${msg.type} after the handshake`);
  }
}
