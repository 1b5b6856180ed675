// Our message codecs against messages produced by real peers: ClientHellos
// from openssl s_client and Python's ssl module, and the plaintext server
// flights of openssl s_server (TLS 1.2 full flight, TLS 1.3 ServerHello and
// HelloRetryRequest) in answer to ClientHellos that we encode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { X509Certificate, verify, randomBytes, constants } from 'node:crypto';
import {
  decodeHandshake,
  encodeHandshake,
  findExtension,
  type ClientHello,
  type HandshakeDecodeOptions,
  type HandshakeMessage,
} from '../../src/tls/messages/index.js';
import { HandshakeBuffer } from '../../src/tls/handshake-buffer.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { NamedGroup } from '../../src/tls/registry/groups.js';
import { SignatureSchemeCode, signatureSchemeById } from '../../src/tls/registry/signature-schemes.js';
import { ProtocolVersion } from '../../src/tls/registry/versions.js';
import { CERTDATA } from '../helpers/certdata.js';

const RECORD_HEADER = 5;

/** Splits a byte stream into plaintext handshake records, feeding a HandshakeBuffer; returns decoded messages. */
class PlainFlight {
  private pending = Buffer.alloc(0);
  readonly hs = new HandshakeBuffer();
  readonly frames: Buffer[] = [];
  alert: Buffer | null = null;
  /** Set when a non-handshake, non-alert record arrives: the plaintext part is over. */
  done = false;

  feed(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= RECORD_HEADER) {
      const len = this.pending.readUInt16BE(3);
      if (this.pending.length < RECORD_HEADER + len) return;
      const type = this.pending[0];
      const payload = this.pending.subarray(RECORD_HEADER, RECORD_HEADER + len);
      this.pending = this.pending.subarray(RECORD_HEADER + len);
      if (type === ContentType.handshake) {
        this.hs.push(payload);
        for (let f = this.hs.next(); f; f = this.hs.next()) this.frames.push(Buffer.from(f.raw));
      } else if (type === ContentType.alert) {
        this.alert = Buffer.from(payload);
      } else {
        // Anything after the plaintext flight (CCS, encrypted records) ends what we can read.
        this.pending = Buffer.alloc(0);
        this.done = true;
        return;
      }
    }
  }
}

function record(type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(RECORD_HEADER);
  h[0] = type;
  h.writeUInt16BE(ProtocolVersion.TLSv1, 1);
  h.writeUInt16BE(payload.length, 3);
  return Buffer.concat([h, payload]);
}

function decodeAll(frames: Buffer[], opts: HandshakeDecodeOptions): HandshakeMessage[] {
  return frames.map((raw) => decodeHandshake({ type: raw[0]!, body: raw.subarray(4), raw }, opts));
}

/** Listens once, returns the first ClientHello a peer sends (raw handshake message). */
async function captureClientHello(runPeer: (port: number) => ChildProcess): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess | null = null;
    const timer = setTimeout(() => finish(new Error('no ClientHello within 30 s')), 30_000);
    const server = createServer((sock: Socket) => {
      const flight = new PlainFlight();
      sock.on('data', (d: Buffer) => {
        try {
          flight.feed(d);
        } catch (e) {
          finish(e as Error);
        }
        if (flight.frames.length > 0) {
          sock.destroy();
          finish(null, flight.frames[0]!);
        }
      });
      sock.on('error', () => {}); // the peer sees us hang up; its errors are not the test's
    });
    function finish(err: Error | null, ch?: Buffer): void {
      clearTimeout(timer);
      server.close();
      child?.kill();
      if (err) reject(err);
      else resolve(ch!);
    }
    server.listen(0, '127.0.0.1', () => {
      child = runPeer((server.address() as AddressInfo).port);
      child.on('error', (e) => finish(e));
    });
  });
}

/** Starts openssl s_server with extra args; resolves its port. */
function startOpensslServer(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_server', '-accept', '0', '-cert', `${CERTDATA}/keycert.pem`, '-naccept', '1', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT .*:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), child });
      }
    });
    child.on('error', reject);
  });
}

