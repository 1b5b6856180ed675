/**
 * `sslsock serve`: what `openssl s_server` does, for many clients at once.
 * `--echo` sends back what each client sends; `--www` answers an HTTP
 * request with a 200 page describing the connection. SIGINT/SIGTERM stop
 * accepting, let open connections finish and print the count (a second
 * signal closes them at once).
 */
import { writeFileSync } from 'node:fs';
import * as socket from '../socket/index.js';
import * as ssl from '../ssl/index.js';
import { CA } from '../testing/index.js';
import { flag, formatOptions, integerOption, parseArgs, parsePort, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { chainLines, connectionInfo, connectionRows, sha256Fingerprint, type ConnectionInfo } from './conninfo.js';
import { errorLine, EXIT_OK } from './errors.js';
import { colourEnabled, painter, table, type Paint } from './pretty.js';
import { TLS_OPTIONS, applyTlsOptions } from './tls-options.js';

const DEFAULT_HOST = '127.0.0.1';
/** openssl s_server's default port. */
const DEFAULT_PORT = 4433;
const HANDSHAKE_TIMEOUT_S = 10;
const REQUEST_TIMEOUT_S = 30;
const CLOSE_TIMEOUT_S = 2;
const RECV_SIZE = 16 * 1024;
const MAX_REQUEST_HEAD = 16 * 1024;
const THROWAWAY_IDENTITIES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_HOSTS = ['0.0.0.0', '::', ''];

export const SERVE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...TLS_OPTIONS,
  host: { value: true, metavar: 'ADDR', help: `address to listen on (default ${DEFAULT_HOST})` },
  port: { value: true, metavar: 'N', help: `port to listen on, 0 for any free one (default ${DEFAULT_PORT})` },
  echo: { value: false, help: 'send back whatever each client sends (the default mode)' },
  www: { value: false, help: 'answer an HTTP request with a 200 page describing the connection' },
  verify: { value: false, help: 'require a client certificate issued by a CA in --cafile' },
  naccept: { value: true, metavar: 'N', help: 'exit after N connections have been served' },
  'ca-out': { value: true, metavar: 'FILE', help: "without --cert: write the throwaway CA certificate here (for clients' --cafile)" },
};

export const SERVE_USAGE = `usage: sslsock serve [options]

A TLS server like openssl s_server, serving many clients at once. Without
--cert it makes a throwaway test CA (sslsock/testing) and a certificate for
${THROWAWAY_IDENTITIES.join(', ')}, and prints their SHA-256 fingerprints.
SIGINT / SIGTERM stop accepting, let open connections finish and print how
many were served; a second signal closes them at once.

options:
${formatOptions(SERVE_OPTIONS)}`;

type Mode = 'echo' | 'www';

interface Served {
  ok: number;
  failed: number;
}

/** The server context: certificate (given or throwaway), client auth, and the shared TLS options. */
function serverContext(args: ParsedArgs, host: string, say: (line: string) => void): ssl.SSLContext {
  const caOut = stringOption(args, 'ca-out');
  const ownCert = stringOption(args, 'cert') !== undefined;
  if (ownCert && caOut !== undefined) throw new UsageError('--ca-out is for the throwaway CA; it goes without --cert');
  const verify = flag(args, 'verify');
  if (verify && stringOption(args, 'cafile') === undefined) throw new UsageError('--verify needs --cafile (the CAs that issue client certificates)');
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  applyTlsOptions(ctx, args);
  if (verify) ctx.verifyMode = ssl.CERT_REQUIRED;
  if (ownCert) return ctx;
  const ca = CA.create({ commonName: 'sslsock serve throwaway CA' });
  const identities = WILDCARD_HOSTS.includes(host) || THROWAWAY_IDENTITIES.includes(host) ? THROWAWAY_IDENTITIES : [...THROWAWAY_IDENTITIES, host];
  const leaf = ca.issueCert(...identities);
  leaf.configureCert(ctx);
  say(`certificate: throwaway, from a test CA made just now (sslsock/testing), for ${identities.join(', ')}`);
  for (const line of table([
    ['server certificate SHA-256', sha256Fingerprint(leaf.certDer)],
    ['CA certificate SHA-256', sha256Fingerprint(ca.certDer)],
  ])) {
    say(line);
  }
  if (caOut !== undefined) {
    writeFileSync(caOut, ca.certPem);
    say(`  CA certificate written to ${caOut} (use it as the client's --cafile)`);
  } else {
    say('  (--ca-out FILE saves the CA certificate for clients to trust)');
  }
  return ctx;
}

/** Reads an HTTP request head (up to the blank line); null when the client closed first. */
async function readRequestHead(conn: ssl.SSLSocket): Promise<string | null> {
  let head = Buffer.alloc(0);
  while (!/\r?\n\r?\n/.test(head.toString('latin1'))) {
    if (head.length > MAX_REQUEST_HEAD) break;
    const d = await conn.recv(RECV_SIZE);
    if (d.length === 0) return head.length === 0 ? null : head.toString('latin1');
    head = Buffer.concat([head, d]);
  }
  return head.toString('latin1');
}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/\d\.\d$/;

/** The `--www` page: what was negotiated, as the client can read it back. */
export function wwwPage(id: number, peer: string, requestLine: string, info: ConnectionInfo): string {
  return [
    `sslsock serve: connection ${id} from ${peer}`,
    ...table([['request', requestLine], ...connectionRows(info)], ''),
    'client certificate',
    ...chainLines(info.peerChain),
    '',
  ].join('\n');
}

