import { Reader, Writer } from '../codec.js';
import { decodeExtensions, writeExtensions, type EncryptedExtension } from './extensions.js';

/** EncryptedExtensions (RFC 8446 §4.3.1). */
export interface EncryptedExtensions {
  readonly type: 'encrypted_extensions';
  readonly extensions: readonly EncryptedExtension[];
}

export function decodeEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new Reader(body, 'EncryptedExtensions');
  const extensions = decodeExtensions(r, 'encrypted_extensions');
  r.expectEnd();
  return { type: 'encrypted_extensions', extensions };
}

export function writeEncryptedExtensions(w: Writer, m: EncryptedExtensions): void {
  writeExtensions(w, m.extensions);
}

export function encodeEncryptedExtensions(m: EncryptedExtensions): Buffer {
  const w = new Writer();
  writeEncryptedExtensions(w, m);
  return w.finish();
}
