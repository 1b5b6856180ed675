/**
 * The parts of CPython 3.11's Lib/asyncore.py that test_ssl's
 * AsyncoreEchoServer uses — `poll()`, `loop()`, `dispatcher`,
 * `dispatcher_with_send`, `close_all()` — ported line for line over our
 * select(), with `await` where asyncore blocks or calls a socket.
 *
 * As in asyncore, the map is keyed by descriptor and select() is given
 * descriptors (numbers): our select finds the sslsock socket behind each.
 */
import { ERRNO, EWOULDBLOCK } from '../../src/socket/errno.js';
import * as socket from '../../src/socket/index.js';
import { select } from '../../src/select/index.js';

export type SocketMap = Map<number, Dispatcher>;

/** asyncore's module-level `socket_map`. */
export const socketMap: SocketMap = new Map();

const DISCONNECTED: ReadonlySet<number> = new Set([ERRNO.ECONNRESET, ERRNO.ENOTCONN, ERRNO.ESHUTDOWN, ERRNO.ECONNABORTED, ERRNO.EPIPE, ERRNO.EBADF]);

const sleep = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, seconds * 1000));

async function read(obj: Dispatcher): Promise<void> {
  try {
    await obj.handleReadEvent();
  } catch (e) {
    await obj.handleError(e);
  }
}

async function write(obj: Dispatcher): Promise<void> {
  try {
    await obj.handleWriteEvent();
  } catch (e) {
    await obj.handleError(e);
  }
}

/** asyncore.poll(timeout=0.0, map=None). */
export async function poll(timeout = 0.0, map: SocketMap = socketMap): Promise<void> {
  if (map.size === 0) return;
  const r: number[] = [];
  const w: number[] = [];
  const e: number[] = [];
  for (const [fd, obj] of [...map]) {
    const isR = await obj.readable();
    const isW = obj.writable();
    if (isR) r.push(fd);
    // accepting sockets should not be writable
    if (isW && !obj.accepting) w.push(fd);
    if (isR || isW) e.push(fd);
  }
  if (r.length === 0 && w.length === 0 && e.length === 0) {
    await sleep(timeout);
    return;
  }
  const [rr, ww] = await select(r, w, e, timeout);
  for (const fd of rr as number[]) {
    const obj = map.get(fd);
    if (obj === undefined) continue;
    await read(obj);
  }
  for (const fd of ww as number[]) {
    const obj = map.get(fd);
    if (obj === undefined) continue;
    await write(obj);
  }
}

/** asyncore.loop(timeout=30.0, use_poll=False, map=None, count=None), without use_poll. */
export async function loop(timeout = 30.0, map: SocketMap = socketMap, count: number | null = null): Promise<void> {
  if (count === null) {
    while (map.size > 0) await poll(timeout, map);
  } else {
    while (map.size > 0 && count > 0) {
      await poll(timeout, map);
      count -= 1;
    }
  }
}

/** asyncore.dispatcher. */
export class Dispatcher {
  connected = false;
  accepting = false;
  connecting = false;
  closing = false;
  addr: socket.Address | null = null;
  socket: socket.socket | null = null;
  protected readonly map: SocketMap;
  private fileno: number | null = null;

  constructor(sock: socket.socket | null = null, map: SocketMap = socketMap) {
    this.map = map;
    if (sock !== null) {
      // Set to nonblocking just to make sure for cases where we get a socket from a blocking source.
      sock.setblocking(false);
      this.setSocket(sock);
      this.connected = true;
      // The constructor no longer requires that the socket passed be connected.
      try {
        this.addr = sock.getpeername();
      } catch (err) {
        if (err instanceof socket.OSError && (err.errno === ERRNO.ENOTCONN || err.errno === ERRNO.EINVAL)) {
          // To handle the case where we got an unconnected socket.
          this.connected = false;
        } else {
          // The socket is broken in some unknown way, alert the user and remove it from the map (to prevent polling of broken sockets).
          this.delChannel();
          throw err;
        }
      }
    }
  }

  addChannel(): void {
    this.map.set(this.fileno!, this);
  }

