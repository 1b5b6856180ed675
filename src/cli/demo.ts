/**
 * `sslsock demo` (`npm run demo`): DESIGN.md's contract, run for real in one
 * process over loopback TCP, and printed the way a Python user reads it.
 *
 *   1. a throwaway CA and intermediate (sslsock/testing) issue a server
 *      certificate for localhost and 127.0.0.1;
 *   2. an sslsock server (SSLContext(PROTOCOL_TLS_SERVER), accept) and an
 *      sslsock client (createDefaultContext, wrapSocket) shake hands, echo,
 *      unwrap back to plain text and close;
 *   3. the failures users meet — wrong host name, untrusted CA, expired
 *      certificate — as both sides' exceptions;
 *   4. the sans-IO door: SSLObject + MemoryBIO, flight by flight;
 *   5. sslsock's X.509 path validation on its own.
 *
 * Every value printed is what the calls returned in this run.
 */
import { defaultProvider, type CryptoProvider } from '../crypto/index.js';
import { CA } from '../testing/index.js';
import { parseCertificate } from '../x509/certificate.js';
import { flag, formatOptions, parseArgs, type OptionSpec } from './args.js';
import { ALPN_PROTOCOLS, runLoopback, type LoopbackReport } from './demo-loopback.js';
import { runFailures, type ErrorView, type FailureCase } from './demo-failures.js';
import { runSansIo, type SansIoReport } from './demo-sansio.js';
import { runX509, type X509Report } from './demo-x509.js';
import { bytesRepr, compactJson } from './pretty.js';

export const DEMO_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { value: false, help: 'print the results as one JSON document' },
};

export const DEMO_USAGE = `usage: sslsock demo [--json]

Runs sslsock's Python-style ssl API for real, in one process over loopback:
a test CA issues a certificate for localhost; an sslsock server
(SSLContext(PROTOCOL_TLS_SERVER), wrapSocket, accept) and an sslsock client
(createDefaultContext, wrapSocket) complete a TLS 1.3 handshake, echo data,
unwrap() back to plain text and close. Then the handshake failures users meet
(wrong host name, untrusted CA, expired certificate) with each side's
exception as Python shows it, a sans-IO SSLObject/MemoryBIO handshake, and
sslsock's X.509 path validation on its own.

options:
${formatOptions(DEMO_OPTIONS)}`;

export interface DemoReport {
  readonly ca: { root: string; intermediate: string; keyType: string };
  readonly server: { identities: readonly string[]; serialNumber: string; certPem: string };
  readonly loopback: LoopbackReport;
  readonly failures: FailureCase[];
  readonly sansio: SansIoReport;
  readonly x509: X509Report;
}

function subjectOf(der: Uint8Array): string {
  return parseCertificate(der).subject.toString();
}

/** Runs every step and returns the results; rendering is separate so tests can read JSON. */
export async function buildDemoReport(provider: CryptoProvider = defaultProvider): Promise<DemoReport> {
  const root = CA.create({ commonName: 'sslsock demo root', provider });
  const intermediate = root.createChildCA({ commonName: 'sslsock demo intermediate' });
  const server = intermediate.issueCert('localhost', '127.0.0.1', { commonName: 'localhost' });
  const loopback = await runLoopback(root, server);
  const failures = await runFailures(intermediate);
  const sansio = runSansIo(root, server);
  const x509 = runX509(root, intermediate, server, provider);
  return {
    ca: { root: subjectOf(root.certDer), intermediate: subjectOf(intermediate.certDer), keyType: root.keyType },
    server: { identities: server.identities, serialNumber: server.serialNumber.toString(16).toUpperCase(), certPem: server.certPem },
    loopback,
    failures,
    sansio,
    x509,
  };
}

const j = (v: unknown): string => JSON.stringify(v);

function renderError(who: string, e: ErrorView | null, out: (line: string) => void): void {
  if (e === null) {
    out(`     ${who}  no exception (unexpected)`);
    return;
  }
  const verify = e.verifyCode === undefined ? '' : `  verify_code ${e.verifyCode}  verify_message ${j(e.verifyMessage)}`;
  out(`     ${who}  ${e.class}${verify}`);
  out(`             str(e): ${e.message}`);
}

