/**
 * Key-exchange groups engine to engine, in memory: every group negotiates in
 * TLS 1.3, the default lists match OpenSSL's for this platform, HelloRetryRequest
 * moves between groups, and every invalid share in either direction ends in
 * illegal_parameter. X25519MLKEM768 cases run where node:crypto has ML-KEM
 * (Node 24) and are skipped by name elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider, type CryptoProvider, type KeyExchangeGroup } from '../../src/crypto/index.js';
import { DEFAULT_GROUPS, DEFAULT_GROUPS_MLKEM, type ConnectionConfig } from '../../src/tls/config.js';
import type { ClientHello } from '../../src/tls/messages/client-hello.js';
import { groupByKex } from '../../src/tls/registry/groups.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { connected, pair } from './helpers/memory-pair.js';

const provider = defaultProvider;
const MLKEM = provider.supportsKeyExchange('X25519MLKEM768');
const NO_MLKEM = MLKEM ? false : 'node:crypto has no ML-KEM-768 here (Node < 24)';
const DH_GROUPS: readonly KeyExchangeGroup[] = ['X25519', 'X448', 'P-256', 'P-384', 'P-521'];

/** A client config that records the ClientHello it sends. */
function spying(config: Partial<ConnectionConfig> = {}): { config: Partial<ConnectionConfig>; hellos: ClientHello[] } {
  const hellos: ClientHello[] = [];
  return { hellos, config: { ...config, clientHelloHook: (h) => (hellos.push(h), h) } };
}

function extension<T extends ClientHello['extensions'][number]['type']>(h: ClientHello, type: T): Extract<ClientHello['extensions'][number], { type: T }> {
  const e = h.extensions.find((x) => x.type === type);
  assert.ok(e, `ClientHello has ${type}`);
  return e as Extract<ClientHello['extensions'][number], { type: T }>;
}

/** Replaces every key_share value the client sends with `edit(value)`. */
function editShares(edit: (share: Buffer) => Buffer): Partial<ConnectionConfig> {
  return {
    clientHelloHook: (h) => ({
      ...h,
      extensions: h.extensions.map((e) => (e.type === 'key_share' && 'clientShares' in e ? { ...e, clientShares: e.clientShares.map((s) => ({ ...s, keyExchange: edit(s.keyExchange) })) } : e)),
    }),
  };
}

