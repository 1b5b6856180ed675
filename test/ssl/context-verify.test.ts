/**
 * What SSLContext hands to chain verification: the context's security level
 * as OpenSSL's auth level (Python's default contexts: 2) and the purpose by
 * role (a client checks serverAuth, a server checks clientAuth), seen through
 * two SSLObjects handshaking in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { openssl, opensslSkipReason, tempDir } from '../helpers/openssl.js';

interface Side {
  obj: ssl.SSLObject;
  incoming: ssl.MemoryBIO;
  outgoing: ssl.MemoryBIO;
}

function wrap(ctx: ssl.SSLContext, options: ssl.WrapBioOptions = {}): Side {
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  return { obj: ctx.wrapBio(incoming, outgoing, options), incoming, outgoing };
}

/** Both handshakes, alternating; the error each side raised (null when it completed). */
function handshake(cctx: ssl.SSLContext, sctx: ssl.SSLContext): { client: unknown; server: unknown } {
  const c = wrap(cctx, { serverHostname: 'localhost' });
  const s = wrap(sctx, { serverSide: true });
  const result: { client: unknown; server: unknown } = { client: undefined, server: undefined };
  for (let i = 0; i < 10 && (result.client === undefined || result.server === undefined); i++) {
    for (const [side, key] of [
      [c, 'client'],
      [s, 'server'],
    ] as const) {
      if (result[key] !== undefined) continue;
      try {
        side.obj.doHandshake();
        result[key] = null;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) result[key] = e;
      }
      if (c.outgoing.pending) s.incoming.write(c.outgoing.read());
      if (s.outgoing.pending) c.incoming.write(s.outgoing.read());
    }
  }
  return { client: result.client ?? null, server: result.server ?? null };
}

function verifyCodeOf(e: unknown): [number | null, string | null] {
  assert.ok(e instanceof ssl.SSLCertVerificationError, `expected SSLCertVerificationError, got ${String(e)}`);
  return [e.verifyCode, e.verifyMessage];
}

test('a 1024-bit RSA server key fails at the default security level 2 (EE_KEY_TOO_SMALL) and passes at @SECLEVEL=1', { skip: opensslSkipReason() ?? false }, () => {
  const { dir, cleanup } = tempDir('sslsock-seclevel-');
  try {
    const cert = join(dir, 'weak.pem');
    const key = join(dir, 'weak.key');
    openssl(['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
    const server = (): ssl.SSLContext => {
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      ctx.loadCertChain(cert, key);
      return ctx;
    };
    const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    client.loadVerifyLocations(cert);
    assert.equal(client.securityLevel, 2);
    const r = handshake(client, server());
    assert.deepEqual(verifyCodeOf(r.client), [66, 'EE certificate key too weak']);
    assert.ok(r.server instanceof ssl.SSLError && r.server.reason === 'SSLV3_ALERT_BAD_CERTIFICATE', String(r.server));

    const lenient = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    lenient.setCiphers('DEFAULT:@SECLEVEL=1');
    lenient.loadVerifyLocations(cert);
    assert.equal(lenient.securityLevel, 1);
    assert.deepEqual(handshake(lenient, server()), { client: null, server: null });
  } finally {
    cleanup();
  }
});

test('the client checks serverAuth and the server checks clientAuth (INVALID_PURPOSE, unsupported_certificate)', () => {
  const ca = CA.create();
  const clientOnly = ca.issueClientCert('localhost');
  const serverOnly = ca.issueCert('localhost', { clientAuth: false });
  const both = ca.issueCert('localhost');
  const server = (leaf: typeof both, requireClientCert: boolean): ssl.SSLContext => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    leaf.configureCert(ctx);
    if (requireClientCert) {
      ctx.verifyMode = ssl.CERT_REQUIRED;
      ca.configureTrust(ctx);
    }
    return ctx;
  };
  const client = (leaf: typeof both | null): ssl.SSLContext => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ca.configureTrust(ctx);
    if (leaf !== null) leaf.configureCert(ctx);
    return ctx;
  };
  // A server certificate good only for clientAuth: the client refuses it.
  let r = handshake(client(null), server(clientOnly, false));
  assert.deepEqual(verifyCodeOf(r.client), [26, 'unsuitable certificate purpose']);
  assert.ok(r.server instanceof ssl.SSLError && r.server.reason === 'SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', String(r.server));
  // A client certificate good only for serverAuth: the server refuses it.
  r = handshake(client(serverOnly), server(both, true));
  assert.deepEqual(verifyCodeOf(r.server), [26, 'unsuitable certificate purpose']);
  // The same roles the right way round complete.
  assert.deepEqual(handshake(client(clientOnly), server(serverOnly, true)), { client: null, server: null });
});
