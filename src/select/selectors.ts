/**
 * `sslsock/selectors` — Python's `selectors` module over sslsock sockets:
 * `DefaultSelector` with `register(fileobj, events, data)`, `unregister`,
 * `modify`, `select(timeout)` (awaited) → `[key, events][]`, `getKey`,
 * `getMap`, `close`; `SelectorKey` with `fileobj`, `fd`, `events`, `data`.
 *
 * Level-triggered like Python's EpollSelector (the DefaultSelector on
 * Linux), with its error texts; readiness is select()'s (./select.ts):
 * event-driven, free while idle, and an SSLSocket holding decrypted bytes
 * (`pending() > 0`) counts as readable — a deliberate difference.
 *
 * Other differences, each deliberate:
 * - `modify()` checks `events` (ValueError "Invalid events: 0") before
 *   changing anything, as BaseSelector's documented unregister-then-register
 *   does; EpollSelector in CPython 3.11 stores any value without a check.
 * - A socket whose descriptor libuv has not created yet (a connect still in
 *   progress) may be registered; its key's `fd` is -1.
 * - A registered socket that gets closed is never reported (epoll drops a
 *   closed descriptor the same way) and stays in the map until unregistered.
 */
import { KeyError, RuntimeError, ValueError } from '../socket/errors.js';
import { pyTypeName } from '../socket/address.js';
import { type Awaited, turnEventLoop, waitAny } from '../socket/readiness.js';
import { SocketCore } from '../socket/socket-core.js';
import { deadlineAfter, remaining } from '../socket/wait.js';
import { pyRepr, socketOfDescriptor } from './resolve.js';

/** What a selector watches: a socket (plain or SSL), its descriptor, or an object with fileno(). */
export type FileObject = number | { fileno(): number };

/** Python's `selectors.EVENT_READ`. */
export const EVENT_READ = 1 << 0;
/** Python's `selectors.EVENT_WRITE`. */
export const EVENT_WRITE = 1 << 1;

/** Python's SelectorKey named tuple: what register() returns and select() reports. */
export class SelectorKey<D = unknown> {
  constructor(
    readonly fileobj: FileObject,
    readonly fd: number,
    readonly events: number,
    readonly data: D,
  ) {
    Object.freeze(this);
  }

  toString(): string {
    return `SelectorKey(fileobj=${pyRepr(this.fileobj)}, fd=${this.fd}, events=${this.events}, data=${pyRepr(this.data)})`;
  }
}

/** Python's get_map() view: file objects (or descriptors) to keys; iterates the descriptors. */
export interface SelectorMapping<D = unknown> extends Iterable<number> {
  readonly size: number;
  /** The key of `fileobj`; KeyError "<fileobj> is not registered" if there is none. */
  get(fileobj: FileObject): SelectorKey<D>;
  has(fileobj: FileObject): boolean;
  keys(): IterableIterator<number>;
  values(): IterableIterator<SelectorKey<D>>;
}

/** Python's `selectors.BaseSelector`: the interface, with modify(), getKey() and close() built on the rest. */
export abstract class BaseSelector<D = unknown> {
  abstract register(fileobj: FileObject, events: number, data?: D): SelectorKey<D>;
  abstract unregister(fileobj: FileObject): SelectorKey<D>;
  abstract select(timeout?: number | null): Promise<[SelectorKey<D>, number][]>;
  /** Python: `selectors.BaseSelector.get_map`. */
  abstract getMap(): SelectorMapping<D> | null;

  /** Python's modify(): unregister() then register(), keeping the key if nothing changed. */
  modify(fileobj: FileObject, events: number, data?: D): SelectorKey<D> {
    const key = this.getKey(fileobj);
    if (events === key.events && data === key.data) return key;
    this.unregister(fileobj);
    return this.register(fileobj, events, data);
  }

  close(): void {}

  /** Python's get_key(); RuntimeError once closed, KeyError for an unknown file object. */
  getKey(fileobj: FileObject): SelectorKey<D> {
    const mapping = this.getMap();
    if (mapping === null) throw new RuntimeError('Selector is closed');
    return mapping.get(fileobj);
  }
}

function checkEvents(events: unknown): number {
  if (typeof events !== 'number' || !Number.isInteger(events)) {
    throw new TypeError(`unsupported operand type(s) for &: '${pyTypeName(events)}' and 'int'`);
  }
  if (!events || events & ~(EVENT_READ | EVENT_WRITE)) throw new ValueError(`Invalid events: ${events}`);
  return events;
}

/** Python's `_fileobj_to_fd()`, except that an open sslsock socket without a descriptor yet reads as -1. */
function fileobjToFd(fileobj: unknown): number {
  if (fileobj instanceof SocketCore) {
    if (fileobj._readiness() === null) throw new ValueError('Invalid file descriptor: -1');
    return fileobj.fileno();
  }
  let fd: unknown = fileobj;
  if (typeof fileobj !== 'number') {
    const fileno = (fileobj as { fileno?: unknown } | null)?.fileno;
    fd = typeof fileno === 'function' ? fileno.call(fileobj) : undefined;
  }
  if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new ValueError(`Invalid file object: ${pyRepr(fileobj)}`);
  if (fd < 0) throw new ValueError(`Invalid file descriptor: ${fd}`);
  return fd;
}

