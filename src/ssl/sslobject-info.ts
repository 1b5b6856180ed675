/**
 * The connection information SSLObject reports once the handshake is done
 * (python-ssl-api.md §7): the peer certificate in Python's shapes, the
 * shared ciphers, the chains. Functions of the engine's `Connection`, so
 * SSLObject's methods stay one-line facades (./sslobject.ts).
 */
import type { Connection } from '../tls/connection.js';
import type { CipherSuite } from '../tls/registry/suites.js';
import { parseCertificate } from '../x509/certificate.js';
import { peerCertDict, type PeerCertDict } from '../x509/peercert.js';
import { ValueError } from '../socket/errors.js';
import { cipherTuple } from './ciphers.js';
import { CERT_NONE } from './constants.js';
import type { SSLContext } from './context.js';

/**
 * `getpeercert()`: the peer's DER leaf with `binaryForm`; else Python's dict,
 * `{}` when `context` (the current one) does not verify peers, whatever the
 * certificate. Null when the peer sent none; ValueError before the handshake.
 */
export function peerCertificate(conn: Connection, context: SSLContext, binaryForm: boolean): PeerCertDict | Buffer | Record<string, never> | null {
  if (!conn.handshakeDone) throw new ValueError('handshake not done yet');
  const leaf = conn.negotiated.peerCertificates[0];
  if (leaf === undefined) return null;
  if (binaryForm) return Buffer.from(leaf);
  if (context.verifyMode === CERT_NONE) return {};
  return peerCertDict(parseCertificate(leaf));
}

/** `shared_ciphers()`: the suites the client offered (`offered`) that `context` enables, in our order. */
export function sharedCiphers(context: SSLContext, offered: readonly number[]): [string, string, number][] {
  return context
    .enabledSuites()
    .filter((s: CipherSuite) => offered.includes(s.id))
    .map(cipherTuple);
}

/** Copies of DER certificates, for the chain getters (callers may modify what they get). */
export function copyChain(chain: readonly Uint8Array[]): Buffer[] {
  return chain.map((c) => Buffer.from(c));
}
