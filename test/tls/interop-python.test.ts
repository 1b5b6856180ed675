/**
 * Interop over real TCP with CPython's ssl module (OpenSSL underneath):
 * our client against a Python server, a Python client against our server.
 * Each Python peer echoes / sends data and reports what it negotiated as JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TcpPump } from '../helpers/pump.js';
import { TLSError } from '../../src/tls/errors.js';
import { testPki, type LeafKind } from './connection-certs.js';
import { TLS12_SUITES } from '../../src/tls/registry/suites.js';
import { HAVE_PYTHON, Peer, connectWhenListening, digitPayload, freePort, listenOnce, sha256 } from './interop-peers.js';

const provider = defaultProvider;
const skip = HAVE_PYTHON ? false : 'python3 (with ssl) not installed';
const MiB = 1 << 20;

/** argv: port certfile keyfile cafile|'' alpn-csv|'' curve|'' [tls12-cipher] ; echoes until close_notify, then unwraps and reports. */
const PY_SERVER = `
import json, socket, ssl, sys
port, certfile, keyfile, cafile, alpn, curve = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
if len(sys.argv) > 7:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(sys.argv[7])
else:
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(certfile, keyfile)
if cafile:
    ctx.load_verify_locations(cafile)
    ctx.verify_mode = ssl.CERT_REQUIRED
if alpn:
    ctx.set_alpn_protocols(alpn.split(','))
if curve:
    ctx.set_ecdh_curve(curve)  # OpenSSL 3: the only group offered, so TLS 1.3 clients may get a HelloRetryRequest
ls = socket.create_server(('127.0.0.1', port))
conn, _ = ls.accept()
s = ctx.wrap_socket(conn, server_side=True)
total = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    total += len(d)
    s.sendall(d)
info = dict(version=s.version(), cipher=s.cipher()[0], alpn=s.selected_alpn_protocol(), received=total,
            peer=s.getpeercert()['subject'] if cafile else None, cb=s.get_channel_binding('tls-unique').hex())
s.unwrap()
print(json.dumps(info), flush=True)
`;

/** argv: port cafile certfile|'' keyfile|'' alpn-csv|'' nbytes [tls12-cipher] ; sends nbytes, reads the echo, closes, reports. */
const PY_CLIENT = `
import hashlib, json, socket, ssl, sys
port, cafile, certfile, keyfile, alpn, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
ctx = ssl.create_default_context(cafile=cafile)
if len(sys.argv) > 7:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(sys.argv[7])
if certfile:
    ctx.load_cert_chain(certfile, keyfile)
if alpn:
    ctx.set_alpn_protocols(alpn.split(','))
raw = socket.create_connection(('127.0.0.1', port))
s = ctx.wrap_socket(raw, server_hostname='localhost')
data = bytes((i * 7 + 3) % 256 for i in range(n))
s.sendall(data)
got = b''
while len(got) < n:
    d = s.recv(65536)
    if not d:
        break
    got += d
info = dict(version=s.version(), cipher=s.cipher()[0], alpn=s.selected_alpn_protocol(), echoed=got == data,
            sha=hashlib.sha256(data).hexdigest(), cb=s.get_channel_binding('tls-unique').hex())
s.unwrap()
s.close()
print(json.dumps(info), flush=True)
`;

interface PyReport {
  version: string;
  cipher: string;
  alpn: string | null;
  cb: string;
  received?: number;
  peer?: unknown;
  echoed?: boolean;
  sha?: string;
}

async function report(peer: Peer): Promise<PyReport> {
  await peer.exit(20_000);
  const line = peer.out.toString().trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PyReport;
  } catch {
    throw new Error(`python printed no report; stderr:\n${peer.err}`);
  }
}

interface PyOpts {
  cafile?: string;
  alpn?: string;
  bytes?: number;
  curve?: string;
  /** Python limited to TLS 1.2 (maximum_version) with this OpenSSL cipher string. */
  tls12Cipher?: string;
  kind?: LeafKind;
  /** Right after the handshake: our KeyUpdate with update_requested, which Python's OpenSSL answers. */
  keyUpdate?: boolean;
}

