import type { CryptoProvider, KeyExchangeGroup, PrivateKey } from '../crypto/provider.js';
import type { AlertName } from './registry/alerts.js';
import type { ClientHello } from './messages/client-hello.js';
import type { EncryptedExtension } from './messages/extensions.js';
import type { SignatureScheme } from './registry/signature-schemes.js';
import type { CipherSuite } from './registry/suites.js';
import { TLS12_SUITES, TLS13_SUITES } from './registry/suites.js';
import type { VersionName } from './registry/versions.js';
import type { SessionCache12 } from './session-cache.js';
import type { AnyClientTicket, TicketKeys } from './tickets.js';

/**
 * Engine configuration. The ssl layer (SSLContext) builds one of these per
 * connection; the engine never reads files, environment variables or clocks
 * other than through what is given here.
 */

/** A certificate chain (DER, leaf first) and the private key of its leaf. */
export interface CertifiedKey {
  readonly chain: readonly Buffer[];
  readonly key: PrivateKey;
}

/** What the verification callback learns besides the chain. */
export interface PeerVerifyInfo {
  /** True when we are the server verifying a client certificate. */
  readonly isServer: boolean;
  /** The name the client asked for (SNI / server_hostname), or null. */
  readonly serverName: string | null;
}

/** A verification failure: the alert to send and OpenSSL-style verify code/message for the ssl layer. */
export interface PeerVerifyFailure {
  readonly alert: AlertName;
  readonly reason: string;
  readonly verifyCode?: number;
  readonly verifyMessage?: string;
}

/**
 * Verifies the peer's certificate chain (DER, as received, leaf first). Returns
 * null when the chain is acceptable. The signature in CertificateVerify is
 * checked by the engine itself against the leaf's key, after this callback.
 */
export type VerifyPeer = (chain: readonly Buffer[], info: PeerVerifyInfo) => PeerVerifyFailure | null;

/** NSS key log line parts (SSLKEYLOGFILE format): `${label} ${hex(clientRandom)} ${hex(secret)}`. */
export type KeyLogCallback = (label: string, clientRandom: Buffer, secret: Buffer) => void;

/** What a server learns from the ClientHello before it chooses its certificate (Python's sni_callback runs here). */
export interface ClientHelloInfo {
  readonly serverName: string | null;
  readonly alpnProtocols: readonly string[];
  readonly signatureSchemes: readonly number[];
  readonly suites: readonly number[];
}

/** Settings a server may swap after seeing the ClientHello (SSLSocket.context = other_ctx in an SNI callback). */
export interface ServerOverrides {
  readonly certificates?: readonly CertifiedKey[];
  readonly alpnProtocols?: readonly string[];
  readonly clientAuth?: ClientAuthMode;
  readonly verifyPeer?: VerifyPeer | null;
}

export type ClientAuthMode = 'none' | 'optional' | 'required';

export interface ConnectionConfig {
  /** Every primitive, randomness and ephemeral key comes from here (tests pin them by wrapping it). */
  readonly provider: CryptoProvider;
  readonly minVersion?: VersionName;
  readonly maxVersion?: VersionName;
  /** Suites of either version in preference order (the server uses its own order). Default: DEFAULT_SUITES. */
  readonly cipherSuites?: readonly CipherSuite[];
  /**
   * Key-exchange groups in preference order; the client sends a key share for the first (and for X25519 too when the
   * first is the X25519MLKEM768 hybrid). Default: OpenSSL's list (`defaultGroups`). Groups the provider cannot run here
   * (ML-KEM on Node 20) and, without TLS 1.3, TLS 1.3-only groups are left out.
   */
  readonly groups?: readonly KeyExchangeGroup[];
  /** Signature schemes we accept / use (CertificateVerify, TLS 1.2 ServerKeyExchange), in preference order. Default: every scheme usable in TLS 1.3 or 1.2. */
  readonly signatureSchemes?: readonly SignatureScheme[];
  /** Our certificates: for a server, candidates selected by the client's signature_algorithms; for a client, sent when asked. */
  readonly certificates?: readonly CertifiedKey[];
  /** ALPN protocols in preference order (server: the server's preference wins). */
  readonly alpnProtocols?: readonly string[];
  /** Client: the server name to send in SNI (not sent for IP literals) and to pass to verifyPeer. */
  readonly serverName?: string | null;
  /** Server: whether to send a CertificateRequest and whether an empty client Certificate is fatal. */
  readonly clientAuth?: ClientAuthMode;
  /** Null: accept any peer chain (CERT_NONE). */
  readonly verifyPeer?: VerifyPeer | null;
  /** Server: called once with the ClientHello's SNI/ALPN; may swap certificates etc., or throw a TLSError to abort with its alert. */
  readonly onClientHello?: (hello: ClientHelloInfo) => ServerOverrides | null | void;
  readonly keyLog?: KeyLogCallback | null;
  /** Client: send a dummy change_cipher_spec before the second flight (RFC 8446 Appendix D.4). Default true, as OpenSSL. */
  readonly middleboxCompat?: boolean;
  /** Records we protect with one key before updating it automatically (RFC 8446 §5.5). Default: 2^24 for AES-GCM. */
  readonly keyUpdateRecordLimit?: number;
  /**
   * Largest handshake message accepted from the peer (a certificate chain is the biggest), checked from its header
   * before the body is buffered; larger is illegal_parameter. Default 102400, OpenSSL's max_cert_list.
   */
  readonly maxHandshakeMessageSize?: number;
  /**
   * Message shaping hooks, for reproducing published traces (RFC 8448) and for
   * tests that need a peer sending unusual but well-formed messages. They see
   * the message we are about to send and return the one to send instead.
   */
  readonly clientHelloHook?: ((hello: ClientHello) => ClientHello) | null;
  readonly encryptedExtensionsHook?: ((extensions: EncryptedExtension[]) => EncryptedExtension[]) | null;