/** Sends our ClientHello to openssl s_server and collects the plaintext server flight. */
async function serverFlight(ch: ClientHello, args: string[], until: (f: PlainFlight) => boolean): Promise<PlainFlight> {
  const { port, child } = await startOpensslServer(args);
  try {
    return await new Promise<PlainFlight>((resolve, reject) => {
      const flight = new PlainFlight();
      const sock = connect(port, '127.0.0.1', () => sock.write(record(ContentType.handshake, encodeHandshake(ch))));
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`incomplete flight: ${flight.frames.length} messages`));
      }, 30_000);
      const end = (e?: Error) => {
        clearTimeout(timer);
        sock.destroy();
        if (e) reject(e);
        else resolve(flight);
      };
      sock.on('data', (d: Buffer) => {
        try {
          flight.feed(d);
        } catch (e) {
          return end(e as Error);
        }
        if (until(flight) || flight.done || flight.alert) end();
      });
      sock.on('close', () => end());
      sock.on('error', (e) => end(e));
    });
  } finally {
    child.kill();
  }
}

function baseClientHello(extra: ClientHello['extensions'], suites: number[]): ClientHello {
  return {
    type: 'client_hello',
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: randomBytes(32),
    legacySessionId: randomBytes(32),
    cipherSuites: suites,
    legacyCompressionMethods: [0],
    extensions: [
      { type: 'server_name', hostName: 'localhost' },
      { type: 'supported_groups', groups: [NamedGroup.x25519, NamedGroup.secp256r1] },
      { type: 'signature_algorithms', schemes: [SignatureSchemeCode.rsa_pss_rsae_sha256, SignatureSchemeCode.rsa_pkcs1_sha256, SignatureSchemeCode.ecdsa_secp256r1_sha256] },
      ...extra,
    ],
  };
}

describe('interop: ClientHellos from real clients', () => {
  it('openssl s_client ClientHello decodes (SNI, ALPN, key share) and re-encodes byte for byte', async () => {
    const raw = await captureClientHello((port) =>
      spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'example.com', '-alpn', 'h2,http/1.1'], { stdio: ['pipe', 'ignore', 'ignore'] }),
    );
    const ch = decodeHandshake({ type: raw[0]!, body: raw.subarray(4), raw }, {});
    assert.ok(ch.type === 'client_hello');
    assert.equal(findExtension(ch.extensions, 'server_name')?.hostName, 'example.com');
    assert.deepEqual(findExtension(ch.extensions, 'application_layer_protocol_negotiation')?.protocols.map(String), ['h2', 'http/1.1']);
    assert.ok(findExtension(ch.extensions, 'supported_versions')?.versions.includes(ProtocolVersion.TLSv1_3));
    assert.equal(findExtension(ch.extensions, 'key_share')?.clientShares[0]?.group, NamedGroup.x25519);
    assert.deepEqual(encodeHandshake(ch), raw);
  });

  it('Python ssl ClientHello decodes and re-encodes byte for byte', async () => {
    const script = [
      'import socket, ssl, sys',
      'ctx = ssl.create_default_context()',
      's = socket.create_connection(("127.0.0.1", int(sys.argv[1])))',
      'try:',
      '    ctx.wrap_socket(s, server_hostname="localhost")',
      'except Exception:',
      '    pass',
    ].join('\n');
    const raw = await captureClientHello((port) => spawn('python3', ['-c', script, String(port)], { stdio: 'ignore' }));
    const ch = decodeHandshake({ type: raw[0]!, body: raw.subarray(4), raw }, {});
    assert.ok(ch.type === 'client_hello');
    assert.equal(findExtension(ch.extensions, 'server_name')?.hostName, 'localhost');
    // OpenSSL-built Python clients offer TLS 1.3 with a key share and a psk mode.
    assert.ok(findExtension(ch.extensions, 'supported_versions')?.versions.includes(ProtocolVersion.TLSv1_3));
    assert.ok((findExtension(ch.extensions, 'key_share')?.clientShares.length ?? 0) >= 1);
    assert.deepEqual(encodeHandshake(ch), raw);
  });
});