async function clientAgainstPython(config: Partial<ConnectionConfig>, opts: PyOpts = {}) {
  const pki = testPki();
  const port = await freePort();
  const leaf = pki.servers[opts.kind ?? 'p256'];
  const tls12 = opts.tls12Cipher !== undefined ? [opts.tls12Cipher] : [];
  const peer = Peer.start('python3', ['-c', PY_SERVER, String(port), leaf.certFile, leaf.keyFile, opts.cafile ?? '', opts.alpn ?? '', opts.curve ?? '', ...tls12]);
  try {
    const pump = TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost', ...config }), await connectWhenListening(port));
    await pump.handshake();
    if (opts.keyUpdate) {
      pump.conn.keyUpdate(true);
      await pump.flush();
    }
    const payload = digitPayload(opts.bytes ?? 10_000, 11);
    await pump.write(payload);
    const echo = await pump.readExactly(payload.length);
    assert.equal(sha256(echo), sha256(payload), 'Python echoed what we sent');
    pump.conn.close();
    await pump.flush();
    // Python answers our close_notify with its own (unwrap), then reports.
    const rest = await pump.readToClose();
    assert.equal(rest.length, 0);
    assert.equal(pump.conn.peerClosed, true);
    pump.destroy();
    return { pump, info: await report(peer) };
  } catch (e) {
    peer.kill();
    throw new Error(`${(e as Error).message}\n--- python stderr:\n${peer.err}`, { cause: e });
  }
}

test('our client against a Python ssl server: handshake, echo, close_notify both ways', { skip }, async () => {
  const { pump, info } = await clientAgainstPython({});
  assert.equal(info.version, 'TLSv1.3');
  assert.equal(info.cipher, pump.conn.negotiated.suite?.ianaName);
  assert.equal(info.received, 10_000);
  // Python's tls-unique on TLS 1.3 is the client Finished: both sides agree.
  assert.equal(pump.conn.channelBinding('tls-unique')?.toString('hex'), info.cb);
});

test('our client against a Python ssl server: 1 MiB echoed, checked by SHA-256', { skip }, async () => {
  const { info } = await clientAgainstPython({}, { bytes: MiB });
  assert.equal(info.received, MiB);
});

test('our client presents a certificate to a Python server with CERT_REQUIRED', { skip }, async () => {
  const pki = testPki();
  const { info } = await clientAgainstPython({ certificates: [pki.client.certified] }, { cafile: pki.caFile });
  assert.deepEqual((info.peer as string[][][]).find((rdn) => rdn[0]![0] === 'commonName'), [['commonName', 'sslsock client']]);
});

test('ALPN with a Python server: the server preference wins', { skip }, async () => {
  const { pump, info } = await clientAgainstPython({ alpnProtocols: ['http/1.1', 'h2'] }, { alpn: 'h2,http/1.1' });
  assert.equal(info.alpn, 'h2');
  assert.equal(pump.conn.negotiated.alpn, 'h2');
});

async function pythonClientAgainstUs(config: Partial<ConnectionConfig>, opts: { withCert?: boolean; alpn?: string; bytes?: number; tls12Cipher?: string; keyUpdate?: boolean } = {}) {
  const pki = testPki();
  const l = await listenOnce();
  const n = opts.bytes ?? 10_000;
  const tls12 = opts.tls12Cipher !== undefined ? [opts.tls12Cipher] : [];
  const peer = Peer.start('python3', ['-c', PY_CLIENT, String(l.port), pki.caFile, opts.withCert ? pki.client.certFile : '', opts.withCert ? pki.client.keyFile : '', opts.alpn ?? '', String(n), ...tls12]);
  try {
    const socket = await l.accepted;
    l.close();
    const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.rsa2048.certified], ...config }), socket);
    await pump.handshake();
    if (opts.keyUpdate) {
      pump.conn.keyUpdate(true);
      await pump.flush();
    }
    const data = await pump.readExactly(n);
    await pump.write(data);
    const rest = await pump.readToClose();
    assert.equal(rest.length, 0);
    assert.equal(pump.conn.peerClosed, true);
    pump.conn.close();
    await pump.flush();
    const info = await report(peer);
    pump.destroy();
    return { pump, info, data };
  } catch (e) {
    peer.kill();
    throw new Error(`${(e as Error).message}\n--- python stderr:\n${peer.err}`, { cause: e });
  }
}

test('a Python ssl client against our server: verified handshake, echo, unwrap', { skip }, async () => {
  const { pump, info, data } = await pythonClientAgainstUs({});
  assert.equal(info.version, 'TLSv1.3');
  assert.equal(info.echoed, true);
  assert.equal(info.sha, sha256(data));
  assert.equal(pump.conn.channelBinding('tls-unique')?.toString('hex'), info.cb);
});

