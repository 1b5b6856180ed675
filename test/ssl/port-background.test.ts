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
import { CAPATH, SIGNED_CERTFILE, SIGNING_CA, certdataSkip, testWrapSocket, testingContext } from './port-fixtures.js';

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

test('SimpleBackgroundTests.test_get_ca_certs_capath', { skip }, async () => {
  await withBackgroundServer(async (serverAddr) => {
    // capath certs are loaded on request
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(null, CAPATH);
    assert.deepEqual(ctx.getCaCerts(), []);
    const s = (await ctx.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: 'localhost' })) as ssl.SSLSocket;
    try {
      await s.connect(serverAddr);
      assert.ok(s.getpeercert());
    } finally {
      s.close();
    }
    assert.equal(ctx.getCaCerts().length, 1);
  });
});

/** SHORT_TIMEOUT of test.support: the io loop gives up after it. */
const SHORT_TIMEOUT_MS = 30_000;

/**
 * SimpleBackgroundTests.ssl_io_loop: call func; on WANT_READ / WANT_WRITE move
 * data between the socket and the BIOs and call it again. The outgoing BIO
 * is sent whatever the outcome.
 */
async function sslIoLoop<T>(sock: socket.socket, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO, func: () => T): Promise<T> {
  const deadline = Date.now() + SHORT_TIMEOUT_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error('ssl_io_loop timed out');
    let errno: number | null = null;
    let ret: T | undefined;
    try {
      ret = func();
    } catch (e) {
      if (!(e instanceof ssl.SSLError) || (e.errno !== ssl.SSL_ERROR_WANT_READ && e.errno !== ssl.SSL_ERROR_WANT_WRITE)) throw e;
      errno = e.errno;
    }
    // Get any data from the outgoing BIO irrespective of any error, and send it to the socket.
    await sock.sendall(outgoing.read());
    // If there's no error, we're done. For WANT_READ, we need to get data
    // from the socket and put it in the incoming BIO.
    if (errno === null) return ret as T;
    if (errno === ssl.SSL_ERROR_WANT_READ) {
      const buf = await sock.recv(32768);
      if (buf.length) incoming.write(buf);
      else incoming.writeEof();
    }
  }
}

test('SimpleBackgroundTests.test_bio_handshake', { skip }, async () => {
  await withBackgroundServer(async (serverAddr) => {
    const sock = new socket.socket(socket.AF_INET);
    try {
      await sock.connect(serverAddr);
      const incoming = new ssl.MemoryBIO();
      const outgoing = new ssl.MemoryBIO();
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      assert.ok(ctx.checkHostname);
      assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
      ctx.loadVerifyLocations(SIGNING_CA);
      const sslobj = ctx.wrapBio(incoming, outgoing, { serverSide: false, serverHostname: SIGNED_CERTFILE_HOSTNAME });
      // (CPython also checks `sslobj._sslobj.owner is sslobj`, an _ssl internal.)
      assert.equal(sslobj.cipher(), null);
      assert.equal(sslobj.version(), null);
      assert.equal(sslobj.sharedCiphers(), null);
      assert.throws(() => sslobj.getpeercert(), (e: unknown) => e instanceof ssl.ValueError);
      if (ssl.CHANNEL_BINDING_TYPES.includes('tls-unique')) assert.equal(sslobj.getChannelBinding('tls-unique'), null);
      await sslIoLoop(sock, incoming, outgoing, () => sslobj.doHandshake());
      assert.ok(sslobj.cipher());
      assert.equal(sslobj.sharedCiphers(), null);
      assert.notEqual(sslobj.version(), null);
      assert.ok(sslobj.getpeercert());
      if (ssl.CHANNEL_BINDING_TYPES.includes('tls-unique')) assert.ok(sslobj.getChannelBinding('tls-unique'));
      try {
        await sslIoLoop(sock, incoming, outgoing, () => sslobj.unwrap());
      } catch (e) {
        // If the server shuts down the TCP connection without sending a
        // secure shutdown message, this is reported as SSL_ERROR_SYSCALL
        if (!(e instanceof ssl.SSLSyscallError)) throw e;
      }
      assert.throws(() => sslobj.write(Buffer.from('foo')), (e: unknown) => e instanceof ssl.SSLError);
    } finally {
      sock.close();
    }
  });
});

test('SimpleBackgroundTests.test_bio_read_write_data', { skip }, async () => {
  await withBackgroundServer(async (serverAddr) => {
    const sock = new socket.socket(socket.AF_INET);
    try {
      await sock.connect(serverAddr);
      const incoming = new ssl.MemoryBIO();
      const outgoing = new ssl.MemoryBIO();
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      ctx.checkHostname = false;
      ctx.verifyMode = ssl.CERT_NONE;
      const sslobj = ctx.wrapBio(incoming, outgoing, { serverSide: false });
      await sslIoLoop(sock, incoming, outgoing, () => sslobj.doHandshake());
      const req = Buffer.from('FOO\n');
      await sslIoLoop(sock, incoming, outgoing, () => sslobj.write(req));
      const buf = await sslIoLoop(sock, incoming, outgoing, () => sslobj.read(1024));
      assert.deepEqual(buf, Buffer.from('foo\n'));
      await sslIoLoop(sock, incoming, outgoing, () => sslobj.unwrap());
    } finally {
      sock.close();
    }
  });
});

test('SimpleBackgroundTests.test_transport_eof', { skip }, async () => {
  await withBackgroundServer(async (serverAddr) => {
    const [clientContext, , hostname] = testingContext();
    const sock = new socket.socket(socket.AF_INET);
    try {
      await sock.connect(serverAddr);
      const incoming = new ssl.MemoryBIO();
      const outgoing = new ssl.MemoryBIO();
      const sslobj = clientContext.wrapBio(incoming, outgoing, { serverHostname: hostname });
      await sslIoLoop(sock, incoming, outgoing, () => sslobj.doHandshake());
      // Simulate EOF from the transport.
      incoming.writeEof();
      assert.throws(() => sslobj.read(), (e: unknown) => e instanceof ssl.SSLEOFError);
    } finally {
      sock.close();
    }
  });
});
