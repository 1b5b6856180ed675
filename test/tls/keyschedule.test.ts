/** TLS 1.3 key schedule: exporter against OpenSSL, KeyUpdate, HKDF label limits, stage discipline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { TLSError } from '../../src/tls/errors.js';
import { EarlySecret, HandshakeSecret, KeySchedule, MasterSecret, hkdfExpandLabel, trafficKeys } from '../../src/tls/keyschedule.js';
import { ALL_SUITES, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } from '../../src/tls/registry/suites.js';
import { havePeer } from '../helpers/peer-check.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('TLS-Exporter reproduces keying material recorded from OpenSSL 3.0 (s_client -keymatexport, TLS_AES_256_GCM_SHA384)', () => {
  // EXPORTER_SECRET from the same connection's -keylogfile.
  const ks = KeySchedule.forSuite(provider, TLS_AES_256_GCM_SHA384);
  const exporterSecret = h('df63250d44d782078d4c51fe08f2808247778ec0f121a7106161cee3d57bdc7db46f879b5fb0205484857b2e414c40df');
  const out = ks.exportKeyingMaterial(exporterSecret, 'EXPERIMENTAL-sslsock', null, 40);
  assert.equal(out.toString('hex'), 'f101d78c846941b4d5f4bd8eb4b9220407953de62a34e0a350327a008615e47aff738678fbf576c3');
  // RFC 8446 §7.5: in TLS 1.3 "no context" and an empty context are the same.
  assert.deepEqual(ks.exportKeyingMaterial(exporterSecret, 'EXPERIMENTAL-sslsock', Buffer.alloc(0), 40), out);
  assert.notDeepEqual(ks.exportKeyingMaterial(exporterSecret, 'EXPERIMENTAL-sslsock', Buffer.from([0]), 40), out);
  assert.notDeepEqual(ks.exportKeyingMaterial(exporterSecret, 'EXPERIMENTAL-sslsocK', null, 40), out);
});

function opensslAvailable(): boolean {
  return havePeer('openssl');
}

test('TLS-Exporter matches a live OpenSSL connection for each TLS 1.3 suite', { skip: opensslAvailable() ? false : 'openssl not installed', timeout: 30000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-ks-'));
  try {
    const key = join(dir, 'k.pem');
    const cert = join(dir, 'c.pem');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-days', '1'], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    for (const suite of [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256]) {
      const server = spawn('openssl', ['s_server', '-accept', '0', '-naccept', '1', '-cert', cert, '-key', key, '-tls1_3', '-ciphersuites', suite.ianaName], { stdio: ['pipe', 'pipe', 'pipe'] });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          server.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /ACCEPT .*:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          server.on('exit', () => reject(new Error(`s_server exited: ${out}`)));
        });
        const keylog = join(dir, `${suite.id}.keylog`);
        const client = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-ciphersuites', suite.ianaName, '-keylogfile', keylog, '-keymatexport', 'EXPERIMENTAL-live', '-keymatexportlen', '48'], { input: '', encoding: 'utf8', timeout: 10000 });
        const material = /Keying material: ([0-9A-F]+)/.exec(client.stdout);
        assert.ok(material, `no keying material in s_client output: ${client.stdout.slice(0, 400)}`);
        const line = readFileSync(keylog, 'utf8').split('\n').find((l) => l.startsWith('EXPORTER_SECRET '));
        assert.ok(line, 'no EXPORTER_SECRET in the key log');
        const ks = KeySchedule.forSuite(provider, suite);
        assert.equal(ks.exportKeyingMaterial(h(line.split(' ')[2]!), 'EXPERIMENTAL-live', null, 48).toString('hex'), material[1]!.toLowerCase(), suite.ianaName);
      } finally {
        server.kill();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('KeyUpdate: the next traffic secret is HKDF-Expand-Label(secret, "traffic upd", "", Hash.length), and keys change with it', () => {
  const ks = KeySchedule.forSuite(provider, TLS_AES_256_GCM_SHA384);
  const s0 = Buffer.alloc(48, 7);
  const s1 = ks.nextApplicationTrafficSecret(s0);
  assert.equal(s1.length, 48);
  assert.deepEqual(s1, hkdfExpandLabel(provider, 'SHA-384', s0, 'traffic upd', Buffer.alloc(0), 48));
  const s2 = ks.nextApplicationTrafficSecret(s1);
  assert.notDeepEqual(s2, s1);
  const k0 = ks.trafficKeys(s0);
  const k1 = ks.trafficKeys(s1);
  assert.equal(k1.key.length, 32);
  assert.equal(k1.iv.length, 12);
  assert.notDeepEqual(k1.key, k0.key);
});

test('hkdfExpandLabel refuses labels over 249 bytes, contexts over 255 bytes and lengths over 65535', () => {
  const secret = Buffer.alloc(32);
  assert.equal(hkdfExpandLabel(provider, 'SHA-256', secret, 'x'.repeat(249), Buffer.alloc(255), 16).length, 16);
  assert.throws(() => hkdfExpandLabel(provider, 'SHA-256', secret, 'x'.repeat(250), Buffer.alloc(0), 16), TLSError);
  assert.throws(() => hkdfExpandLabel(provider, 'SHA-256', secret, 'x', Buffer.alloc(256), 16), TLSError);
  assert.throws(() => hkdfExpandLabel(provider, 'SHA-256', secret, 'x', Buffer.alloc(0), 65536), TLSError);
});

test('stages are reachable only in order: no stage can be constructed directly, and TLS 1.2 suites are refused', () => {
  const ks = KeySchedule.forSuite(provider, TLS_AES_128_GCM_SHA256);
  assert.throws(() => new EarlySecret(Symbol('x') as never, ks, Buffer.alloc(32)), TLSError);
  assert.throws(() => new HandshakeSecret(Symbol('x') as never, ks, Buffer.alloc(32)), TLSError);
  assert.throws(() => new MasterSecret(Symbol('x') as never, ks, Buffer.alloc(32)), TLSError);
  assert.throws(() => KeySchedule.forSuite(provider, ALL_SUITES.find((s) => s.version === 'TLSv1.2')!), TLSError);
});

test('a SHA-384 suite yields 48-byte secrets; psk_ke (no shared secret) and a PSK change the handshake secret', () => {
  const ks = KeySchedule.forSuite(provider, TLS_AES_256_GCM_SHA384);
  const plain = ks.early(null);
  assert.equal(plain.secret.length, 48);
  const withPsk = ks.early(Buffer.alloc(48, 1));
  assert.notDeepEqual(withPsk.secret, plain.secret);
  const a = withPsk.handshake(null).secret;
  const b = withPsk.handshake(Buffer.alloc(32, 9)).secret;
  assert.equal(a.length, 48);
  assert.notDeepEqual(a, b);
  const t = withPsk.handshake(null).trafficSecrets(provider.hash('SHA-384', Buffer.from('x')));
  assert.equal(t.client.length, 48);
  assert.notDeepEqual(t.client, t.server);
  assert.equal(ks.trafficKeys(t.client).key.length, 32);
});

test('the standalone trafficKeys() equals the schedule\'s and refuses TLS 1.2 suites', () => {
  const secret = Buffer.alloc(32, 3);
  assert.deepEqual(trafficKeys(provider, TLS_CHACHA20_POLY1305_SHA256, secret), KeySchedule.forSuite(provider, TLS_CHACHA20_POLY1305_SHA256).trafficKeys(secret));
  assert.equal(trafficKeys(provider, TLS_CHACHA20_POLY1305_SHA256, secret).key.length, 32);
  assert.throws(() => trafficKeys(provider, ALL_SUITES.find((s) => s.version === 'TLSv1.2')!, secret), TLSError);
});
