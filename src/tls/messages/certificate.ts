import { Reader, Writer } from '../codec.js';
import { decodeExtensions, writeExtensions, type CertificateEntryExtension } from './extensions.js';

/** One TLS 1.3 CertificateEntry (RFC 8446 §4.4.2), X.509 type only. */
export interface CertificateEntry {
  /** DER certificate, at least one byte. */
  readonly data: Buffer;
  readonly extensions: readonly CertificateEntryExtension[];
}

/** TLS 1.3 Certificate (RFC 8446 §4.4.2). The end-entity certificate comes first. */
export interface Certificate13 {
  readonly type: 'certificate';
  readonly version: 'TLSv1.3';
  /** Empty for a server's certificate; echoes CertificateRequest.context for a client's. */
  readonly context: Buffer;
  readonly entries: readonly CertificateEntry[];
}

/** TLS 1.2 Certificate (RFC 5246 §7.4.2): a plain list of DER certificates. */
export interface Certificate12 {
  readonly type: 'certificate';
  readonly version: 'TLSv1.2';
  readonly certificates: readonly Buffer[];
}

export type Certificate = Certificate13 | Certificate12;

export function decodeCertificate13(body: Uint8Array): Certificate13 {
  const r = new Reader(body, 'Certificate');
  const context = r.opaque8('certificate_request_context');
  const list = r.vec24('certificate_list');
  const entries: CertificateEntry[] = [];
  while (!list.atEnd) {
    const data = list.opaque24('cert_data', 1);
    const extensions = decodeExtensions(list, 'certificate');
    entries.push({ data, extensions });
  }
  r.expectEnd();
  return { type: 'certificate', version: 'TLSv1.3', context, entries };
}

export function decodeCertificate12(body: Uint8Array): Certificate12 {
  const r = new Reader(body, 'Certificate');
  const list = r.vec24('certificate_list');
  const certificates: Buffer[] = [];
  while (!list.atEnd) certificates.push(list.opaque24('ASN.1Cert', 1));
  r.expectEnd();
  return { type: 'certificate', version: 'TLSv1.2', certificates };
}

export function writeCertificate(w: Writer, m: Certificate): void {
  if (m.version === 'TLSv1.3') {
    w.opaque8(m.context, 'certificate_request_context');
    w.u24Prefixed(() => {
      for (const e of m.entries) {
        w.opaque24(e.data, 'cert_data');
        writeExtensions(w, e.extensions);
      }
    }, 'certificate_list');
    return;
  }
  w.u24Prefixed(() => {
    for (const c of m.certificates) w.opaque24(c, 'ASN.1Cert');
  }, 'certificate_list');
}

export function encodeCertificate(m: Certificate): Buffer {
  const w = new Writer(4096);
  writeCertificate(w, m);
  return w.finish();
}
