/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class SSLErrorTests: test_str (the
 * others are ported in context.test.ts and sslsocket.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from '../../src/ssl/index.js';

test('SSLErrorTests.test_str', () => {
  // The str() of a SSLError doesn't include the errno
  let e: ssl.SSLError = new ssl.SSLError(1, 'foo');
  assert.equal(e.message, 'foo'); // Python's str(e) is our message
  assert.equal(e.errno, 1);
  // Same for a subclass
  e = new ssl.SSLZeroReturnError(1, 'foo');
  assert.equal(e.message, 'foo'); // Python's str(e) is our message
  assert.equal(e.errno, 1);
});
