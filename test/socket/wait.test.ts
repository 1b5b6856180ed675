/**
 * The waiting primitives under every blocking call (src/socket/wait.ts):
 * Condition.waitFor is a whole "while (!ready) wait" loop in one promise —
 * it must not resolve on a notify that leaves its predicate false, must
 * honour its deadline, and must leave nothing registered once it settles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Condition, deadlineAfter } from '../../src/socket/wait.js';

test('waitFor resolves true at once when its predicate already holds, registering nothing', async () => {
  const c = new Condition();
  const p = c.waitFor(() => true, null);
  assert.equal(c.waiting, 0);
  assert.equal(await p, true);
});

test('waitFor sleeps through notifies that leave its predicate false, and wakes on the one that makes it true', async () => {
  const c = new Condition();
  let ready = false;
  let settled = false;
  const p = c.waitFor(() => ready, null).then((v) => ((settled = true), v));
  for (let i = 0; i < 3; i++) {
    c.notifyAll();
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, `resolved on spurious notify ${i}`);
    assert.equal(c.waiting, 1);
  }
  ready = true;
  c.notifyAll();
  assert.equal(await p, true);
  assert.equal(c.waiting, 0);
});

test('waitFor resolves false at its deadline when the predicate never holds, and unregisters', async () => {
  const c = new Condition();
  const t0 = performance.now();
  const p = c.waitFor(() => false, deadlineAfter(0.05));
  c.notifyAll();
  assert.equal(await p, false);
  assert.ok(performance.now() - t0 >= 45, 'returned before its deadline');
  assert.equal(c.waiting, 0);
});

test('waitFor with a deadline already passed resolves false without registering', async () => {
  const c = new Condition();
  const p = c.waitFor(() => false, performance.now() - 1);
  assert.equal(c.waiting, 0);
  assert.equal(await p, false);
});

test('a wait without deadline arms no timer (nothing keeps the process alive but the waiter)', async () => {
  const c = new Condition();
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const p = c.waitFor(() => false, null);
  const q = c.wait(null);
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before);
  c.notifyAll();
  assert.equal(await q, true);
  assert.equal(c.waiting, 1);
  void p;
});

test('notifyAll wakes every waiter registered at the time, one or many, and not a waiter a wake-up registers', async () => {
  const c = new Condition();
  const woken: string[] = [];
  let again: Promise<boolean> | null = null;
  const first = c.wait(null).then((v) => {
    woken.push('first');
    return v;
  });
  assert.equal(c.waiting, 1);
  c.notifyAll();
  assert.equal(await first, true);
  assert.equal(c.waiting, 0);
  // Three at once; one of them, when woken, waits again at once (synchronously, inside notifyAll).
  const sub = c.subscribe(() => {
    woken.push('subscriber');
    again ??= c.wait(null);
  });
  const a = c.waitFor(() => true, null);
  const b = c.wait(null).then(() => woken.push('b'));
  const d = c.wait(null).then(() => woken.push('d'));
  assert.equal(c.waiting, 3);
  c.notifyAll();
  await Promise.all([a, b, d]);
  assert.deepEqual(woken, ['first', 'subscriber', 'b', 'd']);
  assert.equal(c.waiting, 2, 'the subscriber and the wait it registered');
  sub();
  assert.equal(c.waiting, 1);
  c.notifyAll();
  assert.equal(await again, true);
  assert.equal(c.waiting, 0);
});
