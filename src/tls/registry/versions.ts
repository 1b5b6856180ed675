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
