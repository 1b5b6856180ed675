/**
 * ASN.1 tag registry (X.680 §8.4, X.690 §8.1.2): the identifier octets the
 * DER reader and writer use. The one home of these numbers in `src/x509/`.
 */

/** Class bits of an identifier octet (X.690 §8.1.2.2). */
export const TagClass = {
  UNIVERSAL: 0x00,
  APPLICATION: 0x40,
  CONTEXT: 0x80,
  PRIVATE: 0xc0,
} as const;

/** Masks over the first identifier octet. */
export const CLASS_MASK = 0xc0;
export const CONSTRUCTED = 0x20;
export const TAG_NUMBER_MASK = 0x1f;
/** X.690 §8.1.2.4: tag numbers ≥ 31 use the high-tag-number form, flagged by 0x1f. */
export const HIGH_TAG_NUMBER = 0x1f;

/**
 * Identifier octets of the universal types X.509 uses (class UNIVERSAL, with
 * the constructed bit set for SEQUENCE and SET as DER requires).
 */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  VIDEOTEX_STRING: 0x15,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  GRAPHIC_STRING: 0x19,
  VISIBLE_STRING: 0x1a,
  GENERAL_STRING: 0x1b,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The character string types, by identifier octet (ASN.1 names). */
export const STRING_TAG_NAMES: ReadonlyMap<number, string> = new Map([
  [Tag.UTF8_STRING, 'UTF8String'],
  [Tag.NUMERIC_STRING, 'NumericString'],
  [Tag.PRINTABLE_STRING, 'PrintableString'],
  [Tag.TELETEX_STRING, 'TeletexString'],
  [Tag.VIDEOTEX_STRING, 'VideotexString'],
  [Tag.IA5_STRING, 'IA5String'],
  [Tag.GRAPHIC_STRING, 'GraphicString'],
  [Tag.VISIBLE_STRING, 'VisibleString'],
  [Tag.GENERAL_STRING, 'GeneralString'],
  [Tag.UNIVERSAL_STRING, 'UniversalString'],
  [Tag.BMP_STRING, 'BMPString'],
]);

/** Identifier octet of a context-specific tag `[n]` (n < 31). */
export function contextTag(n: number, constructed: boolean): number {
  return TagClass.CONTEXT | (constructed ? CONSTRUCTED : 0) | n;
}

const UNIVERSAL_NAMES: ReadonlyMap<number, string> = new Map([
  ...Object.entries(Tag).map(([name, id]) => [id, name.replace(/_/g, ' ')] as const),
  ...STRING_TAG_NAMES,
]);

/** Human name of an identifier octet, for error messages. */
export function describeTag(id: number): string {
  if (id < 0) return 'end of data';
  const cls = id & CLASS_MASK;
  const n = id & TAG_NUMBER_MASK;
  const form = id & CONSTRUCTED ? 'constructed' : 'primitive';
  if (cls === TagClass.CONTEXT) return `[${n === HIGH_TAG_NUMBER ? 'high' : n}] ${form}`;
  const known = cls === TagClass.UNIVERSAL ? UNIVERSAL_NAMES.get(id) : undefined;
  return known ?? `tag 0x${id.toString(16).padStart(2, '0')}`;
}
