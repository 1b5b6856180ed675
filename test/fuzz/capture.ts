/**
 * Regenerates the transcript corpus (test/fuzz/corpus/*.json): real
 * handshakes with OpenSSL, GnuTLS, Python's ssl and node:tls, TLS 1.3 and
 * 1.2, the peer as server and as client, some with client certificates. Our
 * side runs on the pinned provider (fixtures.ts), so the bytes each peer sent
 * stay valid when replayed into a new SSLObject: replay.ts feeds them back,
 * mutated. Run: `npm run fuzz:corpus` (needs the peers; `npm test` does not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CORPUS_DIR, certFile, clientContext, havePki, serverContext, type Scenario } from './fixtures.js';
import { writePki } from './pki.js';
import { Side } from './side.js';
import { Peer, connectWhenListening, freePort, listenOnce } from '../tls/interop-peers.js';
import { killGnutlsPeers, startGnutlsCli, startGnutlsServ, tls12Priority, tls13Priority } from '../helpers/gnutls.js';

export interface Transcript {
  /** Which implementation sent these bytes, and in which role. */
  readonly peer: string;
  readonly peerRole: 'server' | 'client';
  /** Our side's configuration (fixtures.ts) when the bytes were recorded. */
  readonly scenario: Scenario;
  /** The peer's bytes, as they arrived (TCP read boundaries), hex. */
  readonly chunks: readonly string[];
}

const PING = Buffer.from('ping\n');
const QUIET_MS = 400;
const HARD_LIMIT_MS = 10_000;

/** Runs our side over a TCP socket to the end of the conversation; returns the peer's bytes. */
function converse(sock: net.Socket, scenario: Scenario, serverSide: boolean): Promise<{ chunks: Buffer[]; side: Side }> {
  const side = new Side(serverSide ? serverContext(scenario) : clientContext(scenario), serverSide);
  const chunks: Buffer[] = [];
  let wrote = false;
  let closing = false;
  return new Promise((resolve) => {
    let idle: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(hard);
      sock.destroy();
      resolve({ chunks, side });
    };
    const hard = setTimeout(finish, HARD_LIMIT_MS);
    const flush = () => {
      const o = side.take();
      if (o.length > 0 && !sock.destroyed) sock.write(o);
    };
    const unwrap = () => {
      closing = true;
      side.paused = true;
      side.guard('unwrap', () => side.obj.unwrap());
      flush();
    };
    const pump = () => {
      side.step();
      if (side.handshakeDone && side.alive) {
        if (!serverSide && !wrote) {
          wrote = true;
          side.guard('write', () => void side.obj.write(PING));
        }
        if (serverSide) for (const d of side.received.splice(0)) side.guard('write', () => void side.obj.write(d));
      }
      if (closing) side.guard('unwrap', () => side.obj.unwrap());
      else if (side.peerClosed && side.error === null) unwrap();
      flush();
      clearTimeout(idle);
      // Quiet for a while after the handshake: we close (close_notify); then wait for the peer's.
      idle = setTimeout(() => {
        if (!closing && side.handshakeDone && side.alive) {
          unwrap();
          idle = setTimeout(finish, QUIET_MS);
        } else finish();
      }, QUIET_MS);
    };
    sock.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      side.inc.write(d);
      pump();
    });
    sock.on('close', finish);
    sock.on('error', finish);
    pump();
  });
}

type Capture = { name: string; peer: string; peerRole: 'server' | 'client'; scenario: Scenario; run: () => Promise<{ chunks: Buffer[]; side: Side }> };

const V = (s: Scenario) => (s.version === '1.3' ? '-tls1_3' : '-tls1_2');

/** A peer server: start it, connect our client, converse. */
async function againstServer(start: () => Promise<{ port: number; stop: () => void }>, scenario: Scenario) {
  const { port, stop } = await start();
  try {
    const sock = await connectWhenListening(port);
    return await converse(sock, scenario, false);
  } finally {
    stop();
  }
}

/** A peer client: listen, start it, converse with what connects. */
async function againstClient(start: (port: number) => { stop: () => void }, scenario: Scenario) {
  const l = await listenOnce();
  const { stop } = start(l.port);
  try {
    const sock = await l.accepted;
    return await converse(sock, scenario, true);
  } finally {
    l.close();
    stop();
  }
}

const peerStop = (p: Peer) => () => p.kill();

const PY_SERVER = `
import json, socket, ssl, sys
cfg = json.loads(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cfg['cert'], cfg['key'])
v = ssl.TLSVersion.TLSv1_3 if cfg['v'] == '1.3' else ssl.TLSVersion.TLSv1_2
ctx.minimum_version = v; ctx.maximum_version = v
if cfg['auth']:
    ctx.load_verify_locations(cfg['ca']); ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
c, _ = srv.accept()
s = ctx.wrap_socket(c, server_side=True)
s.sendall(s.recv(100))
try:
    s.unwrap()
except Exception:
    pass
c.close()
`;

