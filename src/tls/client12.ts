/**
 * The TLS 1.2 client handshake (RFC 5246 §7.3, RFC 8422 ECDHE, RFC 7627,
 * RFC 5746) after the hello step (client-hs.ts), one state per expected
 * message (rustls' client/tls12.rs):
 *
 *   ServerHello → ExpectCertificate → ExpectServerKeyExchange
 *   → ExpectCertificateRequestOrDone → [ExpectServerHelloDone]
 *   → (our Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished)
 *   → ExpectChangeCipherSpec → ExpectFinished → traffic
 */
import type { KeyExchange } from '../crypto/provider.js';
import { selectCertificate } from './cert-select.js';
import type { ClientHelloState } from './client-hs.js';
import { acceptServerAlpnAndName, rejectUnsolicited } from './client-hs.js';
import type { HandshakeContext } from './handshake-common.js';
import { deriveSharedSecret, fatal, schemesFor } from './handshake-common.js';
import type { Session12 } from './handshake12.js';
import { complete12, deriveKeys12, ExpectChangeCipherSpec12, sendChangeCipherSpecAndFinished, signedParams, signHandshakeMessages, verifyPeerSignature12 } from './handshake12.js';
import { encodeCertificate } from './messages/certificate.js';
import type { CertificateRequest12 } from './messages/certificate-request.js';
import { encodeCertificateVerify } from './messages/certificate-verify.js';
import { encodeClientKeyExchange } from './messages/client-key-exchange.js';
import { findExtension } from './messages/extensions.js';
import type { ServerHello } from './messages/server-hello.js';
import { acceptPeerChain } from './peer-cert.js';
import { ExpectNewSessionTicket12, keepSession12, resumeClient12, type NewTicket12 } from './resume12.js';
import { EcPointFormat } from './registry/extensions.js';
import { groupById } from './registry/groups.js';
import { ClientCertificateType, HandshakeType } from './registry/handshake-types.js';
import type { CipherSuite } from './registry/suites.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs12, expectType, sendMessage } from './states.js';

/**
 * RFC 5246 §7.4.1.3: the rest of a TLS 1.2 ServerHello once the hello step
 * has settled the version and suite: the extensions that answer ours.
 */
export function processServerHello12(ctx: HandshakeContext, st: ClientHelloState, sh: ServerHello, raw: Buffer, suite: CipherSuite): HandshakeState {
  const offered = st.hello.extensions.map((e) => e.type as string);
  const answers = ['server_name', 'application_layer_protocol_negotiation', 'session_ticket'].filter((t) => offered.includes(t));
  rejectUnsolicited(sh.extensions, ['renegotiation_info', 'extended_master_secret', 'ec_point_formats', ...answers], 'ServerHello');
  // RFC 5746 §3.4: an initial handshake's renegotiation_info is empty. Without it the server may be open to the
  // renegotiation attack; OpenSSL 3 refuses such servers unless told otherwise (SSL_OP_LEGACY_SERVER_CONNECT).
  const ri = findExtension(sh.extensions, 'renegotiation_info');
  if (!ri) fatal('handshake_failure', 'unsafe legacy renegotiation disabled: the server does not support secure renegotiation (RFC 5746)');
  if (ri.renegotiatedConnection.length !== 0) fatal('handshake_failure', 'renegotiation_info is not empty on the initial handshake (RFC 5746 §3.4)');
  // RFC 8422 §5.2: the server's list, if any, must include the uncompressed format we use.
  const pf = findExtension(sh.extensions, 'ec_point_formats');
  if (pf && !pf.formats.includes(EcPointFormat.uncompressed)) fatal('illegal_parameter', 'ServerHello ec_point_formats lacks the uncompressed format');
  acceptServerAlpnAndName(ctx, st, sh.extensions);
  ctx.useTls12();
  ctx.negotiated.version = 'TLSv1.2';
  ctx.negotiated.suite = suite;
  st.transcript.start(suite.hash, true);
  st.transcript.add(raw);
  const s: Session12 = {
    ctx,
    suite,
    transcript: st.transcript,
    clientRandom: st.hello.random,
    serverRandom: sh.random,
    // RFC 7627 §5.2: used when both hellos carry it; a server without it still gets a connection, as with OpenSSL 3.
    ems: !!findExtension(sh.extensions, 'extended_master_secret') && !!findExtension(st.hello.extensions, 'extended_master_secret'),
  };
  const ticketAck = !!findExtension(sh.extensions, 'session_ticket');
  // RFC 5246 §7.4.1.3: the server echoing the session id we offered resumes that session.
  const echo = sh.legacySessionIdEcho;
  ctx.negotiated.sessionId = Buffer.from(echo);
  if (st.session12 !== null && echo.length > 0 && echo.equals(st.hello.legacySessionId)) return resumeClient12(s, st.session12, ticketAck);
  const full: FullSession12 = { ...s, ticketAck, sessionId: Buffer.from(echo) };
  return new ExpectCertificate(full);
}

class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(private readonly s: Session12) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript } = this.s;
    expectType(msg, HandshakeType.certificate, this.name);
    const cert = decodeAs12(msg, 'certificate');
    transcript.add(msg.raw);
    // RFC 5246 §7.4.2: ECDHE_ECDSA / ECDHE_RSA servers always send a certificate.
    if (cert.certificates.length === 0) fatal('decode_error', 'server sent an empty Certificate');
    const chain = cert.certificates.map((c) => Buffer.from(c));
    const spki = acceptPeerChain(ctx, chain, false);
    return new ExpectServerKeyExchange(this.s, spki);
  }
}

