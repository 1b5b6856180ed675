/**
 * Handshake message types (RFC 8446 §4, RFC 5246 §7.4, IANA "TLS
 * HandshakeType"). The one home of handshake type code points.
 */
export const HandshakeType = {
  hello_request: 0, // TLS 1.2 only; we never renegotiate
  client_hello: 1,
  server_hello: 2, // also HelloRetryRequest (RFC 8446 §4.1.3)
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12, // TLS 1.2
  certificate_request: 13,
  server_hello_done: 14, // TLS 1.2
  certificate_verify: 15,
  client_key_exchange: 16, // TLS 1.2
  finished: 20,
  certificate_status: 22, // TLS 1.2 OCSP stapling (RFC 6066 §8)
  key_update: 24, // TLS 1.3
  message_hash: 254, // synthetic, RFC 8446 §4.4.1; never on the wire
} as const;

export type HandshakeTypeName = keyof typeof HandshakeType;

const byCode = new Map<number, HandshakeTypeName>(
  (Object.entries(HandshakeType) as [HandshakeTypeName, number][]).map(([name, code]) => [code, name]),
);

/** The handshake type's name for a code point, or null for an unassigned one. */
export function handshakeTypeName(code: number): HandshakeTypeName | null {
  return byCode.get(code) ?? null;
}

/** The handshake header: msg_type (1 byte) + length (3 bytes). */
export const HANDSHAKE_HEADER_LENGTH = 4;

/** KeyUpdateRequest values (RFC 8446 §4.6.3). */
export const KeyUpdateRequest = {
  update_not_requested: 0,
  update_requested: 1,
} as const;

/** ClientCertificateType in a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = {
  rsa_sign: 1,
  ecdsa_sign: 64,
} as const;

/** verify_data length of a TLS 1.2 Finished for every suite we implement (RFC 5246 §7.4.9). */
export const TLS12_VERIFY_DATA_LENGTH = 12;

/** ChangeCipherSpec's only legal byte (RFC 5246 §7.1, RFC 8446 §5). */
export const CHANGE_CIPHER_SPEC_VALUE = 1;

/** A TLS 1.3 ticket lifetime may not exceed seven days (RFC 8446 §4.6.1). */
export const MAX_TICKET_LIFETIME_SECONDS = 604800;