  // ---- resumption (RFC 8446 §4.6.1, §2.2) and post-handshake auth (§4.6.2) ----
  /** Milliseconds since the epoch: ticket ages. The engine reads no clock of its own. */
  readonly clock?: (() => number) | null;
  /** Server: seals and opens tickets; null: no tickets are issued and none are accepted. */
  readonly ticketKeys?: TicketKeys | null;
  /** Server: NewSessionTickets sent after each handshake (Python's num_tickets). Default 2. */
  readonly numTickets?: number;
  /** Server: ticket_lifetime in seconds (at most 7 days). Default 7200. */
  readonly ticketLifetime?: number;
  /** Server: the TLS 1.2 session cache; with one, every full TLS 1.2 handshake gets a session id and is kept for resumption. */
  readonly sessionCache?: SessionCache12 | null;
  /** TLS 1.2 tickets (RFC 5077): the client asks for and offers them, the server issues and accepts them. Default true; false is OpenSSL's SSL_OP_NO_TICKET. */
  readonly tickets12?: boolean;
  /** Server: the outcome of each ClientHello that offered a ticket or a session id (session_stats hits/misses/timeouts). */
  readonly onResumption?: ((outcome: 'hit' | 'miss' | 'timeout') => void) | null;
  /** Client: a ticket to offer (psk_dhe_ke); the handshake falls back to a full one if the server declines. */
  readonly resumeTicket?: AnyClientTicket | null;
  /** Client: called with each ticket the server sends after the handshake. */
  readonly onTicket?: ((ticket: AnyClientTicket) => void) | null;
  /** Client: offer post_handshake_auth (RFC 8446 §4.2.6). */
  readonly postHandshakeAuth?: boolean;
}

/** OpenSSL 3.0's default groups (Node 20), without FFDHE: x25519, secp256r1, x448, secp521r1, secp384r1. */
export const DEFAULT_GROUPS: readonly KeyExchangeGroup[] = ['X25519', 'P-256', 'X448', 'P-521', 'P-384'];
/** OpenSSL 3.5's default groups (Node 24), without FFDHE: the ML-KEM hybrid first, shares sent for it and X25519. */
export const DEFAULT_GROUPS_MLKEM: readonly KeyExchangeGroup[] = ['X25519MLKEM768', 'X25519', 'P-256', 'X448', 'P-384', 'P-521'];

/** The default group list for a provider: OpenSSL 3.5's where ML-KEM runs, else OpenSSL 3.0's. */
export function defaultGroups(provider: CryptoProvider): readonly KeyExchangeGroup[] {
  return provider.supportsKeyExchange('X25519MLKEM768') ? DEFAULT_GROUPS_MLKEM : DEFAULT_GROUPS;
}
export const DEFAULT_TLS13_SUITES: readonly CipherSuite[] = TLS13_SUITES;
/** TLS 1.3 suites first, then the TLS 1.2 ECDHE + AEAD suites, each in OpenSSL's order. */
export const DEFAULT_SUITES: readonly CipherSuite[] = [...TLS13_SUITES, ...TLS12_SUITES];
/** RFC 8446 §5.5: AES-GCM may protect at most 2^24.5 full records per key; we update well before. */
export const DEFAULT_KEY_UPDATE_RECORD_LIMIT = 2 ** 24;
