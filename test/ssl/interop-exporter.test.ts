/**
 * exportKeyingMaterial() and keyUpdate() on SSLSocket and SSLObject (beyond
 * Python, DESIGN.md): the exporter equals `openssl s_client/s_server
 * -keymatexport` and node:tls's exportKeyingMaterial for the same connection,
 * both directions; KeyUpdate reaches openssl and node:tls and data keeps
 * flowing; Python-style errors for misuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { SIGNED_CERTFILE, SIGNING_CA, certdataSkip, testingContext } from './port-fixtures.js';
import { HAVE_OPENSSL, Peer, freePort } from '../tls/interop-peers.js';

const skip = certdataSkip;
const skipOpenssl = certdataSkip || (HAVE_OPENSSL ? false : process.env.CI ? false : 'openssl not installed');
const LABEL = 'EXPERIMENTAL-sslsock';

/** One accepted SSLSocket on a fresh listener. */
async function ourServer(ctx: ssl.SSLContext): Promise<{ port: number; accepted: Promise<ssl.SSLSocket>; close(): void }> {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const ls = (await ctx.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
  const accepted = ls.accept().then(([conn]) => conn as ssl.SSLSocket);
  return { port: ls.getsockname()[1] as number, accepted, close: () => ls.close() };
}

function keymat(output: string): string {
  const m = /Keying material: ([0-9A-Fa-f]+)/.exec(output);
  assert.ok(m, `no keying material printed:\n${output}`);
  return m[1]!.toLowerCase();
}

test('exportKeyingMaterial on our server equals openssl s_client -keymatexport', { skip: skipOpenssl }, async () => {
  const [, serverContext] = testingContext();
  const srv = await ourServer(serverContext);
  const peer = Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-CAfile', SIGNING_CA, '-servername', 'localhost', '-keymatexport', LABEL, '-keymatexportlen', '40']);
  try {
    const conn = await srv.accepted;
    assert.ok(await peer.waitFor(/Keying material: [0-9A-F]+/));
    assert.equal(conn.exportKeyingMaterial(LABEL, 40).toString('hex'), keymat(peer.out.toString()));
    // TLS 1.3: no context and an empty one give the same bytes (RFC 8446 §7.5).
    assert.deepEqual(conn.exportKeyingMaterial(LABEL, 40, Buffer.alloc(0)), conn.exportKeyingMaterial(LABEL, 40));
    assert.notDeepEqual(conn.exportKeyingMaterial(LABEL, 40, Buffer.from('ctx')), conn.exportKeyingMaterial(LABEL, 40));
    conn.close();
  } finally {
    peer.proc.stdin.end();
    peer.kill();
    await peer.exit();
    srv.close();
  }
});

test('exportKeyingMaterial on our client equals openssl s_server -keymatexport', { skip: skipOpenssl }, async () => {
  const [clientContext] = testingContext();
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', SIGNED_CERTFILE, '-keymatexport', LABEL, '-keymatexportlen', '64']);
  try {
    assert.ok(await peer.waitFor(/ACCEPT/));
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost' })) as ssl.SSLSocket;
    try {
      await s.connect(['127.0.0.1', port]);
      assert.ok(await peer.waitFor(/Keying material: [0-9A-F]+/));
      assert.equal(s.exportKeyingMaterial(LABEL, 64).toString('hex'), keymat(peer.out.toString()));
    } finally {
      s.close();
    }
  } finally {
    peer.kill();
    await peer.exit();
  }
});

test('exportKeyingMaterial equals node:tls exportKeyingMaterial on the same connection, both directions, with a context', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  const ctxValue = Buffer.from('some context');
  // node:tls client, our server.
  const srv = await ourServer(serverContext);
  try {
    const c = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: readFileSync(SIGNING_CA) });
    await new Promise<void>((r, j) => (c.once('secureConnect', () => r()), c.once('error', j)));
    const conn = await srv.accepted;
    assert.deepEqual(conn.exportKeyingMaterial(LABEL, 32, ctxValue), c.exportKeyingMaterial(32, LABEL, ctxValue));
    assert.deepEqual(conn.exportKeyingMaterial(LABEL, 100), c.exportKeyingMaterial(100, LABEL, undefined as unknown as Buffer));
    c.destroy();
    conn.close();
  } finally {
    srv.close();
  }
  // Our client, node:tls server.
  const pem = readFileSync(SIGNED_CERTFILE, 'latin1');
  let serverSide: tls.TLSSocket | null = null;
  const nodeServer = tls.createServer({ key: pem, cert: pem }, (sock) => {
    serverSide = sock;
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => nodeServer.listen(0, '127.0.0.1', r));
  try {
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost' })) as ssl.SSLSocket;
    try {
      await s.connect(['127.0.0.1', (nodeServer.address() as { port: number }).port]);
      while (serverSide === null) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(s.exportKeyingMaterial(LABEL, 48, ctxValue), (serverSide as tls.TLSSocket).exportKeyingMaterial(48, LABEL, ctxValue));
    } finally {
      s.close();
    }
  } finally {
    nodeServer.close();
  }
});

