/**
 * Dropped connections die young: an SSLObject nobody keeps must not survive
 * V8's scavenges into the old generation, where only a full GC frees it and
 * where each scavenge copies it again on the way (the GC helper threads'
 * CPU was most of what a handshake cost beyond the main thread). A function
 * literal assigned to a property (`config.onTicket = (t) => …`) is allocated
 * in the old generation by V8 and kept a whole connection alive that way;
 * this measures the effect, not the pattern, so other causes are caught too.
 * Runs in a child with --expose-gc (minor and full GCs on demand).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./scavenge-retention-child.js', import.meta.url));
/** Measured: ~5-6 KB per dropped pair and ~11-13 KB per handshake when the link was captured by an old-space closure; now < 0.1 KB and ~0.7-3.5 KB. */
const MAX_PER_PAIR = 1024;
const MAX_PER_HANDSHAKE = 6 * 1024;

test('SSLObjects made and dropped, and finished in-memory handshakes, do not survive scavenges', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { create: number; handshake: number };
  assert.ok(got.create < MAX_PER_PAIR, `a dropped SSLObject pair left ${got.create.toFixed(0)} bytes in the old generation`);
  assert.ok(got.handshake < MAX_PER_HANDSHAKE, `a finished handshake left ${got.handshake.toFixed(0)} bytes in the old generation`);
});
