/**
 * Python's `select.select(rlist, wlist, xlist, timeout=None)` over sslsock
 * sockets, awaited: `const [r, w, x] = await select([sock], [], [], 5)`.
 *
 * Readiness comes from the sockets' own events (../socket/readiness.ts):
 * no polling, and an idle select costs nothing however many sockets it
 * watches. Every subscription and timer is gone once the promise settles.
 * Every call lets Node's event loop turn once (as the system call lets the
 * kernel deliver), so a loop around select() never starves I/O.
 *
 * Deliberate differences from Python:
 * - An SSLSocket whose TLS layer already holds decrypted bytes
 *   (`pending() > 0`) or a whole record counts as readable, so the "drain
 *   recv()/pending() before select" trap of Python's non-blocking notes
 *   cannot lose data here (the advice stays harmless).
 * - Items must be sslsock sockets, or numbers / fileno() objects naming one;
 *   another open descriptor (a pipe, a tty) raises NotImplementedError.
 * - `xlist` reports nothing: TCP urgent (out-of-band) data, the only thing
 *   Linux reports there for a socket, is not visible through node:net.
 */
import { ValueError } from '../socket/errors.js';
import { type Awaited, turnEventLoop, waitAny } from '../socket/readiness.js';
import { checkTimeoutRange } from '../socket/timeout.js';
import { deadlineAfter, remaining } from '../socket/wait.js';
import { selectTarget } from './resolve.js';

/** Python's timeout rules for select.select(): null waits forever, 0 polls. */
export function selectTimeout(timeout: unknown): number | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout !== 'number') throw new TypeError('timeout must be a float or None');
  if (Number.isNaN(timeout)) throw new ValueError('Invalid value NaN (not a number)');
  checkTimeoutRange(timeout);
  if (timeout < 0) throw new ValueError('timeout must be non-negative');
  return timeout;
}

function sequence(list: unknown): unknown[] {
  if (list === null || list === undefined || typeof (list as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError('arguments 1-3 must be sequences');
  }
  return [...(list as Iterable<unknown>)];
}

interface Entry {
  readonly item: unknown;
  readonly awaited: Awaited | null;
}

function entries(list: unknown[], kind: 'readable' | 'writable' | null): Entry[] {
  return list.map((item) => {
    const readiness = selectTarget(item)._readiness();
    if (readiness === null) throw new ValueError('file descriptor cannot be a negative integer (-1)');
    if (kind === null) return { item, awaited: null };
    return { item, awaited: { readiness, ready: kind === 'readable' ? readiness.readable : readiness.writable } };
  });
}

const readyOnes = (list: Entry[]): unknown[] => list.filter((e) => e.awaited?.ready() ?? false).map((e) => e.item);

/**
 * Python's select.select(): resolves `[readable, writable, exceptional]`,
 * each the given items (same objects, same order) that are ready; three
 * empty lists when `timeout` seconds pass first. `timeout` null (or
 * omitted) waits without limit, 0 only looks; negative raises ValueError.
 * With three empty lists it just sleeps for `timeout`.
 */
export async function select(
  rlist: Iterable<unknown>,
  wlist: Iterable<unknown>,
  xlist: Iterable<unknown>,
  timeout: number | null = null,
): Promise<[unknown[], unknown[], unknown[]]> {
  const seconds = selectTimeout(timeout);
  const [r, w, x] = [sequence(rlist), sequence(wlist), sequence(xlist)];
  const reads = entries(r, 'readable');
  const writes = entries(w, 'writable');
  // Resolved for Python's errors (closed socket, bad descriptor); nothing is reported for them.
  entries(x, null);
  const waited = [...reads, ...writes].flatMap((e) => (e.awaited === null ? [] : [e.awaited]));
  const deadline = deadlineAfter(seconds);
  await turnEventLoop();
  for (;;) {
    await waitAny(waited, deadline);
    const result: [unknown[], unknown[], unknown[]] = [readyOnes(reads), readyOnes(writes), []];
    // A change seen and undone before we looked (another task read the data) is no answer: wait on.
    if (result[0].length > 0 || result[1].length > 0 || remaining(deadline) === 0) return result;
  }
}
