import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TLS13_SUITES } from '../../src/tls/registry/suites.js';
import { drain, pumpMemory } from '../helpers/pump.js';
import { testPki, LEAF_KINDS } from './connection-certs.js';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';

const provider = defaultProvider;

function pair(client: Partial<ConnectionConfig> = {}, server: Partial<ConnectionConfig> = {}): [Connection, Connection] {
  const pki = testPki();
  const c = Connection.client({ provider, serverName: 'localhost', ...client });
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ...server });
  return [c, s];
}

test('client and server complete a TLS 1.3 handshake in memory and exchange data', () => {
  const [c, s] = pair();
  pumpMemory(c, s);
  assert.equal(c.handshakeDone, true);
  assert.equal(s.handshakeDone, true);
  assert.equal(c.negotiated.version, 'TLSv1.3');
  assert.equal(c.negotiated.suite?.ianaName, 'TLS_AES_256_GCM_SHA384');
  assert.equal(s.negotiated.serverName, 'localhost');
  assert.deepEqual(c.negotiated.peerCertificates, testPki().servers.p256.chain);
  c.write(Buffer.from('hello server'));
  pumpMemory(c, s);
  assert.equal(drain(s).toString(), 'hello server');
  s.write(Buffer.from('hello client'));
  pumpMemory(c, s);
  assert.equal(drain(c).toString(), 'hello client');
});

for (const suite of TLS13_SUITES) {
  for (const group of ['X25519', 'P-256', 'P-384'] as KeyExchangeGroup[]) {
    for (const kind of LEAF_KINDS) {
      test(`handshake with ${suite.ianaName}, ${group}, ${kind} server key, data both ways`, () => {
        const pki = testPki();
        const [c, s] = pair({ cipherSuites: [suite], groups: [group] }, { certificates: [pki.servers[kind].certified] });
        pumpMemory(c, s);
        assert.equal(c.negotiated.suite, suite);
        assert.equal(s.negotiated.group, group);
        assert.equal(c.negotiated.group, group);
        const big = provider.randomBytes(100_000);
        c.write(big);
        pumpMemory(c, s);
        assert.ok(drain(s).equals(big));
        s.write(big);
        pumpMemory(c, s);
        assert.ok(drain(c).equals(big));
        assert.ok(c.exportKeyingMaterial('EXPORTER-test', null, 32).equals(s.exportKeyingMaterial('EXPORTER-test', null, 32)));
      });
    }
  }
}
