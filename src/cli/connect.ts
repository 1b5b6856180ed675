/**
 * `sslsock connect HOST:PORT`: what `openssl s_client` does, readable. The
 * handshake summary and the peer chain go to stderr (stdout carries only the
 * peer's bytes, so it can be piped); then stdin is sent over TLS and what
 * the server sends is written to stdout until the server closes.
 */
import { once } from 'node:events';
import { isIP } from 'node:net';
import * as socket from '../socket/index.js';
import { defaultProvider } from '../crypto/index.js';
import * as ssl from '../ssl/index.js';
import { TrustStore } from '../x509/store.js';
import { verifyCertificateChain } from '../x509/verify.js';
import { pythonVerifyMessage } from '../x509/verify-codes.js';
import { flag, formatOptions, parseArgs, parseHostPort, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { chainLines, connectionInfo, connectionRows, type ConnectionInfo } from './conninfo.js';
import { errorView, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from './errors.js';
import { colourEnabled, painter, table, withSpinner, type Paint } from './pretty.js';
import { readSessionFile, writeSessionFile } from './session-file.js';
import { smtpStarttls, starttlsProtocol, STARTTLS_PROTOCOLS } from './starttls.js';
import { TLS_OPTIONS, applyTlsOptions } from './tls-options.js';

const DEFAULT_PORT = 443;
const DEFAULT_TIMEOUT_S = 10;
const RECV_SIZE = 16 * 1024;
/** How long to wait for our close_notify to go out once the server has closed. */
const CLOSE_TIMEOUT_S = 2;

export const CONNECT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...TLS_OPTIONS,
  servername: { value: true, metavar: 'NAME', help: 'server name to send (SNI) and verify (default: HOST)' },
  insecure: { value: false, help: 'connect even if the certificate or host name does not verify (the result is still shown)' },
  'sess-out': { value: true, metavar: 'FILE', help: 'save the session (TLS 1.3 ticket) to FILE when the connection ends' },
  'sess-in': { value: true, metavar: 'FILE', help: 'resume the session saved in FILE (--sess-out)' },
  starttls: { value: true, metavar: 'PROTO', help: `plain-text upgrade before the handshake: ${STARTTLS_PROTOCOLS.join(', ')}` },
  timeout: { value: true, metavar: 'SECONDS', help: `for connecting, STARTTLS and the handshake (default ${DEFAULT_TIMEOUT_S})` },
  json: { value: false, help: 'print one JSON document (summary, chain, what the server sent) on stdout' },
  quiet: { value: false, help: 'no summary: only the relayed data' },
};

export const CONNECT_USAGE = `usage: sslsock connect [options] HOST:PORT

Connects with TLS (like openssl s_client), prints the handshake summary
(version, cipher, group, ALPN, SNI, resumed, verification result) and the
certificates the server sent on stderr, then sends stdin to the server and
writes what it sends to stdout, until the server closes (Ctrl-C stops).
Without --cafile, the system's trusted CAs are used.

exit status: 0 after the server closed cleanly, 1 on a TLS, certificate or
network failure, 2 on a usage error, 130 when stopped with Ctrl-C.

options:
${formatOptions(CONNECT_OPTIONS)}`;

interface Target {
  readonly host: string;
  readonly port: number;
  /** What wrapSocket checks the certificate against; sent as SNI unless it is an IP address. */
  readonly serverHostname: string;
}

function clientContext(args: ParsedArgs): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  if (stringOption(args, 'cafile') === undefined) ctx.loadDefaultCerts();
  applyTlsOptions(ctx, args);
  if (flag(args, 'insecure')) {
    ctx.checkHostname = false;
    ctx.verifyMode = ssl.CERT_NONE;
  }
  return ctx;
}

function timeoutSeconds(args: ParsedArgs): number {
  const v = stringOption(args, 'timeout');
  if (v === undefined) return DEFAULT_TIMEOUT_S;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n <= 0) throw new UsageError(`option --timeout needs a positive number of seconds, got '${v}'`);
  return n;
}

/** TCP connect, the optional STARTTLS dialogue, then the handshake on the same socket. */
async function establish(ctx: ssl.SSLContext, target: Target, args: ParsedArgs, trace: (line: string) => void): Promise<ssl.SSLSocket> {
  const starttls = starttlsProtocol(stringOption(args, 'starttls'));
  // The session file is read first: a bad one fails before any connection.
  const sessIn = stringOption(args, 'sess-in');
  const session = sessIn === undefined ? null : readSessionFile(sessIn, ctx);
  const raw = await socket.createConnection([target.host, target.port], timeoutSeconds(args));
  try {
    if (starttls === 'smtp') await smtpStarttls(raw, trace);
    const s = await ctx.wrapSocket(raw, { serverHostname: target.serverHostname, session });
    s.settimeout(null);
    return s;
  } catch (e) {
    raw.close();
    throw e;
  }
}

interface VerifyResult {
  /** X509_V_ERR code (0 = ok); null when the server sent no certificate to check. */
  readonly code: number | null;
  readonly message: string;
  /** False with --insecure: the result is reported (as s_client does) but did not stop the connection. */
  readonly enforced: boolean;
}

/**
 * The verification result. Verified connections got here with 0; with
 * --insecure the chain is checked here against the same trust anchors,
 * so the user still learns what was wrong.
 */
