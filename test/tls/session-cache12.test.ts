/**
 * TLS 1.2 resumption by session id from the server's session cache (RFC 5246
 * §7.3, §7.4.1.2), engine level with a clock the test moves: the cache's
 * bounds in entries and time, what a cached session must still match (suite,
 * server name, client certificate) and the extended master secret rules of
 * RFC 7627 §5.3, with a client whose hello or session the test alters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { decodeServerHello, encodeServerHello, type ServerHello } from '../../src/tls/messages/server-hello.js';
import type { ClientHello } from '../../src/tls/messages/client-hello.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { TLS12_SUITES } from '../../src/tls/registry/suites.js';
import { DEFAULT_SESSION_CACHE_SIZE, DEFAULT_SESSION_TIMEOUT_SECONDS, SessionCache12 } from '../../src/tls/session-cache.js';
import { TicketKeys, type ClientTicket12, type TicketState12 } from '../../src/tls/tickets.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';
import { fakeClock } from './helpers/fake-clock.js';
import { joinRecords, splitRecords } from './helpers/scripted-peer.js';

const provider = defaultProvider;

interface Setup {
  clock: ReturnType<typeof fakeClock>;
  cache: SessionCache12;
  sessions: ClientTicket12[];
  outcomes: string[];
}

function setup(options: { maxEntries?: number; timeoutSeconds?: number } = {}): Setup {
  const clock = fakeClock();
  return { clock, cache: new SessionCache12({ now: clock.now, ...options }), sessions: [], outcomes: [] };
}

/** Client and server over TLS 1.2 with the setup's cache (and no ticket keys unless given); the client's sessions are collected. */
function start(st: Setup, client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', maxVersion: 'TLSv1.2', clock: st.clock.now, onTicket: (t) => st.sessions.push(t as ClientTicket12), ...client });
  const s = Connection.server({
    provider,
    maxVersion: 'TLSv1.2',
    certificates: [pki.servers.p256.certified, pki.servers.rsa2048.certified],
    sessionCache: st.cache,
    onResumption: (o) => st.outcomes.push(o),
    ...server,
  });
  return [c, s];
}

function connect(st: Setup, client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const [c, s] = start(st, client, server);
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  c.write(Buffer.from('ping'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'ping');
  return [c, s];
}

/** The handshake message types the server sent in its first flight (plaintext records only). */
function serverFirstFlight(c: Connection, s: Connection): { types: number[]; serverHello: ReturnType<typeof decodeServerHello> } {
  s.receive(c.takeOutgoing());
  const out = s.takeOutgoing();
  c.receive(out);
  const types: number[] = [];
  let serverHello: ReturnType<typeof decodeServerHello> | null = null;
  for (const r of splitRecords(out)) {
    if (r.type !== ContentType.handshake) break;
    for (let o = 0; o + 4 <= r.body.length; ) {
      const len = r.body.readUIntBE(o + 1, 3);
      types.push(r.body[o]!);
      if (r.body[o] === HandshakeType.server_hello) serverHello = decodeServerHello(r.body.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
  }
  return { types, serverHello: serverHello! };
}

const dropEms = (h: ClientHello): ClientHello => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 'extended_master_secret') });

test('a full TLS 1.2 handshake gets a 32-byte session id and is cached; offering it resumes (no certificate messages, both sides resumed, hit)', () => {
  const st = setup();
  const [c1, s1] = connect(st);
  assert.equal(s1.negotiated.sessionId.length, 32);
  assert.deepEqual(c1.negotiated.sessionId, s1.negotiated.sessionId);
  assert.equal(st.cache.size, 1);
  assert.equal(st.sessions.length, 1);
  const session = st.sessions[0]!;
  assert.equal(session.ticket.length, 0, 'no ticket keys: a session id alone');
  assert.deepEqual(session.sessionId, s1.negotiated.sessionId);
  assert.equal(session.ems, true);

  const [c2, s2] = start(st, { resumeTicket: session });
  const first = serverFirstFlight(c2, s2);
  assert.deepEqual(first.types, [HandshakeType.server_hello], 'abbreviated: ServerHello then ChangeCipherSpec and Finished');
  assert.deepEqual(first.serverHello.legacySessionIdEcho, session.sessionId);
  // RFC 6066 §3: no server_name in a resuming ServerHello.
  assert.ok(!first.serverHello.extensions.some((e) => e.type === 'server_name'));
  pumpMemory(c2, s2);
  assert.ok(c2.handshakeDone && s2.handshakeDone);
  assert.equal(c2.negotiated.resumed, true);
  assert.equal(s2.negotiated.resumed, true);
  assert.deepEqual(s2.negotiated.sessionId, session.sessionId);
  assert.deepEqual(c2.negotiated.peerCertificates, c1.negotiated.peerCertificates);
  assert.deepEqual(st.outcomes, ['hit']);
  assert.equal(st.cache.size, 1, 'a resumption adds no session');
  s2.write(Buffer.from('pong'));
  pumpMemory(c2, s2);
  assert.equal(drain(c2).toString(), 'pong');
});