/** A provider whose server-side key_share value is rewritten by `edit`. */
function tamperingServer(edit: (share: Buffer) => Buffer): CryptoProvider {
  return new Proxy(provider, {
    get(target, prop, receiver) {
      if (prop === 'respondKeyExchange') {
        return (group: KeyExchangeGroup, peer: Uint8Array) => {
          const r = target.respondKeyExchange(group, peer);
          return { publicKey: edit(r.publicKey), sharedSecret: r.sharedSecret };
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function flipLast(b: Buffer): Buffer {
  const out = Buffer.from(b);
  out[out.length - 1]! ^= 1;
  return out;
}

for (const group of DH_GROUPS) {
  test(`${group}: negotiated in TLS 1.3 by both sides, data flows`, () => {
    const [c, s] = connected({ groups: [group] }, { groups: [group] });
    assert.equal(c.negotiated.group, group);
    assert.equal(s.negotiated.group, group);
    c.write(Buffer.from(`over ${group}`));
    pumpMemory(c, s);
    assert.equal(drain(s).toString(), `over ${group}`);
  });

  test(`${group}: the server refuses a client key_share one byte short with illegal_parameter`, () => {
    const [c, s] = pair({ groups: [group], ...editShares((b) => b.subarray(1)) }, { groups: [group] });
    const err = expectTLSError(() => pumpMemory(c, s));
    assert.equal(err.alert, 'illegal_parameter');
    assert.equal(s.error?.alert, 'illegal_parameter');
    assert.match(err.reason, /key_share|key share/);
  });

  test(`${group}: the client refuses an invalid server key_share with illegal_parameter`, () => {
    // NIST curves: the last Y byte flipped puts the point off the curve. X25519/X448: all zero is low order.
    const edit = group.startsWith('P-') ? flipLast : (b: Buffer) => Buffer.alloc(b.length);
    const [c, s] = pair({ groups: [group] }, { groups: [group], provider: tamperingServer(edit) });
    const err = expectTLSError(() => pumpMemory(c, s));
    assert.equal(err.alert, 'illegal_parameter');
    assert.equal(c.error?.alert, 'illegal_parameter');
    assert.equal(err.fromPeer, false);
  });
}

test('the server refuses a client X448 share that is all zero (low order) and a P-521 point off the curve', () => {
  for (const [group, edit] of [
    ['X448', (b: Buffer) => Buffer.alloc(b.length)],
    ['P-521', flipLast],
  ] as const) {
    const [c, s] = pair({ groups: [group], ...editShares(edit) }, { groups: [group] });
    assert.equal(expectTLSError(() => pumpMemory(c, s)).alert, 'illegal_parameter', group);
    assert.equal(s.error?.alert, 'illegal_parameter');
  }
});

test("the default ClientHello carries OpenSSL's group list for this platform and its key shares", () => {
  const spy = spying();
  const [c, s] = connected(spy.config);
  const hello = spy.hellos[0]!;
  const expected = MLKEM ? DEFAULT_GROUPS_MLKEM : DEFAULT_GROUPS;
  // OpenSSL 3.0: x25519, secp256r1, x448, secp521r1, secp384r1; OpenSSL 3.5 puts X25519MLKEM768 first and
  // P-384 before P-521 (ffdhe groups left out: no FFDHE by design).
  assert.deepEqual(
    extension(hello, 'supported_groups').groups,
    MLKEM ? [0x11ec, 0x1d, 0x17, 0x1e, 0x18, 0x19] : [0x1d, 0x17, 0x1e, 0x19, 0x18],
  );
  assert.deepEqual(extension(hello, 'supported_groups').groups, expected.map((g) => groupByKex(g).id));
  const shares = extension(hello, 'key_share');
  assert.ok('clientShares' in shares);
  assert.deepEqual(
    shares.clientShares.map((x) => [x.group, x.keyExchange.length]),
    MLKEM ? [[0x11ec, 1216], [0x1d, 32]] : [[0x1d, 32]],
  );
  assert.equal(c.negotiated.group, MLKEM ? 'X25519MLKEM768' : 'X25519');
  assert.equal(s.negotiated.group, c.negotiated.group);
});

test('HelloRetryRequest from X448 to P-521 when the server only has P-521', () => {
  const [c, s] = connected({ groups: ['X448', 'P-521'] }, { groups: ['P-521'] });
  assert.equal(c.negotiated.helloRetry, true);
  assert.equal(c.negotiated.group, 'P-521');
  assert.equal(s.negotiated.group, 'P-521');
});

test('the server picks by its own preference among the shares the client sent', () => {
  const [c] = connected({ groups: ['X448', 'P-521'] }, { groups: ['P-521', 'X448'] });
  // The client only sent a share for X448: the server takes it rather than retrying for P-521.
  assert.equal(c.negotiated.group, 'X448');
  assert.equal(c.negotiated.helloRetry, false);
});

test('X25519MLKEM768: our client and server negotiate the hybrid by default, data flows', { skip: NO_MLKEM }, () => {
  const [c, s] = connected();
  assert.equal(c.negotiated.group, 'X25519MLKEM768');
  assert.equal(s.negotiated.group, 'X25519MLKEM768');
  assert.equal(c.negotiated.helloRetry, false);
  s.write(Buffer.alloc(100_000, 7));
  pumpMemory(c, s);
  assert.equal(drain(c).length, 100_000);
});

test('X25519MLKEM768: a server without the hybrid takes the X25519 share sent beside it (no HelloRetryRequest)', { skip: NO_MLKEM }, () => {
  const [c] = connected({}, { groups: ['X25519', 'P-256'] });
  assert.equal(c.negotiated.group, 'X25519');
  assert.equal(c.negotiated.helloRetry, false);
});

test('X25519MLKEM768: a client offering only the hybrid is retried to P-256 by a server without it', { skip: NO_MLKEM }, () => {
  const [c] = connected({ groups: ['X25519MLKEM768', 'P-256'] }, { groups: ['P-256'] });
  assert.equal(c.negotiated.group, 'P-256');
  assert.equal(c.negotiated.helloRetry, true);
});

test('X25519MLKEM768: the server asks for the hybrid by HelloRetryRequest when it prefers it', { skip: NO_MLKEM }, () => {
  const [c] = connected({ groups: ['P-256', 'X25519MLKEM768'] }, { groups: ['X25519MLKEM768'] });
  assert.equal(c.negotiated.group, 'X25519MLKEM768');
  assert.equal(c.negotiated.helloRetry, true);
});

test('X25519MLKEM768: bad client shares (length, invalid encapsulation key, low-order X25519 half) are illegal_parameter', { skip: NO_MLKEM }, () => {
  const edits: [string, (b: Buffer) => Buffer][] = [
    ['short', (b) => b.subarray(1)],
    ['encapsulation key coefficient ≥ q', (b) => Buffer.concat([Buffer.alloc(3, 0xff), b.subarray(3)])],
    ['X25519 half all zero', (b) => Buffer.concat([b.subarray(0, 1184), Buffer.alloc(32)])],
  ];
  for (const [name, edit] of edits) {
    const [c, s] = pair({ groups: ['X25519MLKEM768'], ...editShares(edit) }, { groups: ['X25519MLKEM768'] });
    assert.equal(expectTLSError(() => pumpMemory(c, s)).alert, 'illegal_parameter', name);
    assert.equal(s.error?.alert, 'illegal_parameter', name);
  }
});

test('X25519MLKEM768: bad server shares are illegal_parameter; a tampered ciphertext fails the handshake at Finished', { skip: NO_MLKEM }, () => {
  for (const edit of [(b: Buffer) => b.subarray(1), (b: Buffer) => Buffer.concat([b.subarray(0, 1088), Buffer.alloc(32)])]) {
    const [c, s] = pair({ groups: ['X25519MLKEM768'] }, { groups: ['X25519MLKEM768'], provider: tamperingServer(edit) });
    assert.equal(expectTLSError(() => pumpMemory(c, s)).alert, 'illegal_parameter');
    assert.equal(c.error?.alert, 'illegal_parameter');
  }
  // FIPS 203 implicit rejection: a flipped ciphertext byte gives the client another secret, so it
  // cannot open the server's encrypted flight.
  const flipFirst = (b: Buffer) => Buffer.concat([Buffer.from([b[0]! ^ 1]), b.subarray(1)]);
  const [c, s] = pair({ groups: ['X25519MLKEM768'] }, { groups: ['X25519MLKEM768'], provider: tamperingServer(flipFirst) });
  assert.equal(expectTLSError(() => pumpMemory(c, s)).alert, 'bad_record_mac');
});
