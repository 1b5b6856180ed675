/**
 * Typed extensions. Each extension has one interface per wire form (e.g.
 * key_share in ClientHello is a list of shares, in ServerHello one share, in
 * HelloRetryRequest a bare group); the forms are told apart by their fields.
 * Each message carries the union of the forms it may contain, so
 * `findExtension(serverHello.extensions, 'key_share')` is typed as the
 * ServerHello form.
 *
 * Extensions we do not interpret are kept as `UnknownExtension` (raw bytes),
 * so ClientHello processing can ignore them and server-message processing can
 * reject them (RFC 8446 §4.2: unsupported_extension).
 */

/** Any extension we do not interpret: unassigned, or assigned but not implemented here (e.g. signed_certificate_timestamp). */
export interface UnknownExtension {
  readonly type: 'unknown';
  readonly code: number;
  readonly data: Buffer;
}

/** server_name in ClientHello (RFC 6066 §3): exactly one host_name. */
export interface ServerNameExtension {
  readonly type: 'server_name';
  /** ASCII, no NUL. */
  readonly hostName: string;
}

/** server_name acknowledgement from the server (empty body; EncryptedExtensions / TLS 1.2 ServerHello). */
export interface ServerNameAckExtension {
  readonly type: 'server_name';
  readonly hostName: null;
}

/** supported_groups (RFC 8446 §4.2.7): NamedGroup code points, in preference order. */
export interface SupportedGroupsExtension {
  readonly type: 'supported_groups';
  readonly groups: readonly number[];
}

/** signature_algorithms (RFC 8446 §4.2.3): SignatureScheme code points. */
export interface SignatureAlgorithmsExtension {
  readonly type: 'signature_algorithms';
  readonly schemes: readonly number[];
}

/** signature_algorithms_cert (RFC 8446 §4.2.3). */
export interface SignatureAlgorithmsCertExtension {
  readonly type: 'signature_algorithms_cert';
  readonly schemes: readonly number[];
}

/** supported_versions in ClientHello (RFC 8446 §4.2.1): the versions offered. */
export interface SupportedVersionsClientExtension {
  readonly type: 'supported_versions';
  readonly versions: readonly number[];
}

/** supported_versions in ServerHello / HelloRetryRequest: the version selected. */
export interface SupportedVersionsServerExtension {
  readonly type: 'supported_versions';
  readonly selectedVersion: number;
}

/** One KeyShareEntry (RFC 8446 §4.2.8). */
export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Buffer;
}

/** key_share in ClientHello: possibly empty list of shares, at most one per group. */
export interface KeyShareClientExtension {
  readonly type: 'key_share';
  readonly clientShares: readonly KeyShareEntry[];
}

/** key_share in ServerHello: the server's share. */
export interface KeyShareServerExtension {
  readonly type: 'key_share';
  readonly serverShare: KeyShareEntry;
}

/** key_share in HelloRetryRequest: the group the server wants. */
export interface KeyShareRetryExtension {
  readonly type: 'key_share';
  readonly selectedGroup: number;
}

/** One PskIdentity (RFC 8446 §4.2.11). */
export interface PskIdentity {
  readonly identity: Buffer;
  readonly obfuscatedTicketAge: number;
}

/** pre_shared_key in ClientHello: identities and their binders (same count). Must be the last extension. */
export interface PreSharedKeyClientExtension {
  readonly type: 'pre_shared_key';
  readonly identities: readonly PskIdentity[];
  readonly binders: readonly Buffer[];
}

/** pre_shared_key in ServerHello: the index of the identity accepted. */
export interface PreSharedKeyServerExtension {
  readonly type: 'pre_shared_key';
  readonly selectedIdentity: number;
}

/** psk_key_exchange_modes (RFC 8446 §4.2.9). */
export interface PskKeyExchangeModesExtension {
  readonly type: 'psk_key_exchange_modes';
  readonly modes: readonly number[];
}

/** early_data in ClientHello / EncryptedExtensions (empty body, RFC 8446 §4.2.10). */
export interface EarlyDataExtension {
  readonly type: 'early_data';
}

/** early_data in NewSessionTicket: max_early_data_size. */
export interface EarlyDataTicketExtension {
  readonly type: 'early_data';
  readonly maxEarlyDataSize: number;
}

/** cookie (RFC 8446 §4.2.2). */
export interface CookieExtension {
  readonly type: 'cookie';
  readonly cookie: Buffer;
}

/** application_layer_protocol_negotiation (RFC 7301): the client's list, or the server's single choice. */
export interface AlpnExtension {
  readonly type: 'application_layer_protocol_negotiation';
  readonly protocols: readonly Buffer[];
}

/**
 * status_request in ClientHello (RFC 6066 §8), status_type ocsp. A request of
 * another status_type is kept as an UnknownExtension.
 */
export interface StatusRequestExtension {
  readonly type: 'status_request';
  readonly responderIds: readonly Buffer[];
  /** DER-encoded Extensions, possibly empty. */
  readonly requestExtensions: Buffer;
}

/** status_request with an empty body: TLS 1.2 ServerHello acknowledgement, TLS 1.3 CertificateRequest. */
export interface StatusRequestAckExtension {
  readonly type: 'status_request';
}

/** status_request in a TLS 1.3 CertificateEntry: the stapled OCSP response (RFC 8446 §4.4.2.1). */
export interface CertificateStatusExtension {
  readonly type: 'status_request';
  readonly ocspResponse: Buffer;
}