function verifyResult(s: ssl.SSLSocket, ctx: ssl.SSLContext, target: Target, args: ParsedArgs): VerifyResult {
  if (ctx.verifyMode !== ssl.CERT_NONE) return { code: 0, message: 'ok', enforced: true };
  const chain = s.getUnverifiedChain();
  if (chain.length === 0) return { code: null, message: 'no certificate sent', enforced: false };
  const store = new TrustStore(defaultProvider);
  const cafile = stringOption(args, 'cafile');
  if (cafile !== undefined) store.loadFile(cafile);
  else store.loadDefaultPaths();
  const name = target.serverHostname;
  const byIp = isIP(name) !== 0;
  const r = verifyCertificateChain({ chain, store, hostname: byIp ? null : name, ip: byIp ? name : null, provider: defaultProvider });
  return r.ok ? { code: 0, message: 'ok', enforced: false } : { code: r.code, message: pythonVerifyMessage(r.code, name), enforced: false };
}

function printSummary(target: Target, info: ConnectionInfo, verify: VerifyResult, paint: Paint, err: (line: string) => void): void {
  err(paint('bold', `connected to ${target.host}:${target.port}`));
  const rows = connectionRows(info);
  const text = verify.code === null ? verify.message : `${verify.code} (${verify.message})`;
  const verifyText = verify.enforced ? paint('green', text) : paint('yellow', `${text}, not enforced (--insecure)`);
  for (const line of table([...rows, ['verify', verifyText]])) err(line);
  err(paint('bold', 'server certificate chain'));
  for (const line of chainLines(info.peerChain)) err(line);
  err(paint('dim', '---'));
}

/** Writes to stdout, waiting when the pipe is full. */
async function writeOut(data: Buffer): Promise<void> {
  if (!process.stdout.write(data)) await once(process.stdout, 'drain');
}

/**
 * stdin → TLS and TLS → `sink` at the same time (SSLSocket is full duplex).
 * Ends when the server closes; stdin's end alone only stops the sending side.
 */
async function relay(s: ssl.SSLSocket, sink: (d: Buffer) => Promise<void>, peerClosed: () => void): Promise<void> {
  const sending = (async () => {
    for await (const chunk of process.stdin) await s.sendall(chunk as Buffer);
  })();
  // The server may close while we still send; its close is what counts.
  sending.catch(() => undefined);
  try {
    for (let d = await s.recv(RECV_SIZE); d.length > 0; d = await s.recv(RECV_SIZE)) await sink(d);
  } finally {
    process.stdin.destroy();
  }
  peerClosed();
  // Answer the server's close_notify with ours (best effort: it may have dropped TCP already).
  s.settimeout(CLOSE_TIMEOUT_S);
  await s.unwrap().catch(() => undefined);
}

export async function runConnect(argv: readonly string[], _out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, CONNECT_OPTIONS);
  if (args.positionals.length !== 1) throw new UsageError('give exactly one HOST:PORT');
  const [host, port] = parseHostPort(args.positionals[0]!, DEFAULT_PORT);
  const target: Target = { host, port, serverHostname: stringOption(args, 'servername') ?? host };
  const json = flag(args, 'json');
  const quiet = flag(args, 'quiet') || json;
  const paint = painter(colourEnabled(process.stderr));
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const ctx = clientContext(args);
  timeoutSeconds(args);
  starttlsProtocol(stringOption(args, 'starttls'));

  let s: ssl.SSLSocket;
  try {
    s = await withSpinner(process.stderr, `connecting to ${host}:${port}…`, () => establish(ctx, target, args, quiet ? () => undefined : (l) => err(paint('dim', l))));
  } catch (e) {
    if (!json || !(e instanceof ssl.OSError)) throw e;
    process.stdout.write(`${JSON.stringify({ host, port, error: errorView(e) })}\n`);
    return EXIT_FAILURE;
  }
  const info = connectionInfo(s, isIP(target.serverHostname) === 0 ? target.serverHostname : null);
  const verify = verifyResult(s, ctx, target, args);
  if (!quiet) printSummary(target, info, verify, paint, err);

  const onInterrupt = (): void => {
    s.close();
    process.exit(EXIT_INTERRUPTED);
  };
  process.once('SIGINT', onInterrupt);
  // The session to save is the last ticket read, so it is taken when the server has closed (before our unwrap).
  const sessOut = stringOption(args, 'sess-out');
  let sessionSaved: boolean | null = null;
  const saveSession = (): void => {
    if (sessOut !== undefined) sessionSaved = writeSessionFile(sessOut, s.session);
  };
  try {
    if (!json) {
      await relay(s, writeOut, saveSession);
      if (sessionSaved !== null && !quiet) err(sessionSaved ? `session saved to ${sessOut}` : `no session ticket arrived: ${sessOut} not written`);
      return EXIT_OK;
    }
    const received: Buffer[] = [];
    await relay(s, async (d) => void received.push(d), saveSession);
    const data = Buffer.concat(received);
    const session = sessOut === undefined ? {} : { sessionSaved };
    process.stdout.write(`${JSON.stringify({ host, port, ...info, verify, ...session, received: data.toString('utf8'), receivedBytes: data.length })}\n`);
    return EXIT_OK;
  } finally {
    process.off('SIGINT', onInterrupt);
    s.close();
  }
}
