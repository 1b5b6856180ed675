/** Transcript-Hash (RFC 8446 §4.4.1) as the handshake reads it, including the digest kept between messages. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { defaultProvider } from '../../src/crypto/index.js';
import { Transcript } from '../../src/tls/transcript.js';

const sha384 = (...parts: Buffer[]): Buffer => createHash('sha384').update(Buffer.concat(parts)).digest();
const msg = (type: number, body: string): Buffer => Buffer.concat([Buffer.from([type, 0, 0, body.length]), Buffer.from(body)]);

test('transcript: each digest covers every message added so far, asked once or twice', () => {
  const t = new Transcript(defaultProvider);
  const [ch, sh, ee, fin] = [msg(1, 'client hello'), msg(2, 'server hello'), msg(8, 'extensions'), msg(20, 'finished')];
  t.add(ch);
  t.start('SHA-384');
  t.add(sh);
  assert.deepEqual(t.digest(), sha384(ch, sh));
  assert.deepEqual(t.digest(), sha384(ch, sh));
  t.add(ee);
  assert.deepEqual(t.digest(), sha384(ch, sh, ee));
  const fork = t.fork();
  t.add(fin);
  assert.deepEqual(t.digest(), sha384(ch, sh, ee, fin));
  assert.deepEqual(t.digest(), sha384(ch, sh, ee, fin));
  assert.deepEqual(fork.digest(), sha384(ch, sh, ee), 'a fork keeps its own state');
  fork.add(fin);
  assert.deepEqual(fork.digest(), sha384(ch, sh, ee, fin));
});

test('transcript: replacing ClientHello1 by message_hash gives a new digest even right after one was read', () => {
  const t = new Transcript(defaultProvider);
  const ch1 = msg(1, 'first client hello');
  t.add(ch1);
  t.start('SHA-384');
  assert.deepEqual(t.digest(), sha384(ch1));
  t.replaceWithMessageHash('SHA-384');
  const inner = sha384(ch1);
  assert.deepEqual(t.digest(), sha384(Buffer.from([254, 0, 0, inner.length]), inner));
});