/** extended_master_secret (RFC 7627): empty. */
export interface ExtendedMasterSecretExtension {
  readonly type: 'extended_master_secret';
}

/** renegotiation_info (RFC 5746 §3.2): empty renegotiated_connection on an initial handshake. */
export interface RenegotiationInfoExtension {
  readonly type: 'renegotiation_info';
  readonly renegotiatedConnection: Buffer;
}

/** ec_point_formats (RFC 8422 §5.1.2). */
export interface EcPointFormatsExtension {
  readonly type: 'ec_point_formats';
  readonly formats: readonly number[];
}

/** session_ticket (RFC 5077 §3.2): the ticket (client), or empty (client asking for one, server acknowledging). */
export interface SessionTicketExtension {
  readonly type: 'session_ticket';
  readonly ticket: Buffer;
}

/** record_size_limit (RFC 8449): at least 64. */
export interface RecordSizeLimitExtension {
  readonly type: 'record_size_limit';
  readonly limit: number;
}

/** padding (RFC 7685): the padding bytes as received (zeros when we send). */
export interface PaddingExtension {
  readonly type: 'padding';
  readonly padding: Buffer;
}

/** post_handshake_auth (RFC 8446 §4.2.6): empty. */
export interface PostHandshakeAuthExtension {
  readonly type: 'post_handshake_auth';
}

/** certificate_authorities (RFC 8446 §4.2.4): DER Distinguished Names. */
export interface CertificateAuthoritiesExtension {
  readonly type: 'certificate_authorities';
  readonly authorities: readonly Buffer[];
}

/** Extensions a ClientHello may carry (TLS 1.3 and TLS 1.2). */
export type ClientHelloExtension =
  | ServerNameExtension
  | SupportedGroupsExtension
  | SignatureAlgorithmsExtension
  | SignatureAlgorithmsCertExtension
  | SupportedVersionsClientExtension
  | KeyShareClientExtension
  | PreSharedKeyClientExtension
  | PskKeyExchangeModesExtension
  | EarlyDataExtension
  | CookieExtension
  | AlpnExtension
  | StatusRequestExtension
  | ExtendedMasterSecretExtension
  | RenegotiationInfoExtension
  | EcPointFormatsExtension
  | SessionTicketExtension
  | RecordSizeLimitExtension
  | PaddingExtension
  | PostHandshakeAuthExtension
  | CertificateAuthoritiesExtension
  | UnknownExtension;

/**
 * Extensions a ServerHello may carry: the TLS 1.3 ones (supported_versions,
 * key_share, pre_shared_key) and the TLS 1.2 ones. The state machine rejects
 * the forms that do not belong to the version negotiated.
 */
export type ServerHelloExtension =
  | SupportedVersionsServerExtension
  | KeyShareServerExtension
  | PreSharedKeyServerExtension
  | ServerNameAckExtension
  | AlpnExtension
  | StatusRequestAckExtension
  | ExtendedMasterSecretExtension
  | RenegotiationInfoExtension
  | EcPointFormatsExtension
  | SessionTicketExtension
  | RecordSizeLimitExtension
  | UnknownExtension;

/** Extensions a HelloRetryRequest may carry (RFC 8446 §4.1.4). */
export type HelloRetryRequestExtension = SupportedVersionsServerExtension | KeyShareRetryExtension | CookieExtension | UnknownExtension;

/** Extensions EncryptedExtensions may carry (RFC 8446 §4.3.1). */
export type EncryptedExtension =
  | ServerNameAckExtension
  | SupportedGroupsExtension
  | AlpnExtension
  | EarlyDataExtension
  | RecordSizeLimitExtension
  | UnknownExtension;

/** Extensions a TLS 1.3 CertificateEntry may carry. */
export type CertificateEntryExtension = CertificateStatusExtension | UnknownExtension;

/** Extensions a TLS 1.3 CertificateRequest may carry (RFC 8446 §4.3.2). */
export type CertificateRequestExtension =
  | SignatureAlgorithmsExtension
  | SignatureAlgorithmsCertExtension
  | CertificateAuthoritiesExtension
  | StatusRequestAckExtension
  | UnknownExtension;

/** Extensions a TLS 1.3 NewSessionTicket may carry. */
export type NewSessionTicketExtension = EarlyDataTicketExtension | UnknownExtension;

/** Every extension form. */
export type Extension =
  | ClientHelloExtension
  | ServerHelloExtension
  | HelloRetryRequestExtension
  | EncryptedExtension
  | CertificateEntryExtension
  | CertificateRequestExtension
  | NewSessionTicketExtension;

/** Where an extension block sits; decides which forms are legal (RFC 8446 §4.2 table). */
export interface ExtensionsByContext {
  client_hello: ClientHelloExtension;
  server_hello: ServerHelloExtension;
  hello_retry_request: HelloRetryRequestExtension;
  encrypted_extensions: EncryptedExtension;
  certificate: CertificateEntryExtension;
  certificate_request: CertificateRequestExtension;
  new_session_ticket: NewSessionTicketExtension;
}

export type ExtensionContext = keyof ExtensionsByContext;

/** The first (and, after decoding, only) extension of `type` in `list`, typed as that message's form. */
export function findExtension<E extends { readonly type: string }, T extends E['type']>(list: readonly E[], type: T): Extract<E, { readonly type: T }> | undefined {
  return list.find((e) => e.type === type) as Extract<E, { readonly type: T }> | undefined;
}
