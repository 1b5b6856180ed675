/**
 * TLS 1.3 tickets and PSK resumption, engine to engine in memory: the
 * server's NewSessionTickets, the client's offer, binders, ages, rotated
 * keys, psk_ke refusal, and HelloRetryRequest with a PSK.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { PskKeyExchangeMode } from '../../src/tls/registry/extensions.js';
import { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } from '../../src/tls/registry/suites.js';
import { MAX_TICKET_LIFETIME_SECONDS, TicketKeys, type ClientTicket } from '../../src/tls/tickets.js';
import { KeySchedule } from '../../src/tls/keyschedule.js';
import { keepTicket } from '../../src/tls/post-handshake.js';
import { TLSError } from '../../src/tls/errors.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';
import { fakeClock } from './helpers/fake-clock.js';

const provider = defaultProvider;

interface Setup {
  clock: ReturnType<typeof fakeClock>;
  keys: TicketKeys;
  tickets: ClientTicket[];
  outcomes: string[];
}

function setup(rotationSeconds = 7200): Setup {
  const clock = fakeClock();
  return { clock, keys: new TicketKeys(provider, { now: clock.now, rotationSeconds }), tickets: [], outcomes: [] };
}

function connect(st: Setup, client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', clock: st.clock.now, onTicket: (t) => st.tickets.push(t as ClientTicket), ...client });
  const s = Connection.server({
    provider,
    certificates: [pki.servers.p256.certified],
    ticketKeys: st.keys,
    onResumption: (o) => st.outcomes.push(o),
    ...server,
  });
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  // The tickets follow the server's handshake; the client reads them with its next input.
  c.write(Buffer.from('ping'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'ping');
  return [c, s];
}

test('the server sends numTickets NewSessionTickets after the handshake, each with its own nonce, age_add and PSK', () => {
  const st = setup();
  connect(st);
  assert.equal(st.tickets.length, 2);
  const [a, b] = st.tickets as [ClientTicket, ClientTicket];
  assert.notDeepEqual(a.ticket, b.ticket);
  assert.notDeepEqual(a.psk, b.psk);
  assert.equal(a.lifetime, 7200);
  assert.ok(a.lifetime <= MAX_TICKET_LIFETIME_SECONDS);
  const st3 = setup();
  connect(st3, {}, { numTickets: 3 });
  assert.equal(st3.tickets.length, 3);
  const st0 = setup();
  connect(st0, {}, { numTickets: 0 });
  assert.equal(st0.tickets.length, 0);
});

test('the tickets leave in the same flush as the end of the server handshake', () => {
  const st = setup();
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', clock: st.clock.now, onTicket: (t) => st.tickets.push(t as ClientTicket) });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ticketKeys: st.keys });
  s.receive(c.takeOutgoing());
  c.receive(s.takeOutgoing());
  assert.ok(c.handshakeDone);
  s.receive(c.takeOutgoing()); // the client's Finished
  assert.ok(s.handshakeDone);
  c.receive(s.takeOutgoing()); // what the server answered with: the tickets
  assert.equal(st.tickets.length, 2);
});

test('a ticket resumes: psk_dhe_ke, no certificate messages, peer certificates carried over, both sides report resumed', () => {
  const st = setup();
  const [c1] = connect(st);
  const [c2, s2] = connect(st, { resumeTicket: st.tickets[0]! });
  assert.equal(c2.negotiated.resumed, true);
  assert.equal(s2.negotiated.resumed, true);
  assert.deepEqual(c2.negotiated.peerCertificates, c1.negotiated.peerCertificates);
  assert.deepEqual(st.outcomes, ['hit']);
  // A fresh (EC)DHE ran: psk_dhe_ke only.
  assert.notEqual(c2.negotiated.group, null);
  // The resumed connection gets tickets of its own.
  assert.equal(st.tickets.length, 4);
  s2.write(Buffer.from('pong'));
  pumpMemory(c2, s2);
  assert.equal(drain(c2).toString(), 'pong');
});

test('a resumed handshake carries the client certificate the first one verified', () => {
  const st = setup();
  const pki = testPki();
  const [, s1] = connect(st, { certificates: [pki.client.certified] }, { clientAuth: 'required' });
  const [, s2] = connect(st, { certificates: [pki.client.certified], resumeTicket: st.tickets[0]! }, { clientAuth: 'required' });
  assert.equal(s2.negotiated.resumed, true);
  assert.deepEqual(s2.negotiated.peerCertificates, s1.negotiated.peerCertificates);
});

test('a ticket resumes with another suite of the same hash, not with one of another hash', () => {
  const st = setup();
  connect(st, {}, { cipherSuites: [TLS_AES_128_GCM_SHA256] });
  const [, s2] = connect(st, { resumeTicket: st.tickets[0]! }, { cipherSuites: [TLS_CHACHA20_POLY1305_SHA256] });
  assert.equal(s2.negotiated.resumed, true);
  const [, s3] = connect(st, { resumeTicket: st.tickets[0]! }, { cipherSuites: [TLS_AES_256_GCM_SHA384] });
  assert.equal(s3.negotiated.resumed, false);
});

test('ticket keys rotate: one rotation still opens the ticket, two fall back to a full handshake', () => {
  const st = setup();
  connect(st);
  const ticket = st.tickets[0]!;
  st.keys.rotate();
  const [, s2] = connect(st, { resumeTicket: ticket });
  assert.equal(s2.negotiated.resumed, true);
  st.keys.rotate();
  const [c3, s3] = connect(st, { resumeTicket: ticket });
  assert.equal(s3.negotiated.resumed, false);
  assert.equal(c3.negotiated.resumed, false);
  assert.deepEqual(st.outcomes, ['hit', 'miss']);
});

test('keys rotate on their schedule: a ticket two periods old is not opened', () => {
  const st = setup(60);
  connect(st);
  const ticket = st.tickets[0]!;
  assert.equal(ticket.lifetime, 60, 'the lifetime never outlives the key');
  st.clock.advance(59_000);
  assert.equal(connect(st, { resumeTicket: st.tickets[0]! })[1].negotiated.resumed, true);
  st.clock.advance(121_000);
  assert.equal(connect(st, { resumeTicket: ticket })[1].negotiated.resumed, false);
});

test('a ticket from another server (unknown key) means a full handshake', () => {
  const st = setup();
  connect(st);
  const other = setup();
  other.tickets.push(...st.tickets);
  const [, s] = connect(other, { resumeTicket: st.tickets[0]! });
  assert.equal(s.negotiated.resumed, false);
  assert.deepEqual(other.outcomes, ['miss']);
});

test('an expired ticket is not offered by the client, and refused by the server (timeout)', () => {
  const st = setup();
  connect(st);
  const ticket = st.tickets[0]!;
  st.clock.advance(7201_000);
  const sent: boolean[] = [];
  const [, s] = connect(st, { resumeTicket: ticket, clientHelloHook: (h) => (sent.push(h.extensions.some((e) => e.type === 'pre_shared_key')), h) });
  assert.deepEqual(sent, [false]);
  assert.equal(s.negotiated.resumed, false);
  // A client whose clock lags still offers it: the server refuses it by its own clock.
  const lagging = setup();
  connect(lagging);
  lagging.clock.advance(7201_000);
  const [, s2] = connect(lagging, { resumeTicket: lagging.tickets[0]!, clock: () => lagging.tickets[0]!.receivedAt });
  assert.equal(s2.negotiated.resumed, false);
  assert.deepEqual(lagging.outcomes, ['timeout']);
});

test('an obfuscated age far from the server\'s view still resumes: it only gates early data (RFC 9846 §4.3.10, §8.3), as in OpenSSL', () => {
  const st = setup();
  connect(st);
  const t = st.tickets[0]!;
  const [, s] = connect(st, { resumeTicket: { ...t, ageAdd: (t.ageAdd + 60_000) >>> 0 } });
  assert.equal(s.negotiated.resumed, true);
  assert.deepEqual(st.outcomes, ['hit']);
});

test('a ClientHello the server reads a minute after it was written still resumes (a loaded server; found by the soak)', () => {
  const st = setup();
  connect(st);
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', clock: st.clock.now, resumeTicket: st.tickets[0]! });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ticketKeys: st.keys, onResumption: (o) => st.outcomes.push(o) });
  const hello = c.takeOutgoing();
  st.clock.advance(60_000);
  s.receive(hello);
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  assert.equal(s.negotiated.resumed, true);
  assert.equal(c.negotiated.resumed, true);
  assert.deepEqual(st.outcomes, ['hit']);
});

test('a client offering psk_ke only gets a full handshake (psk_ke is refused)', () => {
  const st = setup();
  connect(st);
  const [c, s] = connect(st, {
    resumeTicket: st.tickets[0]!,
    clientHelloHook: (h) => ({
      ...h,
      extensions: h.extensions.map((e) => (e.type === 'psk_key_exchange_modes' ? { ...e, modes: [PskKeyExchangeMode.psk_ke] } : e)),
    }),
  });
  assert.equal(s.negotiated.resumed, false);
  assert.equal(c.negotiated.resumed, false);
});

test('a wrong binder is fatal: decrypt_error', () => {
  const st = setup();
  connect(st);
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', clock: st.clock.now, resumeTicket: st.tickets[0]! });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ticketKeys: st.keys });
  const hello = c.takeOutgoing();
  assert.equal(hello[0], ContentType.handshake);
  assert.equal(hello[5], HandshakeType.client_hello);
  hello[hello.length - 1]! ^= 1; // the last byte of the ClientHello is the binder's
  const err = expectTLSError(() => s.receive(hello));
  assert.equal(err.alert, 'decrypt_error');
});

test('HelloRetryRequest with a PSK: the second ClientHello binds the retry and resumes', () => {
  const st = setup();
  connect(st);
  const [c, s] = connect(st, { resumeTicket: st.tickets[0]!, groups: ['X25519', 'P-384'] }, { groups: ['P-384'] });
  assert.equal(c.negotiated.helloRetry, true);
  assert.equal(s.negotiated.resumed, true);
  assert.equal(c.negotiated.resumed, true);
});

test('a server accepting a PSK we did not offer is illegal_parameter', () => {
  const st = setup();
  connect(st);
  // Same ticket keys, but the client forgets it offered: drop the pre_shared_key from what the
  // server sees only after the binder was made is not possible, so offer to one client and answer another.
  const pki = testPki();
  const offering = Connection.client({ provider, serverName: 'localhost', clock: st.clock.now, resumeTicket: st.tickets[0]! });
  const plain = Connection.client({ provider, serverName: 'localhost', clock: st.clock.now, groups: ['X25519'] });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ticketKeys: st.keys });
  s.receive(offering.takeOutgoing());
  plain.takeOutgoing();
  const err = expectTLSError(() => plain.receive(s.takeOutgoing()));
  assert.ok(['illegal_parameter', 'unsupported_extension'].includes(err.alert), err.alert);
});

test('a NewSessionTicket lifetime over 7 days is illegal_parameter; lifetime 0 is discarded', () => {
  const st = setup();
  const [c] = connect(st);
  const schedule = KeySchedule.forSuite(provider, c.negotiated.suite!);
  const secrets = { clientApplication: Buffer.alloc(48), serverApplication: Buffer.alloc(48), exporterMaster: Buffer.alloc(48), resumptionMaster: Buffer.alloc(48, 7), clientFinished: Buffer.alloc(48) };
  const nst = (lifetime: number) => ({ type: 'new_session_ticket' as const, version: 'TLSv1.3' as const, lifetime, ageAdd: 1, nonce: Buffer.from([1]), ticket: Buffer.from([2]), extensions: [] });
  assert.throws(() => keepTicket(c, schedule, secrets, nst(MAX_TICKET_LIFETIME_SECONDS + 1)), (e: unknown) => e instanceof TLSError && e.alert === 'illegal_parameter');
  assert.equal(keepTicket(c, schedule, secrets, nst(0)), null);
  const kept = keepTicket(c, schedule, secrets, nst(MAX_TICKET_LIFETIME_SECONDS))!;
  assert.deepEqual(kept.psk, schedule.resumptionPsk(secrets.resumptionMaster, Buffer.from([1])));
  // The server never advertises more than 7 days, whatever it is configured with.
  const long = setup(30 * 86400);
  connect(long, {}, { ticketLifetime: 30 * 86400 });
  assert.equal(long.tickets[0]!.lifetime, MAX_TICKET_LIFETIME_SECONDS);
});
