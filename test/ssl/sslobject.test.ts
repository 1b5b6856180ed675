/**
 * CPython test_ssl SSLObjectTests (and the SSLObject parts of
 * SimpleBackgroundTests / ThreadedTests), ported to two SSLObjects pumped in
 * memory. Certificates come from the test CA (src/testing/ca.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';

const ca = CA.create();
const leaf = ca.issueCert('localhost', '127.0.0.1');
const clientCert = ca.issueClientCert('client@example.com');

interface Side {
  obj: ssl.SSLObject;
  incoming: ssl.MemoryBIO;
  outgoing: ssl.MemoryBIO;
}

function serverContext(cert = leaf): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  cert.configureCert(ctx);
  return ctx;
}

function clientContext(): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(ctx);
  return ctx;
}

function wrap(ctx: ssl.SSLContext, options: ssl.WrapBioOptions = {}): Side {
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  return { obj: ctx.wrapBio(incoming, outgoing, options), incoming, outgoing };
}

function pair(cctx = clientContext(), sctx = serverContext(), hostname: string | null = 'localhost'): [Side, Side] {
  return [wrap(cctx, { serverHostname: hostname }), wrap(sctx, { serverSide: true })];
}

/** Moves bytes both ways. */
function transfer(a: Side, b: Side): void {
  if (a.outgoing.pending) b.incoming.write(a.outgoing.read());
  if (b.outgoing.pending) a.incoming.write(b.outgoing.read());
}

/** Both handshakes, alternating; returns the errors each side raised (null when it completed). */
function handshake(c: Side, s: Side): { client: unknown; server: unknown } {
  let client: unknown = undefined;
  let server: unknown = undefined;
  for (let i = 0; i < 10 && (client === undefined || server === undefined); i++) {
    for (const [side, set] of [
      [c, (v: unknown) => (client = v)],
      [s, (v: unknown) => (server = v)],
    ] as const) {
      if ((side === c ? client : server) !== undefined) continue;
      try {
        side.obj.doHandshake();
        set(null);
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) set(e);
      }
      transfer(c, s);
    }
  }
  return { client: client ?? null, server: server ?? null };
}

function connected(cctx?: ssl.SSLContext, sctx?: ssl.SSLContext, hostname: string | null = 'localhost'): [Side, Side] {
  const [c, s] = pair(cctx, sctx, hostname);
  const r = handshake(c, s);
  assert.equal(r.client, null);
  assert.equal(r.server, null);
  return [c, s];
}

test('test_private_init: SSLObject has no public constructor', () => {
  assert.throws(() => new ssl.SSLObject(), {
    name: 'TypeError',
    message: 'SSLObject does not have a public constructor. Instances are returned by SSLContext.wrap_bio().',
  });
});

