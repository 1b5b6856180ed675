/**
 * Python's `socket.makefile()`: a buffered file object over a socket.
 * Binary modes ('rb', 'wb', 'rwb') read and write Buffers; text modes ('r',
 * 'w', 'rw') decode and encode with `encoding` (default UTF-8) and Python's
 * universal newlines on reading when `newline` is null. Everything that may
 * wait returns a Promise; the socket's timeout applies to each operation,
 * and after a timeout the file refuses further reads, as Python's SocketIO
 * does ("cannot read from timed out object").
 */
import { TextDecoder } from 'node:util';
import { DEFAULT_BUFFER_SIZE } from './limits.js';
import { OSError, TimeoutError, ValueError } from './errors.js';
import { bytesLike } from './socket.js';
import type { socket } from './socket.js';

export interface MakefileOptions {
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

const NEWLINE = 0x0a;
const TEXT_ENCODINGS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'latin-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  ascii: 'ascii',
  'us-ascii': 'ascii',
  'utf-16-le': 'utf16le',
  'utf-16le': 'utf16le',
};

/** What a file reads and writes: Buffer in binary modes, string in text modes. */
export type FileData = Buffer | string;

/**
 * What `makefile()` returns: the file object over a socket. sslsock only as
 * a class: Python's makefile() builds it from `io` classes over
 * `socket.SocketIO`; its methods are the io file methods of Python's.
 */
export class SocketFile<T extends FileData = FileData> {
  readonly mode: string;
  private readonly reading: boolean;
  private readonly writing: boolean;
  private readonly binary: boolean;
  private readonly bufferSize: number;
  private _closed = false;
  private timedOut = false;
  /** Bytes received and not yet returned (binary), or decoded text not yet returned (text). */
  private rbuf: Buffer = Buffer.alloc(0);
  private tbuf = '';
  private pendingCR = false;
  private wbuf: Buffer[] = [];
  private wlen = 0;
  private readonly decoder: TextDecoder | null;
  private readonly nodeEncoding: BufferEncoding;
  private readonly translate: boolean;

