/** CPython test_ssl MemoryBIOTests, ported. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from '../../src/ssl/index.js';

test('test_read_write: FIFO, partial reads, empty read', () => {
  const bio = new ssl.MemoryBIO();
  bio.write(Buffer.from('foo'));
  assert.deepEqual(bio.read(), Buffer.from('foo'));
  assert.deepEqual(bio.read(), Buffer.alloc(0));
  bio.write(Buffer.from('foo'));
  bio.write(Buffer.from('bar'));
  assert.deepEqual(bio.read(), Buffer.from('foobar'));
  assert.deepEqual(bio.read(), Buffer.alloc(0));
  bio.write(Buffer.from('baz'));
  assert.deepEqual(bio.read(2), Buffer.from('ba'));
  assert.deepEqual(bio.read(1), Buffer.from('z'));
  assert.deepEqual(bio.read(1), Buffer.alloc(0));
});

test('test_eof: eof only after write_eof() and the buffer is drained', () => {
  const bio = new ssl.MemoryBIO();
  assert.equal(bio.eof, false);
  assert.deepEqual(bio.read(), Buffer.alloc(0));
  assert.equal(bio.eof, false);
  bio.write(Buffer.from('foo'));
  assert.equal(bio.eof, false);
  bio.writeEof();
  assert.equal(bio.eof, false);
  assert.deepEqual(bio.read(2), Buffer.from('fo'));
  assert.equal(bio.eof, false);
  assert.deepEqual(bio.read(1), Buffer.from('o'));
  assert.equal(bio.eof, true);
  assert.deepEqual(bio.read(), Buffer.alloc(0));
  assert.equal(bio.eof, true);
});

test('test_pending: pending counts buffered bytes', () => {
  const bio = new ssl.MemoryBIO();
  assert.equal(bio.pending, 0);
  bio.write(Buffer.from('foo'));
  assert.equal(bio.pending, 3);
  for (let i = 0; i < 3; i++) {
    bio.read(1);
    assert.equal(bio.pending, 3 - i - 1);
  }
  for (let i = 0; i < 3; i++) {
    bio.write(Buffer.from('x'));
    assert.equal(bio.pending, i + 1);
  }
  bio.read();
  assert.equal(bio.pending, 0);
});

test('test_buffer_types: bytes, Uint8Array, ArrayBuffer and DataView are accepted', () => {
  const bio = new ssl.MemoryBIO();
  bio.write(Buffer.from('foo'));
  assert.deepEqual(bio.read(), Buffer.from('foo'));
  bio.write(new Uint8Array(Buffer.from('foo')));
  assert.deepEqual(bio.read(), Buffer.from('foo'));
  bio.write(new Uint8Array(Buffer.from('xfoox')).subarray(1, 4));
  assert.deepEqual(bio.read(), Buffer.from('foo'));
  bio.write(new DataView(new Uint8Array(Buffer.from('foo')).buffer));
  assert.deepEqual(bio.read(), Buffer.from('foo'));
  // The BIO copies: reusing the caller's buffer does not change queued data.
  const src = Buffer.from('abc');
  bio.write(src);
  src.fill(0);
  assert.deepEqual(bio.read(), Buffer.from('abc'));
});

test('test_error_types: str, None, bool and int are TypeErrors; write after write_eof is SSLError', () => {
  const bio = new ssl.MemoryBIO();
  for (const [v, name] of [
    ['foo', 'str'],
    [null, 'NoneType'],
    [true, 'bool'],
    [1, 'int'],
  ] as const) {
    assert.throws(() => bio.write(v as unknown as Uint8Array), { name: 'TypeError', message: `a bytes-like object is required, not '${name}'` });
  }
  bio.writeEof();
  assert.throws(() => bio.write(Buffer.from('x')), (e: ssl.SSLError) => e instanceof ssl.SSLError && e.message === "('cannot write() after write_eof()',)");
});

test('FIFO under any mix of small, large, owned and copied writes and partial reads; earlier reads never change', () => {
  const rng = (() => {
    let x = 0x2545f491;
    return (n: number): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
  })();
  const bio = new ssl.MemoryBIO();
  const sent: number[] = [];
  const got: { view: Buffer; copy: Buffer }[] = [];
  let next = 0;
  for (let step = 0; step < 5000; step++) {
    if (rng(3) > 0) {
      const n = [1, 2, 5, 300, 512, 513, 2000][rng(7)]!;
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = (next + i) & 0xff;
      next += n;
      for (const v of b) sent.push(v);
      if (rng(2) === 0) {
        bio.write(b);
        b.fill(0xee); // write() copied: the caller may reuse its buffer at once
      } else {
        bio._writeOwned(b);
      }
    } else {
      const r = bio.read(rng(4) === 0 ? -1 : 1 + rng(700));
      got.push({ view: r, copy: Buffer.from(r) });
    }
    assert.equal(bio.pending, sent.length - got.reduce((a, g) => a + g.view.length, 0));
  }
  const last = bio.read();
  got.push({ view: last, copy: Buffer.from(last) });
  assert.equal(bio.pending, 0);
  for (const g of got) assert.deepEqual(g.view, g.copy, 'a buffer returned by read() changed later');
  assert.deepEqual(Buffer.concat(got.map((g) => g.view)), Buffer.from(sent));
});

test('reused storage: what read() returned never changes when later writes reuse the BIO memory', () => {
  const bio = new ssl.MemoryBIO();
  const reads: { got: Buffer; copy: Buffer }[] = [];
  // Large writes land in the buffer the BIO reuses; small, huge and partial reads of them must stay as read.
  for (const [i, n] of [20000, 70000, 5, 300000, 16400, 16400, 4096].entries()) {
    bio.write(Buffer.alloc(n, i + 1));
    const half = bio.read(Math.ceil(n / 2));
    reads.push({ got: half, copy: Buffer.from(half) });
    const rest = bio.read();
    reads.push({ got: rest, copy: Buffer.from(rest) });
    assert.equal(half.length + rest.length, n);
    assert.ok(rest.every((b) => b === i + 1));
  }
  for (const r of reads) assert.deepEqual(r.got, r.copy);
});

test('reused storage: pieces written one after another read back in order, across reads in between', () => {
  const bio = new ssl.MemoryBIO();
  const src = Buffer.from(Array.from({ length: 60000 }, (_, i) => i & 0xff));
  let expect = 0;
  for (let at = 0; at < src.length; ) {
    const n = Math.min(4100 + (at % 7000), src.length - at);
    bio.write(src.subarray(at, at + n));
    at += n;
    if (at % 3 === 0) continue;
    const out = bio.read(5000);
    assert.deepEqual(out, src.subarray(expect, expect + out.length));
    expect += out.length;
  }
  assert.deepEqual(bio.read(), src.subarray(expect));
});
