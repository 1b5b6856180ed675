/**
 * The scale bench's two-process harness (bench/scale.ts) works end to end
 * with a few connections: the server process and the client process each
 * hold every connection, and the figures come back. The figures themselves
 * are measured by `npm run bench -- scale`, never asserted here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { measureScale, writeScaleCerts } from '../../bench/scale.js';
import { certs } from '../../bench/tls-socket.js';

const N = 40;

test('scale harness: sslsock and node:tls ends in separate processes each hold the connections', { timeout: 120_000 }, async (t) => {
  const c = certs();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-scale-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeScaleCerts(dir, c);
  for (const kind of ['ours', 'tls'] as const) {
    // measureScale throws unless both processes report WARMUP + N held connections.
    const r = await measureScale(kind, dir, N);
    assert.equal(r.conns, N);
    assert.ok(r.serverRssMB > 0 && r.clientRssMB > 0, `${kind}: RSS reported`);
    assert.ok(r.cpuMsPerConn > 0, `${kind}: CPU per connection reported`);
    assert.ok(Number.isFinite(r.bothKB), `${kind}: per-connection figure`);
  }
});

test('scale harness: a client that cannot verify the server fails the sample instead of hanging', { timeout: 60_000 }, async (t) => {
  const c = certs();
  const other = certs();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-scale-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeScaleCerts(dir, c, other);
  await assert.rejects(measureScale('ours', dir, N), /scale child failed: .*CERTIFICATE_VERIFY_FAILED/s);
});
