/**
 * SSLSocket against CPython's ssl module (OpenSSL 3) over loopback, both
 * directions: our client against a Python ssl echo server
 * (test/helpers/python/ssl_echo_server.py), and a Python ssl client
 * (test/helpers/python/ssl_client.py) against our echo server — echo, 1 MiB
 * each way checked by SHA-256, client certificates, ALPN, SNI callbacks,
 * tls-unique, STARTTLS/ENDTLS with unwrap, ragged EOF and clean close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { select } from '../../src/select/index.js';
import { EchoServer, echoPayload, pyBytesRepr } from './echo-server.js';
import { CERTFILE, SIGNED_CERTFILE, SIGNED_CERTFILE2, SIGNING_CA, certdataSkip, testingContext } from './echo-server-fixtures.js';
import { havePeer } from '../helpers/peer-check.js';
import { recvExactly, sha256 } from '../helpers/data.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The scripts live in the source tree (build/test/ssl → test/helpers/python). */
const SCRIPTS = join(HERE, '..', '..', '..', 'test', 'helpers', 'python');
const HAVE_PYTHON = havePeer('python3', ['-c', 'import ssl']);
const skip = certdataSkip || (HAVE_PYTHON ? false : 'python3 (with ssl) not installed');
const MiB = 1 << 20;

interface PyProcess {
  /** Lines printed so far / as they come. */
  line(): Promise<string>;
  exit: Promise<number | null>;
  stderr(): string;
  kill(): void;
}

