/**
 * `sslsock` — Python's `ssl` module: `import * as ssl from 'sslsock'`.
 *
 * Names follow DESIGN.md: Python's names, camelCase where Python has
 * underscores; constants and enum members keep Python's spelling.
 */
export * from './constants.js';
export {
  SSLError,
  SSLZeroReturnError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLSyscallError,
  SSLEOFError,
  SSLCertVerificationError,
  CertificateError,
} from './errors.js';
export { MemoryBIO } from './bio.js';
export {
  SSLContext,
  setDefaultSSLSocketClass,
  KEYLOG_HEADER,
  type SNICallback,
  type SessionStats,
  type WrapBioOptions,
  type WrapSocketOptions,
  type SSLSocketFactory,
  type ConnectionLink,
} from './context.js';
export { SSLObject, type SSLObjectCreateOptions } from './sslobject.js';
export { SSLSession } from './session.js';
export { setUnraisableHook, getUnraisableHook, type UnraisableHook, type UnraisableHookArgs } from './unraisable.js';
export type { CipherDict } from './ciphers.js';
export type { PeerCertDict, PeerCertName, PeerCertAltName } from '../x509/peercert.js';
export type { CertStoreStats, Password } from './certs.js';
export {
  _ASN1Object,
  Purpose,
  createDefaultContext,
  _createUnverifiedContext,
  _createStdlibContext,
  type UnverifiedContextOptions,
  getDefaultVerifyPaths,
  DERCertToPEMCert,
  PEMCertToDERCert,
  certTimeToSeconds,
  RAND_bytes,
  RAND_status,
  RAND_add,
  HAS_SNI,
  HAS_ECDH,
  HAS_ALPN,
  HAS_NPN,
  HAS_SSLv2,
  HAS_SSLv3,
  HAS_TLSv1,
  HAS_TLSv1_1,
  HAS_TLSv1_2,
  HAS_TLSv1_3,
  HAS_NEVER_CHECK_COMMON_NAME,
  HAS_PHA,
  HAS_PSK,
  HAS_PSK_TLS13,
  CHANNEL_BINDING_TYPES,
  OPENSSL_VERSION,
  OPENSSL_VERSION_INFO,
  OPENSSL_VERSION_NUMBER,
  _OPENSSL_API_VERSION,
  type DefaultVerifyPaths,
  type DefaultContextOptions,
} from './module.js';

// Python's built-in exceptions that ssl raises (also exported by 'sslsock/socket').
export {
  OSError,
  OSError as socket_error,
  BlockingIOError,
  TimeoutError,
  ConnectionError,
  ConnectionResetError,
  ConnectionRefusedError,
  ConnectionAbortedError,
  BrokenPipeError,
  FileNotFoundError,
  IsADirectoryError,
  NotADirectoryError,
  PermissionError,
  ValueError,
  NotImplementedError,
} from '../socket/errors.js';
// Re-exported from socket, as Python's ssl module does.
export { socket, SOCK_STREAM, SOL_SOCKET, SO_TYPE, createConnection } from '../socket/index.js';

// ── SSLSocket ──────────────────────────────────────────────────────────────
// Importing sslsocket.ts also registers SSLSocket as the default
// SSLContext.sslsocketClass (setDefaultSSLSocketClass), so wrapSocket() uses it.
export { SSLSocket } from './sslsocket.js';
export { getServerCertificate } from './get-server-certificate.js';
// Beyond Python: Node streams.
export { wrapStream, SSLStream, type WrapStreamOptions } from './wrap-stream.js';
export { SSLSocketDuplex } from './socket-duplex.js';
export { TLSDuplex, type TLSDuplexOptions, type TLSConnectionInfo, type PeerCertificate, type CipherNameAndProtocol } from './tls-duplex.js';
// ───────────────────────────────────────────────────────────────────────────
