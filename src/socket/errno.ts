/**
 * Linux errno numbers and glibc `strerror()` texts, the values Python's
 * `errno` module and `os.strerror()` report on Linux. Node names errors by
 * their symbolic code (`err.code === 'ECONNREFUSED'`), Python by number, so
 * this table is the one place that joins the two.
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EPIPE: 32,
  ENAMETOOLONG: 36,
  ELOOP: 40,
  EOVERFLOW: 75,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  ECANCELED: 125,
} as const;

export type ErrnoName = keyof typeof ERRNO;

/** `EWOULDBLOCK` is `EAGAIN` on Linux, as in Python's errno module. */
export const EWOULDBLOCK = ERRNO.EAGAIN;

const STRERROR: Record<number, string> = {
  [ERRNO.EPERM]: 'Operation not permitted',
  [ERRNO.ENOENT]: 'No such file or directory',
  [ERRNO.EINTR]: 'Interrupted system call',
  [ERRNO.EIO]: 'Input/output error',
  [ERRNO.ENXIO]: 'No such device or address',
  [ERRNO.EBADF]: 'Bad file descriptor',
  [ERRNO.EAGAIN]: 'Resource temporarily unavailable',
  [ERRNO.ENOMEM]: 'Cannot allocate memory',
  [ERRNO.EACCES]: 'Permission denied',
  [ERRNO.EFAULT]: 'Bad address',
  [ERRNO.EEXIST]: 'File exists',
  [ERRNO.ENODEV]: 'No such device',
  [ERRNO.ENOTDIR]: 'Not a directory',
  [ERRNO.EISDIR]: 'Is a directory',
  [ERRNO.EINVAL]: 'Invalid argument',
  [ERRNO.ENFILE]: 'Too many open files in system',
  [ERRNO.EMFILE]: 'Too many open files',
  [ERRNO.ETXTBSY]: 'Text file busy',
  [ERRNO.EFBIG]: 'File too large',
  [ERRNO.ENOSPC]: 'No space left on device',
  [ERRNO.EROFS]: 'Read-only file system',
  [ERRNO.EPIPE]: 'Broken pipe',
  [ERRNO.ENAMETOOLONG]: 'File name too long',
  [ERRNO.ELOOP]: 'Too many levels of symbolic links',
  [ERRNO.EOVERFLOW]: 'Value too large for defined data type',
  [ERRNO.ENOTSOCK]: 'Socket operation on non-socket',
  [ERRNO.EDESTADDRREQ]: 'Destination address required',
  [ERRNO.EMSGSIZE]: 'Message too long',
  [ERRNO.EPROTOTYPE]: 'Protocol wrong type for socket',
  [ERRNO.ENOPROTOOPT]: 'Protocol not available',
  [ERRNO.EPROTONOSUPPORT]: 'Protocol not supported',
  [ERRNO.ESOCKTNOSUPPORT]: 'Socket type not supported',
  [ERRNO.EOPNOTSUPP]: 'Operation not supported',
  [ERRNO.EAFNOSUPPORT]: 'Address family not supported by protocol',
  [ERRNO.EADDRINUSE]: 'Address already in use',
  [ERRNO.EADDRNOTAVAIL]: 'Cannot assign requested address',
  [ERRNO.ENETDOWN]: 'Network is down',
  [ERRNO.ENETUNREACH]: 'Network is unreachable',
  [ERRNO.ENETRESET]: 'Network dropped connection on reset',
  [ERRNO.ECONNABORTED]: 'Software caused connection abort',
  [ERRNO.ECONNRESET]: 'Connection reset by peer',
  [ERRNO.ENOBUFS]: 'No buffer space available',
  [ERRNO.EISCONN]: 'Transport endpoint is already connected',
  [ERRNO.ENOTCONN]: 'Transport endpoint is not connected',
  [ERRNO.ESHUTDOWN]: 'Cannot send after transport endpoint shutdown',
  [ERRNO.ETIMEDOUT]: 'Connection timed out',
  [ERRNO.ECONNREFUSED]: 'Connection refused',
  [ERRNO.EHOSTDOWN]: 'Host is down',
  [ERRNO.EHOSTUNREACH]: 'No route to host',
  [ERRNO.EALREADY]: 'Operation already in progress',
  [ERRNO.EINPROGRESS]: 'Operation now in progress',
  [ERRNO.ECANCELED]: 'Operation canceled',
};

/** glibc's text for an errno, as `os.strerror(n)` gives it. */
export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** Numeric errno for a Node/libuv error code such as `'ECONNRESET'`, or null. */
export function errnoOfCode(code: string): number | null {
  return Object.prototype.hasOwnProperty.call(ERRNO, code) ? ERRNO[code as ErrnoName] : null;
}

/**
 * getaddrinfo() error numbers (glibc `EAI_*`, negative) and their
 * `gai_strerror()` texts, which Python puts in `socket.gaierror`.
 */
export const EAI = {
  EAI_BADFLAGS: -1,
  EAI_NONAME: -2,
  EAI_AGAIN: -3,
  EAI_FAIL: -4,
  EAI_NODATA: -5,
  EAI_FAMILY: -6,
  EAI_SOCKTYPE: -7,
  EAI_SERVICE: -8,
  EAI_ADDRFAMILY: -9,
  EAI_MEMORY: -10,
  EAI_SYSTEM: -11,
} as const;

const GAI_STRERROR: Record<number, string> = {
  [EAI.EAI_BADFLAGS]: 'Bad value for ai_flags',
  [EAI.EAI_NONAME]: 'Name or service not known',
  [EAI.EAI_AGAIN]: 'Temporary failure in name resolution',
  [EAI.EAI_FAIL]: 'Non-recoverable failure in name resolution',
  [EAI.EAI_NODATA]: 'No address associated with hostname',
  [EAI.EAI_FAMILY]: 'ai_family not supported',
  [EAI.EAI_SOCKTYPE]: 'ai_socktype not supported',
  [EAI.EAI_SERVICE]: 'Servname not supported for ai_socktype',
  [EAI.EAI_ADDRFAMILY]: 'Address family for hostname not supported',
  [EAI.EAI_MEMORY]: 'Memory allocation failure',
  [EAI.EAI_SYSTEM]: 'System error',
};

export function gaiStrerror(code: number): string {
  return GAI_STRERROR[code] ?? `Unknown error ${code}`;
}

/**
 * Node reports resolver failures with these codes (`dns.lookup` turns both
 * EAI_NONAME and EAI_NODATA into 'ENOTFOUND').
 */
export const NODE_GAI_CODES: Record<string, number> = {
  ENOTFOUND: EAI.EAI_NONAME,
  EAI_AGAIN: EAI.EAI_AGAIN,
  EAI_FAIL: EAI.EAI_FAIL,
  EAI_NODATA: EAI.EAI_NODATA,
  ENODATA: EAI.EAI_NODATA,
  EAI_FAMILY: EAI.EAI_FAMILY,
  EAI_SERVICE: EAI.EAI_SERVICE,
  EAI_BADFLAGS: EAI.EAI_BADFLAGS,
};
