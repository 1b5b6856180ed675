/**
 * The little DER the provider must read itself: ECDSA signatures, parsed
 * strictly (X.690 §10 DER, not BER) because OpenSSL's own decoder tolerates
 * encodings that Wycheproof — and RFC 8446 §4.2.3's "DER-encoded" — reject,
 * and the outer TLV of a key blob, to refuse trailing garbage.
 */

const TAG_INTEGER = 0x02;
const TAG_SEQUENCE = 0x30;
const LONG_FORM_BIT = 0x80;
const SIGN_BIT = 0x80;
/** Lengths this module ever needs fit in 3 length octets (< 16 MiB). */
const MAX_LENGTH_OCTETS = 3;

export class DerError extends Error {
  override readonly name = 'DerError';
}

interface Tlv {
  readonly tag: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Reads one TLV at `offset`, requiring the minimal definite-length form (X.690 §10.1). */
function readTlv(data: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated TLV header');
  const tag = data[offset]!;
  const first = data[offset + 1]!;
  let length: number;
  let contentStart: number;
  if ((first & LONG_FORM_BIT) === 0) {
    length = first;
    contentStart = offset + 2;
  } else {
    const octets = first & ~LONG_FORM_BIT;
    if (octets === 0) throw new DerError('indefinite length is not DER');
    if (octets > MAX_LENGTH_OCTETS) throw new DerError(`length of ${octets} octets is too large`);
    if (offset + 2 + octets > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + data[offset + 2 + i]!;
    if (data[offset + 2] === 0) throw new DerError('length has a leading zero octet');
    if (length < LONG_FORM_BIT) throw new DerError('long-form length below 128 is not DER');
    contentStart = offset + 2 + octets;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`length ${length} runs past the end of the data`);
  return { tag, contentStart, end };
}

/** A positive INTEGER in minimal two's complement (X.690 §8.3.2), returned without its sign octet. */
function readPositiveInteger(data: Uint8Array, offset: number, limit: number, what: string): { value: Uint8Array; end: number } {
  const tlv = readTlv(data, offset, limit);
  if (tlv.tag !== TAG_INTEGER) throw new DerError(`${what}: expected INTEGER, got tag 0x${tlv.tag.toString(16)}`);
  const content = data.subarray(tlv.contentStart, tlv.end);
  if (content.length === 0) throw new DerError(`${what}: empty INTEGER`);
  if ((content[0]! & SIGN_BIT) !== 0) throw new DerError(`${what}: negative INTEGER`);
  if (content[0] === 0 && content.length > 1 && (content[1]! & SIGN_BIT) === 0) {
    throw new DerError(`${what}: INTEGER has a redundant leading zero`);
  }
  const value = content[0] === 0 ? content.subarray(1) : content;
  return { value, end: tlv.end };
}

/**
 * Converts a DER ECDSA-Sig-Value (RFC 3279 §2.2.3: SEQUENCE { r INTEGER, s INTEGER })
 * to the fixed-width r||s form (IEEE P1363), each integer left-padded to `width` bytes.
 * Throws DerError for anything that is not exactly DER, for zero values and for
 * values too wide for the curve (those can never verify).
 */
export function ecdsaDerToP1363(der: Uint8Array, width: number): Buffer {
  const seq = readTlv(der, 0, der.length);
  if (seq.tag !== TAG_SEQUENCE) throw new DerError('ECDSA signature is not a SEQUENCE');
  if (seq.end !== der.length) throw new DerError(`${der.length - seq.end} trailing bytes after the ECDSA signature`);
  const r = readPositiveInteger(der, seq.contentStart, seq.end, 'r');
  const s = readPositiveInteger(der, r.end, seq.end, 's');
  if (s.end !== seq.end) throw new DerError('extra data inside the ECDSA signature SEQUENCE');
  const out = Buffer.alloc(2 * width);
  for (const [index, { value }] of [r, s].entries()) {
    const name = index === 0 ? 'r' : 's';
    if (value.length > width) throw new DerError(`${name} is wider than the curve order`);
    if (value.every((b) => b === 0)) throw new DerError(`${name} is zero`);
    out.set(value, (index + 1) * width - value.length);
  }
  return out;
}

/** Throws DerError unless `data` is exactly one DER TLV with nothing after it. */
export function requireSingleTlv(data: Uint8Array): void {
  const tlv = readTlv(data, 0, data.length);
  if (tlv.end !== data.length) throw new DerError(`${data.length - tlv.end} trailing bytes after the DER structure`);
}

/** The tag of the second element inside the outer SEQUENCE (tells PrivateKeyInfo, INTEGER, from EncryptedPrivateKeyInfo, SEQUENCE). */
export function secondLevelFirstTag(data: Uint8Array): number {
  const outer = readTlv(data, 0, data.length);
  if (outer.tag !== TAG_SEQUENCE) throw new DerError('not a DER SEQUENCE');
  if (outer.contentStart >= outer.end) throw new DerError('empty SEQUENCE');
  return data[outer.contentStart]!;
}

export const DER_TAG = { INTEGER: TAG_INTEGER, SEQUENCE: TAG_SEQUENCE } as const;
