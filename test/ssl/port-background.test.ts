/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class SimpleBackgroundTests: the tests
 * not already ported in sslsocket.test.ts. setUp() starts a ThreadedEchoServer
 * with a TLS_SERVER context holding SIGNED_CERTFILE; each test gets its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { CAPATH, SIGNED_CERTFILE, certdataSkip, testWrapSocket } from './port-fixtures.js';

const skip = certdataSkip;
const SIGNED_CERTFILE_HOSTNAME = 'localhost';

/** setUp / tearDown of SimpleBackgroundTests around one test body. */
async function withBackgroundServer(body: (serverAddr: [string, number]) => Promise<void>): Promise<void> {
  const serverContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  serverContext.loadCertChain(SIGNED_CERTFILE);
  const server = await EchoServer.start({ context: serverContext });
  try {
    await body(server.address);
  } finally {
    await server.stop();
  }
}

test('SimpleBackgroundTests.test_connect_capath', { skip }, async () => {
  await withBackgroundServer(async (serverAddr) => {
    // Verify server certificates using the `capath` argument
    let ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(null, CAPATH);
    let s = (await ctx.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: SIGNED_CERTFILE_HOSTNAME })) as ssl.SSLSocket;
    try {
      await s.connect(serverAddr);
      assert.ok(s.getpeercert());
    } finally {
      s.close();
    }
    // Same with a bytes `capath` argument
    ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(null, Buffer.from(CAPATH));
    s = (await ctx.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: SIGNED_CERTFILE_HOSTNAME })) as ssl.SSLSocket;
    try {
      await s.connect(serverAddr);
      assert.ok(s.getpeercert());
    } finally {
      s.close();
    }
  });
});

test('SimpleBackgroundTests.test_ciphers', { skip }, async () => {
  await withBackgroundServer(async (serverAddr) => {
    let s = await testWrapSocket(new socket.socket(socket.AF_INET), { certReqs: ssl.CERT_NONE, ciphers: 'ALL' });
    try {
      await s.connect(serverAddr);
    } finally {
      s.close();
    }
    s = await testWrapSocket(new socket.socket(socket.AF_INET), { certReqs: ssl.CERT_NONE, ciphers: 'DEFAULT' });
    try {
      await s.connect(serverAddr);
    } finally {
      s.close();
    }
    // Error checking can happen at instantiation or when connecting
    const sock = new socket.socket(socket.AF_INET);
    try {
      await assert.rejects(
        (async () => {
          const s2 = await testWrapSocket(sock, { certReqs: ssl.CERT_NONE, ciphers: "^$:,;?*'dorothyx" });
          await s2.connect(serverAddr);
        })(),
        (e: unknown) => e instanceof ssl.SSLError && /No cipher can be selected/.test(e.message),
      );
    } finally {
      sock.close();
    }
  });
});
