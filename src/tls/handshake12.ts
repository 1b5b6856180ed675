/**
 * What the TLS 1.2 client and server (client12.ts, server12.ts) share
 * (RFC 5246 §7.3, §8.1, §7.4.9; RFC 7627; RFC 8422): the master secret and
 * key block, the ChangeCipherSpec + Finished exchange, the signed ECDHE
 * parameters, and the CertificateVerify input.
 */
import type { PrivateKey, PublicKey } from '../crypto/provider.js';
import type { CertificateChoice } from './cert-select.js';
import { verifyPeerSignature } from './cert-select.js';
import type { HandshakeContext } from './handshake-common.js';
import { fatal, schemesFor } from './handshake-common.js';
import { encodeFinished } from './messages/finished.js';
import { extendedMasterSecret, finishedVerifyData12, keyBlock12, masterSecret, verifyFinished12, type KeyBlock12 } from './prf12.js';
import { HandshakeType } from './registry/handshake-types.js';
import type { CipherSuite } from './registry/suites.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs12, describeType, expectType, sendMessage } from './states.js';
import type { Transcript } from './transcript.js';

/** The state every TLS 1.2 step carries once the hellos are exchanged. */
export interface Session12 {
  readonly ctx: HandshakeContext;
  readonly suite: CipherSuite;
  readonly transcript: Transcript;
  readonly clientRandom: Buffer;
  readonly serverRandom: Buffer;
  /** Both hellos carried extended_master_secret (RFC 7627 §5.2). */
  readonly ems: boolean;
  /** Server: a NewSessionTicket goes before our ChangeCipherSpec (RFC 5077 §3.3). */
  readonly issueTicket?: boolean;
}

/** Keys once the pre-master secret is known. */
export interface Keyed12 extends Session12 {
  readonly master: Buffer;
  readonly keys: KeyBlock12;
}

/** Whether a certificate key can authenticate a suite (RFC 8422 §2: ECDSA suites take ECDSA and EdDSA keys). */
export function keyFitsSuite(key: PrivateKey | PublicKey, suite: CipherSuite): boolean {
  if (suite.auth === 'ECDSA') return key.type === 'ec' || key.type === 'ed25519';
  return key.type === 'rsa' || key.type === 'rsa-pss';
}

/** RFC 8422 §5.4: the ServerKeyExchange signature covers ClientHello.random + ServerHello.random + ServerECDHParams. */
export function signedParams(s: Session12, params: Buffer): Buffer {
  return Buffer.concat([s.clientRandom, s.serverRandom, params]);
}

/**
 * The ECDHE shared secret, then the master secret (RFC 7627 §4 when both
 * sides asked for it: over the session hash through ClientKeyExchange,
 * which must already be in the transcript; else RFC 5246 §8.1) and the key
 * block (§6.3).
 */
export function deriveKeys12(s: Session12, preMaster: Buffer): Keyed12 {
  const { ctx, suite } = s;
  const keyLog = (label: string, secret: Buffer) => ctx.keyLog(label, secret);
  const master = s.ems
    ? extendedMasterSecret(ctx.provider, suite.hash, preMaster, s.transcript.digest(), keyLog)
    : masterSecret(ctx.provider, suite.hash, preMaster, s.clientRandom, s.serverRandom, keyLog);
  return { ...s, master, keys: keyBlock12(ctx.provider, suite, master, s.clientRandom, s.serverRandom) };
}

/** RFC 5246 §7.4.8: a TLS 1.2 CertificateVerify signs every handshake message so far with the scheme's own hash. */
export function signHandshakeMessages(choice: CertificateChoice, transcript: Transcript): Buffer {
  return choice.certified.key.sign(choice.scheme.algorithm, transcript.messages());
}

