/**
 * Real-peer check of the record layer, key schedule and TLS 1.2 PRF: an
 * `openssl s_client` ↔ `openssl s_server` session is captured through a TCP
 * proxy, and with the secrets from the client's key log our RecordLayer
 * decrypts both directions record by record (TLS 1.3: traffic secrets →
 * trafficKeys; TLS 1.2: master secret → keyBlock12) and our Finished
 * computations reproduce the peers' verify_data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { KeySchedule, trafficKeys } from '../../src/tls/keyschedule.js';
import { finishedVerifyData12, keyBlock12 } from '../../src/tls/prf12.js';
import { RecordLayer, type TLSRecord } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { ALL_SUITES, suiteById, type CipherSuite } from '../../src/tls/registry/suites.js';
import { havePeer } from '../helpers/peer-check.js';

/** Handshake type codes used only to find message boundaries in this test (RFC 8446 §4). */
const HS = { client_hello: 1, server_hello: 2, new_session_ticket: 4, server_hello_done: 14, client_key_exchange: 16, finished: 20 } as const;

const opensslOk = havePeer('openssl');

interface Capture {
  readonly c2s: Buffer;
  readonly s2c: Buffer;
  readonly keylog: Map<string, Buffer>;
  readonly clientRandom: Buffer;
}

