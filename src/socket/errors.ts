/**
 * Python's built-in exception classes that the socket and ssl modules raise,
 * with Python's names, hierarchy and `str(e)` text as `message`.
 *
 * `new OSError(111, 'Connection refused')` returns a `ConnectionRefusedError`,
 * exactly as Python's OSError constructor picks the subclass from the errno
 * (PEP 3151). Both `sslsock` and `sslsock/socket` export these classes.
 */
import { ERRNO, EAI, NODE_GAI_CODES, errnoOfCode, gaiStrerror, strerror } from './errno.js';

function setName(cls: { prototype: object }, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** Python's `repr()` of a str, good enough for file names in messages. */
function pyRepr(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Python's OSError: `errno`, `strerror` and `filename` are null unless
 * given; `message` is Python's `str(e)` (`[Errno 111] Connection refused`
 * when errno and strerror are both given, else the single argument).
 */
export class OSError extends Error {
  errno: number | null = null;
  strerror: string | null = null;
  filename: string | null = null;
  /** Python's `e.args`. */
  args: unknown[] = [];

  constructor(...args: unknown[]) {
    super();
    // PEP 3151: OSError(errno, strerror) builds the subclass named by errno.
    if (new.target === OSError && args.length >= 2 && typeof args[0] === 'number') {
      const cls = classForErrno(args[0]);
      if (cls !== OSError) return new cls(...args);
    }
    this.args = args;
    if (args.length >= 2 && args.length <= 5) {
      this.errno = typeof args[0] === 'number' ? args[0] : null;
      this.strerror = args[1] == null ? null : String(args[1]);
      this.filename = args.length >= 3 && args[2] != null ? String(args[2]) : null;
      this.args = args.slice(0, 2);
      const head = `[Errno ${String(args[0])}] ${String(args[1])}`;
      this.message = this.filename === null ? head : `${head}: ${pyRepr(this.filename)}`;
    } else if (args.length === 1) {
      this.message = String(args[0]);
    } else if (args.length > 0) {
      this.message = `(${args.map((a) => (typeof a === 'string' ? pyRepr(a) : String(a))).join(', ')})`;
    }
  }

  /** The right subclass for a Linux errno, with glibc's text (sslsock only: Python's constructor does this when given an errno). */
  static fromErrno(errno: number, text: string = strerror(errno)): OSError {
    return new OSError(errno, text);
  }
}
setName(OSError, 'OSError');

export class BlockingIOError extends OSError {}
setName(BlockingIOError, 'BlockingIOError');
export class InterruptedError extends OSError {}
setName(InterruptedError, 'InterruptedError');
export class FileNotFoundError extends OSError {}
setName(FileNotFoundError, 'FileNotFoundError');
export class FileExistsError extends OSError {}
setName(FileExistsError, 'FileExistsError');
export class IsADirectoryError extends OSError {}
setName(IsADirectoryError, 'IsADirectoryError');
export class NotADirectoryError extends OSError {}
setName(NotADirectoryError, 'NotADirectoryError');
export class PermissionError extends OSError {}
setName(PermissionError, 'PermissionError');
/** Python's TimeoutError; `socket.timeout` is the same class (3.10+). */
export class TimeoutError extends OSError {}
setName(TimeoutError, 'TimeoutError');
export class ConnectionError extends OSError {}
setName(ConnectionError, 'ConnectionError');
export class BrokenPipeError extends ConnectionError {}
setName(BrokenPipeError, 'BrokenPipeError');
export class ConnectionAbortedError extends ConnectionError {}
setName(ConnectionAbortedError, 'ConnectionAbortedError');
export class ConnectionRefusedError extends ConnectionError {}
setName(ConnectionRefusedError, 'ConnectionRefusedError');
export class ConnectionResetError extends ConnectionError {}
setName(ConnectionResetError, 'ConnectionResetError');

/** `socket.gaierror`: a getaddrinfo() failure, errno is a negative EAI_* code. */
export class gaierror extends OSError {}
setName(gaierror, 'gaierror');
/** `socket.herror`: a gethostbyaddr()-style failure. */
export class herror extends OSError {}
setName(herror, 'herror');

export class ValueError extends Error {}
setName(ValueError, 'ValueError');
export class NotImplementedError extends Error {}
setName(NotImplementedError, 'NotImplementedError');
/** Python raises OverflowError for ports outside 0-65535. */
export class OverflowError extends Error {}
setName(OverflowError, 'OverflowError');
/** Python's KeyError (selectors: a file object not registered, or registered twice). */
export class KeyError extends Error {}
setName(KeyError, 'KeyError');
/** Python's RuntimeError (selectors: "Selector is closed"). */
export class RuntimeError extends Error {}
setName(RuntimeError, 'RuntimeError');

type OSErrorClass = new (...args: unknown[]) => OSError;

/** PEP 3151's errno → subclass table (Python's `Objects/exceptions.c`). */
function classForErrno(errno: number): OSErrorClass {
  switch (errno) {
    case ERRNO.EAGAIN:
    case ERRNO.EALREADY:
    case ERRNO.EINPROGRESS:
      return BlockingIOError;
    case ERRNO.EPIPE:
    case ERRNO.ESHUTDOWN:
      return BrokenPipeError;
    case ERRNO.ECONNABORTED:
      return ConnectionAbortedError;
    case ERRNO.ECONNREFUSED:
      return ConnectionRefusedError;
    case ERRNO.ECONNRESET:
      return ConnectionResetError;
    case ERRNO.EEXIST:
      return FileExistsError;
    case ERRNO.ENOENT:
      return FileNotFoundError;
    case ERRNO.EINTR:
      return InterruptedError;
    case ERRNO.EISDIR:
      return IsADirectoryError;
    case ERRNO.ENOTDIR:
      return NotADirectoryError;
    case ERRNO.EACCES:
    case ERRNO.EPERM:
      return PermissionError;
    case ERRNO.ETIMEDOUT:
      return TimeoutError;
    default:
      return OSError;
  }
}

/** An OSError subclass for a Linux errno by name: `oserror('EBADF')`. */
export function oserror(name: keyof typeof ERRNO, text?: string): OSError {
  return OSError.fromErrno(ERRNO[name], text);
}

/** Python's `socket.timeout('timed out')`. */
export function timedOut(text = 'timed out'): TimeoutError {
  return new TimeoutError(text);
}

interface NodeSystemError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

/**
 * Turn an error from node:net / node:dns / node:fs into Python's exception:
 * resolver failures become `gaierror`, system errors the OSError subclass
 * for their errno (`ECONNREFUSED` → ConnectionRefusedError, errno 111,
 * "Connection refused"). Errors that are already ours pass through.
 * sslsock only: Python has no Node errors to convert.
 */
export function fromNodeError(err: unknown): Error {
  if (err instanceof OSError || err instanceof ValueError || err instanceof TypeError) return err;
  const e = (err ?? {}) as NodeSystemError;
  const code = typeof e.code === 'string' ? e.code : null;
  if (code !== null) {
    const gai = NODE_GAI_CODES[code];
    if (gai !== undefined) return new gaierror(gai, gaiStrerror(gai));
    const errno = errnoOfCode(code);
    if (errno !== null) return OSError.fromErrno(errno);
  }
  if (typeof e.errno === 'number' && e.errno < 0) {
    // libuv reports -errno; trust its number when the code is unfamiliar.
    return OSError.fromErrno(-e.errno, typeof e.message === 'string' ? e.message : strerror(-e.errno));
  }
  return new OSError(typeof e.message === 'string' ? e.message : String(err));
}

export { EAI };