/** Checks a TLS 1.2 signature by the peer's certificate key (ServerKeyExchange or CertificateVerify). Returns the scheme's code point. */
export function verifyPeerSignature12(s: Session12, spki: Buffer, scheme: number, signature: Buffer, signed: Buffer, what: string, suiteBound: boolean): number {
  const fits = suiteBound ? (k: PublicKey) => keyFitsSuite(k, s.suite) : undefined;
  return verifyPeerSignature(s.ctx.provider, spki, scheme, signature, schemesFor(s.ctx.config, 'TLSv1.2'), 'TLSv1.2', signed, what, fits).id;
}

/**
 * Sends our ChangeCipherSpec, switches our write side to the key block, and
 * sends our Finished (RFC 5246 §7.1, §7.4.9). Returns its verify_data.
 */
export function sendChangeCipherSpecAndFinished(k: Keyed12, role: 'client' | 'server'): Buffer {
  const { ctx, suite, keys, transcript } = k;
  ctx.sendChangeCipherSpec();
  if (role === 'client') ctx.setWriteKey12(suite, keys.clientWriteKey, keys.clientWriteIv);
  else ctx.setWriteKey12(suite, keys.serverWriteKey, keys.serverWriteIv);
  const verifyData = finishedVerifyData12(ctx.provider, suite.hash, k.master, role, transcript.digest());
  sendMessage(ctx, transcript, HandshakeType.finished, encodeFinished({ type: 'finished', verifyData }));
  return verifyData;
}

/**
 * Waits for the peer's ChangeCipherSpec (RFC 5246 §7.1): exactly one, right
 * before its Finished; any handshake message here is unexpected_message.
 * Then the peer's records are read with the key block.
 */
export class ExpectChangeCipherSpec12 implements HandshakeState {
  readonly name = 'ExpectChangeCipherSpec';
  constructor(
    private readonly k: Keyed12,
    private readonly peer: 'client' | 'server',
    private readonly onFinished: (peerVerifyData: Buffer) => HandshakeState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    fatal('unexpected_message', `${describeType(msg.type)} received while expecting ChangeCipherSpec (RFC 5246 §7.1)`);
  }

  handleChangeCipherSpec(): HandshakeState {
    const { ctx, suite, keys } = this.k;
    if (this.peer === 'client') ctx.setReadKey12(suite, keys.clientWriteKey, keys.clientWriteIv);
    else ctx.setReadKey12(suite, keys.serverWriteKey, keys.serverWriteIv);
    return new ExpectFinished12(this.k, this.peer, this.onFinished);
  }
}

/** The peer's Finished (RFC 5246 §7.4.9), compared in constant time; decrypt_error when it does not verify. */
class ExpectFinished12 implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly k: Keyed12,
    private readonly peer: 'client' | 'server',
    private readonly onFinished: (peerVerifyData: Buffer) => HandshakeState,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx, suite, transcript, master } = this.k;
    expectType(msg, HandshakeType.finished, this.name);
    const fin = decodeAs12(msg, 'finished');
    if (!verifyFinished12(ctx.provider, suite.hash, master, this.peer, transcript.digest(), fin.verifyData)) fatal('decrypt_error', `${this.peer} Finished does not verify`);
    transcript.add(msg.raw);
    return this.onFinished(Buffer.from(fin.verifyData));
  }
}

/** Completes a TLS 1.2 handshake: the connection keeps what exporters and channel binding need. */
export function complete12(k: Keyed12, clientFinished: Buffer): HandshakeState {
  k.ctx.handshakeComplete12({
    master: k.master,
    clientRandom: k.clientRandom,
    serverRandom: k.serverRandom,
    clientFinished,
    extendedMasterSecret: k.ems,
  });
  return new ExpectTraffic12();
}

/** After a TLS 1.2 handshake, handshake messages are handled by the connection itself (renegotiation is refused there). */
class ExpectTraffic12 implements HandshakeState {
  readonly name = 'ExpectTraffic';
  handle(msg: IncomingMessage): HandshakeState {
    fatal('unexpected_message', `handshake message type ${msg.type} after the handshake`);
  }
}
