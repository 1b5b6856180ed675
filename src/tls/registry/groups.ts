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
  /** draft-ietf-tls-ecdhe-mlkem: ML-KEM-768 + X25519 hybrid (TLS 1.3 only). */
  X25519MLKEM768: 0x11ec,
} as const;

export type NamedGroupName = keyof typeof NamedGroup;

/** A group we implement. */
export interface GroupInfo {
  readonly id: number;
  /** IANA name; also OpenSSL's TLS group name, what SSL_get0_group_name (Python's `group()`) reports. */
  readonly name: NamedGroupName;
  /** OpenSSL's curve object name, as SSLContext.set_ecdh_curve() accepts it; null for the hybrid. */
  readonly opensslName: string | null;
  /** OpenSSL's alias group names ('P-256', 'X25519', …): accepted by set1_groups_list, listed by get0_implemented_groups(all=1). */
  readonly aliases: readonly string[];
  /** The provider's name for it. */
  readonly kex: KeyExchangeGroup;
  /**
   * Exact length of the client's public value (key_share / TLS 1.2 ECDHE
   * point): raw bytes for X25519/X448, an uncompressed SEC1 point (0x04 || X
   * || Y) for the NIST curves (RFC 8446 §4.2.8.2: only that form), ML-KEM
   * encapsulation key || X25519 value for the hybrid.
   */
  readonly publicKeyLength: number;
  /** Exact length of the server's key_share value (differs from the client's only for a KEM: ciphertext || X25519 value). */
  readonly serverShareLength: number;
  /** Usable for TLS 1.2 ECDHE (RFC 8422); the hybrid is TLS 1.3 only. */
  readonly tls12: boolean;
}

function dh(name: NamedGroupName, opensslName: string, aliases: readonly string[], kex: KeyExchangeGroup, length: number): GroupInfo {
  return { id: NamedGroup[name], name, opensslName, aliases, kex, publicKeyLength: length, serverShareLength: length, tls12: true };
}

export const X25519 = dh('x25519', 'X25519', ['X25519'], 'X25519', 32);
export const X448 = dh('x448', 'X448', ['X448'], 'X448', 56);
export const SECP256R1 = dh('secp256r1', 'prime256v1', ['P-256'], 'P-256', 65);
export const SECP384R1 = dh('secp384r1', 'secp384r1', ['P-384'], 'P-384', 97);
export const SECP521R1 = dh('secp521r1', 'secp521r1', ['P-521'], 'P-521', 133);
export const X25519MLKEM768: GroupInfo = {
  id: NamedGroup.X25519MLKEM768,
  name: 'X25519MLKEM768',
  opensslName: null,
  aliases: [],
  kex: 'X25519MLKEM768',
  publicKeyLength: 1184 + 32,
  serverShareLength: 1088 + 32,
  tls12: false,
};

/**
 * Every group we implement, in OpenSSL's order of implemented groups
 * (SSL_CTX_get0_implemented_groups, Python's `get_groups()`). The hybrid
 * runs only where the crypto provider has ML-KEM (`supportsKeyExchange`).
 */
export const SUPPORTED_GROUPS: readonly GroupInfo[] = [SECP256R1, SECP384R1, SECP521R1, X25519, X448, X25519MLKEM768];

const byId = new Map(SUPPORTED_GROUPS.map((g) => [g.id, g]));

/** The implemented group for a code point, or null (unknown or not implemented). */
export function groupById(id: number): GroupInfo | null {
  return byId.get(id) ?? null;
}

/** The registry entry for a provider group. */
export function groupByKex(kex: KeyExchangeGroup): GroupInfo {
  const g = SUPPORTED_GROUPS.find((x) => x.kex === kex);
  if (!g) throw new Error(`group ${String(kex)} is not in the registry`);
  return g;
}

/** Looks a group up by IANA/OpenSSL group name, alias or curve name, case-insensitively as OpenSSL 3.5 does, e.g. 'prime256v1', 'P-256', 'X25519'. */
export function groupByName(name: string): GroupInfo | null {
  const n = name.toLowerCase();
  return SUPPORTED_GROUPS.find((g) => [g.name, g.opensslName, ...g.aliases].some((a) => a?.toLowerCase() === n)) ?? null;
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
