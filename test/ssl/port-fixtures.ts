/**
 * Shared pieces of the CPython test_ssl.py port (test/ssl/port-*.test.ts):
 * the certdata constants read from the vendored copy in test/vectors/certdata
 * (so a clone needs no particular Python), CPython's `testing_context()`,
 * its module-level `test_wrap_socket()` helper, and `_test_decode_cert()`.
 */
import { readFileSync } from 'node:fs';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parsePem } from '../../src/x509/pem.js';
import { peerCertDict, type PeerCertDict } from '../../src/x509/peercert.js';
import { ERRNO } from '../../src/socket/errno.js';
import { CERTDATA, certdataSkip, dataFile } from '../helpers/certdata.js';

export { CERTDATA, certdataSkip, dataFile };

// The names test_ssl.py gives these files.
export const CERTFILE = dataFile('keycert.pem');
export const ONLYCERT = dataFile('ssl_cert.pem');
export const ONLYKEY = dataFile('ssl_key.pem');
export const SIGNED_CERTFILE = dataFile('keycert3.pem');
export const SIGNED_CERTFILE2 = dataFile('keycert4.pem');
export const SIGNED_CERTFILE_ECC = dataFile('keycertecc.pem');
export const NOSANFILE = dataFile('nosan.pem');
export const IDNSANSFILE = dataFile('idnsans.pem');
export const CRLFILE = dataFile('revocation.crl');
export const SIGNING_CA = dataFile('capath/ceff1710.0');
export const CAPATH = dataFile('capath');
export const CAFILE_CACERT = dataFile('capath/5ed36f99.0');
export const NOKIACERT = dataFile('nokia.pem');
export const NULLBYTECERT = dataFile('nullbytecert.pem');
export const TALOS_INVALID_CRLDP = dataFile('talos-2019-0758.pem');
export const ALLSANFILE = dataFile('allsans.pem');
export const EMPTYCERT = dataFile('nullcert.pem');
export const BADCERT = dataFile('badcert.pem');
export const BADKEY = dataFile('badkey.pem');

/** `testing_context(server_cert=SIGNED_CERTFILE, *, server_chain=True)`. */
export function testingContext(serverCert = SIGNED_CERTFILE, serverChain = true): [ssl.SSLContext, ssl.SSLContext, string] {
  const clientContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  clientContext.loadVerifyLocations(SIGNING_CA);
  const serverContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  serverContext.loadCertChain(serverCert);
  if (serverChain) serverContext.loadVerifyLocations(SIGNING_CA);
  const hostname = serverCert === SIGNED_CERTFILE2 ? 'fakehostname' : serverCert === SIGNED_CERTFILE_ECC ? 'localhost-ecc' : 'localhost';
  return [clientContext, serverContext, hostname];
}

export interface TestWrapSocketOptions {
  certReqs?: number;
  caCerts?: string;
  ciphers?: string;
  certfile?: string;
  keyfile?: string;
  serverSide?: boolean;
  doHandshakeOnConnect?: boolean;
}

/**
 * test_ssl.py's module-level `test_wrap_socket(sock, *, cert_reqs=CERT_NONE,
 * ca_certs=None, ciphers=None, certfile=None, keyfile=None, **kwargs)`.
 */
export async function testWrapSocket(sock: ssl.socket, o: TestWrapSocketOptions = {}): Promise<ssl.SSLSocket> {
  const certReqs = o.certReqs ?? ssl.CERT_NONE;
  let context: ssl.SSLContext;
  let serverHostname: string | undefined;
  if (!o.serverSide) {
    context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    serverHostname = 'localhost';
  } else {
    context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  }
  if (certReqs === ssl.CERT_NONE) context.checkHostname = false;
  context.verifyMode = certReqs;
  if (o.caCerts !== undefined) context.loadVerifyLocations(o.caCerts);
  if (o.certfile !== undefined || o.keyfile !== undefined) context.loadCertChain(o.certfile!, o.keyfile);
  if (o.ciphers !== undefined) context.setCiphers(o.ciphers);
  return (await context.wrapSocket(sock, {
    serverSide: o.serverSide ?? false,
    serverHostname,
    doHandshakeOnConnect: o.doHandshakeOnConnect ?? true,
  })) as ssl.SSLSocket;
}

/** `ssl._ssl._test_decode_cert(path)`: the first certificate of a PEM file, as getpeercert() shows it. */
export function testDecodeCert(path: string): PeerCertDict {
  const block = parsePem(readFileSync(path, 'latin1')).find((b) => b.label === 'CERTIFICATE');
  if (!block) throw new Error(`no certificate in ${path}`);
  return peerCertDict(parseCertificate(block.der));
}

export interface ThreadedEchoServerOptions {
  certificate?: string;
  sslVersion?: number;
  certreqs?: number;
  cacerts?: string;
  alpnProtocols?: string[];
  ciphers?: string;
}