describe('interop: openssl s_server flights answering our ClientHello', () => {
  it('TLS 1.2: ServerHello, Certificate, ServerKeyExchange (signature verifies over params), ServerHelloDone', async () => {
    const ch = baseClientHello(
      [
        { type: 'ec_point_formats', formats: [0] },
        { type: 'extended_master_secret' },
        { type: 'renegotiation_info', renegotiatedConnection: Buffer.alloc(0) },
      ],
      [0xc02f, 0xc030],
    );
    const flight = await serverFlight(ch, ['-tls1_2'], (f) => f.frames.some((r) => r[0] === 14));
    assert.equal(flight.alert, null);
    const msgs = decodeAll(flight.frames, { version: 'TLSv1.2' });
    assert.deepEqual(msgs.map((m) => m.type), ['server_hello', 'certificate', 'server_key_exchange', 'server_hello_done']);
    const [sh, cert, ske] = msgs;
    assert.ok(sh?.type === 'server_hello' && cert?.type === 'certificate' && cert.version === 'TLSv1.2' && ske?.type === 'server_key_exchange');
    assert.equal(sh.cipherSuite, 0xc02f);
    assert.ok(findExtension(sh.extensions, 'extended_master_secret'));
    assert.equal(findExtension(sh.extensions, 'renegotiation_info')?.renegotiatedConnection.length, 0);
    assert.equal(ske.namedGroup, NamedGroup.x25519);
    assert.equal(ske.publicKey.length, 32);
    // RFC 8422 §5.4: the signature covers client_random + server_random + ServerECDHParams.
    const scheme = signatureSchemeById(ske.algorithm);
    assert.ok(scheme);
    const key = new X509Certificate(cert.certificates[0]!).publicKey;
    const alg = scheme.algorithm;
    const signed = Buffer.concat([ch.random, sh.random, ske.params]);
    const ok =
      alg.kind === 'rsa-pss'
        ? verify(alg.hash.replace('-', '').toLowerCase(), signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, ske.signature)
        : verify('sha256', signed, key, ske.signature);
    assert.ok(ok, `ServerKeyExchange signature (${scheme.name}) verifies over the decoded params`);
    for (const raw of flight.frames) assert.deepEqual(encodeHandshake(decodeAll([raw], { version: 'TLSv1.2' })[0]!), raw);
  });

  it('TLS 1.3: ServerHello carries our version, suite and a server x25519 share', async () => {
    const ch = baseClientHello(
      [
        { type: 'supported_versions', versions: [ProtocolVersion.TLSv1_3] },
        { type: 'key_share', clientShares: [{ group: NamedGroup.x25519, keyExchange: randomBytes(32) }] },
      ],
      [0x1301],
    );
    const flight = await serverFlight(ch, ['-tls1_3'], (f) => f.frames.length >= 1);
    const [sh] = decodeAll(flight.frames, {});
    assert.ok(sh?.type === 'server_hello');
    assert.deepEqual(sh.legacySessionIdEcho, ch.legacySessionId);
    assert.equal(sh.cipherSuite, 0x1301);
    assert.equal(findExtension(sh.extensions, 'supported_versions')?.selectedVersion, ProtocolVersion.TLSv1_3);
    assert.equal(findExtension(sh.extensions, 'key_share')?.serverShare.keyExchange.length, 32);
    assert.deepEqual(encodeHandshake(sh), flight.frames[0]);
  });

  it('TLS 1.3: an empty key_share list draws a HelloRetryRequest naming a group', async () => {
    const ch = baseClientHello(
      [
        { type: 'supported_versions', versions: [ProtocolVersion.TLSv1_3] },
        { type: 'key_share', clientShares: [] },
      ],
      [0x1301],
    );
    const flight = await serverFlight(ch, ['-tls1_3'], (f) => f.frames.length >= 1);
    const [hrr] = decodeAll(flight.frames, {});
    assert.ok(hrr?.type === 'hello_retry_request');
    assert.equal(findExtension(hrr.extensions, 'key_share')?.selectedGroup, NamedGroup.x25519);
    assert.equal(findExtension(hrr.extensions, 'supported_versions')?.selectedVersion, ProtocolVersion.TLSv1_3);
    assert.deepEqual(encodeHandshake(hrr), flight.frames[0]);
  });
});
