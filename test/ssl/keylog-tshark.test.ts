/**
 * The key log checked by a real tool: an SSLSocket client and server talk
 * through a recording TCP relay on loopback; the bytes each way are written
 * into a pcap of our own (Ethernet/IPv4/TCP frames with consistent sequence
 * numbers) — capturing the loopback interface needs privileges CI may not
 * have, and the relay sees exactly the bytes on the wire. tshark then
 * decrypts the capture with our NSS key log (SSLKEYLOGFILE format) and must
 * find the application data, both directions: TLS 1.3 (NSS traffic secrets)
 * and TLS 1.2 (CLIENT_RANDOM). Also: concurrent connections append whole lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { certdataSkip, testingContext } from './port-fixtures.js';
import { havePeer } from '../helpers/peer-check.js';

const HAVE_TSHARK = havePeer('tshark', ['--version']);
if (!HAVE_TSHARK && process.env.CI) throw new Error('tshark is required under CI (.ci/run installs it)');
const skipTshark = certdataSkip || (HAVE_TSHARK ? false : 'tshark not installed');
const TLS_PORT = 443; // tshark dissects 443 as TLS without a decode-as rule

interface Chunk {
  fromClient: boolean;
  data: Buffer;
}

/** A one-connection TCP relay to `target` that records every chunk with its direction. */
async function recordingRelay(target: number): Promise<{ port: number; chunks: Chunk[]; done: Promise<void>; close(): void }> {
  const chunks: Chunk[] = [];
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    let open = 2;
    const closed = () => {
      if (--open === 0) finish();
    };
    client.on('data', (d) => (chunks.push({ fromClient: true, data: Buffer.from(d) }), upstream.write(d)));
    upstream.on('data', (d) => (chunks.push({ fromClient: false, data: Buffer.from(d) }), client.write(d)));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', closed);
    upstream.on('close', closed);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, chunks, done, close: () => server.close() };
}

