/**
 * How an SSLContext becomes the engine's `ConnectionConfig` for one
 * connection: versions, suites, groups, certificates, ALPN, the key log, the
 * verification callback (trust store, flags, purpose, host name or IP, with
 * OpenSSL's verify codes and alerts) and, on servers, the SNI callback via
 * the engine's onClientHello hook (python-ssl-api.md §5.4, §6.2).
 */
import { appendFileSync } from 'node:fs';
import type { CryptoProvider, KeyExchangeGroup } from '../crypto/provider.js';
import type { CertifiedKey, ClientAuthMode, ConnectionConfig, ServerOverrides, VerifyPeer } from '../tls/config.js';
import { TLSError } from '../tls/errors.js';
import { alertName } from '../tls/registry/alerts.js';
import { defaultVerifier } from '../tls/verify-default.js';
import type { CipherSuite } from '../tls/registry/suites.js';
import type { VersionName } from '../tls/registry/versions.js';
import type { TrustStore } from '../x509/store.js';
import type { VerifiedChainCache } from '../x509/verify-cache.js';
import type { SessionCache12 } from '../tls/session-cache.js';
import type { AnyClientTicket, TicketKeys } from '../tls/tickets.js';
import { buildChain } from '../x509/chain.js';
import { certFacts } from '../x509/cert-facts.js';
import { parseCertificate } from '../x509/certificate.js';
import { CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED } from './constants.js';
import { pyTypeName } from './pyargs.js';
import { reportRejection, writeUnraisable } from './unraisable.js';

/** What a connection tells its context while it runs. `C` is the context class (SSLContext). */
export interface ConnectionLink<C = unknown> {
  readonly serverSide: boolean;
  /** A-label host name (client), or null. */
  readonly serverHostname: string | null;
  /** The object the SNI callback receives (the SSLObject, or the SSLSocket that owns it). */
  readonly owner: unknown;
  /** The context currently attached (the SNI callback may switch it). */
  currentContext(): C;
  /** Called with the built chain (leaf first, anchor last) when verification succeeds: views, to be copied if kept. */
  onVerified(chain: readonly Uint8Array[]): void;
  /** Client: a NewSessionTicket arrived (it becomes the connection's session). */
  onTicket?(ticket: AnyClientTicket): void;
}

/** The settings of a context that the engine wiring reads, at the moment it reads them. */
export interface EngineSettings<C> {
  readonly provider: CryptoProvider;
  readonly store: TrustStore;
  /** Peer chains this context verified lately (x509/verify-cache.ts). */
  readonly verifyCache: VerifiedChainCache;
  readonly verifyMode: number;
  readonly checkHostname: boolean;
  readonly verifyFlags: number;
  readonly hostFlags: number;
  readonly securityLevel: number;
  readonly versions: readonly VersionName[];
  readonly suites: readonly CipherSuite[];
  readonly groups: readonly KeyExchangeGroup[];
  readonly certificates: readonly CertifiedKey[];
  readonly alpnProtocols: readonly string[];
  readonly keylogFilename: string | null;
  /** The owner's type is the ssl layer's business (SSLSocket | SSLObject); here it is only passed through. */
  readonly sniCallback: ((owner: never, serverName: string | null, ctx: C) => unknown) | null;
  /** Server: the context's rotating ticket keys; null when no tickets are issued. */
  readonly ticketKeys: TicketKeys | null;
  readonly numTickets: number;
  /** TLS 1.2 tickets on (no OP_NO_TICKET). */
  readonly tickets12: boolean;
  /** Server: the context's TLS 1.2 session cache; null on client contexts. */
  readonly sessionCache: SessionCache12 | null;
  /** The context's session timeout in seconds (tickets' lifetime, cached sessions'). */
  readonly sessionTimeout: number;
  readonly postHandshakeAuth: boolean;
  /** Server: session_stats() counting of offered tickets and session ids. */
  readonly onResumption: (outcome: 'hit' | 'miss' | 'timeout') => void;
}

/** A context the engine can be configured from. */
export interface EngineContext<C extends EngineContext<C>> {
  _engineSettings(): EngineSettings<C>;
}