const PY_CLIENT = `
import json, socket, ssl, sys
cfg = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=cfg['ca'])
v = ssl.TLSVersion.TLSv1_3 if cfg['v'] == '1.3' else ssl.TLSVersion.TLSv1_2
ctx.minimum_version = v; ctx.maximum_version = v
if cfg['auth']:
    ctx.load_cert_chain(cfg['cert'], cfg['key'])
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', cfg['port'])), server_hostname='localhost')
s.sendall(b'ping\\n')
s.recv(100)
try:
    s.unwrap()
except Exception:
    pass
`;

function captures(): Capture[] {
  const out: Capture[] = [];
  const ca = certFile('ca.pem');
  const scenarios: Scenario[] = [
    { version: '1.3', clientAuth: false },
    { version: '1.3', clientAuth: true },
    { version: '1.2', clientAuth: false },
    { version: '1.2', clientAuth: true },
  ];
  for (const s of scenarios) {
    const tag = `${s.version === '1.3' ? 'tls13' : 'tls12'}${s.clientAuth ? '-auth' : ''}`;
    const add = (peer: string, peerRole: 'server' | 'client', run: Capture['run']) => out.push({ name: `${peer}-${peerRole}-${tag}`, peer, peerRole, scenario: s, run });
    const serverCert = { cert: certFile('server.pem'), key: certFile('server.key') };
    const clientCert = { cert: certFile('client.pem'), key: certFile('client.key') };

    add('openssl', 'server', () =>
      againstServer(async () => {
        const port = await freePort();
        const args = ['s_server', '-accept', String(port), '-naccept', '1', '-cert', serverCert.cert, '-key', serverCert.key, V(s), '-rev', '-quiet'];
        if (s.clientAuth) args.push('-Verify', '1', '-CAfile', ca);
        const p = Peer.start('openssl', args);
        return { port, stop: peerStop(p) };
      }, s),
    );
    add('openssl', 'client', () =>
      againstClient((port) => {
        const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', ca, '-verify_return_error', V(s), '-quiet'];
        if (s.clientAuth) args.push('-cert', clientCert.cert, '-key', clientCert.key);
        const p = Peer.start('openssl', args);
        p.proc.stdin.write(PING);
        return { stop: peerStop(p) };
      }, s),
    );
    const priority = s.version === '1.3' ? tls13Priority() : tls12Priority();
    add('gnutls', 'server', () =>
      againstServer(async () => {
        const { peer, port } = await startGnutlsServ({ certFile: serverCert.cert, keyFile: serverCert.key, priority, ...(s.clientAuth ? { clientCa: ca } : {}) });
        return { port, stop: peerStop(peer) };
      }, s),
    );
    add('gnutls', 'client', () =>
      againstClient((port) => {
        const cli = startGnutlsCli(port, { caFile: ca, priority, ...(s.clientAuth ? { certFile: clientCert.cert, keyFile: clientCert.key } : {}) });
        cli.peer.proc.stdin.write(PING);
        return { stop: peerStop(cli.peer) };
      }, s),
    );
    // The Python peer's settings: a server (port 0) uses the server certificate, a client the client one.
    const py = (port = 0) => JSON.stringify({ ca, ...(port === 0 ? serverCert : clientCert), v: s.version, auth: s.clientAuth, port });
    add('python', 'server', () =>
      againstServer(async () => {
        const p = Peer.start('python3', ['-c', PY_SERVER, py()]);
        await p.waitStdout(2);
        return { port: Number(p.out.toString().trim()), stop: peerStop(p) };
      }, s),
    );
    add('python', 'client', () =>
      againstClient((port) => {
        const p = Peer.start('python3', ['-c', PY_CLIENT, py(port)]);
        return { stop: peerStop(p) };
      }, s),
    );
    const nodeVersion = s.version === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
    add('node', 'server', () =>
      againstServer(async () => {
        const srv = tls.createServer(
          {
            cert: readFileSync(serverCert.cert),
            key: readFileSync(serverCert.key),
            minVersion: nodeVersion,
            maxVersion: nodeVersion,
            ...(s.clientAuth ? { requestCert: true, rejectUnauthorized: true, ca: readFileSync(ca) } : {}),
          },
          (c) => {
            c.on('data', (d) => c.write(d));
            c.on('end', () => c.end());
            c.on('error', () => undefined);
          },
        );
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
        return { port: (srv.address() as net.AddressInfo).port, stop: () => srv.close() };
      }, s),
    );
    add('node', 'client', () =>
      againstClient((port) => {
        const c = tls.connect({
          port,
          host: '127.0.0.1',
          servername: 'localhost',
          ca: readFileSync(ca),
          minVersion: nodeVersion,
          maxVersion: nodeVersion,
          ...(s.clientAuth ? { cert: readFileSync(clientCert.cert), key: readFileSync(clientCert.key) } : {}),
        });
        c.on('secureConnect', () => c.write(PING));
        c.on('data', () => c.end());
        c.on('error', () => undefined);
        return { stop: () => c.destroy() };
      }, s),
    );
  }
  out.push(...hrrCaptures());
  return out;
}

