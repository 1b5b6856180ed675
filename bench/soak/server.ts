/**
 * The soak's server: an SSLSocket listener on the public API, accepting
 * concurrently the way a Python server does (doHandshakeOnConnect off, one
 * task per accepted connection running doHandshake()). Each connection
 * reads the client's header (./plan.ts), checks the TLS version, client
 * certificate and resumption it announced, echoes the data while hashing
 * it, then ends the way the client said: close_notify answered by unwrap(),
 * a ragged EOF read as b'' (suppressRaggedEofs) or raised as SSLEOFError,
 * or unwrap() to plain TCP and a second echo in the clear.
 */
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { expectEof, expectRaggedEof, recvDigest, recvExactly, sameDigest } from './io.js';
import { HEADER_LENGTH, parseHeader, resumes, serverKeyUpdate, showsCert, type ConnSpec, type Header } from './plan.js';
import { CLIENT_CN, LOOPBACK } from './setup.js';
import type { Tally } from './tally.js';

/** Above the 1,000 connections that may arrive at once (Linux caps it at net.core.somaxconn). */
const BACKLOG = 2048;

export class SoakServer {
  private constructor(
    private readonly listener: ssl.SSLSocket,
    readonly port: number,
    private readonly tally: Tally,
  ) {}

  static async start(context: ssl.SSLContext, tally: Tally): Promise<SoakServer> {
    const raw = await socket.createServer([LOOPBACK, 0], { backlog: BACKLOG });
    const listener = await context.wrapSocket(raw, { serverSide: true, doHandshakeOnConnect: false });
    return new SoakServer(listener, (listener.getsockname() as [string, number])[1], tally);
  }

  /** Accepts `count` connections and serves each in a task of its own; settles when all are done. */
  async serve(count: number): Promise<void> {
    const tasks: Promise<void>[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const [conn] = await this.listener.accept();
        tasks.push(this.tally.holding(conn, (c) => this.serveOne(c)));
      }
    } catch (e) {
      this.tally.fail('server accept', e);
    }
    await Promise.all(tasks);
  }

  close(): void {
    this.listener.close();
  }

  private async serveOne(conn: ssl.SSLSocket): Promise<void> {
    let where = 'server (before header)';
    try {
      conn.settimeout(this.tally.secondsLeft());
      await conn.doHandshake();
      this.tally.handshakes++;
      const version = conn.version();
      const reused = conn.sessionReused;
      const cert = conn.getpeercert();
      const header = parseHeader(await recvExactly(conn, HEADER_LENGTH, 'header'));
      const spec = header.spec;
      where = `server #${spec.id} (${describe(spec)})`;
      checkSession(spec, version, reused, cert);
      conn.suppressRaggedEofs = spec.ending !== 'ragged-strict' && spec.ending !== 'abort';
      if (serverKeyUpdate(spec)) conn.keyUpdate(true);
      if (spec.ending === 'abort') await endAborted(conn, spec);
      else await this.echo(conn, spec, header);
      this.tally.serverCompleted++;
    } catch (e) {
      this.tally.fail(where, e);
    }
  }

  private async echo(conn: ssl.SSLSocket, spec: ConnSpec, header: Header): Promise<void> {
    sameDigest(await recvDigest(conn, spec.size, 'data', true), header.digest, 'data');
    this.tally.bytesVerified += spec.size;
    await this.end(conn, spec, header.plainDigest);
  }

  private async end(conn: ssl.SSLSocket, spec: ConnSpec, plainDigest: Buffer): Promise<void> {
    switch (spec.ending) {
      case 'ragged':
      case 'ragged-strict':
        return expectRaggedEof(conn, 'ragged EOF');
      case 'server-ragged':
      case 'server-ragged-strict':
        // close() (by holding()) without unwrap(): TCP FIN, no close_notify.
        return;
      case 'close-notify':
        await expectEof(conn, 'close_notify');
        // unwrap() raises unless the peer's close_notify came: this is what tells it from a ragged EOF.
        await conn.unwrap();
        return;
      case 'unwrap':
        await expectEof(conn, 'close_notify before unwrap');
        await conn.unwrap();
        sameDigest(await recvDigest(conn, spec.plainSize, 'plain data', true), plainDigest, 'plain data');
        this.tally.bytesVerified += spec.plainSize;
        return expectEof(conn, 'plain EOF');
    }
  }
}

/**
 * The client closed TCP halfway through the echo, leaving echoed bytes
 * unread: the echo, or the read after it, must fail with a connection error
 * (reset, broken pipe) or SSLEOFError (EOF without close_notify, with
 * suppressRaggedEofs off) — not a timeout, not another error, not a hang.
 */
async function endAborted(conn: ssl.SSLSocket, spec: ConnSpec): Promise<void> {
  try {
    await recvDigest(conn, spec.size, 'data', true);
    await conn.recv(1);
  } catch (e) {
    if (e instanceof socket.ConnectionError || e instanceof ssl.SSLEOFError) return;
    throw e;
  }
  throw new Error('the client aborted, yet the echo and the read after it succeeded');
}

export function describe(spec: ConnSpec): string {
  return `${spec.client} TLS ${spec.version} ${spec.auth} ${spec.ending} ${spec.size}B${spec.plainSize > 0 ? `+${spec.plainSize}B plain` : ''}`;
}

function checkSession(spec: ConnSpec, version: string | null, reused: boolean | null, cert: unknown): void {
  if (version !== `TLSv${spec.version}`) throw new Error(`version ${version}, client planned TLSv${spec.version}`);
  if (reused !== resumes(spec.auth)) throw new Error(`sessionReused ${reused}`);
  if (!showsCert(spec.auth)) {
    if (cert !== null) throw new Error('getpeercert() gave a certificate the client did not send');
    return;
  }
  const subject = (cert as { subject?: [string, string][][] } | null)?.subject ?? [];
  if (!subject.some((rdn) => rdn.some(([k, v]) => k === 'commonName' && v === CLIENT_CN))) {
    throw new Error(`client certificate subject ${JSON.stringify(subject)}`);
  }
}