test('a Python client sends 1 MiB to our server and gets it back, checked by SHA-256', { skip }, async () => {
  const { info, data } = await pythonClientAgainstUs({}, { bytes: MiB });
  assert.equal(info.echoed, true);
  assert.equal(info.sha, sha256(data));
});

test('our server requires and receives a Python client certificate', { skip }, async () => {
  const pki = testPki();
  const { pump, info } = await pythonClientAgainstUs({ clientAuth: 'required' }, { withCert: true });
  assert.equal(info.echoed, true);
  assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
});

test('our server selects ALPN for a Python client; no overlap means no ALPN', { skip }, async () => {
  const a = await pythonClientAgainstUs({ alpnProtocols: ['h2', 'http/1.1'] }, { alpn: 'http/1.1,h2' });
  assert.equal(a.info.alpn, 'h2');
  const b = await pythonClientAgainstUs({ alpnProtocols: ['h2'] }, { alpn: 'http/1.1' });
  assert.equal(b.info.alpn, null);
  assert.equal(b.pump.conn.negotiated.alpn, null);
});

test('our server receives the unknown_ca alert of a Python client that does not trust it', { skip }, async () => {
  const pki = testPki();
  const l = await listenOnce();
  // The default context trusts the system CAs, not our test CA; Python alerts before switching keys.
  const script = `import socket, ssl, sys\nc = ssl.create_default_context()\ns = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\ntry:\n    c.wrap_socket(s, server_hostname='localhost')\nexcept ssl.SSLCertVerificationError as e:\n    print(e.verify_code)\n`;
  const peer = Peer.start('python3', ['-c', script, String(l.port)]);
  const socket = await l.accepted;
  l.close();
  const pump = TcpPump.fromSocket(Connection.server({ provider, certificates: [pki.servers.p256.certified] }), socket);
  await assert.rejects(
    async () => {
      await pump.handshake();
      await pump.readExactly(1);
    },
    (e: unknown) => e instanceof TLSError && e.fromPeer && e.alert === 'unknown_ca',
  );
  await peer.exit();
  assert.equal(peer.out.toString().trim(), '19'); // X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
  pump.destroy();
});

test('KeyUpdate: our client updates its keys and requests a Python server\'s update; 256 KiB echoed after, close_notify both ways', { skip }, async () => {
  const { info } = await clientAgainstPython({}, { keyUpdate: true, bytes: 256 * 1024 });
  assert.equal(info.version, 'TLSv1.3');
  assert.equal(info.received, 256 * 1024);
});

test('KeyUpdate: our server updates its keys and requests a Python client\'s update; 256 KiB echoed after, unwrap', { skip }, async () => {
  const { info } = await pythonClientAgainstUs({}, { keyUpdate: true, bytes: 256 * 1024 });
  assert.equal(info.version, 'TLSv1.3');
  assert.equal(info.echoed, true);
});

test('a Python server limited to secp384r1 makes our client retry (HelloRetryRequest)', { skip }, async () => {
  const { pump, info } = await clientAgainstPython({ groups: ['X25519', 'P-384'] }, { curve: 'secp384r1' });
  assert.equal(info.version, 'TLSv1.3');
  assert.equal(pump.conn.negotiated.helloRetry, true);
  assert.equal(pump.conn.negotiated.group, 'P-384');
});

for (const [group, curve] of [
  ['P-521', 'secp521r1'],
  ['X448', 'X448'],
] as const) {
  test(`our client and a Python server limited to ${curve} agree on ${group} without a retry`, { skip }, async () => {
    const { pump, info } = await clientAgainstPython({ groups: [group] }, { curve });
    assert.equal(info.version, 'TLSv1.3');
    assert.equal(pump.conn.negotiated.helloRetry, false);
    assert.equal(pump.conn.negotiated.group, group);
  });

  test(`our server limited to ${group} retries a Python client (x25519 share) to ${group}`, { skip }, async () => {
    const { pump, info } = await pythonClientAgainstUs({ groups: [group] });
    assert.equal(info.echoed, true);
    assert.equal(pump.conn.negotiated.helloRetry, true);
    assert.equal(pump.conn.negotiated.group, group);
  });
}

test('our server limited to P-384 sends a Python client a HelloRetryRequest', { skip }, async () => {
  const { pump, info } = await pythonClientAgainstUs({ groups: ['P-384'] });
  assert.equal(info.echoed, true);
  assert.equal(pump.conn.negotiated.helloRetry, true);
  assert.equal(pump.conn.negotiated.group, 'P-384');
});

