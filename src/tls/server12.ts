/**
 * The TLS 1.2 server handshake (RFC 5246 §7.3, RFC 8422 ECDHE, RFC 7627,
 * RFC 5746) after the hello step (server-hs.ts), one state per expected
 * message:
 *
 *   ClientHello → (ServerHello, Certificate, ServerKeyExchange,
 *   [CertificateRequest], ServerHelloDone) → [ExpectCertificate]
 *   → ExpectClientKeyExchange → [ExpectCertificateVerify]
 *   → ExpectChangeCipherSpec → ExpectFinished → (CCS, Finished) → traffic
 */
import type { EcCurve, KeyExchange } from '../crypto/provider.js';
import type { CertificateChoice } from './cert-select.js';
import { selectCertificate } from './cert-select.js';
import type { HandshakeContext } from './handshake-common.js';
import { deriveSharedSecret, fatal, schemesFor } from './handshake-common.js';
import type { Keyed12, Session12 } from './handshake12.js';
import { complete12, deriveKeys12, ExpectChangeCipherSpec12, keyFitsSuite, sendChangeCipherSpecAndFinished, signedParams, verifyPeerSignature12 } from './handshake12.js';
import { encodeCertificate } from './messages/certificate.js';
import { encodeCertificateRequest } from './messages/certificate-request.js';
import { MAX_SESSION_ID_LENGTH as SESSION_ID_LENGTH, NULL_COMPRESSION, RANDOM_LENGTH, type ClientHello } from './messages/client-hello.js';
import { findExtension, type ServerHelloExtension } from './messages/extensions.js';
import { DOWNGRADE_TLS12, encodeServerHello } from './messages/server-hello.js';
import { encodeEcdheParams, encodeServerKeyExchange } from './messages/server-key-exchange.js';
import { acceptPeerChain } from './peer-cert.js';
import { EcPointFormat } from './registry/extensions.js';
import { groupByKex, type GroupInfo } from './registry/groups.js';
import { ClientCertificateType, HandshakeType } from './registry/handshake-types.js';
import { SignalingSuite, type CipherSuite } from './registry/suites.js';
import { ProtocolVersion, versionsBetween } from './registry/versions.js';
import { chooseAlpn } from './server-hs.js';
import { acceptSession12, cacheSession12, resumeServer12, sendTicket12 } from './resume12.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs12, expectType, sendMessage } from './states.js';
import type { Transcript } from './transcript.js';

/**
 * The group for ECDHE: ours in preference order, among the client's supported_groups (RFC 8422 §5.1.1; absent
 * means any), leaving out TLS 1.3-only groups (the ML-KEM hybrid).
 */
function chooseGroup(ctx: HandshakeContext, ch: ClientHello): GroupInfo | null {
  const theirs = findExtension(ch.extensions, 'supported_groups');
  const ours = ctx.config.groups.map(groupByKex).filter((g) => g.tls12);
  return ours.find((g) => !theirs || theirs.groups.includes(g.id)) ?? null;
}

/**
 * The suite and certificate: our suites in preference order, each with the
 * first certificate whose key fits the suite's authentication and can sign
 * a scheme the client offers (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1).
 */
function chooseSuiteAndCertificate(ctx: HandshakeContext, ch: ClientHello): { suite: CipherSuite; choice: CertificateChoice } | null {
  const sig = findExtension(ch.extensions, 'signature_algorithms');
  // Without signature_algorithms the client implies SHA-1 (RFC 5246 §7.4.1.4.1), which we never sign with.
  if (!sig) return null;
  const allowed = schemesFor(ctx.config, 'TLSv1.2');
  // RFC 8422 §5.1: in TLS 1.2 the client's supported_groups also lists the curves its ECDSA verification takes (absent means any).
  const theirGroups = findExtension(ch.extensions, 'supported_groups')?.groups ?? null;
  const curveOffered = (curve: EcCurve | null) => curve === null || theirGroups === null || theirGroups.includes(groupByKex(curve).id);
  for (const suite of ctx.config.cipherSuites) {
    if (suite.version !== 'TLSv1.2' || !ch.cipherSuites.includes(suite.id)) continue;
    const choice = selectCertificate(ctx.config.certificates, sig.schemes, allowed, 'TLSv1.2', (key) => keyFitsSuite(key, suite) && curveOffered(key.curve));
    if (choice) return { suite, choice };
  }
  return null;
}