  constructor(
    private readonly sock: socket,
    mode: string,
    buffering: number | null,
    options: MakefileOptions,
  ) {
    if (typeof mode !== 'string' || [...mode].some((c) => c !== 'r' && c !== 'w' && c !== 'b')) {
      throw new ValueError(`invalid mode '${String(mode)}' (only r, w, b allowed)`);
    }
    this.writing = mode.includes('w');
    this.reading = mode.includes('r') || !this.writing;
    this.binary = mode.includes('b');
    this.mode = mode;
    const size = buffering === null || buffering < 0 ? DEFAULT_BUFFER_SIZE : buffering;
    if (size === 0 && !this.binary) throw new ValueError('unbuffered streams must be binary');
    this.bufferSize = size;
    const encoding = (options.encoding ?? 'utf-8').toLowerCase();
    if (!this.binary) {
      const enc = TEXT_ENCODINGS[encoding];
      if (enc === undefined) throw new ValueError(`unknown encoding: ${encoding}`);
      this.nodeEncoding = enc;
      const errors = options.errors ?? 'strict';
      this.decoder = new TextDecoder(encoding === 'latin-1' ? 'latin1' : encoding, { fatal: errors === 'strict' });
    } else {
      this.nodeEncoding = 'utf8';
      this.decoder = null;
    }
    this.translate = options.newline === null || options.newline === undefined;
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Python's `name`: the socket's descriptor. */
  get name(): number {
    return this.sock.fileno();
  }

  fileno(): number {
    return this.sock.fileno();
  }

  readable(): boolean {
    this.checkClosed();
    return this.reading;
  }

  writable(): boolean {
    this.checkClosed();
    return this.writing;
  }

  private checkClosed(): void {
    if (this._closed) throw new ValueError('I/O operation on closed file.');
  }

  private checkReadable(): void {
    this.checkClosed();
    if (!this.reading) throw new OSError('File not open for reading');
    if (this.timedOut) throw new OSError('cannot read from timed out object');
  }

  /** One recv() into our buffer; false at EOF. */
  private async fill(want: number): Promise<boolean> {
    let chunk: Buffer;
    try {
      chunk = await this.sock.recv(Math.max(want, this.bufferSize, 1));
    } catch (e) {
      if (e instanceof TimeoutError) this.timedOut = true;
      throw e;
    }
    if (chunk.length === 0) {
      if (this.decoder !== null) this.appendText(this.decoder.decode(), true);
      return false;
    }
    if (this.decoder === null) this.rbuf = this.rbuf.length === 0 ? chunk : Buffer.concat([this.rbuf, chunk]);
    else this.appendText(this.decode(chunk), false);
    return true;
  }

  private decode(chunk: Buffer): string {
    try {
      return this.decoder!.decode(chunk, { stream: true });
    } catch (e) {
      throw new ValueError(`can't decode bytes from the socket: ${(e as Error).message}`);
    }
  }

  /** Python's universal newlines: '\r\n' and '\r' read as '\n' (a trailing '\r' waits for the next chunk). */
  private appendText(text: string, final: boolean): void {
    if (!this.translate) {
      this.tbuf += text;
      return;
    }
    let t = (this.pendingCR ? '\r' : '') + text;
    this.pendingCR = !final && t.endsWith('\r');
    if (this.pendingCR) t = t.slice(0, -1);
    this.tbuf += t.replace(/\r\n?/g, '\n');
  }

  private get buffered(): number {
    return this.decoder === null ? this.rbuf.length : this.tbuf.length;
  }

  private takeBytes(n: number): Buffer {
    const out = this.rbuf.subarray(0, n);
    this.rbuf = this.rbuf.subarray(n);
    return Buffer.from(out);
  }

  private takeText(n: number): string {
    const out = this.tbuf.slice(0, n);
    this.tbuf = this.tbuf.slice(n);
    return out;
  }

  private taken(n: number): T {
    return (this.decoder === null ? this.takeBytes(n) : this.takeText(n)) as T;
  }

  /** Python's read(size = -1): up to size bytes (characters in text mode), or to EOF. */
  async read(size = -1): Promise<T> {
    this.checkReadable();
    const all = size === null || size < 0;
    while (all || this.buffered < size) {
      if (!(await this.fill(all ? this.bufferSize : size - this.buffered))) break;
    }
    const n = all ? this.buffered : Math.min(size, this.buffered);
    return this.taken(n);
  }

  /** Python's read1(size): at most one recv() when the buffer is empty (binary). */
  async read1(size = -1): Promise<Buffer> {
    this.checkReadable();
    if (this.decoder !== null) throw new OSError('read1() is for binary files');
    if (this.rbuf.length === 0) await this.fill(size < 0 ? this.bufferSize : size);
    return this.takeBytes(size < 0 ? this.rbuf.length : Math.min(size, this.rbuf.length));
  }

  /** Python's readline(limit = -1): through the next newline, or to EOF/limit. */
  async readline(limit = -1): Promise<T> {
    this.checkReadable();
    for (;;) {
      const idx = this.decoder === null ? this.rbuf.indexOf(NEWLINE) : this.tbuf.indexOf('\n');
      const end = idx >= 0 ? idx + 1 : -1;
      if (end >= 0 && (limit < 0 || end <= limit)) return this.taken(end);
      if (limit >= 0 && this.buffered >= limit) break;
      if (!(await this.fill(this.bufferSize))) break;
    }
    const n = limit >= 0 ? Math.min(limit, this.buffered) : this.buffered;
    return this.taken(n);
  }

  /** Python's readlines(): every remaining line. */
  async readlines(): Promise<T[]> {
    const lines: T[] = [];
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
    }
  }

  /** Python's readinto(b) (binary): fills b until it is full or EOF; returns the count. */
  async readinto(b: Uint8Array): Promise<number> {
    this.checkReadable();
    if (this.decoder !== null) throw new OSError('readinto() is for binary files');
    while (this.rbuf.length < b.length) if (!(await this.fill(b.length - this.rbuf.length))) break;
    const data = this.takeBytes(Math.min(b.length, this.rbuf.length));
    b.set(data, 0);
    return data.length;
  }

  /** Python's write(): buffers, sending once the buffer is full; returns bytes (characters) taken. */
  async write(data: T extends string ? string : Uint8Array): Promise<number> {
    this.checkClosed();
    if (!this.writing) throw new OSError('File not open for writing');
    let bytes: Buffer;
    if (this.decoder === null) {
      bytes = Buffer.from(bytesLike(data));
    } else {
      if (typeof data !== 'string') throw new TypeError(`write() argument must be str, not ${data?.constructor?.name ?? typeof data}`);
      bytes = Buffer.from(data, this.nodeEncoding);
    }
    this.wbuf.push(bytes);
    this.wlen += bytes.length;
    if (this.wlen >= this.bufferSize) await this.flush();
    return this.decoder === null ? bytes.length : (data as string).length;
  }

  /** Python's flush(): everything written goes to the socket (sendall). */
  async flush(): Promise<void> {
    this.checkClosed();
    if (this.wlen === 0) return;
    const out = Buffer.concat(this.wbuf);
    this.wbuf = [];
    this.wlen = 0;
    await this.sock.sendall(out);
  }

  /** Python's close(): flushes, then releases this file's hold on the socket. */
  async close(): Promise<void> {
    if (this._closed) return;
    try {
      if (this.writing && this.wlen > 0) await this.flush();
    } finally {
      this._closed = true;
      this.sock._decrefSocketios();
    }
  }
}
