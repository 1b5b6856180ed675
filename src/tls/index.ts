/**
 * The engine's public surface: the sans-IO Connection, its configuration,
 * errors and the registries callers need to fill a configuration.
 */
export { Connection } from './connection.js';
export type { ChannelBindingType } from './exporters.js';
export type {
  CertifiedKey,
  ClientAuthMode,
  ClientHelloInfo,
  ConnectionConfig,
  KeyLogCallback,
  PeerVerifyFailure,
  PeerVerifyInfo,
  ServerOverrides,
  VerifyPeer,
} from './config.js';
export { DEFAULT_GROUPS, DEFAULT_GROUPS_MLKEM, defaultGroups, DEFAULT_KEY_UPDATE_RECORD_LIMIT, DEFAULT_TLS13_SUITES } from './config.js';
export type { Negotiated } from './handshake-common.js';
export { TLSError } from './errors.js';
export { defaultVerifier, alertForVerifyCode, type DefaultVerifierOptions } from './verify-default.js';
export { AlertDescription, alertName, type AlertName } from './registry/alerts.js';
export { ALL_SUITES, TLS13_SUITES, TLS12_SUITES, suiteById, type CipherSuite } from './registry/suites.js';
export { SUPPORTED_GROUPS, groupById, groupByKex, groupByName, type GroupInfo } from './registry/groups.js';
export { ALL_SIGNATURE_SCHEMES, DEFAULT_SIGNATURE_SCHEMES, signatureSchemeById, type SignatureScheme } from './registry/signature-schemes.js';
export { ProtocolVersion, versionName, type VersionName } from './registry/versions.js';