test('without a session cache (and without tickets) the server gives no session id, and the client keeps nothing', () => {
  const st = setup();
  const [c] = connect(st, {}, { sessionCache: null });
  assert.equal(c.negotiated.sessionId.length, 0);
  assert.equal(st.sessions.length, 0);
});

test('an unknown session id is a full handshake (miss); the new session is cached under a new id', () => {
  const st = setup();
  connect(st);
  const forged = { ...st.sessions[0]!, sessionId: provider.randomBytes(32) };
  const [c, s] = connect(st, { resumeTicket: forged });
  assert.equal(c.negotiated.resumed, false);
  assert.equal(s.negotiated.resumed, false);
  assert.notDeepEqual(s.negotiated.sessionId, forged.sessionId);
  assert.deepEqual(st.outcomes, ['miss']);
  assert.equal(st.cache.size, 2);
});

test('time bound: a session past the session timeout is a full handshake (timeout) and leaves the cache', () => {
  const st = setup({ timeoutSeconds: 60 });
  connect(st);
  const session = st.sessions[0]!;
  st.clock.advance(59_000);
  assert.equal(connect(st, { resumeTicket: session })[1].negotiated.resumed, true);
  st.clock.advance(2_000);
  const [c, s] = connect(st, { resumeTicket: session });
  assert.equal(s.negotiated.resumed, false);
  assert.equal(c.negotiated.resumed, false);
  assert.deepEqual(st.outcomes, ['hit', 'timeout']);
  // The expired session is gone; the full handshake's new one is in.
  assert.equal(st.cache.lookup(session.sessionId), 'unknown');
  assert.equal(st.cache.size, 1);
});

test('entry bound: past maxEntries the oldest session is evicted (counted), the newest resume', () => {
  const st = setup({ maxEntries: 3 });
  for (let i = 0; i < 5; i++) connect(st);
  assert.equal(st.cache.size, 3);
  assert.equal(st.cache.evictions, 2);
  const [c0] = connect(st, { resumeTicket: st.sessions[0]! });
  assert.equal(c0.negotiated.resumed, false, 'the oldest was evicted');
  assert.equal(st.cache.evictions, 3, 'its full handshake evicted the next oldest');
  const [c4] = connect(st, { resumeTicket: st.sessions[4]! });
  assert.equal(c4.negotiated.resumed, true);
  assert.deepEqual(st.outcomes, ['miss', 'hit']);
});

test('SessionCache12: expired sessions at the head leave before any eviction; bounds must be positive integers', () => {
  const clock = fakeClock();
  const cache = new SessionCache12({ now: clock.now, maxEntries: 2, timeoutSeconds: 10 });
  assert.equal(new SessionCache12({ now: clock.now }).maxEntries, DEFAULT_SESSION_CACHE_SIZE);
  assert.equal(new SessionCache12({ now: clock.now }).timeoutSeconds, DEFAULT_SESSION_TIMEOUT_SECONDS);
  const state = (): TicketState12 => ({ suite: TLS12_SUITES[0]!, issuedAt: clock.now(), lifetime: cache.timeoutSeconds, master: Buffer.alloc(48), ems: true, serverName: null, peerCertificates: [] });
  const ids = [0, 1, 2, 3].map(() => provider.randomBytes(32));
  cache.add(ids[0]!, state());
  cache.add(ids[1]!, state());
  clock.advance(11_000);
  cache.add(ids[2]!, state());
  assert.equal(cache.size, 1, 'both expired sessions dropped');
  assert.equal(cache.evictions, 0);
  cache.add(ids[3]!, state());
  assert.equal(cache.size, 2);
  assert.notEqual(cache.lookup(ids[2]!), 'unknown');
  // A session claiming a creation time in the future is not resumed either.
  cache.add(ids[0]!, { ...state(), issuedAt: clock.now() + 60_000 });
  assert.equal(cache.lookup(ids[0]!), 'expired');
  assert.equal(cache.evictions, 1);
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => (cache.maxEntries = bad), /session cache size must be a positive integer/);
    assert.throws(() => (cache.timeoutSeconds = bad), /session timeout must be a positive integer/);
  }
});