/** The context `ThreadedEchoServer(certificate, ssl_version, certreqs, cacerts, …)` builds when given no context. */
export function threadedEchoServerContext(o: ThreadedEchoServerOptions = {}): ssl.SSLContext {
  const context = new ssl.SSLContext(o.sslVersion ?? ssl.PROTOCOL_TLS_SERVER);
  context.verifyMode = o.certreqs ?? ssl.CERT_NONE;
  if (o.cacerts) context.loadVerifyLocations(o.cacerts);
  if (o.certificate) context.loadCertChain(o.certificate);
  if (o.alpnProtocols) context.setAlpnProtocols(o.alpnProtocols);
  if (o.ciphers) context.setCiphers(o.ciphers);
  return context;
}

export interface ServerParamsStats {
  compression: string | null;
  cipher: [string, string, number] | null;
  peercert: unknown;
  clientAlpnProtocol: string | null;
  version: string | null;
  sessionReused: boolean | null;
  session: unknown;
  serverAlpnProtocols: (string | null)[];
  serverSharedCiphers: ([string, string, number][] | null)[];
}

/**
 * test_ssl.py's `server_params_test(client_context, server_context,
 * indata=b"FOO\n", sni_name=None)`: an echo server, a client that writes
 * indata as bytes / bytearray / memoryview (Buffer / Uint8Array / DataView)
 * and must read it back lower-cased, then `over`; returns the stats dict.
 */
export async function serverParamsTest(
  clientContext: ssl.SSLContext,
  serverContext: ssl.SSLContext,
  options: { indata?: Buffer; sniName?: string | null; session?: ssl.SSLSession | null } = {},
): Promise<ServerParamsStats> {
  const indata = options.indata ?? Buffer.from('FOO\n');
  const server = await EchoServer.start({ context: serverContext });
  try {
    const s = (await clientContext.wrapSocket(new ssl.socket(), { serverHostname: options.sniName ?? null, session: options.session ?? null })) as ssl.SSLSocket;
    try {
      await s.connect(server.address);
      const lower = Buffer.from(indata.toString('latin1').replace(/[A-Z]/g, (c) => c.toLowerCase()), 'latin1');
      for (const arg of [indata, new Uint8Array(indata), new DataView(indata.buffer, indata.byteOffset, indata.length)]) {
        await s.write(arg as Uint8Array);
        const outdata = await s.read();
        if (!outdata.equals(lower)) {
          throw new Error(`bad data <<${outdata.subarray(0, 20).toString('latin1')}>> (${outdata.length}) received; expected <<${lower.subarray(0, 20).toString('latin1')}>> (${indata.length})`);
        }
      }
      await s.write(Buffer.from('over\n'));
      const stats = {
        compression: s.compression(),
        cipher: s.cipher(),
        peercert: s.getpeercert(),
        clientAlpnProtocol: s.selectedAlpnProtocol(),
        version: s.version(),
        sessionReused: s.sessionReused,
        session: s.session,
      };
      s.close();
      return { ...stats, serverAlpnProtocols: server.selectedAlpnProtocols, serverSharedCiphers: server.sharedCiphers };
    } finally {
      s.close();
    }
  } finally {
    await server.stop();
  }
}

/**
 * test_ssl.py's `try_protocol_combo(server_protocol, client_protocol,
 * expect_success, certsreqs=None, server_options=0, client_options=0)`
 * (the legacy-version branches are absent: SSLv2/SSLv3/TLS 1.0/1.1 are not
 * implemented, as on an OpenSSL built without them).
 */
export async function tryProtocolCombo(
  serverProtocol: number,
  clientProtocol: number,
  expectSuccess: boolean | string,
  certsreqs: number | null = null,
  serverOptions = 0,
  clientOptions = 0,
): Promise<void> {
  const reqs = certsreqs ?? ssl.CERT_NONE;
  const clientContext = new ssl.SSLContext(clientProtocol);
  clientContext.options |= clientOptions;
  const serverContext = new ssl.SSLContext(serverProtocol);
  serverContext.options |= serverOptions;
  // NOTE: we must enable "ALL" ciphers on the client, otherwise an SSLv23
  // client will send an SSLv3 hello (rather than SSLv2) (issue #8322).
  if (clientContext.protocol === ssl.PROTOCOL_TLS) clientContext.setCiphers('ALL');
  for (const ctx of [clientContext, serverContext]) {
    ctx.verifyMode = reqs;
    ctx.loadCertChain(SIGNED_CERTFILE);
    ctx.loadVerifyLocations(SIGNING_CA);
  }
  let stats: ServerParamsStats;
  try {
    stats = await serverParamsTest(clientContext, serverContext);
  } catch (e) {
    // Protocol mismatch can result in either an SSLError, or a "Connection reset by peer" error.
    if (e instanceof ssl.SSLError) {
      if (expectSuccess) throw e;
      return;
    }
    if (e instanceof ssl.OSError) {
      if (expectSuccess || e.errno !== ERRNO.ECONNRESET) throw e;
      return;
    }
    throw e;
  }
  if (!expectSuccess) {
    throw new Error(`Client protocol ${ssl.getProtocolName(clientProtocol)} succeeded with server protocol ${ssl.getProtocolName(serverProtocol)}!`);
  } else if (expectSuccess !== true && expectSuccess !== stats.version) {
    throw new Error(`version mismatch: expected '${expectSuccess}', got '${stats.version}'`);
  }
}
