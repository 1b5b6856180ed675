/**
 * The one error type family of `src/x509/` parsing. Every byte sequence given
 * to the DER reader, `parseCertificate`, `parseCrl` or the PEM reader either
 * decodes or throws an `X509Error` (a `DerError` for encoding-level faults):
 * never a RangeError/TypeError from deep inside.
 *
 * `path` names the field in the ASN.1 structure
 * (`tbsCertificate.extensions[2].extnValue`), `offset` is the byte offset of
 * the offending element in the outermost buffer that was parsed.
 */

/** Encoding-level faults (X.690 DER rules). */
export type DerErrorCode =
  | 'truncated' // element header or contents run past the end of the input
  | 'indefinite_length' // BER indefinite length (0x80) is not DER
  | 'non_minimal_length' // length encoded with more octets than needed
  | 'length_too_large' // length does not fit in 4 octets
  | 'non_minimal_tag' // high-tag-number form used for a number < 31 or with leading 0x80
  | 'tag_too_large' // tag number beyond 2^31
  | 'unexpected_tag' // a different element was expected here
  | 'trailing_data' // bytes left after the last expected element
  | 'wrong_form' // primitive where constructed was required, or the reverse
  | 'bad_integer' // empty or non-minimal INTEGER
  | 'bad_boolean' // BOOLEAN not exactly one octet 0x00 or 0xFF
  | 'bad_null' // NULL with contents
  | 'bad_bit_string' // unused-bits octet out of range or unused bits not zero
  | 'bad_oid' // empty OID, non-minimal subidentifier or truncated subidentifier
  | 'bad_time' // UTCTime / GeneralizedTime not in the strict DER form or not a valid date
  | 'bad_string' // character string whose bytes are not valid for its type (UTF-8, BMP, Universal)
  | 'integer_too_large'; // INTEGER does not fit where a small number was required

/** Structure-level faults (RFC 5280 rules on top of valid DER). */
export type X509ErrorCode =
  | DerErrorCode
  | 'bad_version' // version field out of range or present with its DEFAULT value
  | 'duplicate_extension' // RFC 5280 §4.2: an extension appears at most once
  | 'bad_extension' // a known extension whose value does not decode
  | 'bad_name' // empty RDN or malformed attribute
  | 'bad_general_name' // GeneralName with a malformed value
  | 'bad_algorithm' // AlgorithmIdentifier with malformed parameters
  | 'bad_pem' // PEM framing or base64 body is malformed
  | 'no_pem' // no PEM block with the wanted label
  | 'bad_crl'; // CRL structure fault (e.g. version/extension mismatch)

/** Base class of every error thrown by x509 parsing. */
export class X509Error extends Error {
  override readonly name: string = 'X509Error';
  constructor(
    readonly code: X509ErrorCode,
    /** What was wrong, in words. */
    readonly detail: string,
    /** Dotted field path inside the structure, '' at the top. */
    readonly path: string = '',
    /** Byte offset in the outermost parsed buffer, -1 when unknown. */
    readonly offset: number = -1,
  ) {
    super(formatMessage(detail, path, offset));
  }
}

/** An X.690 DER encoding fault. */
export class DerError extends X509Error {
  override readonly name = 'DerError';
  constructor(code: DerErrorCode, detail: string, path = '', offset = -1) {
    super(code, detail, path, offset);
  }
  declare readonly code: DerErrorCode;
}

function formatMessage(detail: string, path: string, offset: number): string {
  const where = [path !== '' ? `at ${path}` : '', offset >= 0 ? `offset ${offset}` : ''].filter((s) => s !== '').join(', ');
  return where === '' ? detail : `${detail} (${where})`;
}

/** Joins a parent path and a field name: `joinPath('a', 'b') === 'a.b'`, `joinPath('a', '[2]') === 'a[2]'`. */
export function joinPath(parent: string, field: string): string {
  if (field === '') return parent;
  if (parent === '') return field;
  return field.startsWith('[') ? parent + field : `${parent}.${field}`;
}
