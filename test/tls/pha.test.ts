/**
 * Post-handshake client authentication (RFC 8446 §4.6.2), engine to engine
 * in memory: the deferred CertificateRequest, the client's answer on its next
 * input, empty answers under optional and required policies, a KeyUpdate
 * in between, and clients that did not offer it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { drain, expectTLSError, pumpMemory } from '../helpers/pump.js';
import { testPki } from './connection-certs.js';

const provider = defaultProvider;

function connected(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', postHandshakeAuth: true, ...client });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], clientAuth: 'required', postHandshakeAuth: true, ...server });
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  return [c, s];
}

test('with post-handshake auth on, the server asks for the certificate after the handshake, and gets it', () => {
  const pki = testPki();
  const [c, s] = connected({ certificates: [pki.client.certified] });
  assert.deepEqual(s.negotiated.peerCertificates, [], 'no CertificateRequest during the handshake');
  assert.equal(s.negotiated.postHandshakeAuthOffered, true);
  s.requestClientAuth();
  assert.equal(s.clientAuthPending, true);
  assert.throws(() => s.requestClientAuth(), /already outstanding/);
  pumpMemory(c, s);
  assert.equal(s.clientAuthPending, false);
  assert.deepEqual(s.negotiated.peerCertificates, pki.client.chain);
  // Twice on one connection, each with its own context and transcript.
  s.requestClientAuth();
  pumpMemory(c, s);
  assert.equal(s.clientAuthPending, false);
  c.write(Buffer.from('after'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'after');
});

test('application data in flight around the request is delivered; a KeyUpdate in between does not break the Finished', () => {
  const pki = testPki();
  const [c, s] = connected({ certificates: [pki.client.certified] });
  s.requestClientAuth();
  c.write(Buffer.from('crossing'));
  c.keyUpdate(true);
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'crossing');
  assert.deepEqual(s.negotiated.peerCertificates, pki.client.chain);
});

test('required: an empty Certificate is certificate_required', () => {
  const [c, s] = connected();
  s.requestClientAuth();
  c.receive(s.takeOutgoing());
  const err = expectTLSError(() => s.receive(c.takeOutgoing()));
  assert.equal(err.alert, 'certificate_required');
  assert.equal(expectTLSError(() => c.receive(s.takeOutgoing())).alert, 'certificate_required');
});

test('optional: an empty Certificate leaves the connection unauthenticated and working', () => {
  const [c, s] = connected({}, { clientAuth: 'optional' });
  s.requestClientAuth();
  pumpMemory(c, s);
  assert.equal(s.clientAuthPending, false);
  assert.deepEqual(s.negotiated.peerCertificates, []);
});

test('a client that did not offer post_handshake_auth treats a CertificateRequest as unexpected_message', () => {
  // A server refuses locally when the extension is absent; this one sees it, added behind the client's back.
  const [c, s] = connected({ postHandshakeAuth: false, clientHelloHook: (h) => ({ ...h, extensions: [...h.extensions, { type: 'post_handshake_auth' }] }) });
  assert.equal(s.negotiated.postHandshakeAuthOffered, true);
  s.requestClientAuth();
  assert.equal(expectTLSError(() => c.receive(s.takeOutgoing())).alert, 'unexpected_message');
});

test('the handshake transcript outlives the handshake only where post-handshake auth may continue it', () => {
  const transcriptOf = (conn: Connection): unknown => (conn as unknown as { post: { transcript: unknown } }).post.transcript;
  const [c0, s0] = connected({ postHandshakeAuth: false });
  assert.equal(transcriptOf(c0), null);
  assert.equal(transcriptOf(s0), null);
  const [c1, s1] = connected({ postHandshakeAuth: true });
  assert.notEqual(transcriptOf(c1), null);
  assert.notEqual(transcriptOf(s1), null);
});
