/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class ThreadedTests: the tests not
 * already ported in sslsocket-threaded.test.ts / sslsocket-api.test.ts /
 * sslsocket-io.test.ts / python-peer.test.ts. Client and server are both
 * ours, over loopback, the server being the echo server (echo-server.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERRNO } from '../../src/socket/errno.js';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import * as asyncore from './asyncore.js';
import {
  CERTFILE,
  SIGNED_CERTFILE,
  SIGNED_CERTFILE_ECC,
  SIGNING_CA,
  certdataSkip,
  serverParamsTest,
  testWrapSocket,
  testingContext,
  threadedEchoServerContext,
  tryProtocolCombo,
} from './port-fixtures.js';

const skip = certdataSkip;
const SIGNED_CERTFILE_ECC_HOSTNAME = 'localhost-ecc';

async function withServer(context: ssl.SSLContext, body: (server: EchoServer) => Promise<void>): Promise<void> {
  const server = await EchoServer.start({ context });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

test('ThreadedTests.test_ecc_cert', { skip }, async () => {
  const clientContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  clientContext.loadVerifyLocations(SIGNING_CA);
  clientContext.setCiphers('ECDHE:ECDSA:!NULL:!aRSA');
  const hostname = SIGNED_CERTFILE_ECC_HOSTNAME;

  const serverContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  // load ECC cert
  serverContext.loadCertChain(SIGNED_CERTFILE_ECC);

  // correct hostname should verify
  await withServer(serverContext, async (server) => {
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
    try {
      await s.connect(server.address);
      const cert = s.getpeercert();
      assert.ok(cert, "Can't get peer certificate.");
      const cipher = s.cipher()![0].split('-');
      // CPython: assertTrue(cipher[:2], ('ECDHE', 'ECDSA')) — a truth test only.
      assert.ok(cipher.slice(0, 2).length > 0);
    } finally {
      s.close();
    }
  });
});

test('ThreadedTests.test_npn_protocols', () => {
  assert.ok(!ssl.HAS_NPN);
});

test('ThreadedTests.test_recv_into_buffer_protocol_len', { skip }, async () => {
  await withServer(threadedEchoServerContext({ certificate: CERTFILE }), async (server) => {
    const raw = await socket.createConnection(server.address);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.checkHostname = false;
    ctx.verifyMode = ssl.CERT_NONE;
    const s = (await ctx.wrapSocket(raw, { serverHostname: 'localhost', suppressRaggedEofs: false })) as ssl.SSLSocket;
    try {
      await s.send(Buffer.from('data'));
      // array.array('I', [0, 0]): the buffer's size in bytes (8), not its item count (2), bounds the read.
      const buf = new Uint32Array([0, 0]);
      assert.equal(await s.recvInto(buf as unknown as Uint8Array), 4);
      assert.deepEqual(Buffer.from(buf.buffer).subarray(0, 4), Buffer.from('data'));

      // class B(bytearray): def __len__(self): 1/0 — the length must come from the buffer, not len().
      class B extends Uint8Array {
        override get length(): number {
          throw new RangeError('division by zero');
        }
      }
      await s.send(Buffer.from('data'));
      const b = new B(6);
      assert.equal(await s.recvInto(b), 4);
      assert.deepEqual(Buffer.from(b.buffer), Buffer.from('data\0\0'));
    } finally {
      s.close();
    }
  });
});

test('ThreadedTests.test_PROTOCOL_TLS', { skip }, async () => {
  // Connecting to an SSLv23 server with various client options. The SSLv2,
  // SSLv3 and TLSv1 combinations run only has_tls_version(...), false here as
  // on an OpenSSL built without them.
  assert.ok(!ssl.HAS_SSLv2 && !ssl.HAS_SSLv3 && !ssl.HAS_TLSv1);
  await tryProtocolCombo(ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS, true);
  await tryProtocolCombo(ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS, true, ssl.CERT_OPTIONAL);
  await tryProtocolCombo(ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS, true, ssl.CERT_REQUIRED);
  // Server with specific SSL options. Will choose TLSv1 (here: the highest version).
  await tryProtocolCombo(ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS, true, null, ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3);
});

test('ThreadedTests.test_ecdh_curve', { skip }, async () => {
  assert.ok(ssl.CHANNEL_BINDING_TYPES.includes('tls-unique'));
  // server secp384r1, client auto
  let [clientContext, serverContext, hostname] = testingContext();
  serverContext.setEcdhCurve('secp384r1');
  serverContext.setCiphers('ECDHE:!eNULL:!aNULL');
  serverContext.minimumVersion = ssl.TLSVersion.TLSv1_2;
  await serverParamsTest(clientContext, serverContext, { sniName: hostname });

  // server auto, client secp384r1
  [clientContext, serverContext, hostname] = testingContext();
  clientContext.setEcdhCurve('secp384r1');
  serverContext.setCiphers('ECDHE:!eNULL:!aNULL');
  serverContext.minimumVersion = ssl.TLSVersion.TLSv1_2;
  await serverParamsTest(clientContext, serverContext, { sniName: hostname });

  // server / client curve mismatch
  [clientContext, serverContext, hostname] = testingContext();
  clientContext.setEcdhCurve('prime256v1');
  serverContext.setEcdhCurve('secp384r1');
  serverContext.setCiphers('ECDHE:!eNULL:!aNULL');
  serverContext.minimumVersion = ssl.TLSVersion.TLSv1_2;
  await assert.rejects(serverParamsTest(clientContext, serverContext, { sniName: hostname }), (e: unknown) => e instanceof ssl.SSLError);
});

/**
 * ssl_servers.make_https_server: an HTTP/1.0 server over a listening
 * SSLSocket that serves one file by name (http.server's SimpleHTTPRequestHandler
 * reduced to GET of an existing file). Python's http.server and urllib are not
 * part of the ssl module; this is the least HTTP that carries the test.
 */
async function makeHttpsServer(certfile: string, files: Map<string, Buffer>): Promise<{ port: number; stop(): Promise<void> }> {
  const context = ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH);
  // We assume the certfile contains both private key and certificate
  context.loadCertChain(certfile);
  const listener = (await context.wrapSocket(await socket.createServer(['127.0.0.1', 0]), { serverSide: true })) as ssl.SSLSocket;
  const loop = (async () => {
    for (;;) {
      let conn: ssl.SSLSocket;
      try {
        [conn] = (await listener.accept()) as [ssl.SSLSocket, unknown];
      } catch {
        return;
      }
      try {
        let req = Buffer.alloc(0);
        while (!req.includes('\r\n\r\n')) {
          const chunk = await conn.recv(4096);
          if (chunk.length === 0) break;
          req = Buffer.concat([req, chunk]);
        }
        const path = /^GET (\S+) HTTP\/1\.[01]\r\n/.exec(req.toString('latin1'))?.[1] ?? '';
        const body = files.get(path);
        if (body === undefined) await conn.sendall(Buffer.from('HTTP/1.0 404 File not found\r\nContent-Length: 0\r\n\r\n'));
        else await conn.sendall(Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
        await conn.unwrap().catch(() => undefined);
      } finally {
        conn.close();
      }
    }
  })();
  return {
    port: listener.getsockname()[1] as number,
    async stop() {
      listener.close();
      await loop;
    },
  };
}

/** urllib.request.urlopen(url, context=context) for an HTTPS GET: [headers, body]. */
async function urlopen(url: string, context: ssl.SSLContext): Promise<[Map<string, string>, Buffer]> {
  const u = new URL(url);
  const s = (await context.wrapSocket(await socket.createConnection([u.hostname, Number(u.port)]), { serverHostname: u.hostname })) as ssl.SSLSocket;
  try {
    await s.sendall(Buffer.from(`GET ${u.pathname} HTTP/1.0\r\nHost: ${u.host}\r\n\r\n`));
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = await s.recv(65536);
      if (chunk.length === 0) break;
      chunks.push(chunk);
    }
    const all = Buffer.concat(chunks);
    const end = all.indexOf('\r\n\r\n');
    assert.ok(end >= 0, 'a complete HTTP header');
    const [status, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
    assert.match(status!, /^HTTP\/1\.[01] 200 /);
    const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return [headers, all.subarray(end + 4)];
  } finally {
    s.close();
  }
}

test('ThreadedTests.test_socketserver', { skip }, async () => {
  // Using a server to create and manage SSL connections. Get this test file itself:
  const self = fileURLToPath(import.meta.url);
  const d1 = readFileSync(self);
  const server = await makeHttpsServer(SIGNED_CERTFILE, new Map([['/port-threaded.test.js', d1]]));
  try {
    // now fetch the same data from the HTTPS server
    const url = `https://localhost:${server.port}/port-threaded.test.js`;
    const context = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: SIGNING_CA });
    const [info, body] = await urlopen(url, context);
    let d2: Buffer = Buffer.alloc(0);
    const dlen = info.get('content-length');
    if (dlen && Number(dlen) > 0) d2 = body.subarray(0, Number(dlen));
    assert.deepEqual(d2, d1);
  } finally {
    await server.stop();
  }
});