test('exportKeyingMaterial argument and state errors', { skip }, async () => {
  const [clientContext] = testingContext();
  const obj = clientContext.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverHostname: 'localhost' });
  assert.throws(() => obj.exportKeyingMaterial(LABEL, 32), { name: 'ValueError', message: 'handshake not done yet' });
  assert.throws(() => obj.exportKeyingMaterial(3 as unknown as string, 32), TypeError);
  assert.throws(() => obj.exportKeyingMaterial(LABEL, 32, 'x' as unknown as Uint8Array), TypeError);
  assert.throws(() => obj.keyUpdate(), { name: 'SSLError', message: '[SSL: STILL_IN_INIT] still in init' });
  const plain = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost' })) as ssl.SSLSocket;
  try {
    assert.throws(() => plain.keyUpdate(), { name: 'ValueError' });
    assert.throws(() => plain.exportKeyingMaterial(LABEL, 32), { name: 'ValueError' });
  } finally {
    plain.close();
  }
});

test('keyUpdate(true) from our client: openssl s_server sees the KeyUpdate, answers it, and data flows both ways after', { skip: skipOpenssl }, async () => {
  const [clientContext] = testingContext();
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', SIGNED_CERTFILE, '-msg']);
  try {
    assert.ok(await peer.waitFor(/ACCEPT/));
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost' })) as ssl.SSLSocket;
    try {
      await s.connect(['127.0.0.1', port]);
      s.keyUpdate(true);
      await s.sendall(Buffer.from('after-update\n'));
      assert.ok(await peer.waitFor(/<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/), peer.out.toString());
      assert.ok(await peer.waitFor(/^after-update$/m));
      peer.proc.stdin.write('reply\n');
      assert.match((await s.recv(100)).toString(), /reply/);
      // Its answer (update_not_requested) was read inside that recv: our read key moved on too.
      assert.ok(await peer.waitFor(/>>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate/));
    } finally {
      s.close();
    }
  } finally {
    peer.kill();
    await peer.exit();
  }
});

test('keyUpdate on our server side with node:tls as the client; SSLObject keyUpdate in memory', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  const srv = await ourServer(serverContext);
  try {
    const c = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: readFileSync(SIGNING_CA) });
    await new Promise<void>((r, j) => (c.once('secureConnect', () => r()), c.once('error', j)));
    const conn = await srv.accepted;
    conn.keyUpdate(true);
    await conn.sendall(Buffer.from('one'));
    const got = await new Promise<string>((r) => c.once('data', (d) => r(d.toString())));
    assert.equal(got, 'one');
    c.write('two');
    assert.equal((await conn.recv(10)).toString(), 'two');
    c.destroy();
    conn.close();
  } finally {
    srv.close();
  }
  // In memory: both SSLObjects.
  const [ci, co, si, so] = [new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO()];
  const c = clientContext.wrapBio(ci, co, { serverHostname: 'localhost' });
  const s = serverContext.wrapBio(si, so, { serverSide: true });
  const want = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) throw e;
    }
  };
  for (let i = 0; i < 3; i++) {
    want(() => c.doHandshake());
    si.write(co.read());
    want(() => s.doHandshake());
    ci.write(so.read());
  }
  c.keyUpdate(true);
  c.write(Buffer.from('x'));
  si.write(co.read());
  assert.equal(s.read().toString(), 'x');
  ci.write(so.read()); // the server's answering KeyUpdate
  s.write(Buffer.from('y'));
  ci.write(so.read());
  assert.equal(c.read().toString(), 'y');
});

test('TLS 1.2 (RFC 5705): exportKeyingMaterial equals openssl s_client -keymatexport and node:tls, context absent ≠ empty; keyUpdate is WRONG_SSL_VERSION', { skip: skipOpenssl }, async () => {
  const [, serverContext] = testingContext();
  serverContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  const srv = await ourServer(serverContext);
  const peer = Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-CAfile', SIGNING_CA, '-servername', 'localhost', '-tls1_2', '-keymatexport', LABEL, '-keymatexportlen', '40']);
  try {
    const conn = await srv.accepted;
    assert.equal(conn.version(), 'TLSv1.2');
    assert.ok(await peer.waitFor(/Keying material: [0-9A-F]+/));
    assert.equal(conn.exportKeyingMaterial(LABEL, 40).toString('hex'), keymat(peer.out.toString()));
    assert.notDeepEqual(conn.exportKeyingMaterial(LABEL, 40, Buffer.alloc(0)), conn.exportKeyingMaterial(LABEL, 40));
    assert.throws(() => conn.exportKeyingMaterial('master secret', 40), { name: 'ValueError' });
    assert.throws(() => conn.keyUpdate(), { name: 'SSLError', message: '[SSL: WRONG_SSL_VERSION] wrong ssl version' });
    conn.close();
  } finally {
    peer.proc.stdin.end();
    peer.kill();
    await peer.exit();
    srv.close();
  }
  const srv2 = await ourServer(serverContext);
  try {
    const c = tls.connect({ host: '127.0.0.1', port: srv2.port, servername: 'localhost', ca: readFileSync(SIGNING_CA), maxVersion: 'TLSv1.2' });
    await new Promise<void>((r, j) => (c.once('secureConnect', () => r()), c.once('error', j)));
    const conn = await srv2.accepted;
    const ctxValue = Buffer.from('ctx');
    assert.deepEqual(conn.exportKeyingMaterial(LABEL, 32, ctxValue), c.exportKeyingMaterial(32, LABEL, ctxValue));
    assert.deepEqual(conn.exportKeyingMaterial(LABEL, 32, Buffer.alloc(0)), c.exportKeyingMaterial(32, LABEL, Buffer.alloc(0)));
    c.destroy();
    conn.close();
  } finally {
    srv2.close();
  }
});
