/**
 * What an `SSLContext` lets a handshake negotiate (python-ssl-api.md §5.2,
 * §5.3): the protocol constant, `options`, `minimum_version` /
 * `maximum_version`, ciphers (`set_ciphers`, `set_ciphersuites`,
 * `get_ciphers`), groups and ALPN. `SSLContext` (context.ts) extends this
 * with verification, certificates, callbacks and wrapping.
 */
import type { VersionName } from '../tls/registry/versions.js';
import type { CryptoProvider, KeyExchangeGroup } from '../crypto/provider.js';
import { defaultGroups } from '../tls/config.js';
import { groupByName, SUPPORTED_GROUPS, type GroupInfo } from '../tls/registry/groups.js';
import type { CipherSuite } from '../tls/registry/suites.js';
import { TLS13_SUITES } from '../tls/registry/suites.js';
import { NotImplementedError, ValueError } from '../socket/errors.js';
import { cipherDict, DEFAULT_CIPHER_STRING, parseCipherString, parseCiphersuites, type CipherDict } from './ciphers.js';
import {
  _SSLMethod,
  DEFAULT_OPTIONS,
  enumName,
  OP_NO_SSLv3,
  OP_NO_TLSv1,
  OP_NO_TLSv1_1,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  PROTOCOL_TLSv1_2,
  TLSVersion,
} from './constants.js';
import { makeSSLError, SSLError } from './errors.js';
import { pyTypeName, requireInt, warnDeprecated } from './pyargs.js';

const MAX_ALPN_PROTOCOL_LENGTH = 255;
const TLS_VERSION_NAMES: ReadonlyArray<[number, VersionName]> = [
  [TLSVersion.TLSv1_2, 'TLSv1.2'],
  [TLSVersion.TLSv1_3, 'TLSv1.3'],
];
/**
 * What `maximum_version = MINIMUM_SUPPORTED` becomes: OpenSSL's lowest
 * available version (Python's PY_PROTO_MINIMUM_AVAILABLE), TLSv1 with an
 * OpenSSL 3 built without SSLv3. We do not implement it, so such a context
 * enables nothing and its handshake fails with "no protocols available", as
 * Python's does against a peer that refuses TLS 1.0.
 */
const MINIMUM_AVAILABLE = TLSVersion.TLSv1;
/** The lowest version this library implements (what `minimum_version = MINIMUM_SUPPORTED` lets through). */
const LOWEST_IMPLEMENTED = TLSVersion.TLSv1_2;
const DEPRECATED_VERSIONS: ReadonlySet<number> = new Set([TLSVersion.SSLv3, TLSVersion.TLSv1, TLSVersion.TLSv1_1]);
const OP_NO_PROTOCOL_MASK = OP_NO_SSLv3 | OP_NO_TLSv1 | OP_NO_TLSv1_1 | OP_NO_TLSv1_2 | OP_NO_TLSv1_3;
/** Curves OpenSSL knows that our engine does not implement. */
const OPENSSL_ONLY_CURVES: ReadonlySet<string> = new Set(['secp224r1', 'secp256k1', 'brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1']);

export class SSLContextProtocols {
  protected readonly _protocol: number;
  protected _options = DEFAULT_OPTIONS;
  protected _minimumVersion: number;
  protected _maximumVersion: number;
  protected _securityLevel: number;
  protected _tls12: readonly CipherSuite[];
  protected _tls13: readonly CipherSuite[] = TLS13_SUITES;
  /** Set by set_groups/set_ecdh_curve; null: the engine's default (OpenSSL's list for this platform). */
  protected _groups: readonly GroupInfo[] | null = null;
  /** enabledGroups() / enabledSuites() as last computed, with the lists they came from. */
  private _enabledGroups: { from: readonly GroupInfo[]; list: readonly KeyExchangeGroup[] } | null = null;
  private _enabledSuites: { tls13: readonly CipherSuite[]; tls12: readonly CipherSuite[]; list: readonly CipherSuite[] } | null = null;
  /** The crypto provider (SSLContext sets it): which groups run here depends on it. */
  declare readonly provider: CryptoProvider;
  protected _alpn: readonly string[] = [];