test('test_bio_handshake: attributes before and after the handshake', () => {
  const [c, s] = pair();
  const o = c.obj;
  assert.equal(o.cipher(), null);
  assert.equal(o.version(), null);
  assert.equal(o.sharedCiphers(), null);
  assert.equal(o.getChannelBinding('tls-unique'), null);
  assert.equal(o.session, null);
  assert.equal(o.sessionReused, false);
  assert.equal(o.pending(), 0);
  assert.equal(o.compression(), null);
  assert.equal(o.selectedAlpnProtocol(), null);
  assert.equal(o.serverSide, false);
  assert.equal(o.serverHostname, 'localhost');
  assert.throws(() => o.getpeercert(), { name: 'ValueError', message: 'handshake not done yet' });
  assert.throws(() => o.unwrap(), (e: ssl.SSLError) => e.message === '[SSL: SHUTDOWN_WHILE_IN_INIT] shutdown while in init' && e.errno === 1);
  assert.deepEqual(o.getVerifiedChain(), []);
  const r = handshake(c, s);
  assert.deepEqual(r, { client: null, server: null });
  assert.deepEqual(o.cipher(), ['TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256]);
  assert.equal(o.version(), 'TLSv1.3');
  assert.equal(o.sharedCiphers(), null); // client side
  assert.deepEqual(s.obj.sharedCiphers(), [
    ['TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256],
    ['TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 256],
    ['TLS_AES_128_GCM_SHA256', 'TLSv1.3', 128],
    // The client offers TLS 1.2 suites too; Python lists them in the server's order (SSL_get_ciphers).
    ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 256],
    ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 256],
    ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLSv1.2', 128],
    ['ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 128],
    ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLSv1.2', 256],
    ['ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 256],
  ]);
  const cert = o.getpeercert() as { subjectAltName: unknown };
  assert.deepEqual(cert.subjectAltName, [
    ['DNS', 'localhost'],
    ['IP Address', '127.0.0.1'],
  ]);
  assert.deepEqual(o.getpeercert(true), leaf.certDer);
  assert.equal(s.obj.getpeercert(), null); // CERT_NONE server: no client certificate
  const cb = o.getChannelBinding('tls-unique')!;
  assert.equal(cb.length, 48); // SHA-384 Finished
  assert.deepEqual(s.obj.getChannelBinding('tls-unique'), cb);
  assert.deepEqual(s.obj.getChannelBinding('tls-exporter'), o.getChannelBinding('tls-exporter'));
  assert.throws(() => o.getChannelBinding('tls-server-end-point'), { name: 'ValueError', message: "'tls-server-end-point' channel binding type not implemented" });
  assert.deepEqual(o.getUnverifiedChain(), [leaf.certDer]);
  assert.deepEqual(o.getVerifiedChain(), [leaf.certDer, ca.certDer]);
  // doHandshake again is a no-op.
  o.doHandshake();
  // unwrap: write after it → PROTOCOL_IS_SHUTDOWN.
  assert.throws(() => o.unwrap(), ssl.SSLWantReadError);
  transfer(c, s);
  assert.throws(() => o.write(Buffer.from('foo')), (e: ssl.SSLError) => e.message === '[SSL: PROTOCOL_IS_SHUTDOWN] protocol is shutdown' && e.reason === 'PROTOCOL_IS_SHUTDOWN');
});

test('test_unwrap: both sides unwrap in memory; after it read → SSLZeroReturnError', () => {
  const [c, s] = connected();
  assert.throws(() => c.obj.unwrap(), ssl.SSLWantReadError);
  transfer(c, s);
  assert.equal(s.obj.unwrap(), undefined);
  transfer(c, s);
  assert.equal(c.obj.unwrap(), undefined);
  assert.throws(() => c.obj.read(), (e: ssl.SSLError) => e instanceof ssl.SSLZeroReturnError && e.message === 'TLS/SSL connection has been closed (EOF)' && e.errno === 6);
  assert.throws(() => s.obj.write(Buffer.from('x')), (e: ssl.SSLError) => e.reason === 'PROTOCOL_IS_SHUTDOWN');
});

test('test_bio_read_write_data: data both ways, pending(), read into a buffer, read(0)/write(b"")', () => {
  const [c, s] = connected();
  assert.equal(c.obj.write(Buffer.from('FOO\n')), 4);
  transfer(c, s);
  assert.deepEqual(s.obj.read(), Buffer.from('FOO\n'));
  s.obj.write(Buffer.from('foo\n'));
  s.obj.write(new Uint8Array(Buffer.from('0123456789')));
  transfer(c, s);
  assert.deepEqual(c.obj.read(2), Buffer.from('fo'));
  assert.equal(c.obj.pending(), 2);
  assert.deepEqual(c.obj.read(), Buffer.from('o\n'));
  const buf = Buffer.alloc(4);
  assert.equal(c.obj.read(0, buf), 4);
  assert.deepEqual(buf, Buffer.from('0123'));
  assert.equal(c.obj.pending(), 6);
  assert.deepEqual(c.obj.read(0), Buffer.alloc(0));
  assert.equal(c.obj.write(Buffer.alloc(0)), 0);
  assert.throws(() => c.obj.read(-1), { name: 'ValueError', message: 'size should not be negative' });
  assert.throws(() => c.obj.write('str' as unknown as Uint8Array), { name: 'TypeError', message: "a bytes-like object is required, not 'str'" });
  assert.deepEqual(c.obj.read(100), Buffer.from('456789'));
  // A drained connection wants more input.
  assert.throws(() => c.obj.read(), ssl.SSLWantReadError);
  // Large writes span several records and arrive whole.
  const big = Buffer.alloc(100_000, 7);
  c.obj.write(big);
  transfer(c, s);
  const got: Buffer[] = [];
  for (let n = 0; n < big.length; ) {
    const part = s.obj.read(65536) as Buffer;
    got.push(part);
    n += part.length;
  }
  assert.deepEqual(Buffer.concat(got), big);
});

test('what read() and outgoing.read() return stays valid and unchanged through later writes and reads (bulk, reused buffers)', () => {
  const [c, s] = connected();
  const chunk = Buffer.alloc(65536);
  const sentBatches: [Buffer, Buffer][] = [];
  const received: [Buffer, Buffer][] = [];
  for (let i = 0; i < 12; i++) {
    // The caller reuses its buffer for every write, with new content each time.
    for (let j = 0; j < chunk.length; j++) chunk[j] = (i * 31 + j) & 0xff;
    c.obj.write(chunk);
    const wire = c.outgoing.read();
    sentBatches.push([wire, Buffer.from(wire)]);
    // Fed in pieces that split record headers and bodies, from a buffer the caller then overwrites.
    // (A few header bytes, then the rest of that header with its whole body and more.)
    const scratch = Buffer.from(wire);
    for (let at = 0, k = 0; at < scratch.length; k++) {
      const n = Math.min(scratch.length - at, k % 2 === 0 ? 1 + (k % 4) : 7001 + i * 1000);
      s.incoming.write(scratch.subarray(at, at + n));
      at += n;
      for (;;) {
        try {
          const got = s.obj.read(5000 + i * 1000) as Buffer;
          received.push([got, Buffer.from(got)]);
        } catch (e) {
          if (e instanceof ssl.SSLWantReadError) break;
          throw e;
        }
      }
    }
    scratch.fill(0xee);
  }
  for (const [view, copy] of [...sentBatches, ...received]) assert.ok(view.equals(copy));
  const all = Buffer.concat(received.map(([v]) => v));
  assert.equal(all.length, 12 * chunk.length);
  for (let i = 0; i < 12; i++) {
    const part = all.subarray(i * chunk.length, (i + 1) * chunk.length);
    assert.ok(part.every((b, j) => b === ((i * 31 + j) & 0xff)), `write ${i} arrived intact`);
  }
});

test('test_transport_eof: incoming.write_eof() mid-stream → SSLEOFError (first with UNEXPECTED_EOF_WHILE_READING)', () => {
  const [c] = connected();
  c.incoming.writeEof();
  assert.throws(() => c.obj.read(), (e: ssl.SSLError) => e instanceof ssl.SSLEOFError && e.errno === 8 && e.message === '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol');
  assert.throws(() => c.obj.read(), (e: ssl.SSLError) => e instanceof ssl.SSLEOFError && e.library === null);
});

test('EOF during the handshake is SSLEOFError', () => {
  const [c] = pair();
  assert.throws(() => c.obj.doHandshake(), ssl.SSLWantReadError);
  c.incoming.writeEof();
  assert.throws(() => c.obj.doHandshake(), ssl.SSLEOFError);
});

test('write() before the handshake starts it: SSLWantReadError with the ClientHello in outgoing', () => {
  const [c] = pair();
  assert.throws(() => c.obj.write(Buffer.from('abc')), (e: ssl.SSLError) => e instanceof ssl.SSLWantReadError && e.message === 'The operation did not complete (read)' && e.errno === 2);
  const hello = c.outgoing.read();
  assert.equal(hello[0], 22); // handshake record
  assert.equal(hello[5], 1); // client_hello
  assert.ok(hello.length > 100);
  // As Python's, write(b'') before the handshake also drives it.
  assert.throws(() => c.obj.write(Buffer.alloc(0)), ssl.SSLWantReadError);
});

test('peer close_notify: read returns b"" every time; our writes still succeed; bytes after it stay in incoming', () => {
  const [c, s] = connected();
  assert.throws(() => s.obj.unwrap(), ssl.SSLWantReadError);
  // Plaintext that follows the close_notify (STARTTLS → plain) must not be consumed.
  s.outgoing.write(Buffer.from('PLAIN'));
  transfer(c, s);
  assert.deepEqual(c.obj.read(), Buffer.alloc(0));
  assert.deepEqual(c.obj.read(), Buffer.alloc(0));
  assert.equal(c.incoming.read().toString(), 'PLAIN');
  assert.equal(c.obj.write(Buffer.from('late')), 4);
});

test('client/server auth: CERT_REQUIRED server gets the client certificate; client chain verified', () => {
  const sctx = serverContext();
  sctx.verifyMode = ssl.CERT_REQUIRED;
  ca.configureTrust(sctx);
  const cctx = clientContext();
  clientCert.configureCert(cctx);
  const [c, s] = connected(cctx, sctx);
  const peer = s.obj.getpeercert() as { subjectAltName: unknown };
  assert.deepEqual(peer.subjectAltName, [['email', 'client@example.com']]);
  // The client context trusts the CA, so its leaf-only certificate goes out completed with it (OpenSSL's auto chain).
  assert.deepEqual(s.obj.getUnverifiedChain(), [clientCert.certDer, ca.certDer]);
  assert.deepEqual(s.obj.getVerifiedChain(), [clientCert.certDer, ca.certDer]);
  c.obj.write(Buffer.from('hi'));
  transfer(c, s);
  assert.deepEqual(s.obj.read(), Buffer.from('hi'));
});

test('CERT_REQUIRED server, client without certificate: TLS 1.3 client handshake succeeds, first read gets certificate required', () => {
  const sctx = serverContext();
  sctx.verifyMode = ssl.CERT_REQUIRED;
  ca.configureTrust(sctx);
  const [c, s] = pair(clientContext(), sctx);
  const r = handshake(c, s);
  assert.equal(r.client, null);
  const se = r.server as ssl.SSLError;
  assert.equal(se.message, '[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate');
  assert.throws(() => c.obj.read(), (e: ssl.SSLError) => e.reason === 'TLSV13_ALERT_CERTIFICATE_REQUIRED' && e.message === '[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required');
});

test('CERT_OPTIONAL server, client without certificate: getpeercert() is None', () => {
  const sctx = serverContext();
  sctx.verifyMode = ssl.CERT_OPTIONAL;
  ca.configureTrust(sctx);
  const [, s] = connected(clientContext(), sctx);
  assert.equal(s.obj.getpeercert(), null);
});

test('client with CERT_NONE: getpeercert() is {} but the binary form is the certificate', () => {
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  cctx.checkHostname = false;
  cctx.verifyMode = ssl.CERT_NONE;
  const [c] = connected(cctx);
  assert.deepEqual(c.obj.getpeercert(), {});
  assert.deepEqual(c.obj.getpeercert(true), leaf.certDer);
  assert.deepEqual(c.obj.getVerifiedChain(), [leaf.certDer]);
});

/** Handshake expecting the client to fail verification: returns [client error, server error]. */
function verifyFailure(cctx: ssl.SSLContext, sctx: ssl.SSLContext, hostname: string | null): [ssl.SSLCertVerificationError, ssl.SSLError] {
  const [c, s] = pair(cctx, sctx, hostname);
  const r = handshake(c, s);
  assert.ok(r.client instanceof ssl.SSLCertVerificationError, `client raised ${String(r.client)}`);
  assert.ok(r.server instanceof ssl.SSLError, `server raised ${String(r.server)}`);
  return [r.client, r.server as ssl.SSLError];
}

test('test_ssl_cert_verify_error: unknown CA → code 20; server sees TLSV1_ALERT_UNKNOWN_CA', () => {
  const other = CA.create();
  const sctx = serverContext(other.issueCert('localhost'));
  const [ce, se] = verifyFailure(clientContext(), sctx, 'localhost');
  assert.equal(ce.verifyCode, 20);
  assert.equal(ce.verifyMessage, 'unable to get local issuer certificate');
  assert.equal(ce.message, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate');
  assert.equal(ce.reason, 'CERTIFICATE_VERIFY_FAILED');
  assert.equal(ce.library, 'SSL');
  assert.equal(ce.errno, 1);
  assert.equal(se.message, '[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca');
});

test('self-signed server certificate → code 18', () => {
  const self = CA.create();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-obj-'));
  try {
    const { certFile, keyFile } = self.writeFiles(dir);
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.loadCertChain(certFile, keyFile);
    const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    cctx.checkHostname = false;
    const [ce] = verifyFailure(cctx, sctx, 'localhost');
    assert.equal(ce.verifyCode, 18);
    assert.equal(ce.verifyMessage, 'self-signed certificate');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('untrusted root sent in the chain → code 19', () => {
  const root = CA.create();
  const inter = root.createChildCA();
  const cert = inter.issueCert('localhost');
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-obj-'));
  try {
    const files = cert.writeFiles(dir);
    writeFileSync(files.certFile, readFileSync(files.certFile, 'latin1') + root.certPem);
    const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.loadCertChain(files.certFile, files.keyFile);
    const [ce] = verifyFailure(clientContext(), sctx, 'localhost');
    assert.equal(ce.verifyCode, 19);
    assert.equal(ce.verifyMessage, 'self-signed certificate in certificate chain');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostname mismatch → code 62 with Python text; server sees SSLV3_ALERT_BAD_CERTIFICATE', () => {
  const [ce, se] = verifyFailure(clientContext(), serverContext(), 'example.org');
  assert.equal(ce.verifyCode, 62);
  assert.equal(ce.verifyMessage, "Hostname mismatch, certificate is not valid for 'example.org'.");
  assert.equal(ce.message, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'example.org'.");
  assert.equal(se.message, '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate');
});

test('IP address mismatch → code 64; matching IP literal verifies (no SNI sent)', () => {
  const [ce] = verifyFailure(clientContext(), serverContext(), '127.0.0.2');
  assert.equal(ce.verifyCode, 64);
  assert.equal(ce.verifyMessage, "IP address mismatch, certificate is not valid for '127.0.0.2'.");
  let seen: unknown = 'not called';
  const sctx = serverContext();
  sctx.sniCallback = (_obj, name) => {
    seen = name;
  };
  connected(clientContext(), sctx, '127.0.0.1');
  assert.equal(seen, null);
});

test('expired server certificate → code 10; server sees SSLV3_ALERT_CERTIFICATE_EXPIRED', () => {
  const past = (days: number) => new Date(Date.now() - days * 86_400_000);
  const expired = ca.issueCert('localhost', { notBefore: past(30), notAfter: past(1) });
  const [ce, se] = verifyFailure(clientContext(), serverContext(expired), 'localhost');
  assert.equal(ce.verifyCode, 10);
  assert.equal(ce.verifyMessage, 'certificate has expired');
  assert.equal(se.reason, 'SSLV3_ALERT_CERTIFICATE_EXPIRED');
});

test('no hostname with check_hostname: wrap_bio allows it and only the chain is verified', () => {
  const [c] = connected(clientContext(), serverContext(), null);
  assert.equal(c.obj.serverHostname, null);
});

test('client certificate from an unknown CA: server raises SSLCertVerificationError 20, client reads TLSV1_ALERT_UNKNOWN_CA', () => {
  const sctx = serverContext();
  sctx.verifyMode = ssl.CERT_REQUIRED;
  ca.configureTrust(sctx);
  const cctx = clientContext();
  CA.create().issueClientCert('x@example.com').configureCert(cctx);
  const [c, s] = pair(cctx, sctx);
  const r = handshake(c, s);
  assert.ok(r.server instanceof ssl.SSLCertVerificationError);
  assert.equal((r.server as ssl.SSLCertVerificationError).verifyCode, 20);
  assert.throws(() => c.obj.read(), (e: ssl.SSLError) => e.reason === 'TLSV1_ALERT_UNKNOWN_CA');
});

test('ALPN: the server picks the first of its own protocols that the client offered', () => {
  const cctx = clientContext();
  cctx.setAlpnProtocols(['http/1.1', 'h2']);
  const sctx = serverContext();
  sctx.setAlpnProtocols(['h2', 'http/1.1']);
  const [c, s] = connected(cctx, sctx);
  assert.equal(c.obj.selectedAlpnProtocol(), 'h2');
  assert.equal(s.obj.selectedAlpnProtocol(), 'h2');
});

test('ALPN without overlap: handshake succeeds, None on both sides, no alert', () => {
  const cctx = clientContext();
  cctx.setAlpnProtocols(['foo']);
  const sctx = serverContext();
  sctx.setAlpnProtocols(['bar']);
  const [c, s] = connected(cctx, sctx);
  assert.equal(c.obj.selectedAlpnProtocol(), null);
  assert.equal(s.obj.selectedAlpnProtocol(), null);
});

test('test_sni_callback: called with (SSLObject, A-label name, ctx); switching obj.context switches the certificate', () => {
  const other = ca.issueCert('fakehostname');
  const otherCtx = serverContext(other);
  const sctx = serverContext();
  const calls: [unknown, unknown, unknown][] = [];
  sctx.sniCallback = (obj, name, ctx) => {
    calls.push([obj, name, ctx]);
    obj.context = otherCtx;
  };
  const [c, s] = connected(clientContext(), sctx, 'fakehostname');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]![0], s.obj);
  assert.equal(calls[0]![1], 'fakehostname');
  assert.equal(calls[0]![2], sctx);
  assert.equal(s.obj.context, otherCtx);
  assert.deepEqual(c.obj.getpeercert(true), other.certDer);
  // IDNA: the callback sees the A-label.
  let seen: unknown;
  sctx.sniCallback = (_o, name) => {
    seen = name;
  };
  const [c2, s2] = pair(clientContext(), sctx, 'пример.рф');
  handshake(c2, s2);
  assert.equal(seen, 'xn--e1afmkfd.xn--p1ai');
});

test('SNI callback returning an alert: client gets that alert, server CALLBACK_FAILED', () => {
  const cases: [number, string][] = [
    [ssl.ALERT_DESCRIPTION_ACCESS_DENIED, 'TLSV1_ALERT_ACCESS_DENIED'],
    [ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME, 'TLSV1_UNRECOGNIZED_NAME'],
  ];
  for (const [alert, reason] of cases) {
    const sctx = serverContext();
    sctx.sniCallback = () => alert;
    const [c, s] = pair(clientContext(), sctx);
    const r = handshake(c, s);
    assert.equal((r.client as ssl.SSLError).reason, reason);
    assert.equal((r.server as ssl.SSLError).message, '[SSL: CALLBACK_FAILED] callback failed');
  }
});

test('SNI callback raising: client handshake_failure, server CALLBACK_FAILED, the exception goes to the unraisable hook', () => {
  const sctx = serverContext();
  const boom = new Error('boom');
  const cb = (): never => {
    throw boom;
  };
  sctx.sniCallback = cb;
  const seen: ssl.UnraisableHookArgs[] = [];
  ssl.setUnraisableHook((u) => seen.push(u));
  try {
    const [c, s] = pair(clientContext(), sctx);
    const r = handshake(c, s);
    assert.equal((r.client as ssl.SSLError).reason, 'SSLV3_ALERT_HANDSHAKE_FAILURE');
    assert.equal((r.server as ssl.SSLError).message, '[SSL: CALLBACK_FAILED] callback failed');
    // Python chains nothing onto the SSLError: the exception went to sys.unraisablehook.
    assert.equal((r.server as Error & { cause?: unknown }).cause, undefined);
  } finally {
    ssl.setUnraisableHook(null);
  }
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.excValue, boom);
  assert.equal(seen[0]!.excType, Error);
  assert.equal(seen[0]!.object, cb);
  assert.equal(seen[0]!.errMsg, null);
  assert.match(seen[0]!.excTraceback!, /boom/);
});

test('SNI callback returning a non-integer: client internal_error, server CALLBACK_FAILED, TypeError to the unraisable hook', () => {
  const sctx = serverContext();
  sctx.sniCallback = () => 'foo';
  const seen: ssl.UnraisableHookArgs[] = [];
  ssl.setUnraisableHook((u) => seen.push(u));
  try {
    const [c, s] = pair(clientContext(), sctx);
    const r = handshake(c, s);
    assert.equal((r.client as ssl.SSLError).reason, 'TLSV1_ALERT_INTERNAL_ERROR');
    assert.equal((r.server as ssl.SSLError).reason, 'CALLBACK_FAILED');
  } finally {
    ssl.setUnraisableHook(null);
  }
  assert.equal(seen.length, 1);
  assert.ok(seen[0]!.excValue instanceof TypeError);
  // CPython's PyLong_AsLong text, with the returned value as `object`.
  assert.equal((seen[0]!.excValue as Error).message, "'str' object cannot be interpreted as an integer");
  assert.equal(seen[0]!.object, 'foo');
});

test('SSLObject.context setter accepts only SSLContext', () => {
  const [c] = pair();
  assert.throws(() => (c.obj.context = {} as ssl.SSLContext), { name: 'TypeError', message: 'The value must be a SSLContext' });
});

test('verify_client_post_handshake in memory: the certificate arrives after the client reads and the server reads again', () => {
  const cctx = clientContext();
  cctx.postHandshakeAuth = true;
  clientCert.configureCert(cctx);
  const sctx = serverContext();
  ca.configureTrust(sctx);
  sctx.verifyMode = ssl.CERT_REQUIRED;
  sctx.postHandshakeAuth = true;
  const [c, s] = connected(cctx, sctx);
  assert.equal(s.obj.getpeercert(), null, 'not asked for during the handshake');
  assert.throws(() => c.obj.verifyClientPostHandshake(), { name: 'SSLError', message: '[SSL: NOT_SERVER] not server', errno: 284 });
  s.obj.verifyClientPostHandshake();
  assert.throws(() => s.obj.verifyClientPostHandshake(), { name: 'SSLError', message: '[SSL: REQUEST_SENT] request sent' });
  transfer(c, s);
  assert.throws(() => c.obj.read(), ssl.SSLWantReadError); // answers the CertificateRequest
  transfer(c, s);
  assert.throws(() => s.obj.read(), ssl.SSLWantReadError);
  assert.deepEqual(s.obj.getpeercert(true), clientCert.certDer);
  s.obj.verifyClientPostHandshake(); // again: allowed once the first is answered
});

test('keylog_filename: a TLS 1.3 client handshake appends 5 NSS key log lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-keylog-'));
  try {
    const f = join(dir, 'keylog.txt');
    const cctx = clientContext();
    cctx.keylogFilename = f;
    connected(cctx);
    const lines = readFileSync(f, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], ssl.KEYLOG_HEADER.trimEnd());
    assert.equal(lines.length, 6);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(' ')[0]).sort(),
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
    );
    for (const l of lines.slice(1)) assert.match(l, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{96}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('session_stats counts connects and accepts', () => {
  const cctx = clientContext();
  const sctx = serverContext();
  connected(cctx, sctx);
  assert.equal(cctx.sessionStats().connect, 1);
  assert.equal(cctx.sessionStats().connect_good, 1);
  assert.equal(sctx.sessionStats().accept, 1);
  assert.equal(sctx.sessionStats().accept_good, 1);
});

test('a TLS 1.2-only client context connects with TLS 1.2; min above max is "no protocols available"', () => {
  const cctx = clientContext();
  cctx.maximumVersion = ssl.TLSVersion.TLSv1_2;
  const [c, s] = connected(cctx);
  assert.equal(c.obj.version(), 'TLSv1.2');
  assert.equal(s.obj.version(), 'TLSv1.2');
  assert.equal(c.obj.cipher()![1], 'TLSv1.2');
  assert.deepEqual(c.obj.cipher(), s.obj.cipher());
  const none = clientContext();
  none.minimumVersion = ssl.TLSVersion.TLSv1_3;
  none.maximumVersion = ssl.TLSVersion.TLSv1_2;
  const [n] = pair(none);
  assert.throws(() => n.obj.doHandshake(), (e: ssl.SSLError) => e.reason === 'NO_PROTOCOLS_AVAILABLE');
});

test('cipher suites configured on the context reach the engine', () => {
  const cctx = clientContext();
  cctx.setCiphersuites('TLS_CHACHA20_POLY1305_SHA256');
  const [c, s] = connected(cctx);
  assert.deepEqual(c.obj.cipher(), ['TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 256]);
  assert.deepEqual(s.obj.sharedCiphers()![0], ['TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 256]);
  assert.deepEqual(
    s.obj.sharedCiphers()!.filter((t) => t[1] === 'TLSv1.3'),
    [['TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 256]],
  );
  assert.equal(c.obj.getChannelBinding()!.length, 32); // SHA-256 Finished
});

test('a garbage record is a fatal alert flushed to outgoing before the SSLError', () => {
  const [c, s] = connected();
  s.incoming.write(Buffer.from([23, 3, 3, 0, 20, ...Buffer.alloc(20, 1)]));
  assert.throws(() => s.obj.read(), (e: ssl.SSLError) => e instanceof ssl.SSLError && e.reason === 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
  assert.ok(s.outgoing.pending > 0);
  transfer(c, s);
  assert.throws(() => c.obj.read(), (e: ssl.SSLError) => e.reason === 'SSLV3_ALERT_BAD_RECORD_MAC');
  // The failure sticks.
  assert.throws(() => s.obj.read(), (e: ssl.SSLError) => e.reason === 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
});


test('every test-CA key type serves and verifies (RSA, ECDSA P-256/P-384, Ed25519); IPv6 literal host', () => {
  for (const keyType of ['rsa2048', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const) {
    const kca = CA.create({ keyType });
    const sctx = serverContext(kca.issueCert('localhost', '::1'));
    const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    kca.configureTrust(cctx);
    const [c] = connected(cctx, sctx, '::1');
    assert.equal(c.obj.version(), 'TLSv1.3', keyType);
    assert.deepEqual((c.obj.getpeercert() as { subjectAltName: unknown }).subjectAltName, [
      ['DNS', 'localhost'],
      ['IP Address', '0:0:0:0:0:0:0:1'],
    ]);
  }
});