// ---- TLS 1.2: Python limited to TLS 1.2 (maximum_version = TLSv1_2), every suite, both directions ----

for (const suite of TLS12_SUITES) {
  const kind: LeafKind = suite.auth === 'RSA' ? 'rsa2048' : 'p256';
  for (const clientCert of [false, true]) {
    const withCert = clientCert ? ', client certificate' : '';
    test(`TLS 1.2: our client against a Python server (maximum_version TLSv1_2) with ${suite.opensslName}${withCert}, ALPN, 1 MiB, close_notify`, { skip }, async () => {
      const pki = testPki();
      const { pump, info } = await clientAgainstPython(
        { alpnProtocols: ['h2', 'http/1.1'], certificates: clientCert ? [pki.client.certified] : [] },
        { tls12Cipher: suite.opensslName, kind, alpn: 'http/1.1', bytes: MiB, cafile: clientCert ? pki.caFile : undefined },
      );
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.cipher, suite.opensslName);
      assert.equal(info.alpn, 'http/1.1');
      assert.equal(info.received, MiB);
      assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
      assert.equal(pump.conn.negotiated.suite, suite);
      // tls-unique: the first Finished, 12 bytes, the same as Python's.
      assert.equal(pump.conn.channelBinding('tls-unique')?.toString('hex'), info.cb);
      assert.equal(info.cb.length, 24);
      if (clientCert) assert.deepEqual((info.peer as string[][][]).find((rdn) => rdn[0]![0] === 'commonName'), [['commonName', 'sslsock client']]);
    });

    test(`TLS 1.2: a Python client (maximum_version TLSv1_2) against our server with ${suite.opensslName}${withCert}, ALPN, 1 MiB, close_notify`, { skip }, async () => {
      const pki = testPki();
      const { pump, info, data } = await pythonClientAgainstUs(
        { certificates: [pki.servers[kind].certified], clientAuth: clientCert ? 'required' : 'none', alpnProtocols: ['http/1.1'] },
        { withCert: clientCert, alpn: 'h2,http/1.1', bytes: MiB, tls12Cipher: suite.opensslName },
      );
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.cipher, suite.opensslName);
      assert.equal(info.alpn, 'http/1.1');
      assert.equal(info.echoed, true);
      assert.equal(info.sha, sha256(data));
      assert.equal(pump.conn.negotiated.suite, suite);
      assert.equal(pump.conn.channelBinding('tls-unique')?.toString('hex'), info.cb);
      if (clientCert) assert.deepEqual(pump.conn.negotiated.peerCertificates[0], pki.client.chain[0]);
    });
  }
}

test('TLS 1.2: a default (1.3-capable) Python client and our 1.2-only server settle on TLS 1.2', { skip }, async () => {
  const { pump, info } = await pythonClientAgainstUs({ maxVersion: 'TLSv1.2' });
  assert.equal(info.version, 'TLSv1.2');
  assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
});

test('TLS 1.2: our 1.2-only client and a default (1.3-capable) Python server settle on TLS 1.2 (Python writes the downgrade sentinel; a 1.2-only client does not check it)', { skip }, async () => {
  const port = await freePort();
  const leaf = testPki().servers.p256;
  // The default server (1.2 and 1.3): PY_SERVER with an empty-cipher-string slot would pin 1.3, so a tiny server here.
  const script = `import json, socket, ssl, sys\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nctx.load_cert_chain(sys.argv[2], sys.argv[3])\nls = socket.create_server(('127.0.0.1', int(sys.argv[1])))\nc, _ = ls.accept()\ns = ctx.wrap_socket(c, server_side=True)\nprint(s.version(), flush=True)\ns.recv(1)\n`;
  const peer = Peer.start('python3', ['-c', script, String(port), leaf.certFile, leaf.keyFile]);
  try {
    const pump = TcpPump.fromSocket(Connection.client({ provider, serverName: 'localhost', maxVersion: 'TLSv1.2' }), await connectWhenListening(port));
    await pump.handshake();
    assert.equal(pump.conn.negotiated.version, 'TLSv1.2');
    await pump.write(Buffer.from('x'));
    await peer.exit();
    assert.equal(peer.out.toString().trim(), 'TLSv1.2');
    pump.destroy();
  } finally {
    peer.kill();
  }
});
