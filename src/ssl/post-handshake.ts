/**
 * The Python rules around what an established TLS connection can still do
 * (python-ssl-api.md §6.8 and DESIGN.md "Beyond Python"): post-handshake
 * client authentication, keying material exporters and KeyUpdate. Each
 * checks its arguments and state with Python's (OpenSSL's) errors, then
 * asks the engine; SSLObject and SSLSocket both call these.
 */
import type { Connection } from '../tls/connection.js';
import { ValueError } from '../socket/errors.js';
import { RESERVED_EXPORTER_LABELS } from '../tls/prf12.js';
import { asBytes } from './bio.js';
import { CERT_NONE } from './constants.js';
import { makeSSLError, SSLError } from './errors.js';
import { pyTypeName, requireInt } from './pyargs.js';

/** OpenSSL's SSL_R_* reason codes: Python's errno for these errors (errors raised via _setSSLError). */
const REASON = { STILL_IN_INIT: 121, WRONG_SSL_VERSION: 266, EXTENSION_NOT_RECEIVED: 279, INVALID_CONFIG: 283, NOT_SERVER: 284, REQUEST_SENT: 286 } as const;
/** RFC 5705 §4 (TLS 1.2): the context length is a uint16; lengths beyond this are refused as absurd. */
const MAX_CONTEXT_12 = 0xffff;
const MAX_LENGTH_12 = 0xffff;
/** RFC 5869: HKDF-Expand gives at most 255 blocks of the hash (SHA-256: 8160 bytes). */
const MAX_HKDF_BLOCKS = 255;

function sslFail(reason: keyof typeof REASON, text: string): never {
  throw makeSSLError(SSLError, REASON[reason], text, 'SSL', reason);
}

/** `verify_client_post_handshake()`: OpenSSL's checks in its order, then the CertificateRequest is queued. */
export function verifyClientPostHandshake(conn: Connection, serverSide: boolean, verifyMode: number): void {
  if (!conn.handshakeDone || conn.negotiated.version !== 'TLSv1.3') sslFail('WRONG_SSL_VERSION', 'wrong ssl version');
  if (!serverSide) sslFail('NOT_SERVER', 'not server');
  if (!conn.negotiated.postHandshakeAuthOffered) sslFail('EXTENSION_NOT_RECEIVED', 'extension not received');
  if (conn.clientAuthPending) sslFail('REQUEST_SENT', 'request sent');
  if (verifyMode === CERT_NONE) sslFail('INVALID_CONFIG', 'invalid config');
  conn.requestClientAuth();
}

/** `key_update(request_peer_update=False)` (beyond Python; OpenSSL's SSL_key_update rules). */
export function keyUpdate(conn: Connection, requestPeerUpdate: unknown): void {
  if (!conn.handshakeDone) sslFail('STILL_IN_INIT', 'still in init');
  if (conn.negotiated.version !== 'TLSv1.3') sslFail('WRONG_SSL_VERSION', 'wrong ssl version');
  conn.keyUpdate(Boolean(requestPeerUpdate));
}

/**
 * `export_keying_material(label, length, context=None)` (beyond Python): RFC
 * 8446 §7.5 for TLS 1.3 (where no context and an empty one are the same),
 * RFC 5705 for TLS 1.2 (where they differ; with extended master secret), as
 * node:tls's `exportKeyingMaterial(length, label, context)` and OpenSSL's
 * `-keymatexport`.
 */
export function exportKeyingMaterial(conn: Connection, label: unknown, length: unknown, context: unknown): Buffer {
  if (typeof label !== 'string') throw new TypeError(`export_keying_material() argument 'label' must be str, not ${pyTypeName(label)}`);
  if (!/^[\x20-\x7e]*$/.test(label)) throw new ValueError('label must be printable ASCII');
  const n = requireInt(length);
  let ctx: Buffer | null = null;
  if (context !== null && context !== undefined) {
    if (!(context instanceof Uint8Array || context instanceof ArrayBuffer || context instanceof DataView)) {
      throw new TypeError(`export_keying_material() argument 'context' must be a bytes-like object or None, not ${pyTypeName(context)}`);
    }
    ctx = asBytes(context);
  }
  if (!conn.handshakeDone) throw new ValueError('handshake not done yet');
  if (conn.negotiated.version === 'TLSv1.2') {
    // RFC 5705 §4: TLS's own PRF labels are not exporter labels; the context is at most 65535 bytes.
    if (RESERVED_EXPORTER_LABELS.has(label)) throw new ValueError(`label '${label}' is reserved by TLS`);
    if (ctx !== null && ctx.length > MAX_CONTEXT_12) throw new ValueError(`context must be at most ${MAX_CONTEXT_12} bytes`);
    if (n <= 0 || n > MAX_LENGTH_12) throw new ValueError(`length must be 1 to ${MAX_LENGTH_12}`);
    return conn.exportKeyingMaterial(label, ctx, n);
  }
  const hashLength = conn.negotiated.suite!.hash === 'SHA-384' ? 48 : 32;
  if (n <= 0 || n > MAX_HKDF_BLOCKS * hashLength) throw new ValueError(`length must be 1 to ${MAX_HKDF_BLOCKS * hashLength} for ${conn.negotiated.suite!.ianaName}`);
  if (label.length > 249) throw new ValueError('label must be at most 249 bytes');
  return conn.exportKeyingMaterial(label, ctx, n);
}
