/**
 * wrapStream() and SSLSocket.toDuplex() under Node's HTTP clients: a
 * node:https Agent whose createConnection uses sslsock (against node:https
 * and against an sslsock server feeding node's HTTP parser), undici's
 * Client with a `connect` function, and an HTTP/2 session over
 * `http2.connect({ createConnection })` with ALPN h2 against node's http2
 * secure server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import { once } from 'node:events';
import { Client } from 'undici';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { clientContext, collect, listen, nodeServerOptions, serverContext, sslsockServer } from './streams-fixtures.js';

/** A node:https server answering every request with what it saw of the connection. */
async function nodeHttpsServer(): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer(nodeServerOptions, (req, res) => {
    const tls = req.socket as import('node:tls').TLSSocket;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, protocol: tls.getProtocol(), servername: (tls as unknown as { servername: string }).servername }));
  });
  const port = await listen(server);
  return { server, port };
}

function get(agent: https.Agent, port: number, path: string): Promise<{ status: number; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: 'localhost', port, path, agent }, (res) => {
      collect(res).then((b) => resolve({ status: res.statusCode!, body: b.toString(), socket: req.socket }), reject);
    });
    req.on('error', reject);
  });
}

test('node:https Agent over wrapStream(net.connect()) fetches from a node:https server (TLS 1.3, SNI)', async () => {
  const { server, port } = await nodeHttpsServer();
  const ctx = clientContext();
  const agent = new https.Agent({ keepAlive: true });
  const made: ssl.SSLStream[] = [];
  agent.createConnection = ((options: { host: string; port: number; servername?: string }) => {
    const s = ssl.wrapStream(net.connect(options.port, '127.0.0.1'), ctx, { serverHostname: options.servername || options.host });
    made.push(s);
    return s;
  }) as unknown as typeof agent.createConnection;
  try {
    const r1 = await get(agent, port, '/one');
    assert.equal(r1.status, 200);
    assert.deepEqual(JSON.parse(r1.body), { path: '/one', protocol: 'TLSv1.3', servername: 'localhost' });
    // keep-alive: the second request reuses the same TLS stream
    const r2 = await get(agent, port, '/two');
    assert.equal(JSON.parse(r2.body).path, '/two');
    assert.equal(made.length, 1);
    const s = made[0]!;
    assert.equal(s.encrypted, true);
    assert.equal(s.authorized, true);
    assert.equal(s.getProtocol(), 'TLSv1.3');
    assert.equal(s.version(), 'TLSv1.3');
    assert.equal((s.getPeerCertificate() as ssl.PeerCertificate).subject.O, 'sslsock testing');
    assert.deepEqual((s.getPeerCertificate() as ssl.PeerCertificate).raw, s.getpeercert(true));
    assert.match((s.getPeerCertificate() as ssl.PeerCertificate).subjectaltname ?? '', /DNS:localhost/);
    assert.equal(s.cipher()![1], 'TLSv1.3');
  } finally {
    agent.destroy();
    server.close();
  }
});

test('node:https Agent over SSLSocket.toDuplex() fetches from an sslsock server (accept() -> toDuplex() -> http.Server)', async () => {
  const app = http.createServer((req, res) => {
    const d = req.socket as unknown as ssl.SSLSocketDuplex;
    res.end(`${req.method} ${req.url} over ${d.version()} ${d.cipher()![0]} serverSide=${d.socket.serverSide}`);
  });
  const srv = await sslsockServer(serverContext(), (conn) => app.emit('connection', conn.toDuplex()));
  const ctx = clientContext();
  const agent = new https.Agent();
  // Asynchronous creation: the agent's callback form.
  agent.createConnection = ((options: { port: number }, cb: (err: Error | null, s?: unknown) => void) => {
    (async () => {
      const raw = await socket.createConnection(['127.0.0.1', options.port]);
      const s = await ctx.wrapSocket(raw, { serverHostname: 'localhost' });
      return s.toDuplex();
    })().then((d) => cb(null, d), (e: Error) => cb(e));
    return undefined;
  }) as unknown as typeof agent.createConnection;
  try {
    const r = await get(agent, srv.port, '/hello');
    assert.equal(r.status, 200);
    assert.match(r.body, /^GET \/hello over TLSv1\.3 TLS_\w+ serverSide=true$/);
    const d = r.socket as ssl.SSLSocketDuplex;
    assert.ok(d instanceof ssl.SSLSocketDuplex);
    assert.equal(d.authorized, true);
  } finally {
    agent.destroy();
    srv.close();
    app.close();
  }
});

