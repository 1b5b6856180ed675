/**
 * DER: the strict reader and the writer, in one import.
 *
 * Reader: `new DerReader(bytes)` / `readSequence(bytes)` walk elements and
 * decode values; faults throw `DerError { code, path, offset }`.
 * Writer: the `der` object of composable encoders (`der.sequence(...)`,
 * `der.integer(5n)`, `der.oid('2.5.29.19')`, `der.explicit(0, ...)`, …).
 */
import * as writer from './der-writer.js';

export { DerError, X509Error, joinPath } from './errors.js';
export type { DerErrorCode, X509ErrorCode } from './errors.js';
export { Tag, TagClass, CONSTRUCTED, STRING_TAG_NAMES, contextTag, describeTag } from './der-tags.js';
export { DerReader, readElement, readSequence, asBuffer } from './der-reader.js';
export type { DerElement } from './der-reader.js';
export {
  decodeBitString,
  decodeBoolean,
  decodeEnumerated,
  decodeInteger,
  decodeIntegerBytes,
  decodeNull,
  decodeOid,
  decodeSmallInteger,
  decodeString,
  decodeTime,
  integerFromBytes,
  oidFromContents,
} from './der-values.js';
export type { BitString, DerString, DerTime } from './der-values.js';

/**
 * The DER writer. Each function returns the complete encoding of one element:
 * `element(id, contents)`, `constructed(id, children)`, `sequence`, `set`,
 * `setOf` (DER-sorted), `integer(bigint | number | bytes)`, `enumerated`,
 * `boolean`, `null`, `oid(dotted)`, `bitString(bytes, unusedBits)`,
 * `namedBits(bitIndexes)`, `octetString`, `string(tag, text)`, `utf8String`,
 * `printableString`, `ia5String`, `utcTime`, `generalizedTime`,
 * `time` (RFC 5280 year rule), `explicit(n, ...inner)`, `implicit(n, encoded)`,
 * `contextPrimitive(n, contents)`.
 */
export const der = {
  element: writer.element,
  constructed: writer.constructed,
  sequence: writer.sequence,
  set: writer.set,
  setOf: writer.setOf,
  integer: writer.integer,
  integerContents: writer.integerContents,
  enumerated: writer.enumerated,
  boolean: writer.boolean,
  null: writer.nullValue,
  oid: writer.oid,
  oidContents: writer.oidContents,
  bitString: writer.bitString,
  namedBits: writer.namedBits,
  octetString: writer.octetString,
  string: writer.string,
  utf8String: writer.utf8String,
  printableString: writer.printableString,
  ia5String: writer.ia5String,
  utcTime: writer.utcTime,
  generalizedTime: writer.generalizedTime,
  time: writer.time,
  explicit: writer.explicit,
  implicit: writer.implicit,
  contextPrimitive: writer.contextPrimitive,
} as const;
