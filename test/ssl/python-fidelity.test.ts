/**
 * Python fidelity cases from issue 10, each checked against what CPython
 * (3.11, OpenSSL 3) itself answers for the same setup, computed at test time:
 * automatic chain completion (servers and client certificates),
 * load_cert_chain of a certificate OpenSSL finds invalid, a server that
 * answers in plaintext, and send() after a suppressed ragged EOF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { SIGNED_CERTFILE, SIGNING_CA, certdataSkip, dataFile } from './echo-server-fixtures.js';
import { pythonSkipReason } from '../helpers/openssl.js';

const skip = certdataSkip || (pythonSkipReason() ?? false);
const TALOS = dataFile('talos-2019-0758.pem');

/** Python's str(e) without the `(_ssl.c:NNNN)` suffix, which we do not reproduce. */
const strip = (s: string | null): string | null => (s === null ? null : s.replace(/ \(_ssl\.c:\d+\)$/, ''));

/** Runs a python3 script (asynchronously, so our side can serve it meanwhile); resolves with its stdout lines. */
function python(script: string, args: object = {}, onLine?: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-c', script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let seen = 0;
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const lines = out.split('\n');
      for (; seen < lines.length - 1; seen++) onLine?.(lines[seen]!);
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out.split('\n').filter((l) => l !== '')) : reject(new Error(`python3 exited ${code}: ${err}`))));
  });
}

/** A Python TLS server: accepts `connections` connections; prints PORT, then one JSON report per connection. */
const PY_SERVER = `
import json, socket, ssl, sys
a = json.loads(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(a['certfile'])
if a.get('cafile'): ctx.load_verify_locations(a['cafile'])
if a.get('require_client_cert'): ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
print('PORT', srv.getsockname()[1], flush=True)
for _ in range(a.get('connections', 1)):
    c, _addr = srv.accept()
    try:
        t = ctx.wrap_socket(c, server_side=True)
        if a.get('ragged'):
            t.recv(2)
            # Close the TCP connection without close_notify: a ragged EOF for the client.
            t.shutdown(socket.SHUT_RDWR)
        t.close()
        print(json.dumps({'error': None}), flush=True)
    except Exception as e:
        print(json.dumps({'error': str(e), 'verify_code': getattr(e, 'verify_code', None)}), flush=True)
        c.close()
`;

/** A Python client: prints one JSON report of what happened. */
const PY_CLIENT = `
import json, socket, ssl, sys
a = json.loads(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
if a.get('cafile'): ctx.load_verify_locations(a['cafile'])
if a.get('certfile'): ctx.load_cert_chain(a['certfile'])
if a.get('noverify'):
    ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
r = {'steps': []}
def err(e):
    return {'cls': type(e).__name__, 'str': str(e), 'errno': e.errno, 'library': getattr(e, 'library', None), 'reason': getattr(e, 'reason', None),
            'verify_code': getattr(e, 'verify_code', None), 'verify_message': getattr(e, 'verify_message', None)}
try:
    s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', a['port'])), server_hostname='localhost')
    if a.get('ragged'):
        s.send(b'hi')
        r['steps'].append(['recv', s.recv(10).hex()])
        try:
            r['steps'].append(['send', s.send(b'x')])
        except Exception as e:
            r['steps'].append(['send', err(e)])
        r['steps'].append(['recv', s.recv(10).hex()])
    r['error'] = None
except Exception as e:
    r['error'] = err(e)
print(json.dumps(r))
`;

interface PyError {
  cls: string;
  str: string;
  errno: number;
  library: string | null;
  reason: string | null;
  verify_code: number | null;
  verify_message: string | null;
}

function ours(e: unknown): PyError {
  const x = e as ssl.SSLError & { verifyCode?: number; verifyMessage?: string };
  return {
    cls: x.name,
    str: x.message,
    errno: x.errno as number,
    library: x.library ?? null,
    reason: x.reason ?? null,
    verify_code: x.verifyCode ?? null,
    verify_message: x.verifyMessage ?? null,
  };
}

const pyErr = (e: PyError): PyError => ({ ...e, str: strip(e.str)! });

/** Starts PY_SERVER; resolves once it listens, with its reports as they come. */
async function pyServer(args: object): Promise<{ port: number; reports: Promise<string[]>; next: () => Promise<{ error: string | null; verify_code?: number | null }> }> {
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  const reports = python(PY_SERVER, args, (l) => {
    lines.push(l);
    for (const w of waiters.splice(0)) w();
  });
  reports.catch(() => undefined);
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) await Promise.race([new Promise<void>((r) => waiters.push(r)), reports.then(() => undefined, () => undefined)]);
    return lines.shift()!;
  };
  const first = await nextLine();
  const m = /^PORT (\d+)$/.exec(first);
  if (!m) throw new Error(`python server said ${first}`);
  return { port: Number(m[1]), reports, next: async () => JSON.parse(await nextLine()) };
}

async function pyClient(args: object): Promise<{ error: PyError | null; steps: unknown[] }> {
  const [line] = await python(PY_CLIENT, args);
  return JSON.parse(line!);
}

// ---- load_cert_chain of a certificate OpenSSL finds invalid ----

