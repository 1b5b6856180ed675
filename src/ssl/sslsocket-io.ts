/**
 * The TLS data path of `SSLSocket` (./sslsocket.ts): Python's read() and
 * write() once the socket has a live `SSLObject` and `Pump`. Kept apart
 * from the class so the hot path can be read (and profiled) on its own.
 *
 * Both take the socket's FIFO turn (two reads, or two writes, are served in
 * call order; a read and a write proceed together) and share one deadline
 * for the whole call.
 */
import { TimeoutError, ValueError } from '../socket/errors.js';
import { bytesLike } from '../socket/socket.js';
import { MAX_PLAINTEXT_LENGTH } from '../tls/record.js';
import { SSLError, SSLZeroReturnError, wantReadError, wantWriteError } from './errors.js';
import { SSLErrorNumber } from './constants.js';
import { WANT_READ, type SSLObject, type WantRead } from './sslobject.js';
import type { Pump } from './pump.js';
import { JOB_BYTES, sealOffloadWanted } from './seal-offload.js';
import type { SSLSocketBase } from './sslsocket-base.js';

const EMPTY = Buffer.alloc(0);

/**
 * Python's read(len, buffer): what one TLS record yields (at most `len`);
 * empty after the peer's close_notify, and on a ragged EOF when
 * `suppressRaggedEofs`. With a buffer, the byte count written into it.
 */
export async function readTls(
  sock: SSLSocketBase,
  obj: SSLObject,
  pump: Pump,
  len: number,
  target: ArrayBufferView | null,
): Promise<Buffer | number> {
  if (typeof len !== 'number' || !Number.isInteger(len)) throw new TypeError(`'${typeName(len)}' object cannot be interpreted as an integer`);
  if (target !== null && !ArrayBuffer.isView(target)) {
    throw new TypeError(`read() argument 2 must be read-write bytes-like object, not ${typeName(target)}`);
  }
  // Python's buffer protocol: any typed array or DataView, sized in bytes (memoryview.nbytes), never by len().
  const buffer = target === null ? null : bytesOf(target);
  if (buffer === null && len < 0) throw new ValueError('size should not be negative');
  const n = buffer !== null && (len <= 0 || len > buffer.length) ? buffer.length : len;
  if (n === 0) return buffer !== null ? 0 : Buffer.alloc(0);
  const mode = sock._deadline();
  // A free turn is taken at once (no promise turn); tryAcquire never jumps a queue.
  const release = sock._readTurn.tryAcquire() ?? (mode.nonblocking ? null : await sock._readTurn.acquire(mode.deadline));
  if (release === null) throw mode.nonblocking ? wantReadError() : new TimeoutError('The read operation timed out');
  try {
    const attempt = (): Buffer | WantRead => obj._readOrWant(n);
    const hints = { needsInput: () => obj.pending() === 0, isRead: true };
    // Data already received is decrypted synchronously; only a read that must wait goes through the async loop.
    let data = pump.tryNow(attempt, hints);
    if (data === WANT_READ) data = await pump.run('read', mode, attempt, hints, true);
    if (buffer === null) return data;
    buffer.set(data);
    return data.length;
  } catch (e) {
    if (e instanceof SSLZeroReturnError && obj === sock._sslobj) return buffer !== null ? 0 : Buffer.alloc(0);
    if (e instanceof SSLError && e.errno === SSLErrorNumber.SSL_ERROR_EOF && sock.suppressRaggedEofs) {
      return buffer !== null ? 0 : Buffer.alloc(0);
    }
    throw e;
  } finally {
    release();
  }
}

/**
 * Python's write(data) → bytes written: all of them (blocking or with a
 * timeout, within one deadline). Plaintext is handed to the engine in
 * slices that fill whole 16 KiB records and only when the socket has
 * room, so a large write respects TCP backpressure without buffering the
 * whole ciphertext.
 */
export async function writeTls(sock: SSLSocketBase, obj: SSLObject, pump: Pump, data: Uint8Array): Promise<number> {
  const buf = bytesLike(data);
  const mode = sock._deadline();
  const release = sock._writeTurn.tryAcquire() ?? (mode.nonblocking ? null : await sock._writeTurn.acquire(mode.deadline));
  if (release === null) throw mode.nonblocking ? wantWriteError() : new TimeoutError('The write operation timed out');
  try {
    if (buf.length === 0) return await pump.run('write', mode, () => obj.write(EMPTY));
    let offset = 0;
    // A large blocking write is sealed on the worker, slice by slice, while this thread goes on
    // (./seal-offload.ts); it returns once every slice has been handed to the socket.
    const offload = !mode.nonblocking && sealOffloadWanted(buf.length) && obj.version() === 'TLSv1.3';
    while (offload && offset < buf.length) {
      const n = Math.min(buf.length - offset, JOB_BYTES);
      const r = await pump.sealElsewhere(obj, buf.subarray(offset, offset + n), mode.deadline);
      if (r === 'timeout') throw new TimeoutError('The write operation timed out');
      if (r === 'refused') {
        // A KeyUpdate falls due within these records: they go through write(), which sends it in between.
        const slice = buf.subarray(offset, offset + n);
        const attempt = (): number => obj.write(slice);
        if (pump.tryNow(attempt) === WANT_READ) await pump.run('write', mode, attempt, {}, true);
      }
      offset += n;
    }
    while (offset < buf.length) {
      const space = sock._writeSpace();
      if (space === 0) {
        // A socket that can no longer send says so now (EPIPE, reset, closed).
        sock._writeRaw(EMPTY);
        if (mode.nonblocking) throw wantWriteError();
        if (!(await sock._waitWritableUntil(mode.deadline))) throw new TimeoutError('The write operation timed out');
        continue;
      }
      // Non-blocking: all or nothing, so a retry after SSLWantWriteError never repeats bytes.
      const n = mode.nonblocking
        ? buf.length - offset
        : Math.min(buf.length - offset, Math.ceil(space / MAX_PLAINTEXT_LENGTH) * MAX_PLAINTEXT_LENGTH);
      const slice = buf.subarray(offset, offset + n);
      const attempt = (): number => obj.write(slice);
      // After the handshake a write never waits for input: no promise turn per slice.
      if (pump.tryNow(attempt) === WANT_READ) await pump.run('write', mode, attempt, {}, true);
      offset += n;
    }
    if (offload && !(await pump.settle(mode.deadline))) throw new TimeoutError('The write operation timed out');
    return buf.length;
  } finally {
    release();
  }
}

/** The bytes of a typed array or DataView, by byteLength (a subclass's `length` is never consulted). */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Python's type name of a value, for TypeError texts. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return (v as object).constructor?.name ?? typeof v;
}