/** A classic pcap (Ethernet) of one TCP connection carrying `chunks`, with handshake and FINs. */
function pcapOf(chunks: readonly Chunk[]): Buffer {
  const frames: Buffer[] = [];
  const seq = { client: 1000, server: 5000 };
  let t = 1_700_000_000;
  const frame = (fromClient: boolean, flags: number, payload: Buffer) => {
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(fromClient ? 50000 : TLS_PORT, 0);
    tcp.writeUInt16BE(fromClient ? TLS_PORT : 50000, 2);
    tcp.writeUInt32BE((fromClient ? seq.client : seq.server) >>> 0, 4);
    tcp.writeUInt32BE((fromClient ? seq.server : seq.client) >>> 0, 8);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp.writeUInt16BE(65535, 14);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 20 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 6; // TCP
    Buffer.from(fromClient ? [10, 0, 0, 1] : [10, 0, 0, 2]).copy(ip, 12);
    Buffer.from(fromClient ? [10, 0, 0, 2] : [10, 0, 0, 1]).copy(ip, 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.from([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2, 0x08, 0x00]);
    const packet = Buffer.concat([eth, ip, tcp, payload]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(t++, 0);
    rec.writeUInt32LE(packet.length, 8);
    rec.writeUInt32LE(packet.length, 12);
    frames.push(rec, packet);
    const advance = payload.length + (flags & 0x03 ? 1 : 0); // SYN and FIN count one
    if (fromClient) seq.client += advance;
    else seq.server += advance;
  };
  const SYN = 0x02;
  const ACK = 0x10;
  const PSH = 0x08;
  const FIN = 0x01;
  seq.client -= 1;
  frame(true, SYN, Buffer.alloc(0));
  seq.server -= 1;
  frame(false, SYN | ACK, Buffer.alloc(0));
  frame(true, ACK, Buffer.alloc(0));
  for (const c of chunks) {
    for (let off = 0; off < c.data.length; off += 16000) frame(c.fromClient, PSH | ACK, c.data.subarray(off, off + 16000));
  }
  frame(true, FIN | ACK, Buffer.alloc(0));
  frame(false, FIN | ACK, Buffer.alloc(0));
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  return Buffer.concat([header, ...frames]);
}

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** What each version logs, and the handshake messages tshark can only see decrypted. */
const VERSIONS = {
  'TLSv1.3': {
    labels: ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
    // EncryptedExtensions, Certificate, CertificateVerify, Finished, NewSessionTicket.
    encryptedTypes: ['8', '11', '15', '20', '4'],
  },
  'TLSv1.2': { labels: ['CLIENT_RANDOM'], encryptedTypes: ['20'] },
} as const;

for (const [version, expect] of Object.entries(VERSIONS)) {
  test(`tshark decrypts our ${version} traffic with our key log and finds the application data both ways`, { skip: skipTshark }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sslsock-tshark-'));
    try {
      const keylog = join(dir, 'keys.log');
      const [clientContext, serverContext, hostname] = testingContext();
      clientContext.keylogFilename = keylog;
      if (version === 'TLSv1.2') clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
      const server = await EchoServer.start({ context: serverContext });
      try {
        const relay = await recordingRelay(server.address[1]);
        const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
        try {
          await s.connect(['127.0.0.1', relay.port]);
          assert.equal(s.version(), version);
          await s.sendall(Buffer.from('Secret Message From Client'));
          assert.equal((await s.recv(100)).toString(), 'secret message from client');
          await s.unwrap();
        } finally {
          s.close();
        }
        await relay.done;
        relay.close();
        const pcap = join(dir, `${version}.pcap`);
        writeFileSync(pcap, pcapOf(relay.chunks));

        const lines = readFileSync(keylog, 'utf8').trimEnd().split('\n');
        assert.deepEqual(
          lines
            .slice(1)
            .map((l) => l.split(' ')[0])
            .sort(),
          [...expect.labels],
        );
        // Without the key log tshark sees only ciphertext.
        const blind = tshark(['-r', pcap, '-q', '-z', 'follow,tls,ascii,0']);
        assert.doesNotMatch(blind, /Secret Message From Client/);
        const follow = tshark(['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-q', '-z', 'follow,tls,ascii,0']);
        assert.match(follow, /Secret Message From Client/);
        assert.match(follow, /secret message from client/);
        const types = tshark(['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-Y', 'tls.handshake.type', '-T', 'fields', '-e', 'tls.handshake.type']);
        for (const type of expect.encryptedTypes) assert.match(types, new RegExp(`(^|[\\s,])${type}([\\s,]|$)`), `handshake type ${type} not decrypted:\n${types}`);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('key log: each TLS 1.3 connection logs its 5 secrets as whole lines, also with concurrent connections on both sides', { skip: certdataSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-keylog-'));
  try {
    const keylog = join(dir, 'keys.log');
    const [clientContext, serverContext, hostname] = testingContext();
    clientContext.keylogFilename = keylog;
    serverContext.keylogFilename = keylog;
    const listener = await socket.createServer(['127.0.0.1', 0]);
    const ls = (await serverContext.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
    const N = 8;
    try {
      const serverSide = Promise.all(
        Array.from({ length: N }, async () => {
          const [conn] = await ls.accept();
          (conn as ssl.SSLSocket).close();
        }),
      );
      await Promise.all(
        Array.from({ length: N }, async () => {
          const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
          await s.connect(ls.getsockname() as [string, number]);
          s.close();
        }),
      );
      await serverSide;
    } finally {
      ls.close();
    }
    const lines = readFileSync(keylog, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.shift(), ssl.KEYLOG_HEADER.trimEnd());
    assert.equal(lines.length, N * 2 * 5);
    const byRandom = new Map<string, string[]>();
    for (const l of lines) {
      const m = /^([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]{64}|[0-9a-f]{96})$/.exec(l);
      assert.ok(m, `not a whole key log line: ${JSON.stringify(l)}`);
      byRandom.set(m[2]!, [...(byRandom.get(m[2]!) ?? []), m[1]!]);
    }
    assert.equal(byRandom.size, N);
    for (const labels of byRandom.values()) {
      // Client and server each log the same five secrets for one client random.
      assert.deepEqual(
        [...labels].sort(),
        ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'].flatMap((x) => [x, x]),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
