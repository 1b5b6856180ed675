import type { CryptoProvider, KeyExchange, KeyExchangeGroup } from '../crypto/provider.js';
import { CryptoError } from '../crypto/provider.js';
import { groupByKex, X25519, type GroupInfo } from './registry/groups.js';
import type { CertifiedKey, ClientAuthMode, ConnectionConfig, KeyLogCallback, ServerOverrides, VerifyPeer, ClientHelloInfo } from './config.js';
import { DEFAULT_KEY_UPDATE_RECORD_LIMIT, DEFAULT_SUITES, defaultGroups } from './config.js';
import { TLSError } from './errors.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE } from './handshake-buffer.js';
import type { KeySchedule } from './keyschedule.js';
import type { EarlyDataSkip } from './record.js';
import type { ClientHello } from './messages/client-hello.js';
import type { EncryptedExtension } from './messages/extensions.js';
import type { AlertName } from './registry/alerts.js';
import type { CipherSuite } from './registry/suites.js';
import type { VersionName } from './registry/versions.js';
import type { SignatureScheme } from './registry/signature-schemes.js';
import type { SessionCache12 } from './session-cache.js';
import type { AnyClientTicket, TicketKeys } from './tickets.js';
import type { Transcript } from './transcript.js';
import { DEFAULT_TICKET_LIFETIME_SECONDS, MAX_TICKET_LIFETIME_SECONDS } from './tickets.js';
import { DEFAULT_SIGNATURE_SCHEMES } from './registry/signature-schemes.js';

/** Configuration with every default filled in. */
export interface ResolvedConfig {
  readonly provider: CryptoProvider;
  readonly minVersion: VersionName;
  readonly maxVersion: VersionName;
  readonly cipherSuites: readonly CipherSuite[];
  readonly groups: readonly KeyExchangeGroup[];
  readonly signatureSchemes: readonly SignatureScheme[];
  certificates: readonly CertifiedKey[];
  alpnProtocols: readonly string[];
  readonly serverName: string | null;
  clientAuth: ClientAuthMode;
  verifyPeer: VerifyPeer | null;
  readonly onClientHello: ((hello: ClientHelloInfo) => ServerOverrides | null | void) | null;
  readonly keyLog: KeyLogCallback | null;
  readonly middleboxCompat: boolean;
  readonly keyUpdateRecordLimit: number;
  readonly maxHandshakeMessageSize: number;
  readonly clientHelloHook: ((hello: ClientHello) => ClientHello) | null;
  readonly encryptedExtensionsHook: ((extensions: EncryptedExtension[]) => EncryptedExtension[]) | null;
  readonly clock: (() => number) | null;
  readonly ticketKeys: TicketKeys | null;
  readonly numTickets: number;
  readonly ticketLifetime: number;
  readonly sessionCache: SessionCache12 | null;
  readonly tickets12: boolean;
  readonly onResumption: ((outcome: 'hit' | 'miss' | 'timeout') => void) | null;
  /** Settable until the connection starts (SSLObject.session = ...). */
  resumeTicket: AnyClientTicket | null;
  readonly onTicket: ((ticket: AnyClientTicket) => void) | null;
  readonly postHandshakeAuth: boolean;
}

export function resolveConfig(c: ConnectionConfig): ResolvedConfig {
  const suites = c.cipherSuites ?? DEFAULT_SUITES;
  return {
    provider: c.provider,
    minVersion: c.minVersion ?? 'TLSv1.2',
    maxVersion: c.maxVersion ?? 'TLSv1.3',
    cipherSuites: suites,
    groups: usableGroups(c),
    signatureSchemes: usableSchemes(c.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES),
    certificates: c.certificates ?? [],
    alpnProtocols: c.alpnProtocols ?? [],
    serverName: c.serverName ?? null,
    clientAuth: c.clientAuth ?? 'none',
    verifyPeer: c.verifyPeer ?? null,
    onClientHello: c.onClientHello ?? null,
    keyLog: c.keyLog ?? null,
    middleboxCompat: c.middleboxCompat ?? true,
    keyUpdateRecordLimit: c.keyUpdateRecordLimit ?? DEFAULT_KEY_UPDATE_RECORD_LIMIT,
    maxHandshakeMessageSize: c.maxHandshakeMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE,
    clientHelloHook: c.clientHelloHook ?? null,
    encryptedExtensionsHook: c.encryptedExtensionsHook ?? null,
    clock: c.clock ?? null,
    ticketKeys: c.ticketKeys ?? null,
    numTickets: c.numTickets ?? 2,
    ticketLifetime: Math.min(c.ticketLifetime ?? DEFAULT_TICKET_LIFETIME_SECONDS, MAX_TICKET_LIFETIME_SECONDS),
    sessionCache: c.sessionCache ?? null,
    tickets12: c.tickets12 ?? true,
    onResumption: c.onResumption ?? null,
    resumeTicket: c.resumeTicket ?? null,
    onTicket: c.onTicket ?? null,
    postHandshakeAuth: c.postHandshakeAuth ?? false,
  };
}

