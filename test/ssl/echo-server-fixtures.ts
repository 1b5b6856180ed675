/**
 * CPython's test_ssl fixtures for the SSLSocket tests: the certificate
 * files of `Lib/test/certdata`, `testing_context()`, and a connected client
 * against an echo server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER } from '../../src/ssl/constants.js';
import { SSLContext } from '../../src/ssl/context.js';
import { SSLSocket } from '../../src/ssl/sslsocket.js';
import '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';

function findCertdata(): string | null {
  const r = spawnSync('python3', ['-c', 'import os, test; print(os.path.join(os.path.dirname(test.__file__), "certdata"))'], {
    encoding: 'utf8',
  });
  const fromPython = r.status === 0 ? r.stdout.trim() : '';
  for (const dir of [fromPython, '/root/.pyenv/versions/3.11.7/lib/python3.11/test/certdata']) {
    if (dir && existsSync(join(dir, 'keycert3.pem'))) return dir;
  }
  return null;
}

export const CERTDATA = findCertdata();
/** Skip reason for tests that need CPython's certificates. */
export const certdataSkip: string | false = CERTDATA === null ? "CPython's Lib/test/certdata not found (python3 -m test package)" : false;

export const dataFile = (name: string): string => join(CERTDATA ?? '/nonexistent', name);

/** The names CPython's test_ssl gives these files. */
export const CERTFILE = dataFile('keycert.pem');
export const SIGNED_CERTFILE = dataFile('keycert3.pem');
export const SIGNED_CERTFILE2 = dataFile('keycert4.pem');
export const SIGNED_CERTFILE_ECC = dataFile('keycertecc.pem');
export const SIGNING_CA = dataFile('pycacert.pem');
export const NOSANFILE = dataFile('nosan.pem');
export const IDNSANSFILE = dataFile('idnsans.pem');
export const CRLFILE = dataFile('revocation.crl');

/**
 * CPython's `testing_context(server_cert=SIGNED_CERTFILE, *, server_chain=True)`:
 * a TLS_CLIENT context trusting SIGNING_CA, a TLS_SERVER context with the
 * server certificate (and the CA, so the chain is sent), and the host name.
 */
export function testingContext(serverCert = SIGNED_CERTFILE, serverChain = true): [SSLContext, SSLContext, string] {
  const clientContext = new SSLContext(PROTOCOL_TLS_CLIENT);
  clientContext.loadVerifyLocations(SIGNING_CA);
  const serverContext = new SSLContext(PROTOCOL_TLS_SERVER);
  serverContext.loadCertChain(serverCert);
  if (serverChain) serverContext.loadVerifyLocations(SIGNING_CA);
  const hostname = serverCert === SIGNED_CERTFILE2 ? 'fakehostname' : 'localhost';
  return [clientContext, serverContext, hostname];
}

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