interface Registration<D> {
  key: SelectorKey<D>;
  readonly sock: SocketCore;
}

const CLOSED_TEXT = 'I/O operation on closed epoll object';

/** Python's `selectors.DefaultSelector` (EpollSelector on Linux), on sockets' own readiness events. */
export class DefaultSelector<D = unknown> extends BaseSelector<D> {
  /** By file object, in registration order. */
  private readonly byObject = new Map<unknown, Registration<D>>();
  private readonly byFd = new Map<number, Registration<D>>();
  private closed = false;
  private readonly mapping: SelectorMapping<D>;

  constructor() {
    super();
    const sel = this;
    this.mapping = {
      get size() {
        return sel.byObject.size;
      },
      get: (fileobj) => this.lookupOrThrow(fileobj).key,
      has: (fileobj) => this.lookup(fileobj) !== null,
      keys: () => [...this.byObject.values()].map((r) => r.key.fd)[Symbol.iterator](),
      values: () => [...this.byObject.values()].map((r) => r.key)[Symbol.iterator](),
      [Symbol.iterator]: () => this.mapping.keys(),
    };
  }

  /** Python's `_fileobj_lookup` + the key: by identity first (a closed socket still unregisters), then by descriptor. */
  private lookup(fileobj: unknown): Registration<D> | null {
    const mine = this.byObject.get(fileobj);
    if (mine !== undefined) return mine;
    const fd = fileobjToFd(fileobj);
    return fd < 0 ? null : (this.byFd.get(fd) ?? null);
  }

  private lookupOrThrow(fileobj: unknown): Registration<D> {
    const r = this.lookup(fileobj);
    if (r === null) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    return r;
  }

  register(fileobj: FileObject, events: number, data: D = null as D): SelectorKey<D> {
    checkEvents(events);
    const fd = fileobjToFd(fileobj);
    if (this.byObject.has(fileobj) || (fd >= 0 && this.byFd.has(fd))) {
      throw new KeyError(`${pyRepr(fileobj)} (FD ${fd}) is already registered`);
    }
    if (this.closed) throw new ValueError(CLOSED_TEXT);
    const sock = fileobj instanceof SocketCore ? fileobj : socketOfDescriptor(fd);
    const r: Registration<D> = { key: new SelectorKey(fileobj, fd, events, data), sock };
    this.byObject.set(fileobj, r);
    if (fd >= 0) this.byFd.set(fd, r);
    return r.key;
  }

  unregister(fileobj: FileObject): SelectorKey<D> {
    const r = this.lookupOrThrow(fileobj);
    this.byObject.delete(r.key.fileobj);
    if (this.byFd.get(r.key.fd) === r) this.byFd.delete(r.key.fd);
    return r.key;
  }

  override modify(fileobj: FileObject, events: number, data: D = null as D): SelectorKey<D> {
    const r = this.lookupOrThrow(fileobj);
    checkEvents(events);
    if (events !== r.key.events || data !== r.key.data) r.key = new SelectorKey(r.key.fileobj, r.key.fd, events, data);
    return r.key;
  }

  /**
   * Python's select(timeout=None): resolves `[key, events]` for each ready
   * file object (events ⊆ its key's), waiting without limit for null,
   * only looking for timeout ≤ 0, else up to `timeout` seconds.
   */
  async select(timeout: number | null = null): Promise<[SelectorKey<D>, number][]> {
    if (timeout !== null && typeof timeout !== 'number') {
      throw new TypeError(`'<=' not supported between instances of '${pyTypeName(timeout)}' and 'int'`);
    }
    if (timeout !== null && Number.isNaN(timeout)) throw new ValueError('cannot convert float NaN to integer');
    if (this.closed) throw new ValueError(CLOSED_TEXT);
    const deadline = deadlineAfter(timeout === null ? null : Math.max(0, timeout));
    await turnEventLoop();
    for (;;) {
      const watched: Awaited[] = [];
      for (const { key, sock } of this.byObject.values()) {
        const readiness = sock._readiness();
        if (readiness === null) continue;
        const want = key.events;
        watched.push({
          readiness,
          ready: () => ((want & EVENT_READ) !== 0 && readiness.readable()) || ((want & EVENT_WRITE) !== 0 && readiness.writable()),
        });
      }
      await waitAny(watched, deadline);
      const ready = this.readyKeys();
      if (ready.length > 0 || remaining(deadline) === 0 || this.closed) return ready;
    }
  }

  private readyKeys(): [SelectorKey<D>, number][] {
    const out: [SelectorKey<D>, number][] = [];
    for (const { key, sock } of this.byObject.values()) {
      const readiness = sock._readiness();
      if (readiness === null) continue;
      const mask = (key.events & EVENT_READ && readiness.readable() ? EVENT_READ : 0) | (key.events & EVENT_WRITE && readiness.writable() ? EVENT_WRITE : 0);
      if (mask !== 0) out.push([key, mask]);
    }
    return out;
  }

  override close(): void {
    this.closed = true;
    this.byObject.clear();
    this.byFd.clear();
  }

  /** Python: `selectors.DefaultSelector.get_map`. */
  getMap(): SelectorMapping<D> | null {
    return this.closed ? null : this.mapping;
  }
}
export { KeyError, RuntimeError, ValueError } from '../socket/errors.js';
