import { Reader, Writer } from '../codec.js';

/** TLS 1.2 ClientKeyExchange for ECDHE suites (RFC 8422 §5.7): the client's ephemeral public value. */
export interface ClientKeyExchange {
  readonly type: 'client_key_exchange';
  readonly publicKey: Buffer;
}

export function decodeClientKeyExchange(body: Uint8Array): ClientKeyExchange {
  const r = new Reader(body, 'ClientKeyExchange');
  const publicKey = r.opaque8('ecdh_Yc', 1);
  r.expectEnd();
  return { type: 'client_key_exchange', publicKey };
}

export function writeClientKeyExchange(w: Writer, m: ClientKeyExchange): void {
  w.opaque8(m.publicKey, 'ecdh_Yc');
}

export function encodeClientKeyExchange(m: ClientKeyExchange): Buffer {
  const w = new Writer(128);
  writeClientKeyExchange(w, m);
  return w.finish();
}