function runScript(name: string, config: object): PyProcess {
  const proc = spawn('python3', [join(SCRIPTS, name), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    wake();
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<number | null>((r) =>
    proc.on('close', (code) => {
      wake();
      r(code);
    }),
  );
  let exited = false;
  void exit.then(() => (exited = true));
  return {
    async line() {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          const l = out.slice(0, nl);
          out = out.slice(nl + 1);
          return l;
        }
        if (exited || Date.now() > deadline) throw new Error(`${name}: no line (exit ${proc.exitCode}); stderr: ${err}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 200))]);
      }
    },
    exit,
    stderr: () => err,
    kill: () => {
      if (proc.exitCode === null) proc.kill();
    },
  };
}

/** Starts the Python echo server; resolves with its port. */
async function pythonServer(config: object): Promise<{ port: number; proc: PyProcess }> {
  const proc = runScript('ssl_echo_server.py', config);
  const first = await proc.line();
  const m = /^PORT (\d+)$/.exec(first);
  if (!m) throw new Error(`unexpected first line ${first}: ${proc.stderr()}`);
  return { port: Number(m[1]), proc };
}

async function connect(ctx: ssl.SSLContext, port: number, serverHostname: string | null = 'localhost', suppressRaggedEofs = true): Promise<ssl.SSLSocket> {
  const raw = await socket.createConnection(['127.0.0.1', port]);
  return (await ctx.wrapSocket(raw, { serverHostname, suppressRaggedEofs })) as ssl.SSLSocket;
}

async function recvLine(s: socket.socket): Promise<string> {
  let line = '';
  while (!line.endsWith('\n')) {
    const d = await s.recv(1024);
    if (d.length === 0) break;
    line += d.toString('latin1');
  }
  return line;
}


test("the echo servers' repr() of bytes is Python's (quotes chosen as Python does)", { skip }, () => {
  const samples = [Buffer.from("a'b"), Buffer.from('a"b'), Buffer.from('a\'"b\\'), Buffer.from([0, 9, 10, 13, 0x7f, 0x80, 0xff])];
  for (let i = 0; i < 64; i++) samples.push(createHash('sha384').update(String(i)).digest());
  const r = spawnSync('python3', ['-c', 'import sys\nfor l in sys.stdin.read().split():\n    print(repr(bytes.fromhex(l)))'], {
    input: samples.map((b) => b.toString('hex')).join('\n'),
    encoding: 'latin1',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), samples.map(pyBytesRepr));
});

// ── our client, Python server ─────────────────────────────────────────────

test('our client ↔ Python server: echo, version/cipher, then 1 MiB each way by SHA-256, clean unwrap', { skip }, async () => {
  const py = await pythonServer({ certfile: SIGNED_CERTFILE });
  const [ctx] = testingContext();
  const s = await connect(ctx, py.port);
  try {
    assert.equal(s.version(), 'TLSv1.3');
    await s.sendall(Buffer.from('FOO\n'));
    assert.deepEqual(await s.recv(), Buffer.from('foo\n'));
    const data = echoPayload(MiB);
    await s.sendall(Buffer.from(`SHA ${MiB}\n`));
    await s.sendall(data);
    assert.equal((await recvLine(s)).trim(), sha256(data));
    await s.sendall(Buffer.from(`SEND ${MiB}\n`));
    assert.equal(sha256(await recvExactly(s, MiB)), sha256(data));
    // An empty message makes the server unwrap; we do the same.
    assert.equal(await s.unwrap(), s);
    const info = JSON.parse(await py.proc.line()) as { version: string; cipher: string; unwrapped?: boolean; error: string | null };
    assert.equal(info.error, null);
    assert.equal(info.version, 'TLSv1.3');
    assert.equal(info.cipher, s.cipher() ?? 'TLS_AES_256_GCM_SHA384');
    assert.equal(info.unwrapped, true);
  } finally {
    s.close();
    py.proc.kill();
  }
});

test('our client ↔ Python server: client certificate required (HASCERT, GETCERT) and refused when missing', { skip }, async () => {
  const py = await pythonServer({ certfile: SIGNED_CERTFILE, cafile: SIGNING_CA, verify: 'required', connections: 2 });
  try {
    const [ctx] = testingContext();
    ctx.loadCertChain(SIGNED_CERTFILE);
    const s = await connect(ctx, py.port);
    await s.sendall(Buffer.from('HASCERT'));
    assert.deepEqual(await s.recv(), Buffer.from('TRUE\n'));
    await s.sendall(Buffer.from('GETCERT'));
    const cert = JSON.parse(await recvLine(s)) as { issuer: unknown };
    assert.match(JSON.stringify(cert.issuer), /Python Software Foundation CA/);
    await s.sendall(Buffer.from('over\n'));
    s.close();
    assert.equal((JSON.parse(await py.proc.line()) as { error: string | null }).error, null);

    const [bare] = testingContext();
    const s2 = await connect(bare, py.port);
    try {
      await s2.sendall(Buffer.from('HASCERT'));
      await assert.rejects(s2.recv(), (e: unknown) => e instanceof ssl.SSLError && e.reason === 'TLSV13_ALERT_CERTIFICATE_REQUIRED');
    } finally {
      s2.close();
    }
    const info = JSON.parse(await py.proc.line()) as { error: string };
    assert.match(info.error, /PEER_DID_NOT_RETURN_A_CERTIFICATE|peer did not return a certificate/);
  } finally {
    py.proc.kill();
  }
});

test('our client ↔ Python server: ALPN by server preference, and an SNI callback that switches certificates', { skip }, async () => {
  const py = await pythonServer({ certfile: SIGNED_CERTFILE, alpn: ['foo', 'bar'], sni_certfile: SIGNED_CERTFILE2 });
  const [ctx] = testingContext();
  ctx.setAlpnProtocols(['bar', 'foo']);
  // Verification of 'fakehostname' succeeds only if the callback switched to keycert4.
  const s = await connect(ctx, py.port, 'fakehostname');
  try {
    assert.equal(s.selectedAlpnProtocol(), 'foo');
    assert.match(JSON.stringify((s.getpeercert() as { subject: unknown }).subject), /fakehostname/);
    await s.sendall(Buffer.from('over\n'));
    const info = JSON.parse(await py.proc.line()) as { alpn: string; sni: string[] };
    assert.equal(info.alpn, 'foo');
    assert.deepEqual(info.sni, ['fakehostname']);
  } finally {
    s.close();
    py.proc.kill();
  }
});

test('our client ↔ Python server: STARTTLS, TLS echo, ENDTLS with unwrap, cleartext again', { skip }, async () => {
  const py = await pythonServer({ certfile: SIGNED_CERTFILE, starttls: true });
  const [ctx] = testingContext();
  const plain = await socket.createConnection(['127.0.0.1', py.port]);
  let s: ssl.SSLSocket | null = null;
  try {
    await plain.sendall(Buffer.from('Hello\n'));
    assert.deepEqual(await plain.recv(1024), Buffer.from('hello\n'));
    await plain.sendall(Buffer.from('STARTTLS\n'));
    assert.deepEqual(await plain.recv(1024), Buffer.from('OK\n'));
    s = (await ctx.wrapSocket(plain, { serverHostname: 'localhost' })) as ssl.SSLSocket;
    await s.sendall(Buffer.from('SECRET\n'));
    assert.deepEqual(await s.recv(), Buffer.from('secret\n'));
    await s.sendall(Buffer.from('ENDTLS\n'));
    assert.deepEqual(await s.recv(), Buffer.from('OK\n'));
    await s.unwrap();
    await s.sendall(Buffer.from('Plain Again\n'));
    assert.deepEqual(await s.recv(1024), Buffer.from('plain again\n'));
    await s.sendall(Buffer.from('over\n'));
    const info = JSON.parse(await py.proc.line()) as { error: string | null };
    assert.equal(info.error, null);
  } finally {
    s?.close();
    plain.close();
    py.proc.kill();
  }
});

test('our client ↔ Python server: ragged EOF — b"" when suppressed, SSLEOFError when not', { skip }, async () => {
  const py = await pythonServer({ certfile: SIGNED_CERTFILE, connections: 2 });
  try {
    const [ctx] = testingContext();
    const s = await connect(ctx, py.port);
    await s.sendall(Buffer.from('RAGGED'));
    assert.deepEqual(await recvExactly(s, 11), Buffer.from('ragged data'));
    assert.deepEqual(await s.recv(), Buffer.alloc(0));
    assert.deepEqual(await s.recv(), Buffer.alloc(0));
    s.close();
    await py.proc.line();

    const s2 = await connect(ctx, py.port, 'localhost', false);
    await s2.sendall(Buffer.from('RAGGED'));
    assert.deepEqual(await recvExactly(s2, 11), Buffer.from('ragged data'));
    await assert.rejects(s2.recv(), (e: unknown) => e instanceof ssl.SSLEOFError && e.reason === 'UNEXPECTED_EOF_WHILE_READING');
    s2.close();
    await py.proc.line();
  } finally {
    py.proc.kill();
  }
});

// ── Python client, our server ─────────────────────────────────────────────

interface ClientReport {
  steps: unknown[];
  error: string | null;
  reason?: string | null;
  version?: string;
  cipher?: string;
  alpn?: string | null;
}

async function pythonClient(config: object): Promise<ClientReport> {
  const proc = runScript('ssl_client.py', config);
  try {
    return JSON.parse(await proc.line()) as ClientReport;
  } finally {
    proc.kill();
  }
}

async function withServer<T>(ctx: ssl.SSLContext, fn: (server: EchoServer) => Promise<T>, starttlsServer = false): Promise<T> {
  const server = await EchoServer.start({ context: ctx, starttlsServer });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

test('Python client ↔ our server: echo, tls-unique agrees, 1 MiB each way by SHA-256, clean unwrap', { skip }, async () => {
  const [, serverContext] = testingContext();
  await withServer(serverContext, async (server) => {
    const r = await pythonClient({
      port: server.port,
      cafile: SIGNING_CA,
      server_hostname: 'localhost',
      steps: [['echo', 'HELLO'], ['cb'], ['sha', MiB], ['get', MiB], ['unwrap']],
    });
    assert.equal(r.error, null);
    assert.equal(r.version, 'TLSv1.3');
    assert.equal(r.cipher, 'TLS_AES_256_GCM_SHA384');
    assert.deepEqual(r.steps, ['hello', 48, true, true, 'unwrapped']);
    assert.deepEqual(server.connErrors, []);
    assert.deepEqual(server.handlerErrors, []);
  });
});

test('Python client ↔ our server: client certificates (required with and without one, optional without)', { skip }, async () => {
  const [, required] = testingContext();
  required.verifyMode = ssl.CERT_REQUIRED;
  await withServer(required, async (server) => {
    const withCert = await pythonClient({ port: server.port, cafile: SIGNING_CA, server_hostname: 'localhost', certfile: SIGNED_CERTFILE, steps: [['echo', 'HASCERT']] });
    assert.equal(withCert.error, null);
    assert.deepEqual(withCert.steps, ['TRUE\n']);
    const without = await pythonClient({ port: server.port, cafile: SIGNING_CA, server_hostname: 'localhost', steps: [['echo', 'HASCERT']] });
    assert.match(without.error ?? '', /certificate required/);
    assert.equal(without.reason, 'TLSV13_ALERT_CERTIFICATE_REQUIRED');
    assert.match(server.connErrors[0] ?? '', /PEER_DID_NOT_RETURN_A_CERTIFICATE/);
    // An untrusted client certificate: the Python client hears "unknown ca".
    const untrusted = await pythonClient({ port: server.port, cafile: SIGNING_CA, server_hostname: 'localhost', certfile: CERTFILE, steps: [['echo', 'HASCERT']] });
    assert.match(untrusted.error ?? '', /unknown ca/i);
  });
  const [, optional] = testingContext();
  optional.verifyMode = ssl.CERT_OPTIONAL;
  await withServer(optional, async (server) => {
    const r = await pythonClient({ port: server.port, cafile: SIGNING_CA, server_hostname: 'localhost', steps: [['echo', 'HASCERT']] });
    assert.equal(r.error, null);
    assert.deepEqual(r.steps, ['FALSE\n']);
  });
});

test('Python client ↔ our server: ALPN by our preference; our SNI callback switches the certificate', { skip }, async () => {
  const [, serverContext] = testingContext();
  const [, otherContext] = testingContext(SIGNED_CERTFILE2);
  serverContext.setAlpnProtocols(['foo', 'bar', 'milkshake']);
  // As with OpenSSL, ALPN is chosen by the context the SNI callback switched to.
  otherContext.setAlpnProtocols(['foo', 'bar', 'milkshake']);
  const names: (string | null)[] = [];
  serverContext.sniCallback = (sock: ssl.SSLSocket, name: string | null) => {
    names.push(name);
    if (name === 'fakehostname') sock.context = otherContext;
  };
  await withServer(serverContext, async (server) => {
    const r = await pythonClient({ port: server.port, cafile: SIGNING_CA, server_hostname: 'fakehostname', alpn: ['milkshake', 'bar'], steps: [['echo', 'X']] });
    assert.equal(r.error, null);
    assert.equal(r.alpn, 'bar');
    assert.deepEqual(server.selectedAlpnProtocols, ['bar']);
    assert.deepEqual(names, ['fakehostname']);
  });
});

test('Python client ↔ our server: STARTTLS → TLS → ENDTLS (both sides unwrap) → cleartext', { skip }, async () => {
  const [, serverContext] = testingContext();
  await withServer(
    serverContext,
    async (server) => {
      const r = await pythonClient({
        port: server.port,
        cafile: SIGNING_CA,
        server_hostname: 'localhost',
        starttls: true,
        steps: [['echo', 'Plain One\n'], ['starttls'], ['echo', 'In TLS\n'], ['endtls'], ['echo', 'Plain Two\n']],
      });
      assert.equal(r.error, null);
      assert.deepEqual(r.steps, ['plain one\n', 'OK\n', 'in tls\n', 'OK\n', 'plain two\n']);
      assert.deepEqual(server.handlerErrors, []);
    },
    true,
  );
});

test('Python client ↔ our server: a client that closes without close_notify is a ragged EOF for us', { skip }, async () => {
  const [, serverContext] = testingContext();
  // No NewSessionTickets: left unread in the Python client's socket, they make Linux answer its close() with a
  // reset instead of a FIN, and the recv() below then sees ConnectionResetError (it did once, under load).
  serverContext.numTickets = 0;
  const listener = await socket.createServer(['127.0.0.1', 0]);
  try {
    const client = runScript('ssl_client.py', { port: listener.getsockname()[1], cafile: SIGNING_CA, server_hostname: 'localhost', steps: [['close']] });
    const [conn] = await listener.accept();
    const s = (await serverContext.wrapSocket(conn, { serverSide: true, suppressRaggedEofs: false })) as ssl.SSLSocket;
    try {
      assert.equal((JSON.parse(await client.line()) as ClientReport).error, null);
      await assert.rejects(s.recv(), (e: unknown) => e instanceof ssl.SSLEOFError && e.errno === 8);
    } finally {
      s.close();
      client.kill();
    }
  } finally {
    listener.close();
  }
});

test('test_asyncore_server: a non-blocking server of ours (handshake loop, pending() draining, select()) serves a Python client', { skip }, async () => {
  const [, serverContext] = testingContext();
  const listener = await socket.createServer(['127.0.0.1', 0]);
  try {
    const client = runScript('ssl_client.py', {
      port: listener.getsockname()[1],
      cafile: SIGNING_CA,
      server_hostname: 'localhost',
      steps: [['echo', 'TEST MESSAGE of mixed case\n'], ['sha', 256 * 1024], ['unwrap']],
    });
    const [conn] = await listener.accept();
    conn.setblocking(false);
    const s = await serverContext.wrapSocket(conn, { serverSide: true, doHandshakeOnConnect: false });
    try {
      let wants = 0;
      for (;;) {
        try {
          await s.doHandshake();
          break;
        } catch (e) {
          if (!(e instanceof ssl.SSLWantReadError)) throw e;
          wants++;
          assert.deepEqual(await select([s], [], [], 10), [[s], [], []]);
        }
      }
      assert.ok(wants >= 1);
      // Read whatever is available, draining pending() before waiting, as CPython's asyncore handler does.
      const readSome = async (n = 65536): Promise<Buffer> => {
        for (;;) {
          try {
            return await s.recv(n);
          } catch (e) {
            if (!(e instanceof ssl.SSLWantReadError)) throw e;
            assert.deepEqual(await select([s], [], [], 10), [[s], [], []]);
          }
        }
      };
      const sendAll = async (b: Buffer): Promise<void> => {
        for (;;) {
          try {
            await s.sendall(b);
            return;
          } catch (e) {
            if (!(e instanceof ssl.SSLWantWriteError)) throw e;
            assert.deepEqual(await select([], [s], [], 10), [[], [s], []]);
          }
        }
      };
      const first = await readSome();
      await sendAll(Buffer.from(first.toString('latin1').toLowerCase(), 'latin1'));
      let header = await readSome();
      while (!header.includes(0x0a)) header = Buffer.concat([header, await readSome()]);
      const nl = header.indexOf(0x0a);
      const n = Number(header.subarray(4, nl).toString());
      const parts = [header.subarray(nl + 1)];
      let got = parts[0]!.length;
      while (got < n) {
        parts.push(await readSome(4096));
        while (s.pending() > 0) parts.push(await s.recv(s.pending()));
        got = parts.reduce((a, p) => a + p.length, 0);
      }
      await sendAll(Buffer.from(`${sha256(Buffer.concat(parts))}\n`));
      // The client unwraps: we see a clean EOF and unwrap too (non-blocking: retry on WantRead).
      assert.deepEqual(await readSome(), Buffer.alloc(0));
      for (;;) {
        try {
          await s.unwrap();
          break;
        } catch (e) {
          if (!(e instanceof ssl.SSLWantReadError)) throw e;
          assert.deepEqual(await select([s], [], [], 10), [[s], [], []]);
        }
      }
      const report = JSON.parse(await client.line()) as ClientReport;
      assert.equal(report.error, null);
      assert.deepEqual(report.steps, ['test message of mixed case\n', true, 'unwrapped']);
    } finally {
      s.close();
      client.kill();
    }
  } finally {
    listener.close();
  }
});