/**
 * HelloRetryRequest both ways (TLS 1.3): our `hrr` client sends its only key share for P-256 to a peer that takes
 * X25519 only; a peer client sending only a P-256 share meets our `hrr` server (X25519 only). Python's ssl cannot
 * choose groups before 3.15, so it has none.
 */
function hrrCaptures(): Capture[] {
  const s: Scenario = { version: '1.3', clientAuth: false, hrr: true };
  const ca = certFile('ca.pem');
  const cert = certFile('server.pem');
  const key = certFile('server.key');
  const add = (peer: string, peerRole: 'server' | 'client', run: Capture['run']): Capture => ({ name: `${peer}-${peerRole}-tls13-hrr`, peer, peerRole, scenario: s, run });
  return [
    add('openssl', 'server', () =>
      againstServer(async () => {
        const port = await freePort();
        const p = Peer.start('openssl', ['s_server', '-accept', String(port), '-naccept', '1', '-cert', cert, '-key', key, '-tls1_3', '-groups', 'X25519', '-rev', '-quiet']);
        return { port, stop: peerStop(p) };
      }, s),
    ),
    add('openssl', 'client', () =>
      againstClient((port) => {
        const p = Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', ca, '-verify_return_error', '-tls1_3', '-groups', 'P-256:X25519', '-quiet']);
        p.proc.stdin.write(PING);
        return { stop: peerStop(p) };
      }, s),
    ),
    add('gnutls', 'server', () =>
      againstServer(async () => {
        const { peer, port } = await startGnutlsServ({ certFile: cert, keyFile: key, priority: tls13Priority({ groups: ['X25519'] }) });
        return { port, stop: peerStop(peer) };
      }, s),
    ),
    add('gnutls', 'client', () =>
      againstClient((port) => {
        const cli = startGnutlsCli(port, { caFile: ca, priority: tls13Priority({ groups: ['P-256', 'X25519'] }), singleKeyShare: true });
        cli.peer.proc.stdin.write(PING);
        return { stop: peerStop(cli.peer) };
      }, s),
    ),
    add('node', 'server', () =>
      againstServer(async () => {
        const srv = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.3', ecdhCurve: 'X25519' }, (c) => {
          c.on('data', (d) => c.write(d));
          c.on('end', () => c.end());
          c.on('error', () => undefined);
        });
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
        return { port: (srv.address() as net.AddressInfo).port, stop: () => srv.close() };
      }, s),
    ),
    add('node', 'client', () =>
      againstClient((port) => {
        const c = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(ca), minVersion: 'TLSv1.3', ecdhCurve: 'P-256:X25519' });
        c.on('secureConnect', () => c.write(PING));
        c.on('data', () => c.end());
        c.on('error', () => undefined);
        return { stop: () => c.destroy() };
      }, s),
    ),
  ];
}

async function main(): Promise<void> {
  if (!havePki()) writePki();
  const only = process.argv.slice(2);
  let failed = 0;
  for (const c of captures()) {
    if (only.length > 0 && !only.some((o) => c.name.includes(o))) continue;
    try {
      const { chunks, side } = await c.run();
      const bytes = chunks.reduce((n, b) => n + b.length, 0);
      if (!side.handshakeDone || side.error) {
        failed++;
        console.log(`FAIL ${c.name}: handshake ${side.handshakeDone ? 'done' : 'not done'}${side.error ? `, ${side.error.message}` : ''} (${bytes} bytes)`);
        continue;
      }
      const t: Transcript = { peer: c.peer, peerRole: c.peerRole, scenario: c.scenario, chunks: chunks.map((b) => b.toString('hex')) };
      writeFileSync(new URL(`${c.name}.json`, CORPUS_DIR), JSON.stringify(t, null, 1) + '\n');
      console.log(`ok   ${c.name}: ${chunks.length} chunks, ${bytes} bytes${side.peerClosed ? ', closed' : ''}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${c.name}: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  await killGnutlsPeers();
  process.exit(failed ? 1 : 0);
}

await main();
