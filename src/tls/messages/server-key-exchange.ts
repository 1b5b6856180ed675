import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { EcCurveType } from '../registry/groups.js';

/**
 * TLS 1.2 ServerKeyExchange for ECDHE suites (RFC 8422 §5.4): named-curve
 * ECParameters, the server's ephemeral public value, and a signature over
 * client_random || server_random || params.
 */
export interface ServerKeyExchange {
  readonly type: 'server_key_exchange';
  /** NamedGroup code point. */
  readonly namedGroup: number;
  /** The public value (uncompressed point, or 32 bytes for X25519). */
  readonly publicKey: Buffer;
  /** SignatureScheme code point (TLS 1.2 SignatureAndHashAlgorithm). */
  readonly algorithm: number;
  readonly signature: Buffer;
  /**
   * The ServerECDHParams bytes exactly as on the wire (curve_type through
   * the point): the signed data is client_random + server_random + params.
   */
  readonly params: Buffer;
}

/** Encodes ServerECDHParams: curve_type named_curve, the group, the point<1..2^8-1>. */
export function encodeEcdheParams(namedGroup: number, publicKey: Uint8Array): Buffer {
  const w = new Writer(8 + publicKey.length);
  w.u8(EcCurveType.named_curve).u16(namedGroup).opaque8(publicKey, 'point');
  return w.finish();
}

export function decodeServerKeyExchange(body: Uint8Array): ServerKeyExchange {
  const r = new Reader(body, 'ServerKeyExchange');
  const curveType = r.u8('curve_type');
  // RFC 8422 §5.4: explicit curves are deprecated and MUST NOT be used.
  if (curveType !== EcCurveType.named_curve) throw new TLSError('illegal_parameter', `ServerKeyExchange: curve_type ${curveType} is not named_curve`);
  const namedGroup = r.u16('namedcurve');
  const publicKey = r.opaque8('point', 1);
  const paramsLength = r.offset;
  const algorithm = r.u16('signature algorithm');
  const signature = r.opaque16('signature');
  r.expectEnd();
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return { type: 'server_key_exchange', namedGroup, publicKey, algorithm, signature, params: raw.subarray(0, paramsLength) };
}

export function writeServerKeyExchange(w: Writer, m: Omit<ServerKeyExchange, 'params'>): void {
  w.u8(EcCurveType.named_curve).u16(m.namedGroup).opaque8(m.publicKey, 'point');
  w.u16(m.algorithm).opaque16(m.signature, 'signature');
}

export function encodeServerKeyExchange(m: Omit<ServerKeyExchange, 'params'>): Buffer {
  const w = new Writer();
  writeServerKeyExchange(w, m);
  return w.finish();
}