function clientAuthMode(verifyMode: number): ClientAuthMode {
  return verifyMode === CERT_REQUIRED ? 'required' : verifyMode === CERT_OPTIONAL ? 'optional' : 'none';
}

/**
 * The verification callback for a connection: tls's default verifier with
 * the context's store, flags, host flags and security level (OpenSSL's auth
 * level: Python's default contexts use 2); the client checks the name it was
 * given (`server_hostname`) when `check_hostname` is on.
 */
function verifier<C extends EngineContext<C>>(ctx: C, link: ConnectionLink<C>): VerifyPeer | null {
  const s = ctx._engineSettings();
  if (s.verifyMode === CERT_NONE) return null;
  return defaultVerifier({
    provider: s.provider,
    store: s.store,
    cache: s.verifyCache,
    checkHostname: s.checkHostname,
    serverName: link.serverHostname,
    flags: s.verifyFlags,
    hostFlags: s.hostFlags,
    authLevel: s.securityLevel,
    onVerified: (chain) => link.onVerified(chain.map((c) => c.raw)),
  });
}

/** What a server switches to when the SNI callback sets `obj.context = other`. */
function serverOverrides<C extends EngineContext<C>>(ctx: C, link: ConnectionLink<C>): ServerOverrides {
  const s = ctx._engineSettings();
  return {
    certificates: completeChains(s.certificates, s.store),
    alpnProtocols: s.alpnProtocols,
    clientAuth: clientAuthMode(s.verifyMode),
    verifyPeer: verifier(ctx, link),
  };
}

/**
 * Runs the SNI callback (python-ssl-api.md §5.4); throws the TLSError that
 * aborts the handshake. As CPython's `_servername_callback`: an exception
 * goes to the unraisable hook with the callback as `object` (alert
 * handshake_failure); a return value that is not an integer goes there as
 * PyLong_AsLong's TypeError with the value as `object` (alert internal_error).
 */
function runSniCallback<C extends EngineContext<C>>(ctx: C, link: ConnectionLink<C>, serverName: string | null): void {
  const cb = ctx._engineSettings().sniCallback;
  if (cb === null) return;
  let ret: unknown;
  try {
    ret = cb(link.owner as never, serverName, ctx);
  } catch (e) {
    writeUnraisable(e, cb);
    throw new TLSError('handshake_failure', 'servername callback failed: it raised an exception');
  }
  if (ret === null || ret === undefined) return;
  if (typeof ret === 'number' && Number.isInteger(ret)) {
    throw new TLSError(alertName(ret) ?? 'internal_error', `servername callback failed: it returned alert ${ret}`);
  }
  reportRejection(ret, cb);
  writeUnraisable(new TypeError(`'${pyTypeName(ret)}' object cannot be interpreted as an integer`), ret);
  throw new TLSError('internal_error', 'servername callback failed: it returned a non-integer');
}

/** Chains completed per certificate, remembered while the store's contents stay the same. */
const completedChains = new WeakMap<CertifiedKey, { readonly stamp: string; readonly completed: CertifiedKey }>();

/**
 * OpenSSL's automatic chain completion (ssl_add_cert_chain without
 * SSL_MODE_NO_AUTO_CHAIN): a certificate loaded without its chain (the file
 * held only the leaf) is sent with the chain built from the context's own
 * trust store — root included, as X509_verify_cert leaves it — for servers
 * and client certificates alike. A chain that came with the file is sent as
 * it is. Building ignores validity errors: this only assembles what to send.
 */
export function completeChains(certificates: readonly CertifiedKey[], store: TrustStore): readonly CertifiedKey[] {
  if (certificates.every((c) => c.chain.length !== 1)) return certificates;
  const stats = store.stats();
  const stamp = `${stats.x509}/${stats.crl}/${stats.x509_ca}`;
  return certificates.map((ck) => {
    if (ck.chain.length !== 1) return ck;
    const cached = completedChains.get(ck);
    if (cached?.stamp === stamp) return cached.completed;
    let completed = ck;
    try {
      const built = buildChain({ leaf: certFacts(parseCertificate(ck.chain[0]!)), untrusted: [], store, flags: 0, maxDepth: 100, time: null });
      if (built.chain.length > 1) completed = { ...ck, chain: [ck.chain[0]!, ...built.chain.slice(1).map((f) => Buffer.from(f.cert.raw))] };
    } catch {
      // A leaf we cannot parse was already refused by load_cert_chain; send it alone.
    }
    completedChains.set(ck, { stamp, completed });
    return completed;
  });
}

