import type { KeyExchangeGroup } from '../../crypto/provider.js';

/**
 * Named groups (RFC 8446 §4.2.7, RFC 8422 §5.1.1, IANA "TLS Supported
 * Groups"). The one home of group code points. Only the groups listed in
 * `SUPPORTED_GROUPS` are implemented (by the crypto provider).
 */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
} as const;

export type NamedGroupName = keyof typeof NamedGroup;

/** A group we implement. */
export interface GroupInfo {
  readonly id: number;
  /** IANA name. */
  readonly name: NamedGroupName;
  /** OpenSSL's name, as SSLContext.set_ecdh_curve() accepts it. */
  readonly opensslName: string;
  /** The provider's name for it. */
  readonly kex: KeyExchangeGroup;
  /**
   * Exact length of a public value (key_share / ECDHE point): 32 raw bytes
   * for X25519, an uncompressed SEC1 point (0x04 || X || Y) for the NIST
   * curves (RFC 8446 §4.2.8.2: only the uncompressed form is allowed).
   */
  readonly publicKeyLength: number;
}

export const X25519: GroupInfo = { id: NamedGroup.x25519, name: 'x25519', opensslName: 'X25519', kex: 'X25519', publicKeyLength: 32 };
export const SECP256R1: GroupInfo = { id: NamedGroup.secp256r1, name: 'secp256r1', opensslName: 'prime256v1', kex: 'P-256', publicKeyLength: 65 };
export const SECP384R1: GroupInfo = { id: NamedGroup.secp384r1, name: 'secp384r1', opensslName: 'secp384r1', kex: 'P-384', publicKeyLength: 97 };

/** Every group we implement, in our default preference order (OpenSSL's). */
export const SUPPORTED_GROUPS: readonly GroupInfo[] = [X25519, SECP256R1, SECP384R1];

const byId = new Map(SUPPORTED_GROUPS.map((g) => [g.id, g]));

/** The implemented group for a code point, or null (unknown or not implemented). */
export function groupById(id: number): GroupInfo | null {
  return byId.get(id) ?? null;
}

/** Looks a group up by IANA, OpenSSL or provider name (case-insensitive), e.g. 'prime256v1', 'P-256', 'X25519'. */
export function groupByName(name: string): GroupInfo | null {
  const n = name.toLowerCase();
  return SUPPORTED_GROUPS.find((g) => g.name === n || g.opensslName.toLowerCase() === n || g.kex.toLowerCase() === n) ?? null;
}

const nameById = new Map<number, NamedGroupName>(
  (Object.entries(NamedGroup) as [NamedGroupName, number][]).map(([name, code]) => [code, name]),
);

/** The IANA name for any registered group code point, or null. */
export function namedGroupName(id: number): NamedGroupName | null {
  return nameById.get(id) ?? null;
}

/** ECCurveType for TLS 1.2 ServerKeyExchange ECParameters (RFC 8422 §5.4): only named_curve is allowed. */
export const EcCurveType = { named_curve: 3 } as const;
