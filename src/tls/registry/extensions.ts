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

/** The messages an extension block can sit in. */
export type ExtensionMessage =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_request'
  | 'new_session_ticket';

/**
 * RFC 8446 §4.2 (plus RFC 8449 record_size_limit and RFC 8879
 * compress_certificate): the TLS 1.3 messages each extension may appear in.
 * A recognised extension in any other TLS 1.3 message is illegal_parameter.
 */
export const TLS13_EXTENSION_MESSAGES: Partial<Record<ExtensionName, readonly ExtensionMessage[]>> = {
  server_name: ['client_hello', 'encrypted_extensions'],
  max_fragment_length: ['client_hello', 'encrypted_extensions'],
  status_request: ['client_hello', 'certificate_request', 'certificate'],
  supported_groups: ['client_hello', 'encrypted_extensions'],
  signature_algorithms: ['client_hello', 'certificate_request'],
  use_srtp: ['client_hello', 'encrypted_extensions'],
  heartbeat: ['client_hello', 'encrypted_extensions'],
  application_layer_protocol_negotiation: ['client_hello', 'encrypted_extensions'],
  signed_certificate_timestamp: ['client_hello', 'certificate_request', 'certificate'],
  client_certificate_type: ['client_hello', 'encrypted_extensions'],
  server_certificate_type: ['client_hello', 'encrypted_extensions'],
  padding: ['client_hello'],
  record_size_limit: ['client_hello', 'encrypted_extensions'],
  compress_certificate: ['client_hello', 'certificate_request'],
  pre_shared_key: ['client_hello', 'server_hello'],
  early_data: ['client_hello', 'encrypted_extensions', 'new_session_ticket'],
  supported_versions: ['client_hello', 'server_hello', 'hello_retry_request'],
  cookie: ['client_hello', 'hello_retry_request'],
  psk_key_exchange_modes: ['client_hello'],
  certificate_authorities: ['client_hello', 'certificate_request'],
  oid_filters: ['certificate_request'],
  post_handshake_auth: ['client_hello'],
  signature_algorithms_cert: ['client_hello', 'certificate_request'],
  key_share: ['client_hello', 'server_hello', 'hello_retry_request'],
};

/**
 * Extensions a TLS 1.2 ServerHello may answer with (RFC 6066, 7301, 6962,
 * 8422, 7627, 5746, 5077, 8449, 7366, 5764, 6520, 7250). A TLS 1.3-capable
 * ClientHello offers these too, since it also offers TLS 1.2.
 */
export const TLS12_SERVER_HELLO_EXTENSIONS: ReadonlySet<ExtensionName> = new Set<ExtensionName>([
  'server_name',
  'max_fragment_length',
  'status_request',
  'application_layer_protocol_negotiation',
  'signed_certificate_timestamp',
  'ec_point_formats',
  'extended_master_secret',
  'renegotiation_info',
  'session_ticket',
  'record_size_limit',
  'encrypt_then_mac',
  'use_srtp',
  'heartbeat',
  'client_certificate_type',
  'server_certificate_type',
]);

/**
 * Whether a recognised extension may appear in `message` of `version`.
 * Any registered extension may appear in a ClientHello (it can offer both
 * versions). Returns null for an extension not in this registry: whether
 * that is ignored (requests) or rejected (unsolicited responses) is the
 * state machine's call (RFC 8446 §4.2).
 */
export function extensionAllowedIn(code: number, message: ExtensionMessage, version: 'TLSv1.3' | 'TLSv1.2'): boolean | null {
  const name = extensionName(code);
  if (name === null) return null;
  if (message === 'client_hello') return true;
  if (version === 'TLSv1.2') return message === 'server_hello' && TLS12_SERVER_HELLO_EXTENSIONS.has(name);
  return TLS13_EXTENSION_MESSAGES[name]?.includes(message) ?? false;
}
