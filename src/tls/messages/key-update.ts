import { Reader, Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import { KeyUpdateRequest } from '../registry/handshake-types.js';

/** KeyUpdate (RFC 8446 §4.6.3). */
export interface KeyUpdate {
  readonly type: 'key_update';
  /** True for update_requested: the peer must answer with its own KeyUpdate. */
  readonly updateRequested: boolean;
}

export function decodeKeyUpdate(body: Uint8Array): KeyUpdate {
  const r = new Reader(body, 'KeyUpdate');
  const v = r.u8('request_update');
  r.expectEnd();
  // RFC 8446 §4.6.3: any other value is illegal_parameter.
  if (v !== KeyUpdateRequest.update_not_requested && v !== KeyUpdateRequest.update_requested) {
    throw new TLSError('illegal_parameter', `KeyUpdate request_update ${v} is neither 0 nor 1`);
  }
  return { type: 'key_update', updateRequested: v === KeyUpdateRequest.update_requested };
}

export function writeKeyUpdate(w: Writer, m: KeyUpdate): void {
  w.u8(m.updateRequested ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested);
}

export function encodeKeyUpdate(m: KeyUpdate): Buffer {
  const w = new Writer(16);
  writeKeyUpdate(w, m);
  return w.finish();
}
