/**
 * `sslsock/socket` — the subset of Python's socket module that TCP over
 * node:net can honour: `import * as socket from 'sslsock/socket'`.
 */
export * from './constants.js';
export {
  OSError,
  BlockingIOError,
  InterruptedError,
  FileNotFoundError,
  FileExistsError,
  IsADirectoryError,
  NotADirectoryError,
  PermissionError,
  TimeoutError,
  TimeoutError as timeout,
  ConnectionError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  gaierror,
  herror,
  ValueError,
  NotImplementedError,
  OverflowError,
  KeyError,
  RuntimeError,
  OSError as error,
  fromNodeError,
} from './errors.js';
export { socket, Socket } from './socket.js';
export type { SendfileSource } from './sendfile.js';
export type { Address, AddressInet, AddressInet6, AddressOf } from './address.js';
// Python's spelling, and the camelCase the package's naming rule gives.
export { inet_pton, inet_ntop, inet_pton as inetPton, inet_ntop as inetNtop } from './address.js';
export { SocketFile, type MakefileOptions } from './makefile.js';
export { getdefaulttimeout, setdefaulttimeout } from './timeout.js';
export {
  createConnection,
  createServer,
  getaddrinfo,
  gethostname,
  has_ipv6,
  has_ipv6 as hasIpv6,
  hasDualstackIpv6,
  close,
  htons,
  ntohs,
  htonl,
  ntohl,
  type AddrInfo,
  type CreateServerOptions,
} from './module.js';
