/**
 * Extension types (IANA "TLS ExtensionType Values"; RFC 8446 §4.2 and the
 * RFCs cited per entry). The one home of extension code points.
 */
export const ExtensionType = {
  server_name: 0, // RFC 6066
  max_fragment_length: 1, // RFC 6066
  status_request: 5, // RFC 6066
  supported_groups: 10, // RFC 8422, RFC 7919
  ec_point_formats: 11, // RFC 8422 (TLS 1.2)
  signature_algorithms: 13, // RFC 8446
  use_srtp: 14, // RFC 5764
  heartbeat: 15, // RFC 6520
  application_layer_protocol_negotiation: 16, // RFC 7301
  signed_certificate_timestamp: 18, // RFC 6962
  client_certificate_type: 19, // RFC 7250
  server_certificate_type: 20, // RFC 7250
  padding: 21, // RFC 7685
  encrypt_then_mac: 22, // RFC 7366 (TLS 1.2 CBC; we have no CBC)
  extended_master_secret: 23, // RFC 7627 (TLS 1.2)
  compress_certificate: 27, // RFC 8879
  record_size_limit: 28, // RFC 8449
  session_ticket: 35, // RFC 5077 (TLS 1.2)
  pre_shared_key: 41, // RFC 8446
  early_data: 42, // RFC 8446
  supported_versions: 43, // RFC 8446
  cookie: 44, // RFC 8446
  psk_key_exchange_modes: 45, // RFC 8446
  certificate_authorities: 47, // RFC 8446
  oid_filters: 48, // RFC 8446
  post_handshake_auth: 49, // RFC 8446
  signature_algorithms_cert: 50, // RFC 8446
  key_share: 51, // RFC 8446
  renegotiation_info: 0xff01, // RFC 5746 (TLS 1.2)
} as const;

export type ExtensionName = keyof typeof ExtensionType;

const byCode = new Map<number, ExtensionName>(
  (Object.entries(ExtensionType) as [ExtensionName, number][]).map(([name, code]) => [code, name]),
);

/** The extension's name for a code point, or null for one not in this registry. */
export function extensionName(code: number): ExtensionName | null {
  return byCode.get(code) ?? null;
}

/** For messages: 'unknown extension 0x1234' or the registry name. */
export function describeExtension(code: number): string {
  return extensionName(code) ?? `unknown extension 0x${code.toString(16).padStart(4, '0')}`;
}

/** server_name NameType (RFC 6066 §3): host_name is the only one defined. */
export const ServerNameType = { host_name: 0 } as const;

/** CertificateStatusType (RFC 6066 §8). */
export const CertificateStatusType = { ocsp: 1 } as const;

/** PskKeyExchangeMode (RFC 8446 §4.2.9). */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

/** ECPointFormat (RFC 8422 §5.1.2): only uncompressed is still defined for use. */
export const EcPointFormat = { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 } as const;

/** record_size_limit must be at least 64 (RFC 8449 §4). */
export const MIN_RECORD_SIZE_LIMIT = 64;
