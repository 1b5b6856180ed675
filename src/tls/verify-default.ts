/**
 * A ready-made `verifyPeer` for engine users that do not go through the ssl
 * layer: path validation with `src/x509` against a trust store, host / IP
 * checks, and OpenSSL's mapping from a verify code to the alert it sends
 * (ssl/statem/statem_lib.c, ssl_x509err2alert).
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { Certificate } from '../x509/certificate.js';
import type { CertificateSource } from '../x509/chain.js';
import { isIpAddress } from '../x509/hostname.js';
import type { CrlSource } from '../x509/revocation.js';
import { X509_V, pythonVerifyMessage } from '../x509/verify-codes.js';
import { verifyCertificateChain } from '../x509/verify.js';
import type { VerifiedChainCache } from '../x509/verify-cache.js';
import type { VerifyPeer } from './config.js';
import type { AlertName } from './registry/alerts.js';

export interface DefaultVerifierOptions {
  readonly provider: CryptoProvider;
  /** Trust anchors and their CRLs (a TrustStore or anything with its lookups). */
  readonly store: CertificateSource & Partial<CrlSource>;
  /** Client: check the server's certificate against its name (Python's check_hostname). Default true. */
  readonly checkHostname?: boolean;
  /** Client: the host name (A-label) or IP literal to check; default the name the client sent (its SNI / server name). */
  readonly serverName?: string | null;
  /** X509_V_FLAG_* bits (Python's verify_flags); default X509_V_FLAG_TRUSTED_FIRST. */
  readonly flags?: number;
  /** X509_CHECK_FLAG_* bits for the host check; default Python's. */
  readonly hostFlags?: number;
  /** OpenSSL security level for keys and digests in the chain (Python's default contexts: 2); default 0, no check. */
  readonly authLevel?: number;
  /** Verification time; default now. */
  readonly time?: Date;
  /** Verified chains remembered across connections (x509/verify-cache.ts); default none. */
  readonly cache?: VerifiedChainCache | null;
  /** Called with the built chain (leaf first, anchor last) when verification succeeds. */
  readonly onVerified?: (chain: readonly Certificate[]) => void;
}

/**
 * The alert OpenSSL sends for a failed certificate verification
 * (ssl_x509err2alert, formerly ssl_verify_alarm_type): the peer then reports
 * e.g. `TLSV1_ALERT_UNKNOWN_CA` for an untrusted chain (python-ssl-api.md
 * §2.5). The one home of this table; the ssl layer's verifier uses it too.
 */
export function alertForVerifyCode(code: number): AlertName {
  switch (code) {
    case X509_V.UNABLE_TO_GET_ISSUER_CERT:
    case X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V.UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
    case X509_V.DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V.SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V.CERT_CHAIN_TOO_LONG:
    case X509_V.UNABLE_TO_GET_CRL:
    case X509_V.INVALID_CA:
      return 'unknown_ca';
    case X509_V.CERT_SIGNATURE_FAILURE:
    case X509_V.CRL_SIGNATURE_FAILURE:
    case X509_V.CERT_NOT_YET_VALID:
    case X509_V.CRL_NOT_YET_VALID:
    case X509_V.HOSTNAME_MISMATCH:
    case X509_V.IP_ADDRESS_MISMATCH:
    case X509_V.EE_KEY_TOO_SMALL:
    case X509_V.CA_KEY_TOO_SMALL:
    case X509_V.CA_MD_TOO_WEAK:
      return 'bad_certificate';
    case X509_V.CERT_HAS_EXPIRED:
    case X509_V.CRL_HAS_EXPIRED:
      return 'certificate_expired';
    case X509_V.CERT_REVOKED:
      return 'certificate_revoked';
    case X509_V.INVALID_PURPOSE:
      return 'unsupported_certificate';
    default:
      return 'certificate_unknown';
  }
}

/**
 * A verifier: clients check serverAuth (and the name: an IP literal against
 * SAN iPAddress, code 64; a host name against DNS names, code 62), servers
 * check clientAuth — OpenSSL's X509_PURPOSE_SSL_SERVER / _SSL_CLIENT.
 */
export function defaultVerifier(o: DefaultVerifierOptions): VerifyPeer {
  return (chain, info) => {
    const name = !info.isServer && (o.checkHostname ?? true) ? (o.serverName !== undefined ? o.serverName : info.serverName) : null;
    const ip = name !== null && isIpAddress(name) ? name : null;
    let result;
    try {
      result = verifyCertificateChain({
        chain,
        store: o.store,
        provider: o.provider,
        purpose: info.isServer ? 'clientAuth' : 'serverAuth',
        hostname: ip === null ? name : null,
        ip,
        ...(o.flags !== undefined ? { flags: o.flags } : {}),
        ...(o.hostFlags !== undefined ? { hostFlags: o.hostFlags } : {}),
        ...(o.authLevel !== undefined ? { authLevel: o.authLevel } : {}),
        ...(o.time ? { time: o.time } : {}),
        cache: o.cache ?? null,
      });
    } catch (e) {
      return { alert: 'bad_certificate', reason: `peer certificate cannot be parsed: ${(e as Error).message}` };
    }
    if (result.ok) {
      o.onVerified?.(result.chain);
      return null;
    }
    return {
      alert: alertForVerifyCode(result.code),
      reason: `certificate verify failed: ${result.message}`,
      verifyCode: result.code,
      verifyMessage: pythonVerifyMessage(result.code, name),
    };
  };
}
