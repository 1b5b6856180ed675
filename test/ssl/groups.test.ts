/**
 * Python 3.15's group API: SSLContext.set_groups / get_groups(include_aliases)
 * and SSLObject/SSLSocket.group(), over two SSLObjects pumped in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from '../../src/ssl/index.js';
import * as socket from '../../src/socket/index.js';
import { defaultProvider } from '../../src/crypto/index.js';
import { CA } from '../../src/testing/index.js';

const MLKEM = defaultProvider.supportsKeyExchange('X25519MLKEM768');
const NO_MLKEM = MLKEM ? false : 'node:crypto has no ML-KEM-768 here (Node < 24)';
const ca = CA.create();
const leaf = ca.issueCert('localhost');

interface Side {
  obj: ssl.SSLObject;
  incoming: ssl.MemoryBIO;
  outgoing: ssl.MemoryBIO;
}

function contexts(clientGroups?: string, serverGroups?: string): [ssl.SSLContext, ssl.SSLContext] {
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(c);
  const s = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  leaf.configureCert(s);
  if (clientGroups !== undefined) c.setGroups(clientGroups);
  if (serverGroups !== undefined) s.setGroups(serverGroups);
  return [c, s];
}

function wrap(ctx: ssl.SSLContext, options: ssl.WrapBioOptions): Side {
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  return { obj: ctx.wrapBio(incoming, outgoing, options), incoming, outgoing };
}

/** Handshakes two SSLObjects in memory; returns them after checking group() was null before. */
function handshake(cctx: ssl.SSLContext, sctx: ssl.SSLContext): [ssl.SSLObject, ssl.SSLObject] {
  const c = wrap(cctx, { serverHostname: 'localhost' });
  const s = wrap(sctx, { serverSide: true });
  assert.equal(c.obj.group(), null);
  assert.equal(s.obj.group(), null);
  const done = new Set<Side>();
  for (let i = 0; i < 10 && done.size < 2; i++) {
    for (const side of [c, s]) {
      if (done.has(side)) continue;
      try {
        side.obj.doHandshake();
        done.add(side);
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
      if (c.outgoing.pending) s.incoming.write(c.outgoing.read());
      if (s.outgoing.pending) c.incoming.write(s.outgoing.read());
    }
  }
  assert.equal(done.size, 2);
  return [c.obj, s.obj];
}

test("group(): null before the handshake, then the default group's OpenSSL name on both sides", () => {
  const [c, s] = handshake(...contexts());
  assert.equal(c.group(), MLKEM ? 'X25519MLKEM768' : 'x25519');
  assert.equal(s.group(), c.group());
});

for (const [setting, expected] of [
  ['secp521r1', 'secp521r1'],
  ['P-521', 'secp521r1'],
  ['X448', 'x448'],
  ['x448', 'x448'],
  ['prime256v1', 'secp256r1'],
  ['P-384', 'secp384r1'],
  ['X25519', 'x25519'],
] as const) {
  test(`set_groups('${setting}') on both sides: group() is '${expected}'`, () => {
    const [c, s] = handshake(...contexts(setting, setting));
    assert.equal(c.group(), expected);
    assert.equal(s.group(), expected);
  });
}

test("set_groups order is the server's preference; set_ecdh_curve('X448') limits a server to X448", () => {
  const [c] = handshake(...contexts('x25519:secp521r1', 'secp521r1:x25519'));
  // The client sent a share for x25519 only: the server takes it rather than retrying.
  assert.equal(c.group(), 'x25519');
  const [cctx, sctx] = contexts();
  sctx.setEcdhCurve('X448');
  const [c2, s2] = handshake(cctx, sctx);
  assert.equal(c2.group(), 'x448');
  assert.equal(s2.group(), 'x448');
});

test('get_groups(): the implemented groups, aliases on request, TLS 1.3-only groups gone when TLS 1.3 is', () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const classical = ['secp256r1', 'secp384r1', 'secp521r1', 'x25519', 'x448'];
  assert.deepEqual(ctx.getGroups(), MLKEM ? [...classical, 'X25519MLKEM768'] : classical);
  assert.deepEqual(
    ctx.getGroups({ includeAliases: true }).slice(0, 10),
    ['secp256r1', 'P-256', 'secp384r1', 'P-384', 'secp521r1', 'P-521', 'x25519', 'X25519', 'x448', 'X448'],
  );
  // set_groups does not change the implemented list (OpenSSL's get0_implemented_groups).
  ctx.setGroups('P-384');
  assert.deepEqual(ctx.getGroups(), MLKEM ? [...classical, 'X25519MLKEM768'] : classical);
  ctx.maximumVersion = ssl.TLSVersion.TLSv1_2;
  assert.deepEqual(ctx.getGroups(), classical);
});

test('set_groups: X25519MLKEM768 is refused where node:crypto has no ML-KEM', { skip: MLKEM ? 'node:crypto has ML-KEM-768 here' : false }, () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => ctx.setGroups('X25519MLKEM768'), ssl.SSLError);
  assert.throws(() => ctx.setGroups('x25519:X25519MLKEM768'), ssl.SSLError);
});

test("set_groups('X25519MLKEM768:x25519') on Node 24: the hybrid, reported as OpenSSL names it", { skip: NO_MLKEM }, () => {
  const [c, s] = handshake(...contexts('X25519MLKEM768:x25519', 'X25519MLKEM768'));
  assert.equal(c.group(), 'X25519MLKEM768');
  assert.equal(s.group(), 'X25519MLKEM768');
  const [c2] = handshake(...contexts('X25519MLKEM768:x25519', 'x25519'));
  assert.equal(c2.group(), 'x25519');
});

test('SSLSocket.group(): null on a socket that is not connected yet', async () => {
  const [cctx] = contexts();
  const raw = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  const s = await cctx.wrapSocket(raw, { serverHostname: 'localhost', doHandshakeOnConnect: false });
  try {
    assert.equal(s.group(), null);
  } finally {
    s.close();
  }
});
