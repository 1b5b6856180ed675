import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { decodeExtensions, findExtension, writeExtensions, type CertificateRequestExtension } from './extensions.js';

/** TLS 1.3 CertificateRequest (RFC 8446 §4.3.2). */
export interface CertificateRequest13 {
  readonly type: 'certificate_request';
  readonly version: 'TLSv1.3';
  /** Empty during the handshake; non-empty for post-handshake authentication (RFC 8446 §4.6.2). */
  readonly context: Buffer;
  /** Always contains signature_algorithms (checked when decoding). */
  readonly extensions: readonly CertificateRequestExtension[];
}

/** TLS 1.2 CertificateRequest (RFC 5246 §7.4.4). */
export interface CertificateRequest12 {
  readonly type: 'certificate_request';
  readonly version: 'TLSv1.2';
  /** ClientCertificateType values, at least one. */
  readonly certificateTypes: readonly number[];
  /** SignatureScheme code points, at least one. */
  readonly signatureSchemes: readonly number[];
  /** DER Distinguished Names of acceptable CAs, possibly none. */
  readonly certificateAuthorities: readonly Buffer[];
}

export type CertificateRequest = CertificateRequest13 | CertificateRequest12;

export function decodeCertificateRequest13(body: Uint8Array): CertificateRequest13 {
  const r = new Reader(body, 'CertificateRequest');
  const context = r.opaque8('certificate_request_context');
  const extensions = decodeExtensions(r, 'certificate_request');
  r.expectEnd();
  // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be specified".
  if (!findExtension(extensions, 'signature_algorithms')) throw new TLSError('missing_extension', 'CertificateRequest without signature_algorithms');
  return { type: 'certificate_request', version: 'TLSv1.3', context, extensions };
}

export function decodeCertificateRequest12(body: Uint8Array): CertificateRequest12 {
  const r = new Reader(body, 'CertificateRequest');
  const certificateTypes = r.u8List('certificate_types', 1);
  const signatureSchemes = r.u16List('supported_signature_algorithms', 2, 0xfffe);
  const cas = r.vec16('certificate_authorities');
  const certificateAuthorities: Buffer[] = [];
  while (!cas.atEnd) certificateAuthorities.push(cas.opaque16('DistinguishedName', 1));
  r.expectEnd();
  return { type: 'certificate_request', version: 'TLSv1.2', certificateTypes, signatureSchemes, certificateAuthorities };
}

export function writeCertificateRequest(w: Writer, m: CertificateRequest): void {
  if (m.version === 'TLSv1.3') {
    w.opaque8(m.context, 'certificate_request_context');
    writeExtensions(w, m.extensions);
    return;
  }
  w.u8List(m.certificateTypes, 'certificate_types');
  w.u16List(m.signatureSchemes, 'supported_signature_algorithms');
  w.u16Prefixed(() => {
    for (const dn of m.certificateAuthorities) w.opaque16(dn, 'DistinguishedName');
  }, 'certificate_authorities');
}

export function encodeCertificateRequest(m: CertificateRequest): Buffer {
  const w = new Writer();
  writeCertificateRequest(w, m);
  return w.finish();
}