/**
 * Answers a ClientHello for which the hello step (server-hs.ts) settled on
 * TLS 1.2: our whole first flight, up to ServerHelloDone.
 */
export function respond12(ctx: HandshakeContext, transcript: Transcript, ch: ClientHello, raw: Buffer): HandshakeState {
  const cfg = ctx.config;
  if (!ch.legacyCompressionMethods.includes(NULL_COMPRESSION)) fatal('illegal_parameter', 'ClientHello does not offer the null compression method');
  // RFC 5746 §3.6: on an initial handshake renegotiation_info must be empty.
  const ri = findExtension(ch.extensions, 'renegotiation_info');
  if (ri && ri.renegotiatedConnection.length !== 0) fatal('handshake_failure', 'renegotiation_info is not empty on the initial handshake (RFC 5746 §3.6)');
  const secureRenegotiation = !!ri || ch.cipherSuites.includes(SignalingSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  const pf = findExtension(ch.extensions, 'ec_point_formats');
  if (pf && !pf.formats.includes(EcPointFormat.uncompressed)) fatal('illegal_parameter', 'ClientHello ec_point_formats lacks the uncompressed format (RFC 8422 §5.1.2)');
  const resumable = acceptSession12(ctx, ch);
  const group = chooseGroup(ctx, ch);
  const picked = resumable ? null : group ? chooseSuiteAndCertificate(ctx, ch) : null;
  if (resumable === null && (!group || !picked)) fatal('handshake_failure', `no shared cipher: no TLS 1.2 suite, group and certificate in common${cfg.certificates.length === 0 ? ' (no certificate configured)' : ''}`);
  const alpn = chooseAlpn(ctx, ch);
  const ems = !!findExtension(ch.extensions, 'extended_master_secret');

  ctx.useTls12();
  const n = ctx.negotiated;
  n.version = 'TLSv1.2';
  n.alpn = alpn;
  ctx.setClientRandom(ch.random);

  // RFC 8446 §4.1.3: a server that could have spoken TLS 1.3 marks a TLS 1.2 ServerHello.random.
  const serverRandom = ctx.provider.randomBytes(RANDOM_LENGTH);
  if (versionsBetween(cfg.minVersion, cfg.maxVersion).includes('TLSv1.3')) DOWNGRADE_TLS12.copy(serverRandom, RANDOM_LENGTH - DOWNGRADE_TLS12.length);
  const exts: ServerHelloExtension[] = [];
  if (secureRenegotiation) exts.push({ type: 'renegotiation_info', renegotiatedConnection: Buffer.alloc(0) });
  if (ems) exts.push({ type: 'extended_master_secret' });
  if (pf) exts.push({ type: 'ec_point_formats', formats: [EcPointFormat.uncompressed] });
  if (alpn !== null) exts.push({ type: 'application_layer_protocol_negotiation', protocols: [Buffer.from(alpn, 'latin1')] });
  if (n.serverName !== null) exts.push({ type: 'server_name', hostName: null });
  if (resumable) return resumeServer12(ctx, transcript, ch, raw, resumable, exts, serverRandom);
  const { suite, choice } = picked!;
  const g = group!;
  n.suite = suite;
  n.group = g.kex;
  // RFC 5077 §3.2: a client asking for a ticket gets one (with a session id naming the session, as OpenSSL gives).
  const issueTicket = cfg.tickets12 && cfg.ticketKeys !== null && findExtension(ch.extensions, 'session_ticket') !== undefined;
  if (issueTicket) exts.push({ type: 'session_ticket', ticket: Buffer.alloc(0) });

  transcript.start(suite.hash, true);
  transcript.add(raw);
  const send = (type: number, body: Buffer) => sendMessage(ctx, transcript, type, body);
  // RFC 5246 §7.4.1.3: a session id names the session when we cache it (or it travels in a ticket); else none.
  n.sessionId = issueTicket || cfg.sessionCache !== null ? ctx.provider.randomBytes(SESSION_ID_LENGTH) : Buffer.alloc(0);
  send(
    HandshakeType.server_hello,
    encodeServerHello({ type: 'server_hello', legacyVersion: ProtocolVersion.TLSv1_2, random: serverRandom, legacySessionIdEcho: n.sessionId, cipherSuite: suite.id, legacyCompressionMethod: NULL_COMPRESSION, extensions: exts }),
  );
  n.ourCertificates = [...choice.certified.chain];
  n.signatureScheme = choice.scheme.id;
  send(HandshakeType.certificate, encodeCertificate({ type: 'certificate', version: 'TLSv1.2', certificates: choice.certified.chain }));

  const s: Session12 = { ctx, suite, transcript, clientRandom: ch.random, serverRandom, ems, issueTicket };
  // RFC 8422 §5.4: ServerKeyExchange, signed over both randoms and the parameters.
  const kex = ctx.provider.generateKeyExchange(g.kex);
  const params = encodeEcdheParams(g.id, kex.publicKey);
  const signature = choice.certified.key.sign(choice.scheme.algorithm, signedParams(s, params));
  send(HandshakeType.server_key_exchange, encodeServerKeyExchange({ type: 'server_key_exchange', namedGroup: g.id, publicKey: kex.publicKey, algorithm: choice.scheme.id, signature }));

  const requestCert = cfg.clientAuth !== 'none';
  if (requestCert) {
    send(
      HandshakeType.certificate_request,
      encodeCertificateRequest({
        type: 'certificate_request',
        version: 'TLSv1.2',
        certificateTypes: [ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign],
        signatureSchemes: schemesFor(cfg, 'TLSv1.2').map((x) => x.id),
        certificateAuthorities: [],
      }),
    );
  }
  send(HandshakeType.server_hello_done, Buffer.alloc(0));
  const k: Pending12 = { s, kex, group: g };
  return requestCert ? new ExpectClientCertificate(k) : new ExpectClientKeyExchange(k, null);
}

interface Pending12 {
  readonly s: Session12;
  readonly kex: KeyExchange;
  readonly group: GroupInfo;
}

class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(private readonly k: Pending12) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript } = this.k.s;
    expectType(msg, HandshakeType.certificate, this.name);
    const cert = decodeAs12(msg, 'certificate');
    transcript.add(msg.raw);
    if (cert.certificates.length === 0) {
      // RFC 5246 §7.4.6: no certificate; handshake_failure only when we require one.
      if (ctx.config.clientAuth === 'required') fatal('handshake_failure', 'peer did not return a certificate, and one is required');
      return new ExpectClientKeyExchange(this.k, null);
    }
    const chain = cert.certificates.map((c) => Buffer.from(c));
    const spki = acceptPeerChain(ctx, chain, true);
    return new ExpectClientKeyExchange(this.k, spki);
  }
}

