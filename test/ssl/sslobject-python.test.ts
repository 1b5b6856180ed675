/**
 * SSLObject against a real Python `ssl` peer over TCP (python3, OpenSSL 3):
 * our client against Python's server and Python's client against our server,
 * each a handshake, an echo and a close_notify exchange. The pump between the
 * MemoryBIOs and the TCP socket lives in this test (SSLSocket is another
 * module's job).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { Pump } from './sslobject-tcp-pump.js';

const havePython = havePeer('python3', ['-c', 'import ssl']);
const skip = havePython ? false : 'python3 with ssl is not installed';

function python(script: string, args: string[]): { child: ChildProcessWithoutNullStreams; firstLine: Promise<string>; output: Promise<string> } {
  const child = spawn('python3', ['-c', script, ...args]);
  let out = '';
  let err = '';
  let resolveFirst: (s: string) => void;
  const firstLine = new Promise<string>((r) => (resolveFirst = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const nl = out.indexOf('\n');
    if (nl >= 0) resolveFirst(out.slice(0, nl));
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const output = new Promise<string>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 exited ${code}: ${err}`)))),
  );
  return { child, firstLine, output };
}

const PY_SERVER = `
import ssl, socket, sys, json
certfile, keyfile = sys.argv[1:3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certfile, keyfile)
ctx.set_alpn_protocols(['echo/1'])
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
s = ctx.wrap_socket(conn, server_side=True)
got = b''
while True:
    data = s.recv(4096)
    if not data:
        break
    got += data
    s.sendall(data.upper())
s.unwrap()
print(json.dumps({'got': got.decode(), 'version': s.version() if s._sslobj else None, 'cb': None}), flush=True)
`;

const PY_CLIENT = `
import ssl, socket, sys, json
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile)
ctx.set_alpn_protocols(['x', 'echo/1'])
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port)), server_hostname='localhost')
info = {'version': s.version(), 'cipher': list(s.cipher()), 'alpn': s.selected_alpn_protocol(),
        'san': [list(x) for x in s.getpeercert()['subjectAltName']], 'cb': s.get_channel_binding().hex()}
s.sendall(b'hello from python')
info['echo'] = s.recv(4096).decode()
s.unwrap()
print(json.dumps(info), flush=True)
`;

test('our SSLObject client against a Python ssl server: handshake, echo, close_notify both ways', { skip }, async () => {
  const ca = CA.create();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-py-'));
  try {
    const files = ca.issueCert('localhost').writeFiles(dir);
    const py = python(PY_SERVER, [files.certFile, files.keyFile]);
    const port = Number(await py.firstLine);
    const sock = createConnection({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    const pump = new Pump(sock);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(null, null, ca.certPem);
    ctx.setAlpnProtocols(['echo/1']);
    const obj = ctx.wrapBio(pump.incoming, pump.outgoing, { serverHostname: 'localhost' });
    await pump.run(() => obj.doHandshake());
    assert.equal(obj.version(), 'TLSv1.3');
    assert.deepEqual(obj.cipher(), ['TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256]);
    assert.equal(obj.selectedAlpnProtocol(), 'echo/1');
    // getpeercert() equals what Python's own decoder makes of the same certificate.
    const decoded = spawnSync('python3', ['-c', 'import ssl,sys,json; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))', files.certFile], { encoding: 'utf8' });
    assert.deepEqual(obj.getpeercert(), JSON.parse(decoded.stdout));
    await pump.run(() => obj.write(Buffer.from('hello python')));
    let echoed = '';
    while (echoed.length < 12) echoed += (await pump.run(() => obj.read())).toString();
    assert.equal(echoed, 'HELLO PYTHON');
    await pump.run(() => obj.unwrap());
    const report = JSON.parse((await py.output).trim().split('\n').pop()!) as { got: string };
    assert.equal(report.got, 'hello python');
    sock.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Python ssl client against our SSLObject server: handshake, ALPN, channel binding, echo, unwrap', { skip }, async () => {
  const ca = CA.create();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-py-'));
  const server = createServer();
  try {
    const caFile = ca.writeFiles(dir).certFile;
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ca.issueCert('localhost').configureCert(sctx);
    sctx.setAlpnProtocols(['echo/1', 'x']);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const py = python(PY_CLIENT, [String(port), caFile]);
    const sock = await accepted;
    const pump = new Pump(sock);
    const obj = sctx.wrapBio(pump.incoming, pump.outgoing, { serverSide: true });
    await pump.run(() => obj.doHandshake());
    const data = (await pump.run(() => obj.read())) as Buffer;
    assert.equal(data.toString(), 'hello from python');
    await pump.run(() => obj.write(Buffer.from('echo: ' + data.toString())));
    // Python's unwrap sends close_notify and waits for ours.
    assert.deepEqual(await pump.run(() => obj.read()), Buffer.alloc(0));
    await pump.run(() => obj.unwrap());
    const info = JSON.parse((await py.output).trim()) as Record<string, unknown>;
    assert.equal(info.version, 'TLSv1.3');
    assert.deepEqual(info.cipher, ['TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256]);
    assert.equal(info.alpn, 'echo/1');
    assert.equal(obj.selectedAlpnProtocol(), 'echo/1');
    assert.deepEqual(info.san, [['DNS', 'localhost']]);
    // tls-unique agrees with OpenSSL's.
    assert.equal(info.cb, obj.getChannelBinding('tls-unique')!.toString('hex'));
    assert.equal(info.echo, 'echo: hello from python');
    // Python offers TLS 1.3 and 1.2 suites; shared_ciphers() lists those we enable too, in our order.
    assert.deepEqual(
      obj.sharedCiphers()!.map((c) => c[0]),
      sctx.getCiphers().map((c) => c.name),
    );
    sock.destroy();
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const PY_CLIENT_AUTH = `
import ssl, socket, sys, json
port, cafile, hostname, certfile, keyfile = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile)
if certfile != '-':
    ctx.load_cert_chain(certfile, keyfile)
info = {}
try:
    s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(port))), server_hostname=hostname)
    info['san'] = [list(x) for x in s.getpeercert()['subjectAltName']]
    s.sendall(b'ping')
    info['echo'] = s.recv(100).decode()
except ssl.SSLError as e:
    info['error'] = type(e).__name__
    info['reason'] = e.reason
    info['verify_code'] = getattr(e, 'verify_code', None)
print(json.dumps(info), flush=True)
`;

const PY_SERVER_AUTH = `
import ssl, socket, sys, json
certfile, keyfile = sys.argv[1:3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certfile, keyfile)
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
info = {}
try:
    s = ctx.wrap_socket(conn, server_side=True)
    s.recv(100)
except ssl.SSLError as e:
    info['reason'] = e.reason
print(json.dumps(info), flush=True)
`;
import { havePeer } from '../helpers/peer-check.js';

/** Serves one TLS connection with our SSLObject; returns what happened on our side. */
async function serveOnce(sctx: ssl.SSLContext, runClient: (port: number) => Promise<string>): Promise<{ obj: ssl.SSLObject | null; error: unknown; client: Record<string, unknown> }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const clientDone = runClient(port);
    const sock = await accepted;
    const pump = new Pump(sock);
    const obj = sctx.wrapBio(pump.incoming, pump.outgoing, { serverSide: true });
    let error: unknown = null;
    try {
      await pump.run(() => obj.doHandshake());
      const data = (await pump.run(() => obj.read())) as Buffer;
      await pump.run(() => obj.write(data));
    } catch (e) {
      error = e;
    }
    const client = JSON.parse((await clientDone).trim()) as Record<string, unknown>;
    sock.destroy();
    return { obj, error, client };
  } finally {
    server.close();
  }
}

