/**
 * From what select() and the selectors are given — a socket (plain or SSL),
 * a descriptor number, or any object with fileno() — to the socket object
 * whose readiness can be watched, with Python's errors on the way.
 *
 * Node gives no way to watch an arbitrary descriptor without a handle of
 * its own, so a number (or fileno()) must belong to a socket of this
 * process (sslsock's socket or SSLSocket, found by its descriptor); a
 * descriptor that is open but no socket of ours (a pipe, a tty) raises
 * NotImplementedError rather than being watched badly.
 */
import { fstatSync } from 'node:fs';
import { ERRNO } from '../socket/errno.js';
import { NotImplementedError, OSError, ValueError } from '../socket/errors.js';
import { SocketCore, socketForFd } from '../socket/socket-core.js';

/** Python's `repr()` of a file object, for error texts. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || v === undefined) return 'None';
  const s = String(v);
  return s === '[object Object]' ? `<${(v as object).constructor?.name ?? 'object'} object>` : s;
}

/**
 * select()'s reading of one list item (Python's `PyObject_AsFileDescriptor`):
 * the socket object it is or names.
 */
export function selectTarget(item: unknown): SocketCore {
  // A socket object is taken as it is: libuv creates descriptors lazily, so an
  // open socket may have none yet (a connect in progress); a closed one has -1.
  if (item instanceof SocketCore) return item;
  const fd = descriptorOf(item);
  if (fd < 0) throw new ValueError(`file descriptor cannot be a negative integer (${fd})`);
  return socketOfDescriptor(fd);
}

function descriptorOf(item: unknown): number {
  if (typeof item === 'number' && Number.isInteger(item)) return item;
  const fileno = (item as { fileno?: unknown } | null)?.fileno;
  if (typeof item === 'object' && item !== null && typeof fileno === 'function') {
    const fd: unknown = fileno.call(item);
    if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new TypeError('fileno() returned a non-integer');
    return fd;
  }
  throw new TypeError('argument must be an int, or have a fileno() method.');
}

/** The socket object with descriptor `fd`: EBADF if nothing is open there, NotImplementedError if it is not a socket of ours. */
export function socketOfDescriptor(fd: number): SocketCore {
  const sock = socketForFd(fd);
  if (sock !== null) return sock;
  try {
    fstatSync(fd);
  } catch {
    throw OSError.fromErrno(ERRNO.EBADF);
  }
  throw new NotImplementedError(
    `descriptor ${fd} is not an sslsock socket: Node cannot watch a descriptor it has no handle for, so select() and the selectors wait on sslsock sockets only`,
  );
}