function httpResponse(status: string, body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const head = `HTTP/1.0 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** One `--www` exchange; returns the log line. */
async function answerHttp(conn: ssl.SSLSocket, id: number, peer: string, info: ConnectionInfo): Promise<string> {
  conn.settimeout(REQUEST_TIMEOUT_S);
  const head = await readRequestHead(conn);
  if (head === null) return 'closed without a request';
  const requestLine = head.split(/\r?\n/, 1)[0]!;
  const ok = REQUEST_LINE.test(requestLine);
  await conn.sendall(ok ? httpResponse('200 OK', wwwPage(id, peer, requestLine, info)) : httpResponse('400 Bad Request', 'not an HTTP request line\n'));
  return `${JSON.stringify(requestLine)} -> ${ok ? 200 : 400}`;
}

/** `--echo` until the client closes; returns the log line. */
async function echo(conn: ssl.SSLSocket): Promise<string> {
  conn.settimeout(null);
  let total = 0;
  for (let d = await conn.recv(RECV_SIZE); d.length > 0; d = await conn.recv(RECV_SIZE)) {
    await conn.sendall(d);
    total += d.length;
  }
  return `echoed ${total} bytes`;
}

function address(a: socket.Address): string {
  const [host, port] = a as [string, number];
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function logLine(info: ConnectionInfo): string {
  const client = info.peerChain[0]?.subject ?? 'none';
  return `${info.version} ${info.cipher} group ${info.group ?? '-'} alpn ${info.alpn ?? '-'} sni ${info.sni ?? '-'} client-cert ${client}${info.resumed ? ' resumed' : ''}`;
}

class Server {
  private readonly open = new Set<ssl.SSLSocket>();
  private readonly tasks = new Set<Promise<void>>();
  /** The SNI each connection's ClientHello carried (sniCallback sees the very socket accept() returns). */
  private readonly sni = new WeakMap<object, string | null>();
  readonly served: Served = { ok: 0, failed: 0 };

  constructor(
    ctx: ssl.SSLContext,
    private readonly mode: Mode,
    private readonly paint: Paint,
  ) {
    ctx.sniCallback = (conn: object, name: string | null) => void this.sni.set(conn, name);
  }

  get openCount(): number {
    return this.open.size;
  }

  start(conn: ssl.SSLSocket, addr: socket.Address, id: number): void {
    this.open.add(conn);
    const task = this.handle(conn, address(addr), id).finally(() => {
      this.open.delete(conn);
      this.tasks.delete(task);
    });
    this.tasks.add(task);
  }

  async finish(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all(this.tasks);
  }

  /** Closes every open connection now (the second signal). */
  closeAll(): void {
    for (const conn of this.open) conn.close();
  }

  private async handle(conn: ssl.SSLSocket, peer: string, id: number): Promise<void> {
    const tag = this.paint('cyan', `[${id}]`);
    try {
      conn.settimeout(HANDSHAKE_TIMEOUT_S);
      await conn.doHandshake();
      const info = connectionInfo(conn, this.sni.get(conn) ?? null);
      say(`${tag} ${peer} ${logLine(info)}`);
      const outcome = this.mode === 'www' ? await answerHttp(conn, id, peer, info) : await echo(conn);
      // close_notify, then the client's (best effort: a client may just drop TCP).
      conn.settimeout(CLOSE_TIMEOUT_S);
      await conn.unwrap().catch(() => undefined);
      this.served.ok++;
      say(`${tag} ${outcome}, closed`);
    } catch (e) {
      this.served.failed++;
      process.stderr.write(`${tag} ${peer} ${this.paint('red', errorLine(e))}\n`);
    } finally {
      conn.close();
    }
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function chosenMode(args: ParsedArgs): Mode {
  if (flag(args, 'echo') && flag(args, 'www')) throw new UsageError('--echo and --www exclude each other');
  return flag(args, 'www') ? 'www' : 'echo';
}

export async function runServe(argv: readonly string[], _out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, SERVE_OPTIONS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const host = stringOption(args, 'host') ?? DEFAULT_HOST;
  const portText = stringOption(args, 'port');
  const port = portText === undefined ? DEFAULT_PORT : parsePort(portText, '--port');
  const naccept = integerOption(args, 'naccept');
  if (naccept !== undefined && naccept < 1) throw new UsageError('--naccept needs a positive count');
  const mode = chosenMode(args);
  const paint = painter(colourEnabled(process.stdout));
  const ctx = serverContext(args, host, say);

  const listener = await socket.createServer([host, port], host.includes(':') ? { family: socket.AF_INET6 } : {});
  // The handshake runs per connection, not inside accept(), so a slow client cannot hold up the others.
  const ls = await ctx.wrapSocket(listener, { serverSide: true, doHandshakeOnConnect: false });
  const server = new Server(ctx, mode, paint);
  say(paint('bold', `listening on ${address(ls.getsockname())} (${mode} mode; Ctrl-C stops)`));

  let stopRequested: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  let signals = 0;
  const onSignal = (signal: string): void => {
    if (signals++ === 0) stopRequested(signal);
    else server.closeAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let accepted = 0;
    let stopSignal: string | null = null;
    while (stopSignal === null && (naccept === undefined || accepted < naccept)) {
      const next = ls.accept();
      const got = await Promise.race([next, stopped]);
      if (typeof got === 'string') {
        next.then((c) => c[0].close()).catch(() => undefined);
        stopSignal = got;
        break;
      }
      server.start(got[0], got[1], ++accepted);
    }
    ls.close();
    const reason = stopSignal ?? `--naccept ${naccept}`;
    if (server.openCount > 0) say(`stopping (${reason}): ${server.openCount} open connection(s) finishing; signal again to close them now`);
    else say(`stopping (${reason})`);
    await server.finish();
    const { ok, failed } = server.served;
    say(`served ${ok} connection(s)${failed > 0 ? `, ${failed} failed` : ''}`);
    return EXIT_OK;
  } finally {
    ls.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