test('a session is not resumed under another server name (RFC 6066 §3), nor when its suite is no longer offered', () => {
  const st = setup();
  connect(st);
  const session = st.sessions[0]!;
  const [c1] = connect(st, { resumeTicket: session, serverName: 'other.example' });
  assert.equal(c1.negotiated.resumed, false);
  // Our client no longer offers a session whose suite it does not enable (RFC 5246 §7.4.1.2): the hello is edited.
  const [c2] = connect(st, { resumeTicket: session, clientHelloHook: (h) => ({ ...h, cipherSuites: h.cipherSuites.filter((id) => id !== session.suite.id) }) });
  assert.equal(c2.negotiated.resumed, false);
  assert.deepEqual(st.outcomes, ['miss', 'miss']);
  assert.equal(connect(st, { resumeTicket: session })[0].negotiated.resumed, true);
});

test('a session without a client certificate is not resumed once the server requires one', () => {
  const st = setup();
  const pki = testPki();
  connect(st, { certificates: [pki.client.certified] });
  const [, s] = connect(st, { certificates: [pki.client.certified], resumeTicket: st.sessions[0]! }, { clientAuth: 'required' });
  assert.equal(s.negotiated.resumed, false);
  assert.ok(s.negotiated.peerCertificates.length > 0, 'the full handshake asked for the certificate');
  // That session carries the certificate: it resumes with the certificate known to the server.
  const [, s2] = connect(st, { certificates: [pki.client.certified], resumeTicket: st.sessions[1]! }, { clientAuth: 'required' });
  assert.equal(s2.negotiated.resumed, true);
  assert.deepEqual(s2.negotiated.peerCertificates, s.negotiated.peerCertificates);
});

test('RFC 7627 §5.3: a session with extended master secret offered in a hello without it: the server aborts (handshake_failure)', () => {
  const st = setup();
  connect(st);
  const [c, s] = start(st, { resumeTicket: st.sessions[0]!, clientHelloHook: dropEms });
  const err = expectTLSError(() => s.receive(c.takeOutgoing()));
  assert.equal(err.alert, 'handshake_failure');
  assert.match(err.message, /inconsistent extms/);
  assert.equal(expectTLSError(() => c.receive(s.takeOutgoing())).alert, 'handshake_failure');
});

test('RFC 7627 §5.3: a session without extended master secret is not resumed, whether the new hello has it or not', () => {
  const st = setup();
  const [c0, s0] = connect(st, { clientHelloHook: dropEms });
  assert.equal(st.sessions[0]!.ems, false);
  void c0;
  void s0;
  // Our client does not offer it (the RFC's SHOULD NOT): no session id in its hello.
  const [c1, s1] = start(st, { resumeTicket: st.sessions[0]! });
  s1.receive(c1.takeOutgoing());
  assert.deepEqual(st.outcomes, [], 'nothing offered, nothing counted');
  // A client that offers it anyway (its session altered to claim EMS), with EMS in its hello: a full handshake.
  const lying = { ...st.sessions[0]!, ems: true };
  const [c2, s2] = connect(st, { resumeTicket: lying });
  assert.equal(s2.negotiated.resumed, false);
  assert.equal(c2.negotiated.resumed, false);
  // ... and without EMS in its hello either: the server does not resume it (the RFC's SHOULD abort; we do a full handshake).
  const [c3, s3] = connect(st, { resumeTicket: lying, clientHelloHook: dropEms });
  assert.equal(s3.negotiated.resumed, false);
  assert.equal(c3.negotiated.resumed, false);
  assert.deepEqual(st.outcomes, ['miss', 'miss']);
});

