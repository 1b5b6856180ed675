/** A client and a server Connection in memory, with the test PKI's P-256 server certificate. */
import assert from 'node:assert/strict';
import { defaultProvider } from '../../../src/crypto/index.js';
import { Connection } from '../../../src/tls/connection.js';
import type { ConnectionConfig } from '../../../src/tls/config.js';
import { pumpMemory } from '../../helpers/pump.js';
import { testPki } from '../connection-certs.js';

export function pair(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const pki = testPki();
  const c = Connection.client({ provider: defaultProvider, serverName: 'localhost', ...client });
  const s = Connection.server({ provider: defaultProvider, certificates: [pki.servers.p256.certified], ...server });
  return [c, s];
}

/** `pair`, handshaken; asserts both sides completed. */
export function connected(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const [c, s] = pair(client, server);
  pumpMemory(c, s);
  assert.ok(c.handshakeDone && s.handshakeDone);
  return [c, s];
}