/**
 * test_ssl's AsyncoreEchoServer(certfile), ported over our asyncore port
 * (./asyncore.ts, itself over our select()): an EchoServer dispatcher whose
 * handle_accepted wraps each connection with do_handshake_on_connect=False
 * in a ConnectionHandler (dispatcher_with_send) that retries the handshake
 * on SSLWantRead/WriteError, drains pending() in readable() and echoes
 * recv(1024) lower-cased. The "thread" is an async task on the same event
 * loop; as in CPython, run() swallows what escapes asyncore.loop(1) (here
 * it is also recorded, SSLWantRead/WriteError aside, for the test to check).
 */
class ConnectionHandler extends asyncore.DispatcherWithSend {
  private sslAccepting = true;

  static async create(conn: socket.socket, certfile: string, map: asyncore.SocketMap): Promise<ConnectionHandler> {
    const sock = await testWrapSocket(conn, { serverSide: true, certfile, doHandshakeOnConnect: false });
    const handler = new ConnectionHandler(sock, map);
    await handler.doSslHandshake();
    return handler;
  }

  override async readable(): Promise<boolean> {
    if (this.socket instanceof ssl.SSLSocket) {
      while (this.socket.pending() > 0) await this.handleReadEvent();
    }
    return true;
  }

  async doSslHandshake(): Promise<void> {
    try {
      await (this.socket as ssl.SSLSocket).doHandshake();
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError) return;
      if (e instanceof ssl.SSLEOFError) return this.handleClose();
      if (e instanceof ssl.SSLError) throw e;
      if (e instanceof ssl.OSError) {
        if (e.errno === ERRNO.ECONNABORTED) return this.handleClose();
        return;
      }
      throw e;
    }
    this.sslAccepting = false;
  }

  override async handleRead(): Promise<void> {
    if (this.sslAccepting) {
      await this.doSslHandshake();
    } else {
      const data = await this.recv(1024);
      if (data.length === 0) this.close();
      else await this.send(Buffer.from(data.toString('latin1').toLowerCase(), 'latin1'));
    }
  }

  override async handleClose(): Promise<void> {
    this.close();
  }

  override async handleError(e: unknown): Promise<void> {
    throw e;
  }
}

