/**
 * A port of CPython's `ThreadedEchoServer` (Lib/test/test_ssl.py) on our
 * SSLSocket, speaking its command protocol (python-test-ssl.md §1), so that
 * CPython's client tests translate one to one:
 *
 *   empty (EOF)  unwrap() (errors ignored) and close   over      close (no unwrap)
 *   STARTTLS     OK, then wrap (starttlsServer)         ENDTLS    OK, then unwrap
 *   CB tls-unique  repr of the channel binding          HASCERT   TRUE / FALSE
 *   GETCERT      the peer certificate (JSON)            VERIFIEDCHAIN / UNVERIFIEDCHAIN  one byte: length
 *   PHA          verifyClientPostHandshake() → OK or the error
 *   anything else: echoed lower-cased (ASCII only, as bytes.lower())
 *
 * Two additions for bulk tests (also in test/helpers/python/ssl_echo_server.py):
 *   SHA <n>      read n bytes, reply their SHA-256 in hex and a newline
 *   SEND <n>     send n bytes of payload(i) = (i * 7 + 3) % 256
 *
 * Connections are served one at a time, as in CPython. Errors while
 * wrapping are recorded (as strings) in `connErrors`, like `conn_errors`.
 */
import { createHash } from 'node:crypto';
import * as socket from '../../src/socket/index.js';
import { SSLContext } from '../../src/ssl/context.js';
import { SSLSocket } from '../../src/ssl/sslsocket.js';

export interface EchoServerOptions {
  context: SSLContext;
  /** Start in cleartext and switch on STARTTLS / ENDTLS. */
  starttlsServer?: boolean;
}

/** Python's repr() of bytes (double quotes when the bytes hold ' and no "). */
export function pyBytesRepr(b: Uint8Array | null): string {
  if (b === null) return 'None';
  const quote = b.includes(0x27) && !b.includes(0x22) ? 0x22 : 0x27;
  let s = `b${String.fromCharCode(quote)}`;
  for (const c of b) {
    if (c === 0x5c) s += '\\\\';
    else if (c === quote) s += `\\${String.fromCharCode(quote)}`;
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s + String.fromCharCode(quote);
}

/** The bulk payload both echo servers and the Python client agree on. */
export function echoPayload(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) % 256;
  return b;
}

/** Python's bytes.lower(): ASCII letters only. */
function asciiLower(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = 0; i < out.length; i++) if (out[i]! >= 0x41 && out[i]! <= 0x5a) out[i]! += 0x20;
  return out;
}

/** Python's bytes.strip() (ASCII whitespace). */
function strip(b: Buffer): string {
  return b.toString('latin1').replace(/^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g, '');
}

export class EchoServer {
  readonly context: SSLContext;
  readonly starttlsServer: boolean;
  readonly connErrors: string[] = [];
  readonly selectedAlpnProtocols: (string | null)[] = [];
  readonly sharedCiphers: ([string, string, number][] | null)[] = [];
  /** Errors a handler met after the handshake (CPython prints them when chatty). */
  readonly handlerErrors: unknown[] = [];
  private listener: socket.socket | null = null;
  private loop: Promise<void> | null = null;
  private current: ConnectionHandler | null = null;
  private stopped = false;

  constructor(options: EchoServerOptions) {
    this.context = options.context;
    this.starttlsServer = options.starttlsServer ?? false;
  }

  static async start(options: EchoServerOptions): Promise<EchoServer> {
    const server = new EchoServer(options);
    server.listener = await socket.createServer(['127.0.0.1', 0]);
    server.loop = server.serve();
    return server;
  }

  get port(): number {
    return this.listener!.getsockname()[1] as number;
  }

  get address(): [string, number] {
    return ['127.0.0.1', this.port];
  }

  private async serve(): Promise<void> {
    while (!this.stopped) {
      let conn: socket.socket;
      try {
        [conn] = await this.listener!.accept();
      } catch {
        return; // listener closed
      }
      const handler = new ConnectionHandler(this, conn);
      this.current = handler;
      try {
        await handler.run();
      } catch (e) {
        this.handlerErrors.push(e);
      } finally {
        this.current = null;
      }
    }
  }

