/**
 * Shared pieces of the stream tests: one test CA, contexts for our side,
 * node:tls options for node's side, and small helpers to collect a stream.
 */
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import type { Readable } from 'node:stream';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';

export const ca = CA.create();
export const leaf = ca.issueCert('localhost', '127.0.0.1');

/** key/cert/ca for node:tls, node:https and node:http2 servers. */
export const nodeServerOptions = { key: leaf.privateKeyPem, cert: leaf.certChainPems.join('') };
/** The test CA for node:tls clients. */
export const nodeCa = ca.certPem;

/** Our client context, trusting the test CA (checkHostname on, CERT_REQUIRED). */
export function clientContext(alpn?: string[]): ssl.SSLContext {
  const ctx = ssl.createDefaultContext();
  ca.configureTrust(ctx);
  if (alpn) ctx.setAlpnProtocols(alpn);
  return ctx;
}

/** Our server context with the test certificate. */
export function serverContext(alpn?: string[]): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  leaf.configureCert(ctx);
  if (alpn) ctx.setAlpnProtocols(alpn);
  return ctx;
}

export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * Everything `stream` yields until 'end'. Not `for await`: its iterator
 * destroys the stream at the end, which would cut a half-closed Duplex's
 * writable side.
 */
export function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/**
 * An sslsock server: SSLSocket.accept() in a loop, each connection handed
 * to `onConnection` as the SSLSocket. `close()` stops accepting.
 */
export async function sslsockServer(ctx: ssl.SSLContext, onConnection: (conn: ssl.SSLSocket) => void): Promise<{ port: number; close: () => void }> {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const ls = await ctx.wrapSocket(listener, { serverSide: true });
  const port = (ls.getsockname() as [string, number])[1];
  let closed = false;
  void (async () => {
    while (!closed) {
      try {
        const [conn] = await ls.accept();
        onConnection(conn);
      } catch {
        // A failed handshake (the test checks the client side), or the listener closed.
      }
    }
  })();
  return {
    port,
    close: () => {
      closed = true;
      ls.close();
    },
  };
}
