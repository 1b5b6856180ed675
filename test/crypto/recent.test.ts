/** RecentMap (src/crypto/recent.ts): the bounded least-recently-used map behind the key, certificate and chain caches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentMap } from '../../src/crypto/recent.js';

test('a full RecentMap drops the entry used least recently, counting hits as uses', () => {
  const m = new RecentMap<number>(3);
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  assert.equal(m.get('a'), 1); // a is now newer than b and c
  m.set('d', 4);
  assert.equal(m.size, 3);
  assert.equal(m.get('b'), undefined, 'b, the least recently used, is dropped');
  assert.deepEqual([m.get('a'), m.get('c'), m.get('d')], [1, 3, 4]);
  // Now d was used last before c... order of use: a, c, d; e drops a.
  m.set('e', 5);
  assert.equal(m.get('a'), undefined);
  assert.deepEqual([m.get('c'), m.get('d'), m.get('e')], [3, 4, 5]);
});

test('setting a key already there replaces its value, counts as a use and drops nothing', () => {
  const m = new RecentMap<string>(2);
  m.set('x', 'old');
  m.set('y', 'y');
  m.set('x', 'new');
  assert.equal(m.size, 2);
  m.set('z', 'z'); // y is the least recent now
  assert.equal(m.get('y'), undefined);
  assert.equal(m.get('x'), 'new');
  assert.equal(m.get('z'), 'z');
});

test('a miss is not a use and stores nothing', () => {
  const m = new RecentMap<number>(1);
  assert.equal(m.get('nope'), undefined);
  assert.equal(m.size, 0);
  m.set('k', 1);
  m.set('l', 2);
  assert.equal(m.size, 1);
  assert.equal(m.get('k'), undefined);
  assert.equal(m.get('l'), 2);
});