/**
 * Lists derived from a configured list are kept per input list (and
 * provider), so connections made from one context share them instead of
 * each holding its own copy.
 */
const derivedGroups = new WeakMap<readonly KeyExchangeGroup[], WeakMap<CryptoProvider, { tls13: readonly KeyExchangeGroup[]; tls12: readonly KeyExchangeGroup[] }>>();
const derivedSchemes = new WeakMap<readonly SignatureScheme[], readonly SignatureScheme[]>();

/** The configured (or default) groups this provider can run, without TLS 1.3-only ones when TLS 1.3 is off. */
function usableGroups(c: ConnectionConfig): readonly KeyExchangeGroup[] {
  const tls13 = (c.maxVersion ?? 'TLSv1.3') === 'TLSv1.3';
  const groups = c.groups ?? defaultGroups(c.provider);
  let byProvider = derivedGroups.get(groups);
  if (byProvider === undefined) derivedGroups.set(groups, (byProvider = new WeakMap()));
  let lists = byProvider.get(c.provider);
  if (lists === undefined) {
    const usable = groups.filter((g) => c.provider.supportsKeyExchange(g));
    lists = { tls13: usable, tls12: usable.filter((g) => groupByKex(g).tls12) };
    byProvider.set(c.provider, lists);
  }
  return tls13 ? lists.tls13 : lists.tls12;
}

/** The signature schemes of a list that TLS 1.2 or 1.3 can use. */
function usableSchemes(schemes: readonly SignatureScheme[]): readonly SignatureScheme[] {
  let usable = derivedSchemes.get(schemes);
  if (usable === undefined) derivedSchemes.set(schemes, (usable = schemes.filter((s) => s.tls13 || s.tls12)));
  return usable;
}

/** What the handshake negotiated; filled in by the state machines as they go. */
export interface Negotiated {
  version: VersionName | null;
  suite: CipherSuite | null;
  group: KeyExchangeGroup | null;
  alpn: string | null;
  serverName: string | null;
  peerCertificates: Buffer[];
  ourCertificates: Buffer[];
  resumed: boolean;
  /** TLS 1.2: the session id the ServerHello named (empty: none, and always in TLS 1.3). */
  sessionId: Buffer;
  /** The scheme we signed CertificateVerify with (null if we did not sign). */
  signatureScheme: number | null;
  /** The scheme the peer signed with. */
  peerSignatureScheme: number | null;
  helloRetry: boolean;
  /** Server: the client offered post_handshake_auth (RFC 8446 §4.2.6). */
  postHandshakeAuthOffered: boolean;
}

/**
 * A copy of bytes that outlive the handshake (peer certificates, tickets,
 * channel-binding values) in a buffer of their own and exact size. Decoded
 * fields are views into the record or message they came in, or slices of
 * Node's shared 8 KiB pool; kept as they are, a few dozen bytes would pin
 * those whole buffers for as long as the connection (or session) lives.
 */
export function keepBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  out.set(bytes);
  return out;
}

/** The session id before one is known: shared, as it holds nothing. */
const NO_SESSION_ID = Buffer.alloc(0);

export function emptyNegotiated(): Negotiated {
  return {
    version: null,
    suite: null,
    group: null,
    alpn: null,
    serverName: null,
    peerCertificates: [],
    ourCertificates: [],
    resumed: false,
    sessionId: NO_SESSION_ID,
    signatureScheme: null,
    peerSignatureScheme: null,
    helloRetry: false,
    postHandshakeAuthOffered: false,
  };
}

/** Secrets the connection keeps once the handshake is over (KeyUpdate, exporters, channel binding). */
export interface TrafficSecrets {
  readonly clientApplication: Buffer;
  readonly serverApplication: Buffer;
  readonly exporterMaster: Buffer;
  readonly resumptionMaster: Buffer;
  /** The client's Finished verify_data: OpenSSL's (and so Python's) tls-unique for TLS 1.3. */
  readonly clientFinished: Buffer;
}

/** What a TLS 1.2 connection keeps once the handshake is over (exporters, channel binding). */
export interface Secrets12 {
  readonly master: Buffer;
  readonly clientRandom: Buffer;
  readonly serverRandom: Buffer;
  /** The first Finished of the handshake (the client's): tls-unique (RFC 5929 §3.1). */
  readonly clientFinished: Buffer;
  /** RFC 7627 extended master secret was used (RFC 9266 tls-exporter needs it). */
  readonly extendedMasterSecret: boolean;
}

