/**
 * CPython's test_ssl fixtures for the SSLSocket tests: the certificate
 * files of `Lib/test/certdata`, `testing_context()`, and a connected client
 * against an echo server.
 */
import * as socket from '../../src/socket/index.js';
import { CERT_NONE, PROTOCOL_TLS_CLIENT } from '../../src/ssl/constants.js';
import { SSLContext } from '../../src/ssl/context.js';
import { SSLSocket } from '../../src/ssl/sslsocket.js';
import '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';

export {
  CERTDATA,
  CERTFILE,
  CRLFILE,
  IDNSANSFILE,
  NOSANFILE,
  SIGNED_CERTFILE,
  SIGNED_CERTFILE2,
  SIGNED_CERTFILE_ECC,
  SIGNING_CA,
  certdataSkip,
  dataFile,
  testingContext,
} from './port-fixtures.js';

/** A client context that verifies nothing (CERT_NONE, no host name check). */
export function unverifiedClientContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = CERT_NONE;
  return ctx;
}

/** Runs `fn` against a fresh echo server, stopping it afterwards whatever happens. */
export async function withEchoServer<T>(
  serverContext: SSLContext,
  fn: (server: EchoServer) => Promise<T>,
  options: { starttlsServer?: boolean } = {},
): Promise<T> {
  const server = await EchoServer.start({ context: serverContext, ...options });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** `client_context.wrap_socket(socket.socket(), server_hostname=…)` then connect — CPython's usual client. */
export async function connectClient(
  clientContext: SSLContext,
  server: EchoServer,
  options: { serverHostname?: string | null; doHandshakeOnConnect?: boolean; suppressRaggedEofs?: boolean } = {},
): Promise<SSLSocket> {
  const s = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), {
    serverHostname: options.serverHostname === undefined ? 'localhost' : options.serverHostname,
    doHandshakeOnConnect: options.doHandshakeOnConnect ?? true,
    suppressRaggedEofs: options.suppressRaggedEofs ?? true,
  })) as SSLSocket;
  try {
    await s.connect(server.address);
  } catch (e) {
    s.close();
    throw e;
  }
  return s;
}

/** A plain TCP listener on loopback for tests that script the peer by hand. */
export async function plainListener(): Promise<socket.socket> {
  return socket.createServer(['127.0.0.1', 0]);
}

/** A connected pair of SSLSockets (client, server) over loopback, both handshaken. */
export async function tlsPair(
  clientContext: SSLContext,
  serverContext: SSLContext,
  options: { suppressRaggedEofs?: boolean; serverHostname?: string } = {},
): Promise<{ client: SSLSocket; server: SSLSocket; close(): void }> {
  const listener = await plainListener();
  const raw = new socket.socket(socket.AF_INET);
  const [, [conn]] = await Promise.all([raw.connect(listener.getsockname()), listener.accept()]);
  listener.close();
  const [client, server] = (await Promise.all([
    clientContext.wrapSocket(raw, { serverHostname: options.serverHostname ?? 'localhost', suppressRaggedEofs: options.suppressRaggedEofs ?? true }),
    serverContext.wrapSocket(conn, { serverSide: true, suppressRaggedEofs: options.suppressRaggedEofs ?? true }),
  ])) as [SSLSocket, SSLSocket];
  return {
    client,
    server,
    close() {
      client.close();
      server.close();
    },
  };
}
