/**
 * The demo's main act: DESIGN.md's "contract, concretely", run for real in
 * one process over loopback TCP — an sslsock server and an sslsock client,
 * both through the Python-shaped API (SSLContext, wrapSocket, accept, recv,
 * sendall, unwrap, close). Every value reported is what those calls returned.
 */
import * as socket from '../socket/index.js';
import * as ssl from '../ssl/index.js';
import type { CA, LeafCert } from '../testing/index.js';

/** Bounds every blocking call, so a bug shows up as a TimeoutError instead of a hung demo. */
export const DEMO_SOCKET_TIMEOUT_S = 10;
export const ALPN_PROTOCOLS = ['h2', 'http/1.1'] as const;
const RECV_SIZE = 4096;
export const TLS_MESSAGE = 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n';
export const PLAIN_MESSAGE = 'ENDTLS: this line travels in the clear\r\n';

export interface EndpointView {
  readonly version: string | null;
  readonly cipher: [string, string, number] | null;
  readonly alpn: string | null;
  readonly peercert: unknown;
}

export interface UnwrapView {
  readonly sameObject: boolean;
  readonly versionAfter: string | null;
}

export interface LoopbackReport {
  /** The listener's getsockname() and the client address accept() returned. */
  readonly listening: socket.Address;
  readonly acceptedFrom: socket.Address;
  readonly client: EndpointView;
  readonly server: EndpointView;
  readonly tls: { readonly sent: number; readonly received: number; readonly echoed: string };
  /** unwrap() on each side: Python returns the very same socket object, now without its TLS layer (version() is None). */
  readonly unwrap: { readonly client: UnwrapView; readonly server: UnwrapView };
  readonly plain: { readonly sent: number; readonly received: number; readonly echoed: string };
  /** Bytes the server's recv() returned after the client's close(): b'' means a clean EOF. */
  readonly serverSawEof: boolean;
}

/** Python's `sslsocket.recv` until `n` bytes or EOF: TLS may split a message across records. */
export async function recvAll(s: socket.socket, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const d = await s.recv(Math.min(RECV_SIZE, n - got));
    if (d.length === 0) break;
    parts.push(d);
    got += d.length;
  }
  return Buffer.concat(parts);
}

function view(s: ssl.SSLSocket): EndpointView {
  return { version: s.version(), cipher: s.cipher(), alpn: s.selectedAlpnProtocol(), peercert: s.getpeercert() };
}

/** `new SSLContext(PROTOCOL_TLS_SERVER)` with a certificate from the test CA and ALPN, as the contract's server. */
export function serverContext(leaf: LeafCert): ssl.SSLContext {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  leaf.configureCert(sctx);
  sctx.setAlpnProtocols(ALPN_PROTOCOLS);
  return sctx;
}

/** `createDefaultContext()` trusting the test CA, with ALPN, as the contract's client. */
export function clientContext(trusted: CA): ssl.SSLContext {
  const ctx = ssl.createDefaultContext();
  trusted.configureTrust(ctx);
  ctx.setAlpnProtocols(ALPN_PROTOCOLS);
  return ctx;
}

/** A listening TLS server socket on 127.0.0.1, port chosen by the kernel. */
export async function listen(sctx: ssl.SSLContext): Promise<ssl.SSLSocket> {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  listener.settimeout(DEMO_SOCKET_TIMEOUT_S);
  // wrapSocket resolves to the context's sslsocketClass instance (SSLSocket); its declared type is unknown.
  return (await sctx.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
}

interface ServerSide {
  readonly acceptedFrom: socket.Address;
  readonly view: EndpointView;
  readonly unwrapped: UnwrapView;
  readonly sawEof: boolean;
}

/**
 * The server: accept() (which handshakes), echo TLS data until recv() gives
 * b'' (the client's close_notify), unwrap() (our close_notify back), then
 * echo in plain text until the client closes.
 */
async function serve(ls: ssl.SSLSocket): Promise<ServerSide> {
  const [conn, acceptedFrom] = await ls.accept();
  let plain: socket.socket | null = null;
  try {
    // Accepted sockets start blocking (Python's default timeout None); bound them like every other call here.
    conn.settimeout(DEMO_SOCKET_TIMEOUT_S);
    const v = view(conn);
    for (let d = await conn.recv(RECV_SIZE); d.length > 0; d = await conn.recv(RECV_SIZE)) await conn.sendall(d);
    plain = await conn.unwrap();
    const unwrapped = { sameObject: plain === conn, versionAfter: conn.version() };
    let sawEof = false;
    for (;;) {
      const d = await plain.recv(RECV_SIZE);
      if (d.length === 0) {
        sawEof = true;
        break;
      }
      await plain.sendall(d);
    }
    return { acceptedFrom, view: v, unwrapped, sawEof };
  } finally {
    plain?.close();
    conn.close();
  }
}

/** Runs the contract once: server and client in this process, talking over 127.0.0.1. */
export async function runLoopback(ca: CA, leaf: LeafCert): Promise<LoopbackReport> {
  const ls = await listen(serverContext(leaf));
  try {
    const listening = ls.getsockname();
    // Started before the client connects, awaited after it is done (as a server thread would run).
    const server = serve(ls);
    server.catch(() => undefined); // observed below; keeps Node from reporting it early as unhandled
    const ctx = clientContext(ca);
    const raw = await socket.createConnection(['127.0.0.1', listening[1]], DEMO_SOCKET_TIMEOUT_S);
    const s = (await ctx.wrapSocket(raw, { serverHostname: 'localhost' })) as ssl.SSLSocket;
    let plain: socket.socket | null = null;
    try {
      const client = view(s);
      const message = Buffer.from(TLS_MESSAGE);
      await s.sendall(message);
      const echoed = await recvAll(s, message.length);
      plain = await s.unwrap();
      const clientUnwrapped = { sameObject: plain === s, versionAfter: s.version() };
      const plainMessage = Buffer.from(PLAIN_MESSAGE);
      await plain.sendall(plainMessage);
      const plainEchoed = await recvAll(plain, plainMessage.length);
      plain.close();
      plain = null;
      s.close();
      const srv = await server;
      return {
        listening,
        acceptedFrom: srv.acceptedFrom,
        client,
        server: srv.view,
        tls: { sent: message.length, received: echoed.length, echoed: echoed.toString('latin1') },
        unwrap: { client: clientUnwrapped, server: srv.unwrapped },
        plain: { sent: plainMessage.length, received: plainEchoed.length, echoed: plainEchoed.toString('latin1') },
        serverSawEof: srv.sawEof,
      };
    } finally {
      plain?.close();
      s.close();
      raw.close();
    }
  } finally {
    ls.close();
  }
}
