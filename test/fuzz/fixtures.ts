/**
 * What the fuzz targets share: a deterministic crypto provider (pinned
 * randomness and ephemeral keys, so a handshake replays byte for byte and a
 * recorded peer flight stays valid for a new connection), the committed
 * Ed25519 test PKI (Ed25519 signatures are deterministic too), and SSLContexts
 * built once per scenario.
 */
import { existsSync, readFileSync } from 'node:fs';
import { defaultProvider } from '../../src/crypto/index.js';
import type { CryptoProvider, KeyExchange, KeyExchangeGroup } from '../../src/crypto/provider.js';
import * as ssl from '../../src/ssl/index.js';

export const CORPUS_DIR = new URL('../../../test/fuzz/corpus/', import.meta.url);
export const CERT_DIR = new URL('certs/', CORPUS_DIR);

/** Fixed ephemeral private values per group (valid scalars: below every curve order). */
const PINNED_KEYS: Partial<Record<KeyExchangeGroup, Buffer>> = {
  X25519: Buffer.alloc(32, 0x25),
  X448: Buffer.alloc(56, 0x44),
  'P-256': Buffer.alloc(32, 0x11),
  'P-384': Buffer.alloc(48, 0x11),
  'P-521': Buffer.concat([Buffer.from([0x00]), Buffer.alloc(65, 0x11)]),
};

/** n deterministic bytes (depends only on n): every "random" value is the same on every run. */
function pinnedRandom(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 151 + n * 7 + 0x5a) & 0xff;
  return b;
}

/**
 * node:crypto behind the interface, with randomBytes and ephemeral key pairs
 * pinned. The ML-KEM hybrid is reported unsupported (it cannot be pinned), so
 * the default group list is the same on Node 20 and Node 24.
 */
export const pinnedProvider: CryptoProvider = new Proxy(defaultProvider, {
  get(target, key) {
    switch (key) {
      case 'name':
        return 'pinned';
      case 'randomBytes':
        return pinnedRandom;
      case 'supportsKeyExchange':
        return (g: KeyExchangeGroup) => PINNED_KEYS[g] !== undefined && target.supportsKeyExchange(g);
      case 'generateKeyExchange':
        return pinnedKeyExchange;
      case 'respondKeyExchange':
        return (g: KeyExchangeGroup, peer: Uint8Array) => {
          const mine = pinnedKeyExchange(g);
          return { publicKey: mine.publicKey, sharedSecret: mine.deriveSharedSecret(peer) };
        };
    }
    const v = Reflect.get(target, key, target) as unknown;
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  },
});

/** The pinned key pair of a group, imported once (a KeyObject per handshake would cost more than the handshake). */
const pinnedPairs = new Map<KeyExchangeGroup, KeyExchange>();
function pinnedKeyExchange(g: KeyExchangeGroup): KeyExchange {
  let kx = pinnedPairs.get(g);
  if (!kx) {
    const k = PINNED_KEYS[g];
    if (k === undefined) throw new Error(`no pinned key for ${g}`);
    kx = defaultProvider.importKeyExchange(g, k);
    pinnedPairs.set(g, kx);
  }
  return kx;
}

export const certFile = (name: string): string => new URL(name, CERT_DIR).pathname;
export const havePki = (): boolean => existsSync(certFile('ca.pem'));
export const readCert = (name: string): string => readFileSync(certFile(name), 'latin1');

export type Version = '1.3' | '1.2';

/** What one side of a fuzzed connection is configured with. */
export interface Scenario {
  readonly version: Version;
  /** The server asks for (and the client sends) a certificate. */
  readonly clientAuth: boolean;
  /** TLS 1.3: the client offers post-handshake auth and the server uses it after the handshake. */
  readonly pha?: boolean;
  readonly alpn?: boolean;
  /** TLS 1.3: the client's only key share is one the server does not take (HelloRetryRequest). */
  readonly hrr?: boolean;
  /** The client offers the session of an earlier connection (TLS 1.3 PSK / TLS 1.2 ticket). */
  readonly resume?: boolean;
  /** The second ping is 40,000 bytes (three records each way). */
  readonly big?: boolean;
  /** The client does not verify (CERT_NONE): a tampered certificate gets as far as parsing and getpeercert(). */
  readonly noVerify?: boolean;
}

/** The scenario's configuration as a context cache key. */
const keyOf = (role: string, s: Scenario) => `${role}${s.version}${s.clientAuth ? 'a' : ''}${s.pha ? 'p' : ''}${s.alpn ? 'n' : ''}${s.hrr ? 'h' : ''}${s.noVerify ? 'x' : ''}`;

const contexts = new Map<string, ssl.SSLContext>();

function versionBounds(ctx: ssl.SSLContext, v: Version): void {
  const tv = v === '1.3' ? ssl.TLSVersion.TLSv1_3 : ssl.TLSVersion.TLSv1_2;
  ctx.minimumVersion = tv;
  ctx.maximumVersion = tv;
}

/** The client context of a scenario (built once, pinned provider, verifying against the test CA). */
export function clientContext(s: Scenario): ssl.SSLContext {
  const key = keyOf('c', s);
  let ctx = contexts.get(key);
  if (ctx) return ctx;
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT, { provider: pinnedProvider });
  versionBounds(ctx, s.version);
  ctx.loadVerifyLocations(certFile('ca.pem'));
  if (s.clientAuth || s.pha) ctx.loadCertChain(certFile('client.pem'), certFile('client.key'));
  if (s.pha) ctx.postHandshakeAuth = true;
  if (s.alpn) ctx.setAlpnProtocols(['h2', 'http/1.1']);
  if (s.hrr) ctx.setGroups('P-256:X25519');
  if (s.noVerify) {
    ctx.checkHostname = false;
    ctx.verifyMode = ssl.CERT_NONE;
  }
  contexts.set(key, ctx);
  return ctx;
}

/** Anything odd an SNI callback saw (the pair target fails the run on it). */
export const sniAnomalies: string[] = [];

/** The server context of a scenario. */
export function serverContext(s: Scenario, twin = false): ssl.SSLContext {
  const key = keyOf(twin ? 't' : 's', s);
  let ctx = contexts.get(key);
  if (ctx) return ctx;
  ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER, { provider: pinnedProvider });
  contexts.set(key, ctx);
  versionBounds(ctx, s.version);
  ctx.loadCertChain(certFile('server.pem'), certFile('server.key'));
  ctx.loadVerifyLocations(certFile('ca.pem'));
  if (s.clientAuth || s.pha) ctx.verifyMode = ssl.CERT_REQUIRED;
  // With post-handshake auth the certificate is asked for after the handshake only (OpenSSL's SSL_VERIFY_POST_HANDSHAKE).
  if (s.pha) ctx.postHandshakeAuth = true;
  if (s.alpn) ctx.setAlpnProtocols(['http/1.1']);
  if (s.alpn && !twin) {
    // The SNI callback sees whatever server_name a tampered ClientHello carries, and for 'localhost' moves the
    // connection to a twin context, as Python code does (sslobj.context = other).
    const other = serverContext(s, true);
    ctx.sniCallback = (obj, name, c) => {
      if (!(name === null || typeof name === 'string') || c !== ctx || !(obj instanceof ssl.SSLObject)) sniAnomalies.push(`sni callback got (${typeof obj}, ${typeof name}, ${c === ctx})`);
      if (name === 'localhost') obj.context = other;
    };
  }
  if (s.hrr) ctx.setGroups('X25519');
  contexts.set(key, ctx);
  return ctx;
}
