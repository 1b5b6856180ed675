/**
 * TLS 1.2 resumption by session id (the SSLContext's session cache) against
 * real peers: `openssl s_client -tls1_2 -no_ticket -sess_out/-sess_in`,
 * `gnutls-cli --resume --noticket`, Python's ssl client with OP_NO_TICKET,
 * the node:tls client, our client with our server and
 * with `openssl s_server -tls1_2 -no_ticket`; the cache's bounds in entries
 * and time as `session_stats()` reports them (OpenSSL's SSL_CTX_sess_*).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { SIGNED_CERTFILE, SIGNING_CA, testingContext } from './port-fixtures.js';
import { Peer, freePort } from '../tls/interop-peers.js';
import { fetchStatus, peerSkip, python, sClient, skip, skipOpenssl, skipPython, tempDir } from './session-peers.js';
import { HAVE_GNUTLS_CLI } from '../helpers/gnutls.js';

const skipGnutls = peerSkip(HAVE_GNUTLS_CLI, 'gnutls-cli');

/** What our server saw of one connection. */
interface Accepted {
  reused: boolean | null;
  version: string | null;
  session: ssl.SSLSession;
}

/** Our server on a free port: each connection echoes one message in lower case, then closes; `accepted` grows per connection. */
async function withSessionServer(context: ssl.SSLContext, body: (port: number, accepted: Accepted[]) => Promise<void>): Promise<void> {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const ls = (await context.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
  const accepted: Accepted[] = [];
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      let conn: ssl.SSLSocket;
      try {
        [conn] = (await ls.accept()) as [ssl.SSLSocket, unknown];
      } catch {
        if (stopping) return;
        // A client that aborted its handshake (the EMS cases) fails accept(); keep serving.
        continue;
      }
      try {
        accepted.push({ reused: conn.sessionReused, version: conn.version(), session: conn.session as ssl.SSLSession });
        const data = await conn.recv(100);
        if (data.length > 0) await conn.sendall(Buffer.from(data.toString().toLowerCase()));
        await conn.unwrap().catch(() => undefined);
      } catch {
        // The client left early.
      } finally {
        conn.close();
      }
    }
  })();
  try {
    await body((ls.getsockname() as [string, number])[1], accepted);
  } finally {
    stopping = true;
    ls.close();
    await loop;
  }
}

/** One connection of our client: handshake, PING → ping, close_notify; what it saw. */
async function ping(ctx: ssl.SSLContext, port: number, session: ssl.SSLSession | null = null): Promise<{ reused: boolean | null; session: ssl.SSLSession }> {
  const s = (await ctx.wrapSocket(new socket.socket(), { serverHostname: 'localhost', session })) as ssl.SSLSocket;
  try {
    await s.connect(['127.0.0.1', port]);
    assert.equal(s.version(), 'TLSv1.2');
    await s.sendall(Buffer.from('PING'));
    assert.equal((await s.recv(100)).toString(), 'ping');
    const out = { reused: s.sessionReused, session: s.session as ssl.SSLSession };
    await s.unwrap().catch(() => undefined);
    return out;
  } finally {
    s.close();
  }
}

function tls12Contexts(): [ssl.SSLContext, ssl.SSLContext] {
  const [clientContext, serverContext] = testingContext();
  clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  return [clientContext, serverContext];
}

test('our client and our server resume by session id (OP_NO_TICKET on the client): sessionReused on both sides, one id, hits counted', { skip }, async () => {
  const [clientContext, serverContext] = tls12Contexts();
  clientContext.options |= ssl.OP_NO_TICKET;
  await withSessionServer(serverContext, async (port, accepted) => {
    const first = await ping(clientContext, port);
    assert.equal(first.reused, false);
    assert.equal(first.session.hasTicket, false);
    assert.equal(first.session.id.length, 32);
    const second = await ping(clientContext, port, first.session);
    assert.equal(second.reused, true);
    assert.ok(second.session.equals(first.session));
    assert.deepEqual(
      accepted.map((a) => [a.version, a.reused]),
      [
        ['TLSv1.2', false],
        ['TLSv1.2', true],
      ],
    );
    // The server's session is the cached one: the same id on both sides, the context's timeout.
    assert.ok(accepted[0]!.session.id.equals(first.session.id));
    assert.ok(accepted[1]!.session.id.equals(first.session.id));
    assert.equal(accepted[0]!.session.timeout, 7200);
  });
  const stats = serverContext.sessionStats();
  assert.deepEqual([stats.accept, stats.accept_good, stats.hits, stats.misses, stats.timeouts, stats.number, stats.cache_full], [2, 2, 1, 0, 0, 1, 0]);
  assert.equal(clientContext.sessionStats().hits, 1);
});