  delChannel(): void {
    const fd = this.fileno;
    if (fd !== null && this.map.get(fd) === this) this.map.delete(fd);
    this.fileno = null;
  }

  setSocket(sock: socket.socket): void {
    this.socket = sock;
    this.fileno = sock.fileno();
    this.addChannel();
  }

  // ── predicates for select() ───────────────────────────────────────────

  async readable(): Promise<boolean> {
    return true;
  }

  writable(): boolean {
    return true;
  }

  // ── socket object methods ─────────────────────────────────────────────

  listen(num: number): void {
    this.accepting = true;
    this.socket!.listen(num);
  }

  async accept(): Promise<[socket.socket, socket.Address] | null> {
    // XXX can return either an address pair or None
    try {
      return await this.socket!.accept();
    } catch (why) {
      if (why instanceof socket.OSError && ([EWOULDBLOCK, ERRNO.ECONNABORTED, ERRNO.EAGAIN] as number[]).includes(why.errno!)) return null;
      throw why;
    }
  }

  async send(data: Buffer): Promise<number> {
    try {
      return await this.socket!.send(data);
    } catch (why) {
      if (why instanceof socket.OSError && why.errno === EWOULDBLOCK) return 0;
      if (why instanceof socket.OSError && DISCONNECTED.has(why.errno!)) {
        await this.handleClose();
        return 0;
      }
      throw why;
    }
  }

  async recv(bufferSize: number): Promise<Buffer> {
    try {
      const data = await this.socket!.recv(bufferSize);
      if (data.length === 0) {
        // a closed connection is indicated by signaling a read condition, and having recv() return 0.
        await this.handleClose();
        return Buffer.alloc(0);
      }
      return data;
    } catch (why) {
      // winsock sometimes raises ENOTCONN
      if (why instanceof socket.OSError && DISCONNECTED.has(why.errno!)) {
        await this.handleClose();
        return Buffer.alloc(0);
      }
      throw why;
    }
  }

  close(): void {
    this.connected = false;
    this.accepting = false;
    this.connecting = false;
    this.delChannel();
    this.socket?.close();
  }

  // ── events ────────────────────────────────────────────────────────────

  async handleReadEvent(): Promise<void> {
    if (this.accepting) {
      // accepting sockets are never connected, they "spawn" new sockets that are connected
      await this.handleAccept();
    } else {
      await this.handleRead();
    }
  }

  async handleWriteEvent(): Promise<void> {
    if (this.accepting) {
      // Accepting sockets shouldn't get a write event. We will pretend it didn't happen.
      return;
    }
    await this.handleWrite();
  }

  async handleError(e: unknown): Promise<void> {
    void e;
    await this.handleClose();
  }

  async handleRead(): Promise<void> {}

  async handleWrite(): Promise<void> {}

  async handleAccept(): Promise<void> {
    const pair = await this.accept();
    if (pair !== null) await this.handleAccepted(...pair);
  }

  async handleAccepted(sock: socket.socket, _addr: socket.Address): Promise<void> {
    sock.close();
  }

  async handleClose(): Promise<void> {
    this.close();
  }
}

/** asyncore.dispatcher_with_send: adds simple buffered output capability. */
export class DispatcherWithSend extends Dispatcher {
  outBuffer: Buffer = Buffer.alloc(0);

  async initiateSend(): Promise<void> {
    const numSent = await super.send(this.outBuffer.subarray(0, 65536));
    this.outBuffer = this.outBuffer.subarray(numSent);
  }

  override async handleWrite(): Promise<void> {
    await this.initiateSend();
  }

  override writable(): boolean {
    return !this.connected || this.outBuffer.length > 0;
  }

  override async send(data: Buffer): Promise<number> {
    this.outBuffer = Buffer.concat([this.outBuffer, data]);
    await this.initiateSend();
    return data.length;
  }
}

/** asyncore.close_all(map=None, ignore_all=False). */
export function closeAll(map: SocketMap = socketMap): void {
  for (const x of [...map.values()]) x.close();
  map.clear();
}
