/**
 * Waiting with deadlines: the building blocks behind blocking, timeout and
 * non-blocking modes.
 *
 * A deadline is an absolute time in `performance.now()` milliseconds, or
 * null for "wait forever". Timers are cleared as soon as a wait ends so that
 * a finished operation never keeps the process alive.
 */
import { performance } from 'node:perf_hooks';

export type Deadline = number | null;

const MS_PER_SECOND = 1000;

/** The deadline for an operation started now under `timeout` seconds (null = none). */
export function deadlineAfter(timeout: number | null): Deadline {
  return timeout === null ? null : performance.now() + timeout * MS_PER_SECOND;
}

/** Milliseconds left until `deadline` (0 once passed), or null for no deadline. */
export function remaining(deadline: Deadline): number | null {
  return deadline === null ? null : Math.max(0, deadline - performance.now());
}

/** The cancel function of a wait without deadline: nothing to cancel, nothing allocated. */
const NEVER = (): void => undefined;

/** setTimeout's longest delay; longer waits re-arm (node would otherwise fire after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` once when `deadline` passes (never for a null deadline); the
 * returned function cancels it. Deadlines further away than setTimeout can
 * reach (about 24.8 days; `settimeout(1e7)` is legal) re-arm instead of
 * firing early.
 */
export function onDeadline(deadline: Deadline, fn: () => void): () => void {
  if (deadline === null) return NEVER;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = (): void => {
    const ms = remaining(deadline);
    if (ms === null) return;
    if (ms === 0) {
      timer = null;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(ms, MAX_TIMER_MS));
  };
  arm();
  return () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}

const READY: Promise<boolean> = Promise.resolve(true);

/**
 * A condition variable: waiters sleep until `notifyAll()` or their deadline.
 * Callers re-check their own predicate after waking.
 */
export class Condition {
  /**
   * Null while nobody waits (an idle socket holds nothing); the one waiter
   * itself in the usual case of one (no Set made and dropped per wait); a
   * Set of them for two or more.
   */
  private waiters: Set<() => void> | (() => void) | null = null;

  /** Resolves true when notified, false when the deadline passed first. */
  wait(deadline: Deadline): Promise<boolean> {
    return this.sleep(null, deadline);
  }

  /**
   * Resolves true once `ready()` holds — at once if it already does, else
   * checked on every notifyAll() — or false when the deadline passes first:
   * a `while (!ready()) await wait(deadline)` loop with one promise however
   * often the condition is notified in between.
   */
  waitFor(ready: () => boolean, deadline: Deadline): Promise<boolean> {
    return ready() ? READY : this.sleep(ready, deadline);
  }

  /** Sleeps until a notifyAll() after which `ready` (if any) holds, or the deadline. */
  private sleep(ready: (() => boolean) | null, deadline: Deadline): Promise<boolean> {
    return new Promise((resolve) => {
      if (remaining(deadline) === 0) {
        resolve(false);
        return;
      }
      const wake = (): void => {
        if (ready !== null && !ready()) return;
        cancel();
        this.remove(wake);
        resolve(true);
      };
      this.add(wake);
      const cancel = onDeadline(deadline, () => {
        this.remove(wake);
        resolve(false);
      });
    });
  }

  /**
   * Calls `fn` on every notifyAll() until the returned function is called:
   * how select() watches many sockets at once without a waiter per wake-up.
   */
  subscribe(fn: () => void): () => void {
    const listener = (): void => fn();
    this.add(listener);
    return () => this.remove(listener);
  }

  /** Waiters and subscribers now registered (0 once every wait has ended). */
  get waiting(): number {
    const w = this.waiters;
    return w === null ? 0 : typeof w === 'function' ? 1 : w.size;
  }

  /** Wakes everyone registered now (not those a wake-up registers). */
  notifyAll(): void {
    const w = this.waiters;
    if (w === null) return;
    if (typeof w === 'function') w();
    else for (const wake of [...w]) wake();
  }

  private add(fn: () => void): void {
    const w = this.waiters;
    if (w === null) this.waiters = fn;
    else if (typeof w === 'function') this.waiters = w === fn ? w : new Set([w, fn]);
    else w.add(fn);
  }

  private remove(fn: () => void): void {
    const w = this.waiters;
    if (w === fn) this.waiters = null;
    else if (w !== null && typeof w !== 'function' && w.delete(fn) && w.size === 0) this.waiters = null;
  }
}

/**
 * A first-come, first-served lock: concurrent reads (or writes) on one socket
 * are served in call order, as the design's concurrency contract requires.
 */
export class Turnstile {
  private held = false;
  /** Waiting acquirers, oldest first; null while there are none (the usual case: no array per idle socket). */
  private queue: Array<{ grant: () => void }> | null = null;

  get busy(): boolean {
    return this.held;
  }

  /** Take the lock now if free (non-blocking callers), else null. */
  tryAcquire(): (() => void) | null {
    if (this.held) return null;
    this.held = true;
    return this.releaser();
  }

  /** Wait for the lock; resolves null if the deadline passes first. */
  acquire(deadline: Deadline): Promise<(() => void) | null> {
    const now = this.tryAcquire();
    if (now !== null) return Promise.resolve(now);
    return new Promise((resolve) => {
      const entry = {
        grant: (): void => {
          cancel();
          resolve(this.releaser());
        },
      };
      (this.queue ??= []).push(entry);
      const cancel = onDeadline(deadline, () => {
        const i = this.queue?.indexOf(entry) ?? -1;
        if (i >= 0) this.queue!.splice(i, 1);
        if (this.queue?.length === 0) this.queue = null;
        resolve(null);
      });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue?.shift();
      if (this.queue?.length === 0) this.queue = null;
      if (next === undefined) this.held = false;
      else next.grant();
    };
  }
}