test('OP_NO_TICKET on our server: no TLS 1.2 ticket issued even to a client asking for one; the session id resumes', { skip }, async () => {
  const [clientContext, serverContext] = tls12Contexts();
  serverContext.options |= ssl.OP_NO_TICKET;
  await withSessionServer(serverContext, async (port, accepted) => {
    const first = await ping(clientContext, port);
    assert.equal(first.session.hasTicket, false);
    const second = await ping(clientContext, port, first.session);
    assert.equal(second.reused, true);
    assert.equal(accepted[1]!.reused, true);
  });
  assert.equal(serverContext.sessionStats().hits, 1);
});

test('time bound: with a 1 s session timeout, a session resumes at once and not 2 s later (timeouts counted, a full handshake)', { skip }, async () => {
  const [clientContext, serverContext] = tls12Contexts();
  clientContext.options |= ssl.OP_NO_TICKET;
  serverContext._sessionCache.timeoutSeconds = 1;
  await withSessionServer(serverContext, async (port, accepted) => {
    const first = await ping(clientContext, port);
    assert.equal(accepted[0]!.session.timeout, 1);
    assert.equal((await ping(clientContext, port, first.session)).reused, true);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await ping(clientContext, port, first.session);
    assert.equal(late.reused, false);
    assert.equal(accepted[2]!.reused, false);
    assert.ok(!late.session.equals(first.session), 'a new session');
  });
  const stats = serverContext.sessionStats();
  assert.deepEqual([stats.hits, stats.timeouts, stats.misses], [1, 1, 0]);
});

test('entry bound: a cache of 2 sessions keeps the 2 newest; the oldest is evicted (cache_full) and its client gets a full handshake', { skip }, async () => {
  const [clientContext, serverContext] = tls12Contexts();
  clientContext.options |= ssl.OP_NO_TICKET;
  serverContext._sessionCache.maxEntries = 2;
  await withSessionServer(serverContext, async (port) => {
    const sessions: ssl.SSLSession[] = [];
    for (let i = 0; i < 3; i++) sessions.push((await ping(clientContext, port)).session);
    assert.deepEqual([serverContext.sessionStats().number, serverContext.sessionStats().cache_full], [2, 1]);
    assert.equal((await ping(clientContext, port, sessions[2]!)).reused, true);
    assert.equal((await ping(clientContext, port, sessions[1]!)).reused, true);
    assert.equal((await ping(clientContext, port, sessions[0]!)).reused, false);
  });
  const stats = serverContext.sessionStats();
  assert.deepEqual([stats.hits, stats.misses, stats.number, stats.cache_full], [2, 1, 2, 2]);
});

test('openssl s_client -tls1_2 -no_ticket -sess_out/-sess_in resumes by session id against our server (Reused, sessionReused on ours)', { skip: skipOpenssl }, async () => {
  const [, serverContext] = tls12Contexts();
  const t = tempDir();
  try {
    const sess = join(t.dir, 'sess12-id.pem');
    await withSessionServer(serverContext, async (port, accepted) => {
      const first = await sClient(port, ['-tls1_2', '-no_ticket', '-sess_out', sess], 'PING');
      assert.match(first, /New, TLSv1\.2/);
      const id = /Session-ID: ([0-9A-F]{64})/.exec(first)?.[1];
      assert.ok(id, `a 32-byte session id in: ${first}`);
      assert.doesNotMatch(first, /TLS session ticket:/, 'no ticket under -no_ticket');
      assert.match(readFileSync(sess, 'latin1'), /BEGIN SSL SESSION PARAMETERS/);
      const second = await sClient(port, ['-tls1_2', '-no_ticket', '-sess_in', sess], 'PING');
      assert.match(second, /Reused, TLSv1\.2/);
      assert.match(second, new RegExp(`Session-ID: ${id}`));
      assert.deepEqual(
        accepted.map((a) => a.reused),
        [false, true],
      );
      assert.equal(accepted[0]!.session.id.toString('hex').toUpperCase(), id);
    });
  } finally {
    t.done();
  }
  assert.equal(serverContext.sessionStats().hits, 1);
});

const PY_CLIENT_NO_TICKET = `
import ssl, socket, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.options |= ssl.OP_NO_TICKET
session = None
for i in range(2):
    with socket.create_connection(('127.0.0.1', port)) as raw:
        with ctx.wrap_socket(raw, server_hostname='localhost', session=session) as s:
            s.sendall(b'PING')
            assert s.recv(10) == b'ping'
            print(i, s.version(), s.session_reused, s.session.has_ticket, len(s.session.id), flush=True)
            session = s.session
            s.unwrap()
`;

