/**
 * The soak (bench/soak/, `npm run soak` runs 1,000) at 100 connections, all
 * at once: our SSLSocket server, our clients and node:tls clients, TLS 1.3
 * and 1.2, client certificates, resumption, close_notify / ragged / strict
 * ragged / unwrap-to-plaintext / aborted endings, every byte checked by SHA-256 at
 * both ends; once with the clients in this process, once in a child
 * process of their own. No speed is asserted; the deadline is generous for
 * a loaded 2-core machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMBOS } from '../../bench/soak/plan.js';
import { passed, runSoak } from '../../bench/soak/run.js';

const CONNECTIONS = 100;

for (const clientsProcess of [false, true]) {
  const where = clientsProcess ? 'clients in a process of their own' : 'clients in the server\'s process';
  test(`soak: ${CONNECTIONS} concurrent connections, ${where}: every byte verified, no error, handles back to the start`, { timeout: 280_000 }, async () => {
    assert.ok(CONNECTIONS >= COMBOS.length, 'every combination of client, version, certificate/resumption and ending runs');
    const r = await runSoak({ connections: CONNECTIONS, deadlineSeconds: 240, clientsProcess });
    const context = `seed ${r.seed}`;
    assert.deepEqual(r.errors, [], context);
    assert.equal(r.deadlineExceeded, false, context);
    assert.equal(r.completed, CONNECTIONS + r.primers, context);
    assert.equal(r.handshakes, CONNECTIONS + r.primers, context);
    assert.ok(r.bytesVerified > 0, context);
    assert.equal(r.bytesVerified, r.bytesPlanned, context);
    assert.deepEqual(r.handlesAfter, r.handlesBefore, context);
    assert.equal(r.handlesBack, true, context);
    for (const kind of ['ours', 'node', 'TLS 1.3', 'TLS 1.2', 'plain', 'client-cert', 'resume', 'resume-cert', 'close-notify', 'ragged', 'ragged-strict', 'unwrap', 'abort', 'server-ragged', 'server-ragged-strict', 'client KeyUpdate', 'server KeyUpdate']) {
      assert.ok((r.mix[kind] ?? 0) > 0, `${kind} in the mix`);
    }
    assert.ok(passed(r));
  });
}