async function capture(dir: string, version: '-tls1_2' | '-tls1_3', suiteOption: string[], clientData: string): Promise<Capture> {
  const key = join(dir, 'k.pem');
  const cert = join(dir, 'c.pem');
  const keylogPath = join(dir, `keylog-${Math.random().toString(36).slice(2)}`);
  const server = spawn('openssl', ['s_server', '-accept', '0', '-naccept', '1', '-cert', cert, '-key', key, version, ...suiteOption], { stdio: ['pipe', 'pipe', 'pipe'] });
  const c2s: Buffer[] = [];
  const s2c: Buffer[] = [];
  const proxy = createServer((down) => {
    const up = createConnection(upstreamPort, '127.0.0.1');
    down.on('data', (d) => (c2s.push(d), up.write(d)));
    up.on('data', (d) => (s2c.push(d), down.write(d)));
    down.on('end', () => up.end());
    up.on('end', () => down.end());
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
  });
  let upstreamPort = 0;
  try {
    upstreamPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ACCEPT .*:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server.on('exit', () => reject(new Error(`s_server exited: ${out}`)));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${proxyPort}`, version, ...suiteOption, '-keylogfile', keylogPath], { stdio: ['pipe', 'ignore', 'pipe'] });
    // Hold stdin open until the handshake is done, then send one line and close (close_notify follows).
    await new Promise((r) => setTimeout(r, 500));
    client.stdin.end(clientData);
    await new Promise<void>((resolve) => client.on('exit', () => resolve()));
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    server.kill();
    proxy.close();
  }
  const keylog = new Map<string, Buffer>();
  let clientRandom = Buffer.alloc(0);
  for (const line of readFileSync(keylogPath, 'utf8').split('\n')) {
    const [label, random, secret] = line.split(' ');
    if (label && random && secret && !label.startsWith('#')) {
      keylog.set(label, Buffer.from(secret, 'hex'));
      clientRandom = Buffer.from(random, 'hex');
    }
  }
  return { c2s: Buffer.concat(c2s), s2c: Buffer.concat(s2c), keylog, clientRandom };
}

/** Splits a stream of handshake records into messages; yields each whole message (header included). */
class HandshakeSplitter {
  private buf = Buffer.alloc(0);
  push(payload: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, payload]);
    const out: Buffer[] = [];
    while (this.buf.length >= 4) {
      const n = 4 + this.buf.readUIntBE(1, 3);
      if (this.buf.length < n) break;
      out.push(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
    }
    return out;
  }
}

/** Reads records from `rl` until `until(message)` holds for a handshake message; returns every record and message seen. */
function readUntil(rl: RecordLayer, splitter: HandshakeSplitter, until: (m: Buffer) => boolean, seen: { records: TLSRecord[]; messages: Buffer[] }): Buffer {
  for (;;) {
    const r = rl.nextRecord();
    assert.ok(r, `ran out of records; messages so far: ${seen.messages.map((m) => m[0]).join(',')}`);
    seen.records.push(r);
    if (r.type !== ContentType.handshake) continue;
    for (const m of splitter.push(Buffer.from(r.payload))) {
      seen.messages.push(m);
      if (until(m)) return m;
    }
  }
}

const readRest = (rl: RecordLayer): TLSRecord[] => {
  const out: TLSRecord[] = [];
  for (let r; (r = rl.nextRecord()) !== null; ) out.push(r);
  return out;
};

function suiteOf(serverHello: Buffer): CipherSuite {
  const sidLength = serverHello[4 + 2 + 32]!;
  const suite = suiteById(serverHello.readUInt16BE(4 + 2 + 32 + 1 + sidLength));
  assert.ok(suite);
  return suite;
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sslsock-rec-'));
    try {
      const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=localhost', '-days', '1'], { encoding: 'utf8' });
      assert.equal(gen.status, 0, gen.stderr);
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const skip = opensslOk ? false : 'openssl not installed';

test('decrypts a captured OpenSSL TLS 1.3 session with its key log and reproduces both Finished values', { skip, timeout: 60000 }, withDir(async (dir) => {
  for (const name of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    const line = `hello over ${name}\n`;
    const cap = await capture(dir, '-tls1_3', ['-ciphersuites', name], line);
    const fromClient = new RecordLayer({ provider });
    const fromServer = new RecordLayer({ provider });
    fromClient.setChangeCipherSpecPolicy('drop-once'); // OpenSSL sends middlebox-compatibility CCS records
    fromServer.setChangeCipherSpecPolicy('drop-once');
    fromClient.feed(cap.c2s);
    fromServer.feed(cap.s2c);
    const cSplit = new HandshakeSplitter();
    const sSplit = new HandshakeSplitter();
    const cSeen = { records: [] as TLSRecord[], messages: [] as Buffer[] };
    const sSeen = { records: [] as TLSRecord[], messages: [] as Buffer[] };

    readUntil(fromClient, cSplit, (m) => m[0] === HS.client_hello, cSeen);
    const sh = readUntil(fromServer, sSplit, (m) => m[0] === HS.server_hello, sSeen);
    const suite = suiteOf(sh);
    assert.equal(suite.ianaName, name);
    const secret = (label: string): Buffer => cap.keylog.get(label) ?? assert.fail(`${label} missing from key log`);
    const set = (rl: RecordLayer, label: string): void => {
      const k = trafficKeys(provider, suite, secret(label));
      rl.setReadKey(suite, k.key, k.iv);
    };
    set(fromServer, 'SERVER_HANDSHAKE_TRAFFIC_SECRET');
    set(fromClient, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET');
    const serverFinished = readUntil(fromServer, sSplit, (m) => m[0] === HS.finished, sSeen);
    const ks = KeySchedule.forSuite(provider, suite);
    const transcript = (...msgs: Buffer[]): Buffer => provider.hash(suite.hash, Buffer.concat(msgs));
    const serverFlight = sSeen.messages; // ServerHello … server Finished
    const beforeServerFinished = transcript(cSeen.messages[0]!, ...serverFlight.slice(0, -1));
    assert.ok(ks.verifyFinished(secret('SERVER_HANDSHAKE_TRAFFIC_SECRET'), beforeServerFinished, serverFinished.subarray(4)), 'server Finished');

    const clientFinished = readUntil(fromClient, cSplit, (m) => m[0] === HS.finished, cSeen);
    const withServerFinished = transcript(cSeen.messages[0]!, ...serverFlight);
    assert.ok(ks.verifyFinished(secret('CLIENT_HANDSHAKE_TRAFFIC_SECRET'), withServerFinished, clientFinished.subarray(4)), 'client Finished');

    set(fromServer, 'SERVER_TRAFFIC_SECRET_0');
    set(fromClient, 'CLIENT_TRAFFIC_SECRET_0');
    const clientRest = readRest(fromClient);
    assert.equal(Buffer.concat(clientRest.filter((r) => r.type === ContentType.application_data).map((r) => r.payload)).toString(), line);
    assert.deepEqual(clientRest.filter((r) => r.type === ContentType.alert).map((r) => [...r.payload]), [[1, 0]], 'close_notify');
    const serverRest = readRest(fromServer);
    assert.ok(serverRest.some((r) => r.type === ContentType.handshake && r.payload[0] === HS.new_session_ticket), 'NewSessionTicket under the application key');
    assert.equal(fromClient.bufferedBytes, 0);
    assert.equal(fromServer.bufferedBytes, 0);
  }
}));

test('decrypts a captured OpenSSL TLS 1.2 session (GCM and ChaCha20) with its master secret and reproduces both Finished values', { skip, timeout: 60000 }, withDir(async (dir) => {
  for (const s of ALL_SUITES.filter((x) => x.version === 'TLSv1.2' && x.auth === 'ECDSA')) {
    const line = `hello over ${s.opensslName}\n`;
    const cap = await capture(dir, '-tls1_2', ['-cipher', s.opensslName], line);
    const master = cap.keylog.get('CLIENT_RANDOM') ?? assert.fail('CLIENT_RANDOM missing from key log');
    const fromClient = new RecordLayer({ provider });
    const fromServer = new RecordLayer({ provider });
    fromClient.feed(cap.c2s);
    fromServer.feed(cap.s2c);
    const cSplit = new HandshakeSplitter();
    const sSplit = new HandshakeSplitter();
    const cSeen = { records: [] as TLSRecord[], messages: [] as Buffer[] };
    const sSeen = { records: [] as TLSRecord[], messages: [] as Buffer[] };
    const ch = readUntil(fromClient, cSplit, (m) => m[0] === HS.client_hello, cSeen);
    readUntil(fromServer, sSplit, (m) => m[0] === HS.server_hello_done, sSeen);
    const sh = sSeen.messages[0]!;
    const suite = suiteOf(sh);
    assert.equal(suite.ianaName, s.ianaName);
    assert.deepEqual(ch.subarray(6, 38), cap.clientRandom);
    const kb = keyBlock12(provider, suite, master, ch.subarray(6, 38), sh.subarray(6, 38));

    readUntil(fromClient, cSplit, (m) => m[0] === HS.client_key_exchange, cSeen);
    // TLS 1.2: ChangeCipherSpec is a real record, delivered in the clear; the key changes right after it.
    assert.deepEqual(fromClient.nextRecord(), { type: ContentType.change_cipher_spec, payload: Buffer.from([1]) });
    fromClient.setReadKey12(suite, kb.clientWriteKey, kb.clientWriteIv);
    const clientFinished = readUntil(fromClient, cSplit, (m) => m[0] === HS.finished, cSeen);
    const hashOf = (msgs: Buffer[]): Buffer => provider.hash(suite.hash, Buffer.concat(msgs));
    const clientTranscript = [cSeen.messages[0]!, ...sSeen.messages, ...cSeen.messages.slice(1, -1)];
    assert.deepEqual(clientFinished.subarray(4), finishedVerifyData12(provider, suite.hash, master, 'client', hashOf(clientTranscript)), 'client Finished');

    // The server may send a NewSessionTicket before its ChangeCipherSpec.
    let r = fromServer.nextRecord();
    while (r !== null && r.type === ContentType.handshake) {
      sSeen.messages.push(...sSplit.push(Buffer.from(r.payload)));
      r = fromServer.nextRecord();
    }
    assert.deepEqual(r, { type: ContentType.change_cipher_spec, payload: Buffer.from([1]) });
    fromServer.setReadKey12(suite, kb.serverWriteKey, kb.serverWriteIv);
    const serverFinished = readUntil(fromServer, sSplit, (m) => m[0] === HS.finished, sSeen);
    const ticket = sSeen.messages.filter((m) => m[0] === HS.new_session_ticket);
    const serverTranscript = [...clientTranscript, clientFinished, ...ticket];
    assert.deepEqual(serverFinished.subarray(4), finishedVerifyData12(provider, suite.hash, master, 'server', hashOf(serverTranscript)), 'server Finished');

    const clientRest = readRest(fromClient);
    assert.equal(Buffer.concat(clientRest.filter((x) => x.type === ContentType.application_data).map((x) => x.payload)).toString(), line);
    assert.deepEqual(clientRest.filter((x) => x.type === ContentType.alert).map((x) => [...x.payload]), [[1, 0]], 'close_notify');
    assert.equal(fromClient.bufferedBytes, 0);
  }
}));