  /** Stop accepting, drop the connection being served, and wait for the loop to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.listener?.close();
    this.current?.close();
    await this.loop;
  }
}

class ConnectionHandler {
  private sslconn: SSLSocket | null = null;

  constructor(
    private readonly server: EchoServer,
    private sock: socket.socket,
  ) {}

  private async wrapConn(): Promise<boolean> {
    try {
      this.sslconn = (await this.server.context.wrapSocket(this.sock, { serverSide: true })) as SSLSocket;
      this.server.selectedAlpnProtocols.push(this.sslconn.selectedAlpnProtocol());
    } catch (e) {
      this.server.connErrors.push(e instanceof Error ? e.message : String(e));
      this.sock.close();
      return false;
    }
    this.server.sharedCiphers.push(this.sslconn.sharedCiphers());
    return true;
  }

  private read(): Promise<Buffer> {
    return this.sslconn !== null ? this.sslconn.read() : this.sock.recv(1024);
  }

  private async readExactly(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const d = this.sslconn !== null ? await this.sslconn.recv(Math.min(65536, n - got)) : await this.sock.recv(Math.min(65536, n - got));
      if (d.length === 0) break;
      parts.push(d);
      got += d.length;
    }
    return Buffer.concat(parts);
  }

  private async write(data: Buffer | string): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.sslconn !== null) await this.sslconn.write(b);
    else await this.sock.sendall(b);
  }

  close(): void {
    this.sslconn?.close();
    this.sock.close();
  }

  async run(): Promise<void> {
    if (!this.server.starttlsServer && !(await this.wrapConn())) return;
    try {
      for (;;) {
        const msg = await this.read();
        const stripped = strip(msg);
        if (stripped === '') {
          // EOF: a clean unwrap if the client did the same, else just close.
          if (this.sslconn !== null) {
            try {
              this.sock = await this.sslconn.unwrap();
              this.sslconn = null;
            } catch {
              // Many clients shut TCP down without close_notify.
            }
          }
          this.close();
          return;
        } else if (stripped === 'over') {
          this.close();
          return;
        } else if (this.server.starttlsServer && stripped === 'STARTTLS') {
          await this.write('OK\n');
          if (!(await this.wrapConn())) return;
          this.sock = this.sslconn!;
        } else if (this.server.starttlsServer && this.sslconn !== null && stripped === 'ENDTLS') {
          await this.write('OK\n');
          this.sock = await this.sslconn.unwrap();
          this.sslconn = null;
        } else if (stripped === 'CB tls-unique') {
          await this.write(`${pyBytesRepr(this.sslconn!.getChannelBinding('tls-unique'))}\n`);
        } else if (stripped === 'PHA') {
          try {
            this.sslconn!.verifyClientPostHandshake();
            await this.write('OK\n');
          } catch (e) {
            await this.write(`${(e as Error).name}(${JSON.stringify((e as Error).message)})\n`);
          }
        } else if (stripped === 'HASCERT') {
          await this.write(this.sslconn!.getpeercert() !== null ? 'TRUE\n' : 'FALSE\n');
        } else if (stripped === 'GETCERT') {
          await this.write(`${JSON.stringify(this.sslconn!.getpeercert())}\n`);
        } else if (stripped === 'VERIFIEDCHAIN') {
          await this.write(Buffer.from([this.sslconn!.getVerifiedChain().length, 0x0a]));
        } else if (stripped === 'UNVERIFIEDCHAIN') {
          await this.write(Buffer.from([this.sslconn!.getUnverifiedChain().length, 0x0a]));
        } else if (/^SHA \d+$/.test(stripped)) {
          const data = await this.readExactly(Number(stripped.slice(4)));
          await this.write(`${createHash('sha256').update(data).digest('hex')}\n`);
        } else if (/^SEND \d+$/.test(stripped)) {
          await this.write(echoPayload(Number(stripped.slice(5))));
        } else {
          await this.write(asciiLower(msg));
        }
      }
    } catch (e) {
      this.server.handlerErrors.push(e);
      this.close();
    }
  }
}