/** The connection services a handshake state may use. Implemented by Connection. */
export interface HandshakeContext {
  readonly config: ResolvedConfig;
  readonly provider: CryptoProvider;
  readonly negotiated: Negotiated;
  /** Queues one encoded handshake message (header included) under the current write key. */
  sendHandshake(message: Buffer): void;
  /** RFC 8446 Appendix D.4: the middlebox-compatibility change_cipher_spec. */
  sendChangeCipherSpec(): void;
  setReadKey(suite: CipherSuite, secret: Buffer): void;
  setWriteKey(suite: CipherSuite, secret: Buffer): void;
  /** Server: the client's 0-RTT was rejected; skip it as RFC 8446 §4.2.10 says (see record.ts EarlyDataSkip). */
  skipRejectedEarlyData(mode: EarlyDataSkip): void;
  /** The record layer sees a ServerHello that is a HelloRetryRequest / knows the version: lets it adjust record versions. */
  keyLog(label: string, secret: Buffer): void;
  /** Client random, for the key log. */
  setClientRandom(random: Buffer): void;
  /** `transcript`: through the client Finished (TLS 1.3), the base of post-handshake authentication. */
  handshakeComplete(schedule: KeySchedule, secrets: TrafficSecrets, transcript?: Transcript): void;
  /** TLS 1.2 was negotiated: change_cipher_spec records now reach the states (RFC 5246 §7.1). */
  useTls12(): void;
  /** TLS 1.2 record protection from the key block (after the ChangeCipherSpec each side sends). */
  setReadKey12(suite: CipherSuite, key: Buffer, fixedIv: Buffer): void;
  setWriteKey12(suite: CipherSuite, key: Buffer, fixedIv: Buffer): void;
  handshakeComplete12(secrets: Secrets12): void;
}

/** Throws the TLSError for a fatal problem; the connection queues the alert. */
export function fatal(alert: AlertName, reason: string, detail?: TLSError['detail']): never {
  throw new TLSError(alert, reason, false, detail);
}

/**
 * The client's first key shares: one for the first group, plus one for X25519
 * when the first is a hybrid that contains it and X25519 is offered too (as
 * OpenSSL 3.5's default list does), so a server without the hybrid needs no
 * HelloRetryRequest.
 */
export function initialKeyShares(provider: CryptoProvider, groups: readonly KeyExchangeGroup[]): KeyExchange[] {
  const first = groups[0]!;
  const shares = [provider.generateKeyExchange(first)];
  if (!groupByKex(first).tls12 && first.startsWith('X25519') && groups.includes(X25519.kex)) shares.push(provider.generateKeyExchange(X25519.kex));
  return shares;
}

/**
 * Checks the peer's key_share value for `group` and derives the shared secret
 * with our key (the client's side). A wrong length or an invalid value is
 * illegal_parameter (RFC 8446 §4.2.8.2).
 */
export function deriveSharedSecret(mine: KeyExchange, group: GroupInfo, peerShare: Uint8Array, peer: 'client' | 'server'): Buffer {
  checkShareLength(group, peerShare, peer);
  return asIllegalParameter(peer, () => mine.deriveSharedSecret(peerShare));
}

/** The server's side: checks the client's value and answers it (a fresh DH share, or a KEM ciphertext) with the shared secret. */
export function respondToKeyShare(provider: CryptoProvider, group: GroupInfo, clientShare: Uint8Array): { publicKey: Buffer; sharedSecret: Buffer } {
  checkShareLength(group, clientShare, 'client');
  return asIllegalParameter('client', () => provider.respondKeyExchange(group.kex, clientShare));
}

function checkShareLength(group: GroupInfo, share: Uint8Array, peer: 'client' | 'server'): void {
  const expected = peer === 'client' ? group.publicKeyLength : group.serverShareLength;
  if (share.length !== expected) fatal('illegal_parameter', `${peer} key_share for ${group.name} is ${share.length} bytes, expected ${expected}`);
}

function asIllegalParameter<T>(peer: 'client' | 'server', fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CryptoError) fatal('illegal_parameter', `${peer} key share is invalid: ${e.message}`);
    throw e;
  }
}

/** Records the TLS 1.3 parameters both sides have settled once the hellos are exchanged. */
export function recordNegotiated13(n: Negotiated, suite: CipherSuite, group: GroupInfo): void {
  n.version = 'TLSv1.3';
  n.suite = suite;
  n.group = group.kex;
}

/** The configured signature schemes usable in `version` (RFC 8446 §4.2.3: no PKCS#1 v1.5 in TLS 1.3). */
export function schemesFor(cfg: ResolvedConfig, version: VersionName): SignatureScheme[] {
  return cfg.signatureSchemes.filter((s) => (version === 'TLSv1.3' ? s.tls13 : s.tls12));
}
