/**
 * Our SSLObject server against `openssl s_client`: with an RSA and an ECDSA
 * certificate loaded (two load_cert_chain calls), the engine serves the one
 * whose key can sign what the client offers in signature_algorithms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { Pump } from './sslobject-tcp-pump.js';
import { havePeer } from '../helpers/peer-check.js';

const haveOpenssl = havePeer('openssl');
const skip = haveOpenssl ? false : 'openssl is not installed';

const ca = CA.create();
const rsa = ca.issueCert('localhost', { keyType: 'rsa2048' });
const ecdsa = ca.issueCert('localhost', { keyType: 'ecdsa-p256' });

async function servedTo(sigalgs: string): Promise<string> {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  rsa.configureCert(sctx);
  ecdsa.configureCert(sctx);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-sigalgs', sigalgs, '-servername', 'localhost'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<void>((r) => child.on('close', () => r()));
    const sock = await accepted;
    const pump = new Pump(sock);
    const obj = sctx.wrapBio(pump.incoming, pump.outgoing, { serverSide: true });
    await pump.run(() => obj.doHandshake());
    child.stdin.end();
    await closed;
    sock.destroy();
    return out;
  } finally {
    server.close();
  }
}

test('two certificates on one context: openssl asking for ECDSA gets the ECDSA one, asking for RSA-PSS the RSA one', { skip }, async () => {
  const e = await servedTo('ECDSA+SHA256');
  assert.match(e, /Peer signature type: ECDSA/);
  const r = await servedTo('rsa_pss_rsae_sha256');
  assert.match(r, /Peer signature type: RSA-PSS/);
});