test('node:https Agent over wrapStream() fetches from an http.Server fed by wrapStream(serverSide) connections', async () => {
  const app = http.createServer((req, res) => res.end(`hello ${req.url} alpn=${(req.socket as unknown as ssl.SSLStream).alpnProtocol}`));
  const sctx = serverContext(['http/1.1']);
  const tcp = net.createServer((raw) => app.emit('connection', ssl.wrapStream(raw, sctx, { serverSide: true })));
  const port = await listen(tcp);
  const ctx = clientContext(['http/1.1']);
  const agent = new https.Agent();
  agent.createConnection = ((o: { port: number }) => ssl.wrapStream(net.connect(o.port, '127.0.0.1'), ctx, { serverHostname: 'localhost' })) as unknown as typeof agent.createConnection;
  try {
    const r = await get(agent, port, '/x');
    assert.equal(r.body, 'hello /x alpn=http/1.1');
    assert.equal((r.socket as ssl.SSLStream).alpnProtocol, 'http/1.1');
  } finally {
    agent.destroy();
    tcp.close();
    app.close();
  }
});

test('a certificate that fails verification is an error event on the request, with Python\'s SSLCertVerificationError', async () => {
  const { server, port } = await nodeHttpsServer();
  const ctx = clientContext();
  const agent = new https.Agent();
  agent.createConnection = ((o: { port: number }) => ssl.wrapStream(net.connect(o.port, '127.0.0.1'), ctx, { serverHostname: 'wrong.example' })) as unknown as typeof agent.createConnection;
  try {
    await assert.rejects(get(agent, port, '/'), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLCertVerificationError);
      assert.equal(e.verifyCode, 62);
      return true;
    });
  } finally {
    agent.destroy();
    server.close();
  }
});

test('undici Client with a connect function using wrapStream(): HTTP/1.1 requests, keep-alive', async () => {
  const { server, port } = await nodeHttpsServer();
  const ctx = clientContext();
  let connects = 0;
  const client = new Client(`https://localhost:${port}`, {
    connect: (opts, cb) => {
      connects++;
      const s = ssl.wrapStream(net.connect(Number(opts.port), '127.0.0.1'), ctx, { serverHostname: opts.servername || opts.hostname });
      const onError = (e: Error): void => cb(e, null);
      s.once('error', onError);
      s.once('secureConnect', () => {
        s.off('error', onError);
        cb(null, s as unknown as import('node:net').Socket);
      });
    },
  });
  try {
    for (const path of ['/a', '/b', '/c']) {
      const res = await client.request({ method: 'GET', path });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(await res.body.json(), { path, protocol: 'TLSv1.3', servername: 'localhost' });
    }
    assert.equal(connects, 1);
  } finally {
    await client.close();
    server.close();
  }
});

test('undici Client over toDuplex() posts a 1 MiB body to an sslsock server and reads it back', async () => {
  const app = http.createServer(async (req, res) => {
    const body = await collect(req);
    res.end(`${body.length}:${body.subarray(0, 4).toString('hex')}`);
  });
  const srv = await sslsockServer(serverContext(), (conn) => app.emit('connection', conn.toDuplex()));
  const ctx = clientContext();
  const client = new Client(`https://localhost:${srv.port}`, {
    connect: (opts, cb) => {
      (async () => {
        const raw = await socket.createConnection(['127.0.0.1', Number(opts.port)]);
        return (await ctx.wrapSocket(raw, { serverHostname: 'localhost' })).toDuplex();
      })().then((d) => cb(null, d as unknown as import('node:net').Socket), (e: Error) => cb(e, null));
    },
  });
  const body = Buffer.alloc(1 << 20, 0xab);
  try {
    const res = await client.request({ method: 'POST', path: '/', body });
    assert.equal(await res.body.text(), `${body.length}:abababab`);
  } finally {
    await client.close();
    srv.close();
    app.close();
  }
});

test('http2.connect with createConnection: wrapStream() with ALPN h2 against node\'s http2 secure server', async () => {
  const server = http2.createSecureServer(nodeServerOptions);
  server.on('stream', (stream, headers) => {
    const tls = stream.session!.socket as import('node:tls').TLSSocket;
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end(`${headers[':path']} alpn=${tls.alpnProtocol} ${tls.getProtocol()}`);
  });
  const port = await listen(server as unknown as net.Server);
  const ctx = clientContext(['h2']);
  let made: ssl.SSLStream | null = null;
  const session = http2.connect(`https://localhost:${port}`, {
    createConnection: () => (made = ssl.wrapStream(net.connect(port, '127.0.0.1'), ctx, { serverHostname: 'localhost' })),
  });
  try {
    const bodies = await Promise.all(['/one', '/two'].map(async (path) => {
      const req = session.request({ ':path': path });
      const [headers] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
      assert.equal(headers[':status'], 200);
      return (await collect(req)).toString();
    }));
    assert.deepEqual(bodies, ['/one alpn=h2 TLSv1.3', '/two alpn=h2 TLSv1.3']);
    assert.equal(made!.alpnProtocol, 'h2');
    assert.equal(made!.selectedAlpnProtocol(), 'h2');
  } finally {
    session.close();
    server.close();
  }
});
