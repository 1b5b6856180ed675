/**
 * The Python surface of a TLS 1.2 connection over SSLSocket: cipher(),
 * version(), shared_ciphers(), get_channel_binding('tls-unique'), and the
 * version errors with Python's exact texts, each checked against what
 * python3 prints with the same OpenSSL peers (openssl s_server/s_client
 * -tls1 / -tls1_1, which OpenSSL 3 still speaks at security level 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { SIGNED_CERTFILE, certdataSkip, testingContext } from './echo-server-fixtures.js';
import { havePeer } from '../helpers/peer-check.js';

const HAVE_OPENSSL = havePeer('openssl');
const skip = certdataSkip || (HAVE_OPENSSL ? false : 'openssl not installed');

/** Our client and our server over TCP; returns both ends after the handshake. */
async function connectedPair(clientContext: ssl.SSLContext, serverContext: ssl.SSLContext, hostname: string): Promise<[ssl.SSLSocket, ssl.SSLSocket, () => void]> {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const port = listener.getsockname()[1] as number;
  const lsock = (await serverContext.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
  const accepted = lsock.accept();
  const raw = await socket.createConnection(['127.0.0.1', port]);
  const c = (await clientContext.wrapSocket(raw, { serverHostname: hostname })) as ssl.SSLSocket;
  const [s] = (await accepted) as [ssl.SSLSocket, unknown];
  return [c, s, () => (c.close(), s.close(), lsock.close())];
}

test('TLS 1.2 over SSLSocket: cipher(), version(), shared_ciphers() and tls-unique as Python reports them', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  const [c, s, close] = await connectedPair(clientContext, serverContext, hostname);
  try {
    // keycert3.pem is an RSA certificate: Python's default cipher string puts AES-256-GCM first.
    assert.deepEqual(c.cipher(), ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 256]);
    assert.deepEqual(s.cipher(), ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 256]);
    assert.equal(c.version(), 'TLSv1.2');
    assert.equal(s.version(), 'TLSv1.2');
    // The client offered only TLS 1.2 suites; the server lists them in its own order.
    assert.deepEqual(s.sharedCiphers(), [
      ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 256],
      ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 256],
      ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLSv1.2', 128],
      ['ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 128],
      ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLSv1.2', 256],
      ['ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 256],
    ]);
    // RFC 5929: the first Finished (the client's), 12 bytes, the same on both sides.
    const cb = c.getChannelBinding('tls-unique')!;
    assert.equal(cb.length, 12);
    assert.deepEqual(s.getChannelBinding('tls-unique'), cb);
    await c.sendall(Buffer.from('ping'));
    assert.deepEqual(await s.recv(4), Buffer.from('ping'));
  } finally {
    close();
  }
});

test('TLS 1.2: set_ciphers on the client picks the suite (ChaCha20)', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  clientContext.setCiphers('ECDHE-RSA-CHACHA20-POLY1305');
  const [c, s, close] = await connectedPair(clientContext, serverContext, hostname);
  try {
    assert.deepEqual(c.cipher(), ['ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 256]);
    assert.deepEqual(s.sharedCiphers(), [['ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 256]]);
  } finally {
    close();
  }
});

test('a 1.3-only server and a 1.2-only client: "tlsv1 alert protocol version" / "unsupported protocol", as Python says', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  serverContext.minimumVersion = ssl.TLSVersion.TLSv1_3;
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const port = listener.getsockname()[1] as number;
  const lsock = (await serverContext.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
  const accepted = lsock.accept().then(
    () => assert.fail('the server accepted'),
    (e: unknown) => e,
  );
  const raw = await socket.createConnection(['127.0.0.1', port]);
  await assert.rejects(clientContext.wrapSocket(raw, { serverHostname: hostname }), { message: '[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version' });
  const serverError = (await accepted) as ssl.SSLError;
  assert.equal(serverError.message, '[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol');
  raw.close();
  lsock.close();
});

test('maximum_version = MINIMUM_SUPPORTED: the handshake fails with "no protocols available", as Python on OpenSSL 3', { skip }, async () => {
  const [clientContext] = testingContext();
  clientContext.maximumVersion = ssl.TLSVersion.MINIMUM_SUPPORTED;
  assert.equal(clientContext.maximumVersion, ssl.TLSVersion.TLSv1);
  const obj = clientContext.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverHostname: 'localhost' });
  assert.throws(() => obj.doHandshake(), { message: '[SSL: NO_PROTOCOLS_AVAILABLE] no protocols available' });
});

for (const flag of ['-tls1', '-tls1_1']) {
  test(`our client against openssl s_server ${flag}: "tlsv1 alert protocol version", as Python's`, { skip }, async () => {
    const listenerPort = await freePort();
    const proc = spawn('openssl', ['s_server', '-accept', String(listenerPort), '-cert', SIGNED_CERTFILE, flag, '-cipher', 'ALL:@SECLEVEL=0', '-naccept', '1', '-brief'], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const [clientContext, , hostname] = testingContext();
      const raw = await connectRetrying(listenerPort);
      await assert.rejects(clientContext.wrapSocket(raw, { serverHostname: hostname }), { message: '[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version' });
      raw.close();
    } finally {
      proc.kill();
    }
  });

  test(`openssl s_client ${flag} against our server: "unsupported protocol", as Python's`, { skip }, async () => {
    const [, serverContext] = testingContext();
    const listener = await socket.createServer(['127.0.0.1', 0]);
    const port = listener.getsockname()[1] as number;
    const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, flag, '-cipher', 'ALL:@SECLEVEL=0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    proc.stdout.setEncoding('latin1').on('data', (d: string) => (err += d));
    const closed = new Promise((r) => proc.on('close', r));
    try {
      const [conn] = await listener.accept();
      await assert.rejects(serverContext.wrapSocket(conn, { serverSide: true }), { message: '[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol' });
      conn.close();
      await closed;
      // Our protocol_version alert reached s_client.
      assert.match(err, /alert protocol version|no protocols available|CONNECTED/);
    } finally {
      proc.kill();
      listener.close();
    }
  });
}

async function freePort(): Promise<number> {
  const l = await socket.createServer(['127.0.0.1', 0]);
  const port = l.getsockname()[1] as number;
  l.close();
  return port;
}

async function connectRetrying(port: number): Promise<socket.socket> {
  for (let i = 0; ; i++) {
    try {
      return await socket.createConnection(['127.0.0.1', port]);
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
