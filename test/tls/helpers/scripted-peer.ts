/**
 * A scripted TLS client for conformance tests: an honest client Connection
 * computes the handshake, and the test decides which bytes actually go on the
 * wire (re-fragmented, re-versioned, extra or missing records, garbage), to
 * our server in memory or to `openssl s_server` over TCP. The server's
 * answer is read back by the honest client, so an alert on the wire —
 * plaintext or protected — is decoded by a real peer.
 */
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultProvider } from '../../../src/crypto/index.js';
import type { CryptoProvider, KeyExchange, KeyExchangeGroup } from '../../../src/crypto/provider.js';
import { Connection } from '../../../src/tls/connection.js';
import type { ConnectionConfig } from '../../../src/tls/config.js';
import { TLSError } from '../../../src/tls/errors.js';
import { KeySchedule } from '../../../src/tls/keyschedule.js';
import { Direction, sealRecord, sealedRecordLength } from '../../../src/tls/record-protection.js';
import { RecordLayer } from '../../../src/tls/record.js';
import { ContentType } from '../../../src/tls/registry/content-types.js';
import type { CipherSuite } from '../../../src/tls/registry/suites.js';

export const provider = defaultProvider;

/** A provider whose key exchange hands out `bad` as our public value (the peer must refuse it). */
export function badPointProvider(bad: Buffer): CryptoProvider {
  return new Proxy(provider, {
    get(target, prop, receiver) {
      if (prop === 'generateKeyExchange') {
        return (group: KeyExchangeGroup): KeyExchange => {
          const real = target.generateKeyExchange(group);
          return { group, publicKey: bad, deriveSharedSecret: (p) => real.deriveSharedSecret(p) };
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

export interface Rec {
  readonly type: number;
  /** legacy_record_version; 0x0303 when omitted. */
  readonly version?: number;
  readonly body: Buffer;
}

export function splitRecords(buf: Buffer): Required<Rec>[] {
  const out: Required<Rec>[] = [];
  for (let o = 0; o + 5 <= buf.length; ) {
    const len = buf.readUInt16BE(o + 3);
    out.push({ type: buf[o]!, version: buf.readUInt16BE(o + 1), body: buf.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

export function joinRecords(recs: readonly Rec[]): Buffer {
  return Buffer.concat(
    recs.map((r) => {
      const h = Buffer.alloc(5);
      h[0] = r.type;
      h.writeUInt16BE(r.version ?? 0x0303, 1);
      h.writeUInt16BE(r.body.length, 3);
      return Buffer.concat([h, r.body]);
    }),
  );
}

export interface Msg {
  readonly type: number;
  readonly body: Buffer;
}

export function splitMessages(buf: Buffer): Msg[] {
  const out: Msg[] = [];
  for (let o = 0; o < buf.length; ) {
    const len = buf.readUIntBE(o + 1, 3);
    out.push({ type: buf[o]!, body: buf.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return out;
}

export function joinMessages(msgs: readonly Msg[]): Buffer {
  return Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.type, m.body.length >> 16, (m.body.length >> 8) & 0xff, m.body.length & 0xff]), m.body])));
}

/** Splits `data` into `n` nearly equal pieces (each non-empty). */
export function fragments(data: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  const size = Math.ceil(data.length / n);
  for (let o = 0; o < data.length; o += size) out.push(data.subarray(o, o + size));
  return out;
}

/** Seals records under one TLS 1.3 traffic secret, sequence numbers from 0; unlike RecordLayer it writes zero-length records too. */
export class Sealer {
  private readonly dir = new Direction('write');
  constructor(suite: CipherSuite, secret: Buffer) {
    const k = KeySchedule.forSuite(provider, suite).trafficKeys(secret);
    this.dir.setKey13(provider, suite, k.key, k.iv);
  }

  /**
   * One protected record of inner type `type` (outer application_data). A
   * `version` other than 0x0303 is written into the header after sealing
   * (so the additional data no longer matches: a receiver that checks the
   * version first says so, one that does not fails to authenticate).
   */
  seal(type: number, content: Buffer, version = 0x0303): Buffer {
    const out = Buffer.alloc(sealedRecordLength(this.dir, content.length, 0));
    const n = sealRecord(this.dir, type, 0x0303, [content], content.length, 0, out, 0);
    out.writeUInt16BE(version, 1);
    return out.subarray(0, n);
  }
}

/** Opens protected records read under one traffic secret (tests reading a flight as plaintext). */
export function openAll(suite: CipherSuite, secret: Buffer, records: Buffer): { type: number; payload: Buffer }[] {
  const k = KeySchedule.forSuite(provider, suite).trafficKeys(secret);
  const reader = new RecordLayer({ provider });
  reader.setReadKey(suite, k.key, k.iv);
  reader.feed(records);
  const out: { type: number; payload: Buffer }[] = [];
  for (let r; (r = reader.nextRecord()) !== null; ) out.push({ type: r.type, payload: Buffer.from(r.payload) });
  return out;
}

/** Where the scripted client's bytes go. */
export interface Wire {
  send(bytes: Buffer): Promise<void>;
  /** What the server has sent since the last call (waits for a TCP peer to go quiet). */
  answer(): Promise<Buffer>;
  /** True once the server closed (TCP) or failed (memory). */
  readonly closed: boolean;
  close(): void;
}

/** Our server (or client), in memory. `error` is its own TLSError, if any. */
export function memoryWire(server: Connection): Wire & { readonly error: TLSError | null } {
  let error: TLSError | null = null;
  return {
    async send(bytes) {
      try {
        server.receive(bytes);
      } catch (e) {
        if (!(e instanceof TLSError)) throw e;
        error ??= e;
      }
    },
    async answer() {
      return server.takeOutgoing();
    },
    get closed() {
      return error !== null;
    },
    get error() {
      return error;
    },
    close() {},
  };
}

/** A TCP peer (e.g. `openssl s_server`): connects to `port`, retrying while the peer starts. */
export async function tcpWire(port: number, quietMs = 150): Promise<Wire> {
  const deadline = Date.now() + 10_000;
  let socket: net.Socket;
  for (;;) {
    try {
      socket = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(50);
    }
  }
  return socketWire(socket, quietMs);
}

/** A wire over a connected socket (e.g. one `openssl s_client` opened to us). */
export function socketWire(socket: net.Socket, quietMs = 150): Wire {
  const chunks: Buffer[] = [];
  let closed = false;
  let last = Date.now();
  socket.on('data', (d: Buffer) => {
    chunks.push(d);
    last = Date.now();
  });
  socket.on('error', () => (closed = true));
  socket.on('close', () => (closed = true));
  return {
    async send(bytes) {
      if (closed) return;
      await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
    },
    async answer() {
      const start = Date.now();
      // Wait for the first byte (or close), then for the peer to go quiet.
      while (!closed && Date.now() - start < 5000 && (chunks.length === 0 || Date.now() - last < quietMs)) await sleep(20);
      return Buffer.concat(chunks.splice(0));
    },
    get closed() {
      return closed;
    },
    close() {
      socket.destroy();
    },
  };
}

/** What the server answered: the alert it sent (decoded by the honest client), or null. */
export interface Heard {
  readonly alert: string | null;
  /** Our client's own failure (the server's bytes did not make sense to it), if any. */
  readonly clientError: TLSError | null;
}

export class ScriptedClient {
  readonly conn: Connection;
  readonly secrets = new Map<string, Buffer>();

  constructor(config: Partial<ConnectionConfig> = {}) {
    this.conn = Connection.client({ provider, serverName: 'localhost', keyLog: (label, _r, secret) => this.secrets.set(label, secret), ...config });
  }

  /** The ClientHello handshake message (4-byte header included) the honest client wrote. */
  clientHello(): Buffer {
    return Buffer.concat(splitRecords(this.conn.takeOutgoing()).map((r) => r.body));
  }

  /** Feeds the server's answer to the honest client; reports the server's alert, if it sent one. */
  hear(bytes: Buffer): Heard {
    try {
      if (bytes.length > 0) this.conn.receive(bytes);
      return { alert: null, clientError: null };
    } catch (e) {
      if (!(e instanceof TLSError)) throw e;
      return e.fromPeer ? { alert: e.alert, clientError: null } : { alert: null, clientError: e };
    }
  }

  get suite(): CipherSuite {
    return this.conn.negotiated.suite as CipherSuite;
  }

  /**
   * The honest client's flight after the server's first flight, taken apart:
   * whether it had a compatibility CCS, and its handshake messages
   * (Finished, or Certificate… Finished) in plaintext.
   */
  secondFlight(): { ccs: boolean; messages: Buffer } {
    const recs = splitRecords(this.conn.takeOutgoing());
    const ccs = recs.some((r) => r.type === ContentType.change_cipher_spec);
    const prot = joinRecords(recs.filter((r) => r.type === ContentType.application_data));
    const plain = openAll(this.suite, this.secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!, prot);
    return { ccs, messages: Buffer.concat(plain.map((p) => p.payload)) };
  }

  /** A sealer under the client's handshake traffic key (fresh sequence numbers: use it for the whole flight). */
  handshakeSealer(): Sealer {
    return new Sealer(this.suite, this.secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!);
  }

  /** A sealer under the client's first application traffic key. */
  applicationSealer(): Sealer {
    return new Sealer(this.suite, this.secrets.get('CLIENT_TRAFFIC_SECRET_0')!);
  }
}

/** The compatibility change_cipher_spec record. */
export const CCS_RECORD = joinRecords([{ type: ContentType.change_cipher_spec, body: Buffer.from([1]) }]);
