import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { CertificateStatusType } from '../registry/extensions.js';

/** TLS 1.2 CertificateStatus (RFC 6066 §8): a stapled OCSP response after Certificate. */
export interface CertificateStatus {
  readonly type: 'certificate_status';
  /** DER OCSPResponse. */
  readonly ocspResponse: Buffer;
}

export function decodeCertificateStatus(body: Uint8Array): CertificateStatus {
  const r = new Reader(body, 'CertificateStatus');
  const statusType = r.u8('status_type');
  if (statusType !== CertificateStatusType.ocsp) throw new TLSError('decode_error', `CertificateStatus: unknown status_type ${statusType}`);
  const ocspResponse = r.opaque24('OCSPResponse', 1);
  r.expectEnd();
  return { type: 'certificate_status', ocspResponse };
}

export function writeCertificateStatus(w: Writer, m: CertificateStatus): void {
  w.u8(CertificateStatusType.ocsp).opaque24(m.ocspResponse, 'OCSPResponse');
}