  /** Validates the protocol constant (with Python's deprecation warnings) and applies the default versions and cipher string. */
  constructor(protocol?: number | null) {
    if (protocol === undefined || protocol === null) {
      warnDeprecated('ssl.SSLContext() without protocol argument is deprecated.');
      protocol = PROTOCOL_TLS;
    }
    const p = requireInt(protocol);
    const name = enumName(_SSLMethod, p);
    if (name === null) throw new ValueError(`invalid or unsupported protocol version ${p}`);
    if (p !== PROTOCOL_TLS_CLIENT && p !== PROTOCOL_TLS_SERVER) warnDeprecated(`ssl.${name === 'PROTOCOL_SSLv23' ? 'PROTOCOL_TLS' : name} is deprecated`);
    this._protocol = p;
    this._minimumVersion = this.versionsSettable ? TLSVersion.TLSv1_2 : TLSVersion.MINIMUM_SUPPORTED;
    this._maximumVersion = TLSVersion.MAXIMUM_SUPPORTED;
    const sel = parseCipherString(DEFAULT_CIPHER_STRING);
    this._tls12 = sel.tls12;
    this._securityLevel = sel.securityLevel;
  }

  get protocol(): number {
    return this._protocol;
  }

  get options(): number {
    return this._options;
  }
  set options(value: number) {
    const v = requireInt(value);
    const newlySet = v & ~this._options;
    if ((newlySet & OP_NO_PROTOCOL_MASK) !== 0) warnDeprecated('ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated');
    this._options = v >>> 0;
  }

  private get versionsSettable(): boolean {
    return this._protocol === PROTOCOL_TLS || this._protocol === PROTOCOL_TLS_CLIENT || this._protocol === PROTOCOL_TLS_SERVER;
  }

  private checkVersion(value: unknown): number {
    const v = requireInt(value);
    if (!this.versionsSettable) throw new ValueError("The context's protocol doesn't support modification of highest and lowest version.");
    if (enumName(TLSVersion, v) === null) throw new ValueError(`Unsupported TLS/SSL version 0x${v.toString(16)}`);
    if (DEPRECATED_VERSIONS.has(v)) warnDeprecated(`ssl.TLSVersion.${enumName(TLSVersion, v)} is deprecated`);
    return v;
  }

  get minimumVersion(): number {
    return this._minimumVersion;
  }
  set minimumVersion(value: number) {
    const v = this.checkVersion(value);
    this._minimumVersion = v === TLSVersion.MAXIMUM_SUPPORTED ? TLSVersion.TLSv1_3 : v;
  }

  get maximumVersion(): number {
    return this._maximumVersion;
  }
  set maximumVersion(value: number) {
    const v = this.checkVersion(value);
    this._maximumVersion = v === TLSVersion.MINIMUM_SUPPORTED ? MINIMUM_AVAILABLE : v;
  }

  /** `security_level` (read-only; set with `@SECLEVEL=n` in `setCiphers`). */
  get securityLevel(): number {
    return this._securityLevel;
  }

  /** `get_ciphers()`: TLS 1.3 suites first, then the enabled TLS 1.2 suites, in preference order. */
  getCiphers(): CipherDict[] {
    return [...this._tls13, ...this._tls12].map(cipherDict);
  }

  /** `set_ciphers(cipherlist)`: OpenSSL cipher string for TLS 1.2 (TLS 1.3 suites are not affected). */
  setCiphers(cipherlist: string): void {
    if (typeof cipherlist !== 'string') throw new TypeError(`set_ciphers() argument must be str, not ${pyTypeName(cipherlist)}`);
    const sel = parseCipherString(cipherlist, this._securityLevel);
    this._tls12 = sel.tls12;
    this._securityLevel = sel.securityLevel;
  }

  /** `set_ciphersuites(ciphersuites)` (3.15): TLS 1.3 suites, colon-separated, in preference order. */
  setCiphersuites(ciphersuites: string): void {
    if (typeof ciphersuites !== 'string') throw new TypeError(`set_ciphersuites() argument must be str, not ${pyTypeName(ciphersuites)}`);
    this._tls13 = parseCiphersuites(ciphersuites);
  }

  /** `set_groups(groups)` (3.15): key-exchange groups, colon-separated (OpenSSL or IANA names). */
  setGroups(groups: string): void {
    if (typeof groups !== 'string') throw new TypeError(`set_groups() argument must be str, not ${pyTypeName(groups)}`);
    const out: GroupInfo[] = [];
    for (const name of groups.split(':')) {
      const g = groupByName(name);
      if (g === null || !this.provider.supportsKeyExchange(g.kex)) {
        throw makeSSLError(SSLError, 0, `unsupported group '${name}' (implemented: ${this.implementedGroups().map((x) => x.name).join(', ')})`);
      }
      if (!out.includes(g)) out.push(g);
    }
    this._groups = out;
  }

