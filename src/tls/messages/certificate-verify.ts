import { Reader, Writer } from '../codec.js';

/** CertificateVerify (RFC 8446 §4.4.3; TLS 1.2: RFC 5246 §7.4.8 with a SignatureAndHashAlgorithm). */
export interface CertificateVerify {
  readonly type: 'certificate_verify';
  /** SignatureScheme code point. */
  readonly algorithm: number;
  readonly signature: Buffer;
}

export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new Reader(body, 'CertificateVerify');
  const algorithm = r.u16('algorithm');
  const signature = r.opaque16('signature');
  r.expectEnd();
  return { type: 'certificate_verify', algorithm, signature };
}

export function writeCertificateVerify(w: Writer, m: CertificateVerify): void {
  w.u16(m.algorithm).opaque16(m.signature, 'signature');
}

export function encodeCertificateVerify(m: CertificateVerify): Buffer {
  const w = new Writer();
  writeCertificateVerify(w, m);
  return w.finish();
}
