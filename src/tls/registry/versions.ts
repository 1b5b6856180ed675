/** Protocol version code points (RFC 8446 §4.2.1). */
export const ProtocolVersion = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
export type VersionName = 'TLSv1.2' | 'TLSv1.3';
export function versionName(v: number): VersionName | null {
  return v === ProtocolVersion.TLSv1_3 ? 'TLSv1.3' : v === ProtocolVersion.TLSv1_2 ? 'TLSv1.2' : null;
}

/** The versions we implement, highest first. */
export const IMPLEMENTED_VERSIONS: readonly VersionName[] = ['TLSv1.3', 'TLSv1.2'];

/** The implemented versions from `min` to `max` inclusive, highest first (empty when min > max). */
export function versionsBetween(min: VersionName, max: VersionName): VersionName[] {
  const lo = IMPLEMENTED_VERSIONS.indexOf(min);
  const hi = IMPLEMENTED_VERSIONS.indexOf(max);
  return IMPLEMENTED_VERSIONS.filter((_, i) => i >= hi && i <= lo);
}

/** The wire code of a version name. */
export function versionCode(v: VersionName): number {
  return v === 'TLSv1.3' ? ProtocolVersion.TLSv1_3 : ProtocolVersion.TLSv1_2;
}
