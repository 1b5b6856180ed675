/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class ThreadedTests: the tests not
 * already ported in sslsocket-threaded.test.ts / sslsocket-api.test.ts /
 * sslsocket-io.test.ts / python-peer.test.ts. Client and server are both
 * ours, over loopback, the server being the echo server (echo-server.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { CERTFILE, SIGNED_CERTFILE_ECC, SIGNING_CA, certdataSkip, threadedEchoServerContext } from './port-fixtures.js';

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
