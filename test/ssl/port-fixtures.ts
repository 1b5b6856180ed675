/**
 * Shared pieces of the CPython test_ssl.py port (test/ssl/port-*.test.ts):
 * the certdata constants read from the vendored copy in test/vectors/certdata
 * (so a clone needs no particular Python), CPython's `testing_context()`,
 * its module-level `test_wrap_socket()` helper, and `_test_decode_cert()`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ssl from '../../src/ssl/index.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parsePem } from '../../src/x509/pem.js';
import { peerCertDict, type PeerCertDict } from '../../src/x509/peercert.js';

export const CERTDATA = fileURLToPath(new URL('../../../test/vectors/certdata', import.meta.url));
export const dataFile = (name: string): string => join(CERTDATA, name);

// The names test_ssl.py gives these files.
export const CERTFILE = dataFile('keycert.pem');
export const ONLYCERT = dataFile('ssl_cert.pem');
export const ONLYKEY = dataFile('ssl_key.pem');
export const SIGNED_CERTFILE = dataFile('keycert3.pem');
export const SIGNED_CERTFILE2 = dataFile('keycert4.pem');
export const SIGNED_CERTFILE_ECC = dataFile('keycertecc.pem');
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

/** Skip reason when the vendored certificates are missing. */
export const certdataSkip: string | false = (() => {
  try {
    readFileSync(SIGNED_CERTFILE);
    return false;
  } catch {
    return `CPython test certificates not found at ${CERTDATA}`;
  }
})();

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
