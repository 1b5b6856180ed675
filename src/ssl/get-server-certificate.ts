/**
 * Python's `ssl.get_server_certificate(addr, ssl_version=PROTOCOL_TLS_CLIENT,
 * ca_certs=None, timeout=...)` (python-ssl-api.md §4): connect, handshake
 * with SNI = host, return the server's leaf certificate as PEM.
 *
 * As in Python the chain is verified only when `caCerts` is given, and the
 * host name is never checked (`_create_stdlib_context` turns
 * check_hostname off).
 */
import { createConnection } from '../socket/module.js';
import { CERT_NONE, CERT_REQUIRED, PROTOCOL_TLS_CLIENT } from './constants.js';
import { SSLContext } from './context.js';
import { DERCertToPEMCert } from './module.js';
import type { SSLSocket } from './sslsocket.js';

/** Python's `_create_stdlib_context(protocol, cert_reqs=..., cafile=...)`, the part get_server_certificate uses. */
function stdlibContext(protocol: number, certReqs: number, cafile: string | null): SSLContext {
  const ctx = new SSLContext(protocol);
  ctx.checkHostname = false;
  ctx.verifyMode = certReqs;
  if (cafile !== null) ctx.loadVerifyLocations(cafile);
  else if (ctx.verifyMode !== CERT_NONE) ctx.loadDefaultCerts();
  const keylog = process.env.SSLKEYLOGFILE;
  if (keylog) ctx.keylogFilename = keylog;
  return ctx;
}

/**
 * `timeout` is in seconds; `undefined` means Python's
 * `_GLOBAL_DEFAULT_TIMEOUT` (the socket module's default), `null` no timeout.
 * Python: `ssl.get_server_certificate`.
 */
export async function getServerCertificate(
  addr: [string, number],
  sslVersion: number = PROTOCOL_TLS_CLIENT,
  caCerts: string | null = null,
  timeout?: number | null,
): Promise<string> {
  const host = addr[0];
  const context = stdlibContext(sslVersion, caCerts ? CERT_REQUIRED : CERT_NONE, caCerts || null);
  const sock = await createConnection(addr, timeout);
  try {
    const sslsock = (await context.wrapSocket(sock, { serverHostname: host })) as SSLSocket;
    try {
      const der = sslsock.getpeercert(true) as Buffer;
      return DERCertToPEMCert(der);
    } finally {
      sslsock.close();
    }
  } finally {
    sock.close();
  }
}
