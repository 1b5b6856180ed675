/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class TestPreHandshakeClose:
 * test_https_client_non_tls_response_ignored (the other two are ported in
 * sslsocket-api.test.ts). The fault-injecting server is node:net, which can
 * reset a connection (`SO_LINGER` 0 + close in CPython); http.client's HTTPS
 * request is the HEAD request written by hand over the wrapped socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';

test('TestPreHandshakeClose.test_https_client_non_tls_response_ignored', async () => {
  let serverResponding!: () => void;
  const responded = new Promise<void>((r) => (serverResponding = r));
  // call_after_accept: a cleartext HTTP response, then an immediate close via RST.
  const srv = net.createServer((conn) => {
    conn.on('error', () => undefined);
    conn.write('HTTP/1.0 402 Payment Required\r\n\r\n', () => {
      conn.resetAndDestroy();
      serverResponding();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const timeout = 2.0;
  try {
    const { address: host, port } = srv.address() as net.AddressInfo;
    const context = ssl.createDefaultContext();
    // SynchronizedHTTPSConnection.connect(): a clear text connect, wait for the
    // fault injection server to have done its thing, then wrap_socket().
    // connection.request("HEAD", "/test", headers={"Host": "localhost"}); getresponse()
    const request = async (): Promise<void> => {
      const plain = await socket.createConnection([host, port], timeout);
      await responded;
      const sock = (await context.wrapSocket(plain, { serverHostname: host })) as ssl.SSLSocket;
      try {
        await sock.sendall(Buffer.from('HEAD /test HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n'));
        await sock.recv(8192);
      } finally {
        sock.close();
      }
    };
    // There are lots of reasons this raises as desired: sending the request
    // requires a successful TLS wrapped socket; that fails if the connection is broken.
    await assert.rejects(request(), (e: unknown) => e instanceof ssl.OSError);
  } finally {
    srv.close();
  }
});
