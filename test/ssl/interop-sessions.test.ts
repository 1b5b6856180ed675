/**
 * TLS 1.3 resumption and post-handshake auth against real peers, both
 * directions: openssl s_client -sess_out/-sess_in and s_server -www against
 * ours, Python's ssl session reuse, node:tls `session` reuse; PHA with Python
 * on either side, `openssl s_client -enable_pha` and `openssl s_server`'s
 * `c` command. A missing peer is skipped by name (and fails under CI).
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
import { fetchStatus, python, sClient, skip, skipOpenssl, skipPython, tempDir, withServer, withSServer } from './session-peers.js';

test('openssl s_client -sess_out / -sess_in resumes against our server; a rotated-out ticket key means a full handshake', { skip: skipOpenssl }, async () => {
  const [, serverContext] = testingContext();
  const t = tempDir();
  try {
    const sess = join(t.dir, 'sess.pem');
    await withServer(serverContext, async (server) => {
      const first = await sClient(server.address[1], ['-sess_out', sess]);
      assert.match(first, /New, TLSv1\.3/);
      assert.match(readFileSync(sess, 'latin1'), /BEGIN SSL SESSION PARAMETERS/);
      const second = await sClient(server.address[1], ['-sess_in', sess]);
      assert.match(second, /Reused, TLSv1\.3/);
      assert.equal(serverContext.sessionStats().hits, 1);
      serverContext._ticketKeys.rotate();
      serverContext._ticketKeys.rotate();
      const third = await sClient(server.address[1], ['-sess_in', sess]);
      assert.match(third, /New, TLSv1\.3/);
      assert.equal(serverContext.sessionStats().misses, 1);
    });
  } finally {
    t.done();
  }
});

test('our client resumes against openssl s_server (its status page says Reused)', { skip: skipOpenssl }, async () => {
  const [clientContext, , hostname] = testingContext();
  void hostname;
  await withSServer(['-tls1_3', '-www'], async (port) => {
    const first = await fetchStatus(clientContext, port, null);
    assert.match(first.page, /New, TLSv1\.3/);
    assert.equal(first.reused, false);
    assert.equal(first.session.hasTicket, true);
    const second = await fetchStatus(clientContext, port, first.session);
    assert.equal(second.reused, true);
    assert.match(second.page, /Reused, TLSv1\.3/);
    assert.equal(clientContext.sessionStats().hits, 1);
  });
});

const PY_CLIENT_RESUME = `
import ssl, socket, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
session = None
for i in range(2):
    with socket.create_connection(('127.0.0.1', port)) as raw:
        with ctx.wrap_socket(raw, server_hostname='localhost', session=session) as s:
            s.sendall(b'PING')
            assert s.recv(10) == b'ping'
            print(i, s.version(), s.session_reused, flush=True)
            session = s.session
`;

test("Python's ssl client resumes with our server (session=)", { skip: skipPython }, async () => {
  const [, serverContext] = testingContext();
  await withServer(serverContext, async (server) => {
    const py = await python(PY_CLIENT_RESUME, [String(server.address[1]), SIGNING_CA]);
    try {
      assert.equal(await py.done, '0 TLSv1.3 False\n1 TLSv1.3 True\n');
    } finally {
      py.peer.kill();
    }
  });
  assert.equal(serverContext.sessionStats().hits, 1);
});

const PY_SERVER = `
import ssl, socket, sys
cert, ca, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert)
if mode == 'pha':
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.post_handshake_auth = True
ls = socket.create_server(('127.0.0.1', 0))
print(ls.getsockname()[1], flush=True)
for i in range(n):
    c, _ = ls.accept()
    with ctx.wrap_socket(c, server_side=True) as s:
        print('reused', s.session_reused, flush=True)
        while True:
            d = s.recv(100)
            if not d:
                break
            if d == b'PHA':
                s.verify_client_post_handshake()
                s.sendall(b'OK')
            elif d == b'HASCERT':
                cert = s.getpeercert()
                s.sendall(b'TRUE ' + dict(x[0] for x in cert['subject'])['commonName'].encode() if cert else b'FALSE')
            else:
                s.sendall(d.lower())
        try:
            s.unwrap()
        except OSError:
            pass
`;

async function pythonServer(mode: string, n: number): Promise<{ port: number; peer: Peer; done: Promise<string> }> {
  const py = await python(PY_SERVER, [SIGNED_CERTFILE, SIGNING_CA, mode, String(n)]);
  assert.ok(await py.peer.waitFor(/^\d+$/m, 15_000), `python server did not start: ${py.peer.err}`);
  const port = Number(/^(\d+)$/m.exec(py.peer.out.toString())![1]);
  return { ...py, port };
}

async function talk(s: ssl.SSLSocket, msg: string): Promise<string> {
  await s.sendall(Buffer.from(msg));
  return (await s.recv(100)).toString();
}

test("our client resumes with Python's ssl server (its session_reused is True)", { skip: skipPython }, async () => {
  const [clientContext] = testingContext();
  const py = await pythonServer('plain', 2);
  try {
    let session: ssl.SSLSession | null = null;
    for (let i = 0; i < 2; i++) {
      const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost', session })) as ssl.SSLSocket;
      try {
        await s.connect(['127.0.0.1', py.port]);
        assert.equal(await talk(s, 'PING'), 'ping');
        assert.equal(s.sessionReused, i === 1);
        session = s.session as ssl.SSLSession;
        await s.unwrap();
      } finally {
        s.close();
      }
    }
    assert.equal(await py.done, `${py.port}\nreused False\nreused True\n`);
  } finally {
    py.peer.kill();
  }
});

test('node:tls resumes with our server, and our client with a node:tls server (isSessionReused on their side)', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  const ca = readFileSync(SIGNING_CA);
  await withServer(serverContext, async (server) => {
    let saved: Buffer | undefined;
    for (let i = 0; i < 2; i++) {
      const reused = await new Promise<boolean>((resolve, reject) => {
        const c = tls.connect({ host: '127.0.0.1', port: server.address[1], servername: 'localhost', ca, session: saved, minVersion: 'TLSv1.3' });
        c.on('session', (s: Buffer) => (saved = s));
        c.on('error', reject);
        c.once('secureConnect', () => {
          c.write('PING');
          c.once('data', (d) => {
            assert.equal(d.toString(), 'ping');
            const r = c.isSessionReused();
            // Give the tickets time to arrive before ending.
            setTimeout(() => c.end(() => resolve(r)), 50);
          });
        });
      });
      assert.equal(reused, i === 1);
    }
  });
  const pem = readFileSync(SIGNED_CERTFILE, 'latin1');
  const nodeServer = tls.createServer({ key: pem, cert: pem, minVersion: 'TLSv1.3' }, (sock) => {
    sock.on('data', (d) => sock.write(d.toString().toLowerCase()));
    sock.on('error', () => undefined);
  });
  const reusedOnServer: boolean[] = [];
  nodeServer.on('secureConnection', (sock) => reusedOnServer.push(sock.isSessionReused()));
  await new Promise<void>((r) => nodeServer.listen(0, '127.0.0.1', r));
  try {
    const port = (nodeServer.address() as { port: number }).port;
    let session: ssl.SSLSession | null = null;
    for (let i = 0; i < 2; i++) {
      const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost', session })) as ssl.SSLSocket;
      try {
        await s.connect(['127.0.0.1', port]);
        assert.equal(await talk(s, 'PING'), 'ping');
        assert.equal(s.sessionReused, i === 1);
        session = s.session as ssl.SSLSession;
      } finally {
        s.close();
      }
    }
    assert.deepEqual(reusedOnServer, [false, true]);
  } finally {
    nodeServer.close();
  }
});

test("post-handshake auth: our client with a certificate against Python's server (verify_client_post_handshake)", { skip: skipPython }, async () => {
  const [clientContext] = testingContext();
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);
  const py = await pythonServer('pha', 1);
  try {
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost' })) as ssl.SSLSocket;
    try {
      await s.connect(['127.0.0.1', py.port]);
      assert.equal(await talk(s, 'HASCERT'), 'FALSE');
      assert.equal(await talk(s, 'PHA'), 'OK');
      assert.equal(await talk(s, 'HASCERT'), 'TRUE localhost');
      await s.unwrap();
    } finally {
      s.close();
    }
    await py.done;
  } finally {
    py.peer.kill();
  }
});

const PY_PHA_CLIENT = `
import ssl, socket, sys
port, ca, cert = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.post_handshake_auth = True
ctx.load_cert_chain(cert)
with socket.create_connection(('127.0.0.1', port)) as raw:
    with ctx.wrap_socket(raw, server_hostname='localhost') as s:
        for cmd in (b'HASCERT', b'PHA', b'HASCERT'):
            s.sendall(cmd)
            print(s.recv(100).decode().strip(), flush=True)
`;

test("post-handshake auth: Python's client (post_handshake_auth) against our server", { skip: skipPython }, async () => {
  const [, serverContext] = testingContext();
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  serverContext.postHandshakeAuth = true;
  await withServer(serverContext, async (server) => {
    const py = await python(PY_PHA_CLIENT, [String(server.address[1]), SIGNING_CA, SIGNED_CERTFILE]);
    try {
      assert.equal(await py.done, 'FALSE\nOK\nTRUE\n');
    } finally {
      py.peer.kill();
    }
  });
});

test('post-handshake auth: openssl s_client -enable_pha against our server', { skip: skipOpenssl }, async () => {
  const [, serverContext] = testingContext();
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  serverContext.postHandshakeAuth = true;
  await withServer(serverContext, async (server) => {
    const peer = Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${server.address[1]}`, '-CAfile', SIGNING_CA, '-servername', 'localhost', '-enable_pha', '-cert', SIGNED_CERTFILE, '-ign_eof']);
    try {
      peer.proc.stdin.write('HASCERT\n');
      assert.ok(await peer.waitFor(/^FALSE$/m), peer.out.toString());
      peer.proc.stdin.write('PHA\n');
      assert.ok(await peer.waitFor(/^OK$/m), peer.out.toString());
      peer.proc.stdin.write('HASCERT\n');
      assert.ok(await peer.waitFor(/^TRUE$/m), `${peer.out.toString()} ${peer.err}`);
    } finally {
      peer.proc.stdin.end();
      peer.kill();
      await peer.exit();
    }
  });
});

test("post-handshake auth: openssl s_server's c command asks our client, which answers on its next read", { skip: skipOpenssl }, async () => {
  const [clientContext] = testingContext();
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);
  // No -verify: s_server asks for nothing in the handshake; its 'c' command sets SSL_VERIFY_PEER and sends the request.
  await withSServer(['-tls1_3', '-CAfile', SIGNING_CA, '-msg'], async (port, peer) => {
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost' })) as ssl.SSLSocket;
    try {
      await s.connect(['127.0.0.1', port]);
      assert.ok(await peer.waitFor(/CIPHER is/), peer.out.toString());
      peer.proc.stdin.write('c\n');
      assert.ok(await peer.waitFor(/>>> TLS 1\.3, Handshake \[length [0-9a-f]+\], CertificateRequest/), `${peer.out.toString()} ${peer.err}`);
      peer.proc.stdin.write('from-server\n');
      // Our read answers the CertificateRequest, then returns the data that follows it.
      const got = (await s.recv(100)).toString();
      assert.match(got, /from-server/);
      await s.sendall(Buffer.from('from-client\n'));
      assert.ok(await peer.waitFor(/^from-client$/m), peer.out.toString());
      const out = peer.out.toString('latin1');
      // What s_server received after its request: our Certificate (with the chain), CertificateVerify and Finished.
      const afterRequest = out.slice(out.lastIndexOf('CertificateRequest'));
      assert.match(afterRequest, /<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], Certificate\b/);
      assert.match(afterRequest, /<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], CertificateVerify/);
      assert.match(afterRequest, /<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], Finished/);
      assert.doesNotMatch(out + peer.err, /alert|error/i);
    } finally {
      s.close();
    }
  });
});

test('TLS 1.2 resumption (RFC 5077 tickets): openssl s_client -tls1_2 -sess_out/-sess_in against ours, ours against s_server -tls1_2, Python and node:tls both ways', { skip: skipOpenssl || skipPython }, async () => {
  const [clientContext, serverContext] = testingContext();
  clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  const t = tempDir();
  try {
    const sess = join(t.dir, 'sess12.pem');
    await withServer(serverContext, async (server) => {
      assert.match(await sClient(server.address[1], ['-tls1_2', '-sess_out', sess]), /New, TLSv1\.2/);
      assert.match(await sClient(server.address[1], ['-tls1_2', '-sess_in', sess]), /Reused, TLSv1\.2/);
      // Python's client, pinned to TLS 1.2 as CPython's own session tests are.
      const py = await python(PY_CLIENT_RESUME.replace('ctx.minimum_version = ssl.TLSVersion.TLSv1_3', 'ctx.maximum_version = ssl.TLSVersion.TLSv1_2'), [String(server.address[1]), SIGNING_CA]);
      try {
        assert.equal(await py.done, '0 TLSv1.2 False\n1 TLSv1.2 True\n');
      } finally {
        py.peer.kill();
      }
      // node:tls client.
      let saved: Buffer | undefined;
      for (let i = 0; i < 2; i++) {
        const reused = await new Promise<boolean>((resolve, reject) => {
          const c = tls.connect({ host: '127.0.0.1', port: server.address[1], servername: 'localhost', ca: readFileSync(SIGNING_CA), session: saved, maxVersion: 'TLSv1.2' });
          c.on('session', (s: Buffer) => (saved = s));
          c.on('error', reject);
          c.once('secureConnect', () => {
            const r = c.isSessionReused();
            c.write('PING');
            c.once('data', () => c.end(() => resolve(r)));
          });
        });
        assert.equal(reused, i === 1);
      }
    });
    assert.equal(serverContext.sessionStats().hits, 3);
  } finally {
    t.done();
  }
  // Our client against openssl s_server (TLS 1.2 only).
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', SIGNED_CERTFILE, '-tls1_2', '-www']);
  try {
    assert.ok(await peer.waitFor(/ACCEPT/));
    const first = await fetchStatus(clientContext, port, null);
    assert.match(first.page, /New, TLSv1\.2/);
    const second = await fetchStatus(clientContext, port, first.session);
    assert.equal(second.reused, true);
    assert.match(second.page, /Reused, TLSv1\.2/);
    assert.ok(second.session.equals(first.session), 'a resumed TLS 1.2 session keeps its id');
  } finally {
    peer.kill();
    await peer.exit();
  }
  // Our client against Python's server (TLS 1.2).
  const py = await pythonServer('plain', 2);
  try {
    let session: ssl.SSLSession | null = null;
    for (let i = 0; i < 2; i++) {
      const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: 'localhost', session })) as ssl.SSLSocket;
      try {
        await s.connect(['127.0.0.1', py.port]);
        assert.equal(s.version(), 'TLSv1.2');
        assert.equal(await talk(s, 'PING'), 'ping');
        assert.equal(s.sessionReused, i === 1);
        session = s.session as ssl.SSLSession;
        await s.unwrap();
      } finally {
        s.close();
      }
    }
    assert.equal(await py.done, `${py.port}\nreused False\nreused True\n`);
  } finally {
    py.peer.kill();
  }
});
