/**
 * OpenSSL's canonical name encoding (crypto/x509/x_name.c, x509_name_canon):
 * the basis of X509_NAME_cmp (chain building), X509_NAME_hash (the file
 * names of a hashed `capath` directory) and dirName name constraints.
 *
 * Each RDN becomes a DER SET OF AttributeTypeAndValue whose string values
 * (the ASN1_MASK_CANON types) are re-encoded as UTF8String after removing
 * leading and trailing white space, collapsing internal runs to one space and
 * lower-casing ASCII letters; other value types are copied. The RDN SETs are
 * concatenated without the outer SEQUENCE header. An empty name encodes to
 * nothing.
 *
 * This is the only implementation of name comparison: `Name.equals` and
 * `Name.canonicalKey` delegate here, so chain building, trust-store lookups
 * and capath hashes cannot disagree.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { Tag } from './der-tags.js';
import { oid as encodeOid, sequence, setOf, utf8String } from './der-writer.js';
import type { Name } from './name.js';

/** OpenSSL's ASN1_MASK_CANON string types. */
const CANON_TAGS: ReadonlySet<number> = new Set([
  Tag.UTF8_STRING,
  Tag.BMP_STRING,
  Tag.UNIVERSAL_STRING,
  Tag.PRINTABLE_STRING,
  Tag.TELETEX_STRING,
  Tag.IA5_STRING,
  Tag.VISIBLE_STRING,
]);

/** ossl_isspace: the C locale's white space. */
const EDGE_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const SPACE_RUN = /[ \t\n\v\f\r]+/g;

function canonicalText(s: string): string {
  return s.replace(EDGE_SPACE, '').replace(SPACE_RUN, ' ').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const cache = new WeakMap<Name, Buffer>();

/** The canonical encoding of `name` (cached per Name object). */
export function canonicalNameEncoding(name: Name): Buffer {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const rdns = name.rdns.map((rdn) =>
    setOf(
      ...rdn.map((a) => {
        const value = a.isString && CANON_TAGS.has(a.tag) ? utf8String(canonicalText(a.value)) : a.rawValue;
        return sequence(encodeOid(a.oid), value);
      }),
    ),
  );
  const out = Buffer.concat(rdns);
  cache.set(name, out);
  return out;
}

/** X509_NAME_cmp() === 0: the canonical encodings are equal. */
export function namesEqual(a: Name, b: Name): boolean {
  return a === b || a.raw.equals(b.raw) || canonicalNameEncoding(a).equals(canonicalNameEncoding(b));
}

/** Bytes of the SHA-1 digest that make up X509_NAME_hash. */
const NAME_HASH_BYTES = 4;

/**
 * X509_NAME_hash_ex (OpenSSL ≥ 1.0 "subject_hash"): the first four bytes of
 * SHA-1 over the canonical encoding, read little-endian, as 8 lower-case hex
 * digits — the `<hash>` in a capath directory's `<hash>.<n>` file names.
 */
export function nameHash(name: Name, provider: CryptoProvider): string {
  const digest = provider.hash('SHA-1', canonicalNameEncoding(name));
  return digest.readUInt32LE(0).toString(16).padStart(2 * NAME_HASH_BYTES, '0');
}