class AsyncoreEchoServerDispatcher extends asyncore.Dispatcher {
  readonly port: number;

  constructor(
    private readonly certfile: string,
    map: asyncore.SocketMap,
  ) {
    const sock = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    sock.bind(['', 0]); // socket_helper.bind_port(sock, '')
    super(sock, map);
    this.port = sock.getsockname()[1] as number;
    this.listen(5);
  }

  override async handleAccepted(sockObj: socket.socket): Promise<void> {
    await ConnectionHandler.create(sockObj, this.certfile, this.map);
  }

  override async handleError(e: unknown): Promise<void> {
    throw e;
  }
}

class AsyncoreEchoServer {
  active = false;
  readonly server: AsyncoreEchoServerDispatcher;
  readonly port: number;
  readonly errors: unknown[] = [];
  private readonly map: asyncore.SocketMap = new Map();
  private thread: Promise<void> | null = null;

  constructor(certfile: string) {
    this.server = new AsyncoreEchoServerDispatcher(certfile, this.map);
    this.port = this.server.port;
  }

  /** `with server:` — start(); flag.wait(). */
  enter(): this {
    this.thread = this.run();
    return this;
  }

  /** The end of `with server:` — stop(); join(); asyncore.close_all(ignore_all=True). */
  async exit(): Promise<void> {
    this.stop();
    await this.thread;
    asyncore.closeAll(this.map);
  }

  private async run(): Promise<void> {
    this.active = true;
    while (this.active) {
      try {
        await asyncore.loop(1, this.map);
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError)) this.errors.push(e);
      }
      // A thread of its own in CPython; here, let the event loop turn between rounds.
      await new Promise((r) => setImmediate(r));
    }
  }

  stop(): void {
    this.active = false;
    this.server.close();
  }
}

test('ThreadedTests.test_asyncore_server: AsyncoreEchoServer over asyncore.ts over our select()', { skip }, async () => {
  // Check the example asyncore integration.
  const indata = Buffer.from('FOO\n');
  const server = new AsyncoreEchoServer(CERTFILE).enter();
  try {
    const s = await testWrapSocket(new socket.socket());
    await s.connect(['127.0.0.1', server.port]);
    await s.write(indata);
    const outdata = await s.read();
    assert.deepEqual(outdata, Buffer.from('foo\n'), `bad data <<${outdata.toString('latin1')}>> (${outdata.length}) received; expected <<foo\\n>> (${indata.length})`);
    await s.write(Buffer.from('over\n'));
    s.close();
  } finally {
    await server.exit();
  }
  assert.deepEqual(server.errors, []);
});