test("Python's ssl client with OP_NO_TICKET resumes by session id with our server (TLS 1.2)", { skip: skipPython }, async () => {
  const [, serverContext] = tls12Contexts();
  await withSessionServer(serverContext, async (port, accepted) => {
    const py = await python(PY_CLIENT_NO_TICKET, [String(port), SIGNING_CA]);
    try {
      assert.equal(await py.done, '0 TLSv1.2 False False 32\n1 TLSv1.2 True False 32\n');
    } finally {
      py.peer.kill();
    }
    assert.deepEqual(
      accepted.map((a) => a.reused),
      [false, true],
    );
  });
  assert.equal(serverContext.sessionStats().hits, 1);
});

test('our client resumes by session id against openssl s_server -tls1_2 -no_ticket (its status page says Reused)', { skip: skipOpenssl }, async () => {
  const [clientContext] = tls12Contexts();
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', SIGNED_CERTFILE, '-tls1_2', '-no_ticket', '-www']);
  try {
    assert.ok(await peer.waitFor(/ACCEPT/), `s_server did not start: ${peer.err}`);
    const first = await fetchStatus(clientContext, port, null);
    assert.match(first.page, /New, TLSv1\.2/);
    assert.equal(first.session.hasTicket, false);
    assert.equal(first.session.id.length, 32);
    const second = await fetchStatus(clientContext, port, first.session);
    assert.equal(second.reused, true);
    assert.match(second.page, /Reused, TLSv1\.2/);
    assert.ok(second.session.equals(first.session));
  } finally {
    peer.kill();
    await peer.exit();
  }
  assert.equal(clientContext.sessionStats().hits, 1);
});

test("our client (tickets on) resumes with Python's server under OP_NO_TICKET: the session id alone", { skip: skipPython }, async () => {
  const [clientContext] = tls12Contexts();
  const script = `
import ssl, socket, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1])
ctx.options |= ssl.OP_NO_TICKET
ls = socket.create_server(('127.0.0.1', 0))
print(ls.getsockname()[1], flush=True)
for i in range(2):
    c, _ = ls.accept()
    with ctx.wrap_socket(c, server_side=True) as s:
        s.sendall(s.recv(10).lower())
        print('reused', s.session_reused, flush=True)
        s.unwrap()
print(ctx.session_stats()['hits'], flush=True)
`;
  const py = await python(script, [SIGNED_CERTFILE]);
  try {
    assert.ok(await py.peer.waitFor(/^\d+$/m, 30_000), `python server did not start: ${py.peer.err}`);
    const port = Number(/^(\d+)$/m.exec(py.peer.out.toString())![1]);
    const first = await ping(clientContext, port);
    assert.equal(first.session.hasTicket, false);
    const second = await ping(clientContext, port, first.session);
    assert.equal(second.reused, true);
    assert.equal(await py.done, `${port}\nreused False\nreused True\n1\n`);
  } finally {
    py.peer.kill();
  }
});

test('node:tls client (TLS 1.2) resumes by session id with our server under OP_NO_TICKET (isSessionReused)', { skip }, async () => {
  const [, serverContext] = tls12Contexts();
  serverContext.options |= ssl.OP_NO_TICKET;
  const ca = readFileSync(SIGNING_CA);
  await withSessionServer(serverContext, async (port, accepted) => {
    let saved: Buffer | undefined;
    const seen: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      seen.push(
        await new Promise<boolean>((resolve, reject) => {
          const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, session: saved, maxVersion: 'TLSv1.2' });
          c.on('session', (s: Buffer) => (saved = s));
          c.on('error', reject);
          c.once('secureConnect', () => {
            const r = c.isSessionReused();
            c.write('PING');
            c.once('data', () => c.end(() => resolve(r)));
          });
        }),
      );
    }
    assert.deepEqual(seen, [false, true]);
    assert.deepEqual(
      accepted.map((a) => a.reused),
      [false, true],
    );
  });
  assert.equal(serverContext.sessionStats().hits, 1);
});

test('gnutls-cli --resume --noticket (TLS 1.2) resumes by session id against our server', { skip: skip || skipGnutls }, async () => {
  const [, serverContext] = tls12Contexts();
  await withSessionServer(serverContext, async (port, accepted) => {
    const peer = Peer.start('gnutls-cli', ['--resume', '--noticket', '--x509cafile', SIGNING_CA, '--priority', 'NORMAL:-VERS-TLS1.3', '-p', String(port), 'localhost']);
    try {
      assert.ok(await peer.waitFor(/This is a resumed session|This is NOT a resumed session/, 30_000), `${peer.out.toString()} ${peer.err}`);
      assert.match(peer.out.toString() + peer.err, /\*\*\* This is a resumed session/);
    } finally {
      peer.proc.stdin.end();
      peer.kill();
      await peer.exit();
    }
    assert.deepEqual(
      accepted.slice(0, 2).map((a) => [a.version, a.reused]),
      [
        ['TLSv1.2', false],
        ['TLSv1.2', true],
      ],
    );
  });
  assert.equal(serverContext.sessionStats().hits, 1);
});