class ExpectServerKeyExchange implements HandshakeState {
  readonly name = 'ExpectServerKeyExchange';
  constructor(
    private readonly s: Session12,
    private readonly spki: Buffer,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript } = this.s;
    expectType(msg, HandshakeType.server_key_exchange, this.name);
    const ske = decodeAs12(msg, 'server_key_exchange');
    // RFC 8422 §5.4: a curve the client did not list is illegal_parameter.
    const group = groupById(ske.namedGroup);
    if (!group || !group.tls12 || !ctx.config.groups.includes(group.kex)) fatal('illegal_parameter', `ServerKeyExchange uses group 0x${ske.namedGroup.toString(16).padStart(4, '0')}, which we did not offer`);
    ctx.negotiated.peerSignatureScheme = verifyPeerSignature12(this.s, this.spki, ske.algorithm, ske.signature, signedParams(this.s, ske.params), 'ServerKeyExchange', true);
    transcript.add(msg.raw);
    const mine = ctx.provider.generateKeyExchange(group.kex);
    const preMaster = deriveSharedSecret(mine, group, ske.publicKey, 'server');
    ctx.negotiated.group = group.kex;
    return new ExpectCertificateRequestOrDone(this.s, mine, preMaster);
  }
}

/** After the ServerKeyExchange: an optional CertificateRequest, then ServerHelloDone. */
class ExpectCertificateRequestOrDone implements HandshakeState {
  readonly name = 'ExpectCertificateRequestOrServerHelloDone';
  constructor(
    private readonly s: Session12,
    private readonly mine: KeyExchange,
    private readonly preMaster: Buffer,
    private readonly certRequest: CertificateRequest12 | null = null,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    if (msg.type === HandshakeType.certificate_request && this.certRequest === null) {
      const cr = decodeAs12(msg, 'certificate_request');
      this.s.transcript.add(msg.raw);
      return new ExpectCertificateRequestOrDone(this.s, this.mine, this.preMaster, cr);
    }
    expectType(msg, HandshakeType.server_hello_done, this.certRequest ? 'ExpectServerHelloDone' : this.name);
    decodeAs12(msg, 'server_hello_done');
    this.s.transcript.add(msg.raw);
    return this.sendClientFlight();
  }

  /** RFC 5246 §7.3: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished. */
  private sendClientFlight(): HandshakeState {
    const { ctx, transcript } = this.s;
    const send = (type: number, body: Buffer) => sendMessage(ctx, transcript, type, body);
    const cr = this.certRequest;
    const choice = cr ? chooseClientCertificate(ctx, cr) : null;
    // RFC 5246 §7.4.6: asked for a certificate, we answer with one or with an empty list.
    if (cr) send(HandshakeType.certificate, encodeCertificate({ type: 'certificate', version: 'TLSv1.2', certificates: choice ? choice.certified.chain : [] }));
    send(HandshakeType.client_key_exchange, encodeClientKeyExchange({ type: 'client_key_exchange', publicKey: this.mine.publicKey }));
    const k = deriveKeys12(this.s, this.preMaster);
    if (choice) {
      ctx.negotiated.ourCertificates = [...choice.certified.chain];
      ctx.negotiated.signatureScheme = choice.scheme.id;
      const signature = signHandshakeMessages(choice, transcript);
      send(HandshakeType.certificate_verify, encodeCertificateVerify({ type: 'certificate_verify', algorithm: choice.scheme.id, signature }));
    }
    const clientFinished = sendChangeCipherSpecAndFinished(k, 'client');
    const s = this.s as FullSession12;
    // Kept once the server's Finished verifies: the ticket, or the session id alone (a server that gave a session id
    // but no ticket may still resume it from its cache).
    const expectCcs = (t?: NewTicket12) =>
      new ExpectChangeCipherSpec12(k, 'server', () => {
        keepSession12(k, s.sessionId, t?.ticket ?? Buffer.alloc(0), t?.lifetimeHint ?? 0);
        return complete12(k, clientFinished);
      });
    return s.ticketAck ? new ExpectNewSessionTicket12(k, expectCcs) : expectCcs();
  }
}

/** A full handshake's session: whether the server will send a ticket, and the session id it gave. */
interface FullSession12 extends Session12 {
  readonly ticketAck: boolean;
  readonly sessionId: Buffer;
}

/** RFC 5246 §7.4.4: a certificate whose key type the request names and that can sign a scheme it lists. */
function chooseClientCertificate(ctx: HandshakeContext, cr: CertificateRequest12) {
  const typeOk = (type: string) =>
    ((type === 'rsa' || type === 'rsa-pss') && cr.certificateTypes.includes(ClientCertificateType.rsa_sign)) ||
    ((type === 'ec' || type === 'ed25519') && cr.certificateTypes.includes(ClientCertificateType.ecdsa_sign));
  return selectCertificate(ctx.config.certificates, cr.signatureSchemes, schemesFor(ctx.config, 'TLSv1.2'), 'TLSv1.2', (key) => typeOk(key.type));
}