  /**
   * `get_groups(*, include_aliases=False)` (3.15): the groups implemented for key agreement
   * (OpenSSL's SSL_CTX_get0_implemented_groups), limited to those usable between
   * `minimumVersion` and `maximumVersion` (X25519MLKEM768 needs TLS 1.3); with
   * `includeAliases`, OpenSSL's alias names ('P-256', 'X25519', …) follow each group.
   */
  getGroups(options: { includeAliases?: boolean } = {}): string[] {
    const versions = this.enabledVersions();
    const tls12Only = versions.length > 0 && !versions.includes('TLSv1.3');
    return this.implementedGroups()
      .filter((g) => g.tls12 || !tls12Only)
      .flatMap((g) => (options.includeAliases === true ? [g.name, ...g.aliases] : [g.name]));
  }

  /** The groups handed to the engine: set_groups' list, else the default list for this provider. */
  enabledGroups(): readonly KeyExchangeGroup[] {
    if (this._groups === null) return defaultGroups(this.provider);
    // Kept while set_groups' list stays the same: connections share it (see resolveConfig).
    if (this._enabledGroups?.from !== this._groups) this._enabledGroups = { from: this._groups, list: this._groups.map((g) => g.kex) };
    return this._enabledGroups.list;
  }

  private implementedGroups(): GroupInfo[] {
    return SUPPORTED_GROUPS.filter((g) => this.provider.supportsKeyExchange(g.kex));
  }

  /** `set_ecdh_curve(name)`: OpenSSL short curve names; restricts key exchange to that one group, as Python on OpenSSL 3 does. */
  setEcdhCurve(name: string | Uint8Array): void {
    if (typeof name !== 'string' && !(name instanceof Uint8Array)) throw new TypeError(`expected str, bytes or os.PathLike object, not ${pyTypeName(name)}`);
    const n = typeof name === 'string' ? name : Buffer.from(name).toString('latin1');
    const g = SUPPORTED_GROUPS.find((x) => x.opensslName === n);
    if (!g) {
      if (OPENSSL_ONLY_CURVES.has(n)) throw new ValueError(`elliptic curve '${n}' is not implemented by sslsock (use X25519, X448, prime256v1, secp384r1 or secp521r1)`);
      throw new ValueError(`unknown elliptic curve name '${n}'`);
    }
    this._groups = [g];
  }

  /** `set_alpn_protocols(protocols)`. */
  setAlpnProtocols(protocols: Iterable<string>): void {
    const out: string[] = [];
    for (const p of protocols) {
      if (typeof p !== 'string') throw new TypeError('encoding without a string argument');
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c > 0x7f) throw new ValueError(`'ascii' codec can't encode character '\\x${c.toString(16)}' in position ${i}: ordinal not in range(128)`);
      }
      if (p.length === 0 || p.length > MAX_ALPN_PROTOCOL_LENGTH) throw new SSLError('ALPN protocols must be 1 to 255 in length');
      out.push(p);
    }
    this._alpn = out;
  }

  /** NPN is not available (HAS_NPN is False), as in Python built without it. */
  setNpnProtocols(_protocols: Iterable<string>): void {
    warnDeprecated('ssl NPN is deprecated, use ALPN instead');
    throw new NotImplementedError('The NPN extension requires OpenSSL 1.0.1 or later.');
  }

  /** The TLS versions this context enables, after min/max and OP_NO_TLSv1_x, limited to what the engine implements. */
  enabledVersions(): VersionName[] {
    const min = this._minimumVersion === TLSVersion.MINIMUM_SUPPORTED ? LOWEST_IMPLEMENTED : this._minimumVersion;
    const max = this._maximumVersion === TLSVersion.MAXIMUM_SUPPORTED ? TLSVersion.TLSv1_3 : this._maximumVersion;
    const out: VersionName[] = [];
    for (const [code, name] of TLS_VERSION_NAMES) {
      if (code < min || code > max) continue;
      if (this._protocol === PROTOCOL_TLSv1_2 && code !== TLSVersion.TLSv1_2) continue;
      if (!this.versionsSettable && this._protocol !== PROTOCOL_TLSv1_2) continue;
      if (code === TLSVersion.TLSv1_2 && (this._options & OP_NO_TLSv1_2) !== 0) continue;
      if (code === TLSVersion.TLSv1_3 && (this._options & OP_NO_TLSv1_3) !== 0) continue;
      out.push(name);
    }
    return out;
  }

  /** Suites in preference order: TLS 1.3 first, then the enabled TLS 1.2 suites. */
  enabledSuites(): readonly CipherSuite[] {
    const c = this._enabledSuites;
    if (c?.tls13 === this._tls13 && c.tls12 === this._tls12) return c.list;
    // Kept while both lists stay the same: every connection of this context shares it.
    const list = [...this._tls13, ...this._tls12];
    this._enabledSuites = { tls13: this._tls13, tls12: this._tls12, list };
    return list;
  }
}
