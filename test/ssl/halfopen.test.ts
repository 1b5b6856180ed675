/**
 * 200 half-open connections (the `npm run halfopen` bench, bench/halfopen,
 * runs 1,000): our SSLSocket server, accepting concurrently, keeps serving
 * real clients — ours and openssl s_client — while they are held; they hold
 * no more than the bytes they sent and all end when their peers leave. The
 * latencies are printed, not asserted (a loaded machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, problems, runHalfOpen } from '../../bench/halfopen/run.js';
import { havePeer } from '../helpers/peer-check.js';

const openssl = havePeer('openssl');

for (const [version, halfOpen, probes] of [
  ['1.3', 200, 8],
  ['1.2', 50, 4],
] as const) {
  test(`TLS ${version}: our server with ${halfOpen} half-open connections completes handshakes and echoes for our client${openssl ? ' and openssl s_client' : ''}`, async (t) => {
    const r = await runHalfOpen({ halfOpen, probes, version, openssl });
    for (const line of formatReport(r).split('\n')) t.diagnostic(line);
    assert.deepEqual(problems(r), []);
    assert.equal(r.loaded.ours.n, probes);
    if (openssl) assert.equal(r.loaded.openssl?.n, probes);
    // Each connection that sent half a ClientHello is held as that half record in one chunk.
    assert.ok(r.chunksHeld <= halfOpen, `${r.chunksHeld} chunks`);
  });
}