test('RFC 7627 §5.3 on the client: a server resuming our EMS session without EMS in its ServerHello is refused (handshake_failure)', () => {
  const st = setup();
  connect(st);
  const [c, s] = start(st, { resumeTicket: st.sessions[0]! });
  s.receive(c.takeOutgoing());
  // The server's flight with the extended_master_secret extension removed from its ServerHello.
  const out = s.takeOutgoing();
  const first = splitRecords(out)[0]!;
  const len = first.body.readUIntBE(1, 3);
  const sh = decodeServerHello(first.body.subarray(4, 4 + len));
  assert.equal(sh.type, 'server_hello');
  assert.ok(sh.extensions.some((e) => e.type === 'extended_master_secret'));
  const altered = encodeServerHello({ ...(sh as ServerHello), extensions: (sh as ServerHello).extensions.filter((e) => e.type !== 'extended_master_secret') });
  const msg = Buffer.concat([Buffer.from([HandshakeType.server_hello, 0, 0, 0]), altered]);
  msg.writeUIntBE(altered.length, 1, 3);
  const rec = joinRecords([{ type: first.type, version: first.version, body: Buffer.concat([msg, first.body.subarray(4 + len)]) }]);
  const err = expectTLSError(() => c.receive(Buffer.concat([rec, out.subarray(5 + first.body.length)])));
  assert.equal(err.alert, 'handshake_failure');
  assert.match(err.message, /extended_master_secret/);
});

test('tickets12 off on the client (OP_NO_TICKET): no session_ticket offered, a ticketed session is offered by its session id', () => {
  const st = setup();
  const keys = new TicketKeys(provider, { now: st.clock.now });
  connect(st, {}, { ticketKeys: keys });
  const ticketed = st.sessions[0]!;
  assert.ok(ticketed.ticket.length > 0 && ticketed.sessionId.length === 32, 'a ticket and the session id the server cached it under');
  let hello: ClientHello | null = null;
  const [c, s] = connect(st, { resumeTicket: ticketed, tickets12: false, clientHelloHook: (h) => (hello = h) }, { ticketKeys: keys });
  assert.ok(!hello!.extensions.some((e) => e.type === 'session_ticket'));
  assert.deepEqual(hello!.legacySessionId, ticketed.sessionId);
  assert.equal(c.negotiated.resumed, true);
  assert.equal(s.negotiated.resumed, true);
  assert.deepEqual(st.outcomes, ['hit']);
});

test('tickets12 off on the server (OP_NO_TICKET): no ticket issued, an offered ticket is ignored and the session id resumes', () => {
  const st = setup();
  const keys = new TicketKeys(provider, { now: st.clock.now });
  connect(st, {}, { ticketKeys: keys });
  const ticketed = st.sessions[0]!;
  // The client offers the ticket with a fresh random session id: the server, not reading tickets, finds no such id.
  const [c1] = connect(st, { resumeTicket: ticketed }, { ticketKeys: keys, tickets12: false });
  assert.equal(c1.negotiated.resumed, false);
  assert.equal(st.sessions[1]!.ticket.length, 0, 'no ticket issued');
  // Its session id alone resumes.
  const [c2] = connect(st, { resumeTicket: st.sessions[1]! }, { ticketKeys: keys, tickets12: false });
  assert.equal(c2.negotiated.resumed, true);
  assert.deepEqual(st.outcomes, ['miss', 'hit']);
});

test('a non-empty ticket is tried alone: a ticket the server cannot open means a full handshake even with a cached session id', () => {
  const st = setup();
  const keys = new TicketKeys(provider, { now: st.clock.now });
  connect(st, {}, { ticketKeys: keys });
  const s0 = st.sessions[0]!;
  // A hello carrying the cached session id and a ticket under a foreign key.
  const foreign = new TicketKeys(provider, { now: st.clock.now });
  const [c] = connect(st, { resumeTicket: { ...s0, ticket: foreign.seal(Buffer.from('x')) }, clientHelloHook: (h) => ({ ...h, legacySessionId: s0.sessionId }) }, { ticketKeys: keys });
  assert.equal(c.negotiated.resumed, false);
  assert.deepEqual(st.outcomes, ['miss']);
});
