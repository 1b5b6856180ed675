/**
 * Child process of streams-ref.test.ts (not a test itself): connects with
 * sslsock to the TLS server on 127.0.0.1:argv[2], turns the SSLSocket into a
 * Duplex with a read pending, applies argv[3] ('ref': nothing, 'unref',
 * 'unref-ref': unref() then ref()), prints "ready" and leaves the connection
 * idle. The parent checks whether the process then exits on its own.
 * SSLSOCK_TEST_CA holds the CA certificate (PEM) to trust.
 */
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';

const port = Number(process.argv[2]);
const mode = process.argv[3];
const ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cadata: process.env['SSLSOCK_TEST_CA']! });
const raw = await socket.createConnection(['127.0.0.1', port]);
const tls = await ctx.wrapSocket(raw, { serverHostname: 'localhost' });
const duplex = tls.toDuplex();
duplex.on('data', (chunk: Buffer) => process.stdout.write(`data ${chunk.length}\n`));
duplex.on('error', (e: Error) => {
  process.stderr.write(`error ${e.message}\n`);
  process.exitCode = 3;
});
if (mode === 'unref' || mode === 'unref-ref') duplex.unref();
if (mode === 'unref-ref') duplex.ref();
process.stdout.write('ready\n');
