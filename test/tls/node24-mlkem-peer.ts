/**
 * Run by interop-node24.test.ts under a Node whose OpenSSL has ML-KEM (Node 24,
 * OpenSSL 3.5): our engine and node:tls meet over loopback, both in this
 * process, and the outcome is printed as one JSON line.
 *
 *   node node24-mlkem-peer.js client <node:tls server groups|default>
 *   node node24-mlkem-peer.js server <node:tls client groups|default>
 *   node node24-mlkem-peer.js memory
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import { drain, pumpMemory, TcpPump } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';
import { digitPayload, sha256 } from './interop-peers.js';

const BYTES = 256 * 1024;
const [mode = '', groupsArg = 'default'] = process.argv.slice(2);
const ecdhCurve = groupsArg === 'default' ? {} : { ecdhCurve: groupsArg };

async function ourClientAgainstNodeServer(): Promise<object> {
  const pki = testPki();
  const leaf = pki.servers.p256;
  const server = tls.createServer({ key: readFileSync(leaf.keyFile), cert: readFileSync(leaf.certFile), ...ecdhCurve }, (s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const pump = await TcpPump.connect(Connection.client({ provider, serverName: 'localhost' }), port);
    await pump.handshake();
    const payload = digitPayload(BYTES, 3);
    await pump.write(payload);
    const echo = await pump.readExactly(BYTES);
    await pump.close();
    const n = pump.conn.negotiated;
    return { group: n.group, version: n.version, suite: n.suite?.ianaName, helloRetry: n.helloRetry, echoed: sha256(echo) === sha256(payload) };
  } finally {
    server.close();
  }
}

async function nodeClientAgainstOurServer(): Promise<object> {
  const pki = testPki();
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const ours = new Promise<Connection>((resolve, reject) => {
    listener.once('connection', (sock) => {
      const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified] }), sock);
      (async () => {
        await pump.handshake();
        await pump.write(await pump.readExactly(BYTES));
        await pump.readToClose();
        await pump.close();
        return pump.conn;
      })().then(resolve, reject);
    });
  });
  try {
    const payload = digitPayload(BYTES, 5);
    const theirs = await new Promise<object>((resolve, reject) => {
      const c = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(pki.caFile), ...ecdhCurve }, () => {
        const info = { group: c.getEphemeralKeyInfo(), version: c.getProtocol(), suite: c.getCipher().standardName };
        const got: Buffer[] = [];
        let n = 0;
        c.on('data', (d: Buffer) => {
          got.push(d);
          n += d.length;
          if (n === BYTES) {
            c.end();
            resolve({ ...info, echoed: sha256(Buffer.concat(got)) === sha256(payload) });
          }
        });
        c.write(payload);
      });
      c.on('error', reject);
    });
    const conn = await ours;
    return { nodeTls: theirs, ours: { group: conn.negotiated.group, helloRetry: conn.negotiated.helloRetry, peerClosed: conn.peerClosed } };
  } finally {
    listener.close();
  }
}

function inMemory(): object {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost' });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified] });
  pumpMemory(c, s);
  c.write(Buffer.from('hybrid'));
  pumpMemory(c, s);
  return { client: c.negotiated.group, server: s.negotiated.group, data: drain(s).toString() };
}

const run = mode === 'client' ? ourClientAgainstNodeServer() : mode === 'server' ? nodeClientAgainstOurServer() : Promise.resolve(inMemory());
run.then(
  (r) => {
    process.stdout.write(`${JSON.stringify({ node: process.version, openssl: process.versions.openssl, ...r })}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
