/**
 * Readiness: what `select()` asks of a socket, without polling.
 *
 * A socket answers "would a read / a write wait now?" synchronously and lets
 * a waiter subscribe to the moments the answer may change (data, EOF, an
 * error, a finished connect, an accepted connection, 'drain', close). Those
 * moments already wake the socket's own blocked calls (./transport.ts), so
 * a select() over a thousand idle sockets costs one subscription each and
 * nothing while it waits.
 *
 * The socket layer defines the interface; layers above refine it by
 * overriding `socket._readiness()` (SSLSocket adds the bytes its TLS layer
 * already holds), so select works on them without this layer knowing them.
 */
import { type Deadline, onDeadline, remaining } from './wait.js';

export interface Readiness {
  /** A read (recv, accept) would not wait: data, EOF, an error, or a pending connection. */
  readable(): boolean;
  /** A write (send, or learning that a connect finished) would not wait. */
  writable(): boolean;
  /** Calls `onChange` whenever either answer may have changed, until the returned function is called. */
  watch(onChange: () => void): () => void;
}

/** One thing a waiter waits for: `ready()` over the socket whose changes `readiness` reports. */
export interface Awaited {
  readonly readiness: Readiness;
  ready(): boolean;
}

/**
 * Lets Node's event loop turn once, so I/O callbacks run: what a select()
 * system call gives the kernel. A loop around select() that always finds
 * something ready (a writable socket, say) would otherwise run on
 * microtasks alone and starve the very I/O it waits for.
 */
export function turnEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves true as soon as one of `items` is ready (at once if one already
 * is), false when `deadline` passes first. Each item is re-checked only when
 * its own socket reports a change; every subscription and the timer are
 * gone by the time the promise settles.
 */
export function waitAny(items: readonly Awaited[], deadline: Deadline): Promise<boolean> {
  if (items.some((i) => i.ready())) return Promise.resolve(true);
  if (remaining(deadline) === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stops: (() => void)[] = [];
    let done = false;
    const finish = (result: boolean): void => {
      if (done) return;
      done = true;
      for (const stop of stops) stop();
      resolve(result);
    };
    for (const item of items) {
      stops.push(
        item.readiness.watch(() => {
          if (!done && item.ready()) finish(true);
        }),
      );
    }
    stops.push(onDeadline(deadline, () => finish(false)));
  });
}