test("loadCertChain(talos-2019-0758.pem, keycert3.pem) fails as CPython's does: [X509V3: INVALID_CERTIFICATE] invalid certificate", { skip }, async () => {
  const [line] = await python(
    `import json, ssl, sys
a = json.loads(sys.argv[1])
try:
    ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(a['cert'], a['key']); print(json.dumps(None))
except ssl.SSLError as e:
    print(json.dumps({'cls': type(e).__name__, 'str': str(e), 'errno': e.errno, 'library': e.library, 'reason': e.reason, 'verify_code': None, 'verify_message': None}))`,
    { cert: TALOS, key: SIGNED_CERTFILE },
  );
  const expected = pyErr(JSON.parse(line!) as PyError);
  assert.equal(expected.str, '[X509V3: INVALID_CERTIFICATE] invalid certificate');
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.throws(() => ctx.loadCertChain(TALOS, SIGNED_CERTFILE), (e: unknown) => (assert.deepEqual(ours(e), expected), true));
});

// ---- a server that answers the ClientHello in plaintext ----

test('a server answering in plaintext (an HTTP error line): [SSL: WRONG_VERSION_NUMBER] wrong version number, as CPython', { skip }, async () => {
  const srv = net.createServer((c) => {
    c.once('data', () => c.end('HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const py = await pyClient({ port, cafile: SIGNING_CA });
    assert.ok(py.error !== null);
    const expected = pyErr(py.error);
    assert.equal(expected.str, '[SSL: WRONG_VERSION_NUMBER] wrong version number');
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(SIGNING_CA);
    const raw = await socket.createConnection(['127.0.0.1', port]);
    await assert.rejects(ctx.wrapSocket(raw, { serverHostname: 'localhost' }), (e: unknown) => (assert.deepEqual(ours(e), expected), true));
    raw.close();
  } finally {
    srv.close();
  }
});

// ---- send() after a ragged EOF that suppress_ragged_eofs made into b'' ----

test("after a ragged EOF read as b'' (suppressRaggedEofs), send() raises SSLEOFError as CPython's does, and recv() stays b''", { skip }, async () => {
  const server = await pyServer({ certfile: SIGNED_CERTFILE, ragged: true, connections: 2 });
  const py = await pyClient({ port: server.port, noverify: true, ragged: true });
  assert.equal(py.error, null);
  const [, , sendStep] = [null, null, py.steps[1] as [string, PyError]];
  assert.equal(sendStep[1].cls, 'SSLEOFError');
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  const raw = await socket.createConnection(['127.0.0.1', server.port]);
  const s = (await ctx.wrapSocket(raw, { serverHostname: 'localhost' })) as ssl.SSLSocket;
  await s.send(Buffer.from('hi'));
  const steps: unknown[] = [['recv', (await s.recv(10)).toString('hex')]];
  try {
    steps.push(['send', await s.send(Buffer.from('x'))]);
  } catch (e) {
    steps.push(['send', ours(e)]);
  }
  steps.push(['recv', (await s.recv(10)).toString('hex')]);
  s.close();
  assert.deepEqual(steps, py.steps.map((st) => (Array.isArray(st) && typeof st[1] === 'object' ? [st[0], pyErr(st[1] as PyError)] : st)));
  await server.reports;
});

// ---- automatic chain completion (OpenSSL without SSL_MODE_NO_AUTO_CHAIN) ----

test('a server with only the leaf in its cert file sends the chain from its own trust store: a client without the CA sees 19, as with CPython', { skip }, async () => {
  // CPython's own server and client.
  const pyServerRun = await pyServer({ certfile: SIGNED_CERTFILE, cafile: SIGNING_CA });
  const expected = await pyClient({ port: pyServerRun.port });
  await pyServerRun.reports;
  assert.ok(expected.error !== null);
  assert.equal(expected.error.verify_code, 19);
  const want = pyErr(expected.error);

  // Our server, configured the same way (testingContext with server_chain=True).
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sctx.loadCertChain(SIGNED_CERTFILE);
  sctx.loadVerifyLocations(SIGNING_CA);
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const ls = (await sctx.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
  const port = (ls.getsockname() as [string, number])[1];
  const acceptOne = async () => {
    try {
      const [conn] = await ls.accept();
      conn.close();
    } catch {
      // The client refuses our certificate: the handshake fails on our side too.
    }
  };
  try {
    // CPython's client against our server.
    let accepted = acceptOne();
    const py = await pyClient({ port });
    await accepted;
    assert.ok(py.error !== null);
    assert.deepEqual(pyErr(py.error), want);
    // Our client against our server.
    accepted = acceptOne();
    const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const raw = await socket.createConnection(['127.0.0.1', port]);
    await assert.rejects(cctx.wrapSocket(raw, { serverHostname: 'localhost' }), (e: unknown) => (assert.deepEqual(ours(e), want), true));
    raw.close();
    await accepted;
  } finally {
    ls.close();
  }
});

test('a client certificate with only the leaf in its file is sent with the chain from the client context trust store, as CPython sends it', { skip }, async () => {
  // A server that requires a client certificate but trusts no CA: what it reports shows what the client sent.
  const server = await pyServer({ certfile: SIGNED_CERTFILE, require_client_cert: true, connections: 2 });
  const py = await pyClient({ port: server.port, noverify: true, certfile: SIGNED_CERTFILE, cafile: SIGNING_CA });
  void py;
  const pyReport = await server.next();
  assert.equal(pyReport.verify_code, 19, JSON.stringify(pyReport));
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  cctx.checkHostname = false;
  cctx.verifyMode = ssl.CERT_NONE;
  cctx.loadCertChain(SIGNED_CERTFILE);
  cctx.loadVerifyLocations(SIGNING_CA);
  const raw = await socket.createConnection(['127.0.0.1', server.port]);
  try {
    const s = (await cctx.wrapSocket(raw, { serverHostname: 'localhost' })) as ssl.SSLSocket;
    await s.recv(1).catch(() => undefined);
    s.close();
  } catch {
    raw.close();
  }
  const ourReport = await server.next();
  assert.deepEqual(ourReport, pyReport);
  await server.reports;
});
