/**
 * Post-handshake client authentication (RFC 8446 §4.6.2): the server's
 * CertificateRequest after the handshake, and the client's Certificate,
 * CertificateVerify and Finished in answer, each over the handshake
 * transcript followed by that exchange's own messages (§4.4.1), the Finished
 * keyed by the current client application traffic secret (§4.4).
 */
import { sendClientCertificate } from './client13.js';
import type { HandshakeContext } from './handshake-common.js';
import { fatal, schemesFor } from './handshake-common.js';
import type { KeySchedule } from './keyschedule.js';
import { encodeCertificateRequest } from './messages/certificate-request.js';
import type { CertificateRequestExtension } from './messages/extensions.js';
import { findExtension } from './messages/extensions.js';
import { encodeFinished } from './messages/finished.js';
import { HandshakeType } from './registry/handshake-types.js';
import { CERTIFICATE_SIGNATURE_SCHEMES } from './registry/signature-schemes.js';
import { ExpectClientCertificate } from './server13.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs, expectType, frame } from './states.js';
import type { Transcript } from './transcript.js';

/** certificate_request_context: unique per request; OpenSSL's is 32 random bytes too. */
const REQUEST_CONTEXT_LENGTH = 32;

/** Where the post-handshake exchange ends: the connection drops the state. */
export class PostHandshakeAuthDone implements HandshakeState {
  readonly name = 'PostHandshakeAuthDone';
  handle(msg: IncomingMessage): HandshakeState {
    fatal('unexpected_message', `handshake message type ${msg.type} after post-handshake authentication`);
  }
}

/**
 * Server: queues a CertificateRequest and returns the state that takes the
 * client's answer. `clientSecret` gives the client application traffic
 * secret in force when the Finished arrives (a KeyUpdate may come between).
 */
export function requestClientCertificate(ctx: HandshakeContext, handshake: Transcript, schedule: KeySchedule, clientSecret: () => Buffer): HandshakeState {
  const transcript = handshake.fork();
  const context = ctx.provider.randomBytes(REQUEST_CONTEXT_LENGTH);
  const extensions: CertificateRequestExtension[] = [
    { type: 'signature_algorithms', schemes: schemesFor(ctx.config, 'TLSv1.3').map((s) => s.id) },
    { type: 'signature_algorithms_cert', schemes: CERTIFICATE_SIGNATURE_SCHEMES.map((s) => s.id) },
  ];
  const cr = frame(HandshakeType.certificate_request, encodeCertificateRequest({ type: 'certificate_request', version: 'TLSv1.3', context, extensions }));
  transcript.add(cr);
  ctx.sendHandshake(cr);
  return new ExpectClientCertificate(ctx, transcript, context, () => new ExpectPostHandshakeFinished(transcript, schedule, clientSecret));
}

class ExpectPostHandshakeFinished implements HandshakeState {
  readonly name = 'ExpectPostHandshakeFinished';
  constructor(
    private readonly transcript: Transcript,
    private readonly schedule: KeySchedule,
    private readonly clientSecret: () => Buffer,
  ) {}

  handle(msg: IncomingMessage): HandshakeState {
    expectType(msg, HandshakeType.finished, this.name);
    const fin = decodeAs(msg, 'finished', this.schedule.hashLength);
    // RFC 8446 §4.4.4: constant-time comparison, decrypt_error on mismatch.
    if (!this.schedule.verifyFinished(this.clientSecret(), this.transcript.digest(), fin.verifyData)) fatal('decrypt_error', 'client post-handshake Finished does not verify');
    return new PostHandshakeAuthDone();
  }
}

/** Client: answers a post-handshake CertificateRequest at once with Certificate, [CertificateVerify,] Finished. */
export function answerCertificateRequest(ctx: HandshakeContext, msg: IncomingMessage, handshake: Transcript, schedule: KeySchedule, clientSecret: Buffer): void {
  // RFC 8446 §4.6.2: only a client that offered post_handshake_auth may be asked.
  if (!ctx.config.postHandshakeAuth) fatal('unexpected_message', 'CertificateRequest after the handshake, but we did not offer post_handshake_auth');
  const cr = decodeAs(msg, 'certificate_request');
  if (!findExtension(cr.extensions, 'signature_algorithms')) fatal('missing_extension', 'CertificateRequest has no signature_algorithms');
  const transcript = handshake.fork();
  transcript.add(msg.raw);
  sendClientCertificate(ctx, transcript, cr);
  const verifyData = schedule.finishedVerifyData(clientSecret, transcript.digest());
  ctx.sendHandshake(frame(HandshakeType.finished, encodeFinished({ type: 'finished', verifyData })));
}
