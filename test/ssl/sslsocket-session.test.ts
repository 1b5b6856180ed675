/**
 * TLS 1.3 sessions through the Python API: NewSessionTickets from an
 * SSLContext server, SSLSession objects, resumption with
 * `wrapSocket(..., { session })` / `wrapBio(..., { session })`,
 * `session_stats()`, Python's errors for misuse, rotated ticket keys, and the
 * handshake + 1-byte echo that used to stall 40 ms on Nagle / delayed ACK.
 * (CPython's test_session / test_session_handling pin TLS 1.2; their faithful
 * ports are in port-threaded-tls12.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { certdataSkip, serverParamsTest, testingContext } from './port-fixtures.js';

const skip = certdataSkip;

async function echoSession(clientContext: ssl.SSLContext, server: EchoServer, hostname: string, session: ssl.SSLSession | null = null) {
  const s = (await clientContext.wrapSocket(new ssl.socket(), { serverHostname: hostname, session })) as ssl.SSLSocket;
  try {
    await s.connect(server.address);
    await s.sendall(Buffer.from('X'));
    assert.equal((await s.recv(10)).toString(), 'x');
    return { session: s.session as ssl.SSLSession, reused: s.sessionReused };
  } finally {
    s.close();
  }
}

test('a TLS 1.3 server sends tickets: after reading, the client session has one (32-byte id, time, 7200 s timeout and hint)', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const server = await EchoServer.start({ context: serverContext });
  try {
    const before = Math.floor(Date.now() / 1000);
    const { session, reused } = await echoSession(clientContext, server, hostname);
    assert.ok(session instanceof ssl.SSLSession);
    assert.equal(reused, false);
    assert.equal(session.id.length, 32);
    assert.equal(session.hasTicket, true);
    assert.ok(session.time >= before && session.time <= Date.now() / 1000 + 1);
    assert.equal(session.timeout, 7200);
    assert.equal(session.ticketLifetimeHint, 7200);
    assert.throws(() => new (ssl.SSLSession as unknown as new () => unknown)(), { name: 'TypeError', message: "cannot create '_ssl.SSLSession' instances" });
  } finally {
    await server.stop();
  }
});

test('resumption: sessionReused true, the session equal by id until new tickets arrive, hits counted on both contexts', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const first = await serverParamsTest(clientContext, serverContext, { sniName: hostname });
  const session = first.session as ssl.SSLSession;
  assert.equal(first.sessionReused, false);
  assert.equal(serverContext.sessionStats().hits, 0);
  const server = await EchoServer.start({ context: serverContext });
  try {
    const s = (await clientContext.wrapSocket(new ssl.socket(), { serverHostname: hostname, session })) as ssl.SSLSocket;
    try {
      await s.connect(server.address);
      assert.equal(s.sessionReused, true);
      assert.ok((s.session as ssl.SSLSession).equals(session));
      assert.ok(s.getpeercert(), 'the resumed session keeps the server certificate');
      assert.deepEqual(s.cipher(), first.cipher);
      await s.sendall(Buffer.from('Y'));
      assert.equal((await s.recv(10)).toString(), 'y');
      // The resumed connection got tickets of its own: a new session.
      assert.ok(!(s.session as ssl.SSLSession).equals(session));
    } finally {
      s.close();
    }
  } finally {
    await server.stop();
  }
  assert.equal(serverContext.sessionStats().hits, 1);
  assert.equal(serverContext.sessionStats().accept, 2);
  assert.equal(clientContext.sessionStats().hits, 1);
  // A session without a ticket cannot resume; a fresh connection is not reused.
  const third = await serverParamsTest(clientContext, serverContext, { sniName: hostname });
  assert.equal(third.sessionReused, false);
  assert.ok(!(third.session as ssl.SSLSession).equals(session));
});

test('session setter: Python errors for a non-session, another context, a server side, after the handshake', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const [clientContext2] = testingContext();
  const server = await EchoServer.start({ context: serverContext });
  try {
    const { session } = await echoSession(clientContext, server, hostname);
    const s = (await clientContext.wrapSocket(new ssl.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
    try {
      assert.equal(s.session, null);
      assert.equal(s.sessionReused, null);
      await s.connect(server.address);
      assert.throws(() => (s.session = {}), { name: 'TypeError', message: 'Value is not a SSLSession.' });
      assert.throws(() => (s.session = session), { name: 'ValueError', message: 'Cannot set session after handshake.' });
    } finally {
      s.close();
    }
    const s2 = (await clientContext2.wrapSocket(new ssl.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
    try {
      s2.session = session; // stored; checked when the TLS layer is made (as Python)
      await assert.rejects(s2.connect(server.address), { name: 'ValueError', message: 'Session refers to a different SSLContext.' });
    } finally {
      s2.close();
    }
    // wrap_bio on the server side with a session of this context.
    const o = serverContext.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverSide: true });
    assert.throws(() => (o.session = session), { name: 'ValueError', message: 'Session refers to a different SSLContext.' });
    const both = new ssl.SSLContext(ssl.PROTOCOL_TLS);
    const server2 = both.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverSide: true });
    const fromBoth = Object.create(ssl.SSLSession.prototype, { _context: { value: both }, _ticket: { value: null }, id: { value: Buffer.alloc(0) } });
    assert.throws(() => (server2.session = fromBoth), { name: 'ValueError', message: 'Cannot set session for server-side SSLSocket.' });
  } finally {
    await server.stop();
  }
});

test('numTickets = 0: no ticket reaches the client, nothing to resume', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.numTickets = 0;
  const server = await EchoServer.start({ context: serverContext });
  try {
    const { session } = await echoSession(clientContext, server, hostname);
    assert.equal(session.hasTicket, false);
    assert.equal(session.id.length, 0);
    const again = await echoSession(clientContext, server, hostname, session);
    assert.equal(again.reused, false);
  } finally {
    await server.stop();
  }
});

test('a ticket under a rotated-out key falls back to a full handshake (misses counted)', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const server = await EchoServer.start({ context: serverContext });
  try {
    const { session } = await echoSession(clientContext, server, hostname);
    serverContext._ticketKeys.rotate();
    assert.equal((await echoSession(clientContext, server, hostname, session)).reused, true, 'the previous key still opens tickets');
    serverContext._ticketKeys.rotate();
    assert.equal((await echoSession(clientContext, server, hostname, session)).reused, false);
    assert.equal(serverContext.sessionStats().misses, 1);
    assert.equal(serverContext.sessionStats().hits, 1);
  } finally {
    await server.stop();
  }
});

test('SSLObject: wrapBio(..., { session }) resumes in memory', { skip }, () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const run = (session: ssl.SSLSession | null) => {
    const [ci, co, si, so] = [new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO()];
    const c = clientContext.wrapBio(ci, co, { serverHostname: hostname, session });
    const s = serverContext.wrapBio(si, so, { serverSide: true });
    assert.equal(c.session, null);
    const step = (o: ssl.SSLObject, f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
      void o;
    };
    for (let i = 0; i < 4; i++) {
      step(c, () => c.doHandshake());
      si.write(co.read());
      step(s, () => s.doHandshake());
      ci.write(so.read());
    }
    s.write(Buffer.from('hi'));
    ci.write(so.read());
    assert.equal(c.read(10).toString(), 'hi');
    return { c, s };
  };
  const first = run(null);
  const session = first.c.session!;
  assert.equal(session.hasTicket, true);
  const second = run(session);
  assert.equal(second.c.sessionReused, true);
  assert.equal(second.s.sessionReused, true);
  assert.equal(second.c.getpeercert(true)!.toString('hex'), (first.c.getpeercert(true) as Buffer).toString('hex'));
});

test('handshake + 1-byte echo without TCP_NODELAY does not wait for a delayed ACK', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const server = await EchoServer.start({ context: serverContext });
  try {
    const echoTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const s = (await clientContext.wrapSocket(new ssl.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
      try {
        await s.connect(server.address);
        if (i === 0) {
          // The server answers the client's Finished unprompted (its tickets): that segment carries the ACK
          // the client's first write would otherwise wait for under Nagle.
          assert.ok(await s.waitReadable(5), 'tickets arrive without the client sending anything');
        }
        const t0 = performance.now();
        await s.sendall(Buffer.from('Z'));
        assert.equal((await s.recv(1)).toString(), 'z');
        echoTimes.push(performance.now() - t0);
      } finally {
        s.close();
      }
    }
    // The stall was the 40 ms delayed ACK on every connection: with it, no echo could be faster.
    const fastest = Math.min(...echoTimes);
    assert.ok(fastest < 30, `fastest 1-byte echo ${fastest.toFixed(1)} ms`);
  } finally {
    await server.stop();
  }
});