test('against Python: our client rejects an untrusted server (20) and the Python server reads TLSV1_ALERT_UNKNOWN_CA', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-py-'));
  try {
    const files = CA.create().issueCert('localhost').writeFiles(dir);
    const py = python(PY_SERVER_AUTH, [files.certFile, files.keyFile]);
    const port = Number(await py.firstLine);
    const sock = createConnection({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    const pump = new Pump(sock);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(null, null, CA.create().certPem);
    const obj = ctx.wrapBio(pump.incoming, pump.outgoing, { serverHostname: 'localhost' });
    await assert.rejects(
      pump.run(() => obj.doHandshake()),
      (e: ssl.SSLCertVerificationError) => e instanceof ssl.SSLCertVerificationError && e.verifyCode === 20,
    );
    sock.end();
    const report = JSON.parse((await py.output).trim().split('\n').pop()!) as { reason: string };
    assert.equal(report.reason, 'TLSV1_ALERT_UNKNOWN_CA');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('against Python: client certificate to our CERT_REQUIRED server, and an SNI callback switching context', { skip }, async () => {
  const ca = CA.create();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-py-'));
  try {
    const caFile = ca.writeFiles(dir).certFile;
    const client = ca.issueClientCert('py@example.com').writeFiles(dir, 'client');
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ca.issueCert('localhost').configureCert(sctx);
    const other = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ca.issueCert('fakehostname').configureCert(other);
    other.verifyMode = ssl.CERT_REQUIRED;
    other.loadVerifyLocations(caFile);
    const names: unknown[] = [];
    sctx.sniCallback = (obj, name) => {
      names.push(name);
      if (name === 'fakehostname') obj.context = other;
    };
    const r = await serveOnce(sctx, (port) => python(PY_CLIENT_AUTH, [String(port), caFile, 'fakehostname', client.certFile, client.keyFile]).output);
    assert.equal(r.error, null);
    assert.deepEqual(names, ['fakehostname']);
    assert.deepEqual(r.client.san, [['DNS', 'fakehostname']]);
    assert.equal(r.client.echo, 'ping');
    assert.deepEqual((r.obj!.getpeercert() as { subjectAltName: unknown }).subjectAltName, [['email', 'py@example.com']]);
    // The same server without a client certificate: TLS 1.3 lets Python's handshake finish; our server fails.
    const r2 = await serveOnce(sctx, (port) => python(PY_CLIENT_AUTH, [String(port), caFile, 'fakehostname', '-', '-']).output);
    assert.equal((r2.error as ssl.SSLError).reason, 'PEER_DID_NOT_RETURN_A_CERTIFICATE');
    assert.equal(r2.client.reason, 'TLSV13_ALERT_CERTIFICATE_REQUIRED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