/**
 * The engine configuration for one connection, built at wrap time. The
 * verification callback reads the connection's *current* context, so an SNI
 * callback that switches `obj.context` switches certificates, ALPN,
 * client-certificate policy and trust (via the engine's onClientHello hook).
 */
export function buildConnectionConfig<C extends EngineContext<C>>(ctx: C, link: ConnectionLink<C>): ConnectionConfig {
  const s = ctx._engineSettings();
  const server = link.serverSide;
  // One object per connection, built in one go (no spread copies of a shared part: this runs per connection).
  const config: { -readonly [K in keyof ConnectionConfig]: ConnectionConfig[K] } = {
    provider: s.provider,
    // No version enabled at all is reported by SSLObject (NO_PROTOCOLS_AVAILABLE) before the engine starts.
    minVersion: s.versions[0] ?? 'TLSv1.3',
    maxVersion: s.versions[s.versions.length - 1] ?? 'TLSv1.2',
    cipherSuites: s.suites,
    groups: s.groups,
    certificates: completeChains(s.certificates, s.store),
    alpnProtocols: s.alpnProtocols,
    serverName: server ? null : link.serverHostname,
    clientAuth: server ? clientAuthMode(s.verifyMode) : 'none',
    verifyPeer: (chain, info) => {
      const v = verifier(link.currentContext(), link);
      return v === null ? null : v(chain, info);
    },
    keyLog: s.keylogFilename === null ? null : keyLogWriter(s.keylogFilename),
    middleboxCompat: true,
    clock: Date.now,
    tickets12: s.tickets12,
    // Python sets SSL_VERIFY_POST_HANDSHAKE only when the server verifies peers: the certificate is then asked for after the handshake.
    postHandshakeAuth: server ? s.postHandshakeAuth && s.verifyMode !== CERT_NONE : s.postHandshakeAuth,
  };
  if (!server) {
    config.onTicket = ticketHook(link);
    return config;
  }
  config.ticketKeys = s.ticketKeys;
  config.sessionCache = s.sessionCache;
  config.ticketLifetime = s.sessionTimeout;
  config.numTickets = s.numTickets;
  config.onResumption = s.onResumption;
  config.onClientHello = clientHelloHook(ctx, link);
  return config;
}

// The hooks below are made by functions, not written as `config.x = (…) => …`: V8 allocates a function
// literal assigned to a property straight in the old generation ("pretenured", to make it a constant
// property), and from there it keeps its captured link — the SSLObject and its whole handshake state —
// alive through every scavenge until the next full GC: ~10 KB promoted per connection.

function ticketHook<C>(link: ConnectionLink<C>): NonNullable<ConnectionConfig['onTicket']> {
  return (t) => link.onTicket?.(t);
}

/** Server: the SNI callback, and what to switch to when it set another context. */
function clientHelloHook<C extends EngineContext<C>>(ctx: C, link: ConnectionLink<C>): NonNullable<ConnectionConfig['onClientHello']> {
  return (hello) => {
    runSniCallback(ctx, link, hello.serverName);
    const now = link.currentContext();
    return now === ctx ? null : serverOverrides(now, link);
  };
}

/** The key log callback for a file: OpenSSL's keylog BIO never fails a handshake, so a line that cannot be written is reported, not raised. */
function keyLogWriter(file: string): NonNullable<ConnectionConfig['keyLog']> {
  return (label, clientRandom, secret) => {
    try {
      appendFileSync(file, `${label} ${clientRandom.toString('hex')} ${secret.toString('hex')}\n`);
    } catch (e) {
      writeUnraisable(e, file, 'Exception ignored while writing the TLS key log');
    }
  };
}