class ExpectClientKeyExchange implements HandshakeState {
  readonly name = 'ExpectClientKeyExchange';
  constructor(
    private readonly k: Pending12,
    /** The client certificate's key, when it sent one: a CertificateVerify must follow. */
    private readonly clientSpki: Buffer | null,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { s, kex, group } = this.k;
    expectType(msg, HandshakeType.client_key_exchange, this.name);
    const cke = decodeAs12(msg, 'client_key_exchange');
    const preMaster = deriveSharedSecret(kex, group, cke.publicKey, 'client');
    s.transcript.add(msg.raw);
    const keyed = deriveKeys12(s, preMaster);
    return this.clientSpki ? new ExpectClientCertificateVerify(keyed, this.clientSpki) : expectClientFinished(keyed);
  }
}

class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly k: Keyed12,
    private readonly spki: Buffer,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, transcript } = this.k;
    expectType(msg, HandshakeType.certificate_verify, this.name);
    const cv = decodeAs12(msg, 'certificate_verify');
    // RFC 5246 §7.4.8: the signature covers every handshake message before this one.
    ctx.negotiated.peerSignatureScheme = verifyPeerSignature12(this.k, this.spki, cv.algorithm, cv.signature, transcript.messages(), 'CertificateVerify', false);
    transcript.add(msg.raw);
    return expectClientFinished(this.k);
  }
}

/** The client's ChangeCipherSpec and Finished; then ours, and the handshake is complete. */
function expectClientFinished(k: Keyed12): HandshakeState {
  return new ExpectChangeCipherSpec12(k, 'client', (clientFinished) => {
    if (k.issueTicket) sendTicket12(k);
    cacheSession12(k);
    sendChangeCipherSpecAndFinished(k, 'server');
    return complete12(k, clientFinished);
  });
}