function renderLoopback(l: LoopbackReport, out: (line: string) => void): void {
  const col = (call: string, result: string): void => out(`   ${call.padEnd(38)} ${result}`);
  const port = l.listening[1];
  out('2. The contract on loopback: an sslsock server and an sslsock client in this process');
  out(`   server: sctx = new SSLContext(PROTOCOL_TLS_SERVER); test-CA cert; setAlpnProtocols(${j(ALPN_PROTOCOLS)})`);
  out(`           ls = await sctx.wrapSocket(await socket.createServer(['127.0.0.1', 0]), { serverSide: true })`);
  out(`           listening on ${j(l.listening)}; [conn, addr] = await ls.accept() handshook with ${j(l.acceptedFrom)}`);
  out(`   client: ctx = createDefaultContext(); ca.configureTrust(ctx); setAlpnProtocols(${j(ALPN_PROTOCOLS)})`);
  out(`           s = await ctx.wrapSocket(await socket.createConnection(['127.0.0.1', ${port}]), { serverHostname: 'localhost' })`);
  out('');
  col('s.version()', j(l.client.version));
  col('s.cipher()', j(l.client.cipher));
  col('s.selectedAlpnProtocol()', j(l.client.alpn));
  col('conn.version() / conn.cipher()', `${j(l.server.version)} / ${j(l.server.cipher)}`);
  col('conn.selectedAlpnProtocol()', j(l.server.alpn));
  col('conn.getpeercert()', `${j(l.server.peercert)} (no client certificate was requested)`);
  out('   s.getpeercert()');
  for (const line of compactJson(l.client.peercert).split('\n')) out(`     ${line}`);
  const tlsSent = Buffer.from(l.tls.echoed, 'latin1');
  col('await s.sendall(msg)', `${l.tls.sent} bytes sent over TLS`);
  col('await s.recv(4096) (until all back)', `${l.tls.received} bytes echoed by the server: ${bytesRepr(tlsSent)}`);
  col(
    'await s.unwrap()',
    `close_notify both ways; returned ${l.unwrap.client.sameObject ? 's itself' : 'another object'}, s.version() now ${j(l.unwrap.client.versionAfter)}` +
      ` (server: ${l.unwrap.server.sameObject ? 'conn itself' : 'another object'}, ${j(l.unwrap.server.versionAfter)})`,
  );
  col('await s.sendall(plain)', `${l.plain.sent} bytes in the clear (ENDTLS)`);
  col('await s.recv(4096) (until all back)', `${l.plain.received} bytes echoed in the clear: ${bytesRepr(Buffer.from(l.plain.echoed, 'latin1'))}`);
  col('s.close()', `server's recv() then returned ${l.serverSawEof ? "b'' (EOF)" : 'data (unexpected)'}`);
}

function renderSansIo(r: SansIoReport, out: (line: string) => void): void {
  out('4. Sans-IO: SSLObject + MemoryBIO, two objects in memory, flights moved by hand');
  out("   obj = ctx.wrapBio(incoming, outgoing, { serverHostname: 'localhost' }); every call is synchronous");
  for (const f of r.flights) {
    const header = f.recordHeader === '' ? '' : `  first record header ${f.recordHeader}`;
    out(`   ${f.call.padEnd(26)} ${f.outcome.padEnd(16)} outgoing.read() -> ${String(f.bytesOut).padStart(4)} bytes${header}`);
  }
  out(`   ClientHello: ${r.clientHelloBytes} bytes; negotiated ${j(r.version)} ${j(r.cipher)} ALPN ${j(r.alpn)}`);
  out(`   ${r.appData.plaintext} plaintext bytes became a ${r.appData.ciphertext}-byte record; server.read() -> ${bytesRepr(Buffer.from(r.appData.received, 'latin1'))}`);
}

function renderX509(r: X509Report, out: (line: string) => void): void {
  const mark = (ok: boolean): string => (ok ? 'OK  ' : 'FAIL');
  out("5. sslsock's X.509 path validation on its own (OpenSSL 3.0 rules, Python's verify codes)");
  for (const v of r.validations) out(`   ${mark(v.ok)} ${v.case.padEnd(12)} chain: ${(v.chain ?? []).join('  <-  ')}`);
  const width = Math.max(...r.failures.map((f) => f.case.length));
  for (const f of r.failures) out(`   ${mark(f.ok)} ${f.case.padEnd(width)}  ${String(f.verifyCode).padStart(2)}  ${f.verifyMessage}`);
}

function renderText(r: DemoReport, out: (line: string) => void): void {
  out("sslsock demo: Python's ssl API on sslsock's own TLS engine (node:crypto supplies only the primitives)");
  out('');
  out(`1. A throwaway CA (sslsock/testing, ${r.ca.keyType})`);
  out(`   root          ${r.ca.root}`);
  out(`   intermediate  ${r.ca.intermediate}`);
  out(`   server certificate for ${r.server.identities.join(', ')} (serial ${r.server.serialNumber})`);
  out('');
  renderLoopback(r.loopback, out);
  out('');
  out("3. When the handshake fails: the client's exception and what the server's accept() raised");
  for (const f of r.failures) {
    out(`   ${f.case}`);
    renderError('client', f.client, out);
    renderError('server', f.server, out);
  }
  out('');
  renderSansIo(r.sansio, out);
  out('');
  renderX509(r.x509, out);
}

export async function runDemo(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, DEMO_OPTIONS);
  const report = await buildDemoReport();
  if (flag(args, 'json')) out(JSON.stringify(report, null, 2));
  else renderText(report, out);
  // A failure case that did not fail is a bug worth a non-zero exit, after showing it.
  return report.failures.every((f) => f.client !== null && f.server !== null) ? 0 : 1;
}
