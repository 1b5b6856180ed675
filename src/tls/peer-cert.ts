/**
 * What the handshake needs from the peer's certificates: the leaf's public
 * key (to check CertificateVerify) and the verification callback's verdict.
 */
import { readSequence } from '../x509/der-reader.js';
import { Tag } from '../x509/der-tags.js';
import { X509Error } from '../x509/errors.js';
import { TLSError } from './errors.js';
import type { HandshakeContext } from './handshake-common.js';
import { fatal, keepBytes } from './handshake-common.js';

/** X.509 tbsCertificate [0] EXPLICIT version. */
const VERSION_TAG = 0;

/**
 * The DER SubjectPublicKeyInfo of a certificate (RFC 5280 §4.1):
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature },
 * tbsCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
 * issuer, validity, subject, subjectPublicKeyInfo, ... }.
 * A certificate that cannot be parsed is bad_certificate.
 */
export function leafSpki(der: Buffer): Buffer {
  try {
    const cert = readSequence(der, 'Certificate');
    const tbs = cert.sequence('tbsCertificate');
    tbs.explicit(VERSION_TAG, 'version');
    tbs.expect(Tag.INTEGER, 'serialNumber');
    tbs.expect(Tag.SEQUENCE, 'signature');
    tbs.expect(Tag.SEQUENCE, 'issuer');
    tbs.expect(Tag.SEQUENCE, 'validity');
    tbs.expect(Tag.SEQUENCE, 'subject');
    return Buffer.from(tbs.expect(Tag.SEQUENCE, 'subjectPublicKeyInfo').raw);
  } catch (e) {
    if (e instanceof X509Error) fatal('bad_certificate', `peer certificate cannot be parsed: ${e.message}`);
    throw e;
  }
}

/** Runs the configured verification callback; a failure becomes the callback's alert with verify code/message attached. */
export function verifyPeerChain(ctx: HandshakeContext, chain: readonly Buffer[], isServer: boolean): void {
  const verify = ctx.config.verifyPeer;
  if (!verify) return;
  const failure = verify(chain, { isServer, serverName: isServer ? ctx.negotiated.serverName : ctx.config.serverName });
  if (failure) {
    throw new TLSError(failure.alert, failure.reason, false, { verifyCode: failure.verifyCode, verifyMessage: failure.verifyMessage });
  }
}

/**
 * Verifies and records the peer's chain; returns the leaf's key (SPKI) for its
 * signature checks. A chain whose leaf cannot be parsed or that does not
 * verify is not kept: after a refused post-handshake certificate the
 * connection still reports what it had (OpenSSL keeps a client certificate
 * only once verified), never a chain getpeercert() cannot parse.
 */
export function acceptPeerChain(ctx: HandshakeContext, chain: Buffer[], isServer: boolean): Buffer {
  const spki = leafSpki(chain[0]!);
  const previous = ctx.negotiated.peerCertificates;
  // Recorded while the callback runs: the ssl layer keeps these very buffers as its verified chain.
  ctx.negotiated.peerCertificates = chain.map(keepBytes);
  try {
    verifyPeerChain(ctx, chain, isServer);
  } catch (e) {
    ctx.negotiated.peerCertificates = previous;
    throw e;
  }
  return spki;
}
