import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reader, Writer, encode } from '../../src/tls/codec.js';
import { TLSError } from '../../src/tls/errors.js';

function throwsAlert(fn: () => unknown, alert: string, reason?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TLSError, `expected TLSError, got ${String(e)}`);
    assert.equal(e.alert, alert);
    if (reason) assert.match(e.reason, reason);
    return true;
  });
}

describe('Reader', () => {
  it('reads big-endian integers of 1, 2, 3 and 4 bytes', () => {
    const r = new Reader(Buffer.from('01020304050607080900', 'hex'));
    assert.equal(r.u8(), 0x01);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u24(), 0x040506);
    assert.equal(r.u32(), 0x07080900);
    assert.ok(r.atEnd);
    r.expectEnd();
  });

  it('reads a u32 above 2^31 as a positive number', () => {
    assert.equal(new Reader(Buffer.from('ffffffff', 'hex')).u32(), 0xffffffff);
  });

  it('throws decode_error (never RangeError) when an integer runs past the end', () => {
    throwsAlert(() => new Reader(Buffer.alloc(0)).u8('level'), 'decode_error', /truncated level/);
    throwsAlert(() => new Reader(Buffer.alloc(1)).u16(), 'decode_error');
    throwsAlert(() => new Reader(Buffer.alloc(2)).u24(), 'decode_error');
    throwsAlert(() => new Reader(Buffer.alloc(3)).u32(), 'decode_error');
    throwsAlert(() => new Reader(Buffer.alloc(3)).bytes(4), 'decode_error');
  });

  it('returns vectors as sub-readers confined to their length prefix', () => {
    const r = new Reader(Buffer.from('0003aabbcc dd'.replace(/ /g, ''), 'hex'), 'test');
    const v = r.vec16('inner');
    assert.equal(v.remaining, 3);
    assert.equal(v.u8(), 0xaa);
    throwsAlert(() => v.u24(), 'decode_error', /test inner/);
    assert.equal(r.u8(), 0xdd);
    r.expectEnd();
  });

  it('throws decode_error when a vector length exceeds the remaining bytes', () => {
    throwsAlert(() => new Reader(Buffer.from('05aabb', 'hex')).opaque8('cookie'), 'decode_error', /truncated cookie/);
    throwsAlert(() => new Reader(Buffer.from('0005aabb', 'hex')).vec16('list'), 'decode_error');
    throwsAlert(() => new Reader(Buffer.from('000005aabb', 'hex')).vec24('list'), 'decode_error');
  });

  it('enforces vector length bounds', () => {
    throwsAlert(() => new Reader(Buffer.from('00', 'hex')).opaque8('name', 1), 'decode_error', /length 0 outside 1\.\.255/);
    throwsAlert(() => new Reader(Buffer.from('03aabbcc', 'hex')).opaque8('id', 0, 2), 'decode_error');
    assert.equal(new Reader(Buffer.from('02aabb', 'hex')).opaque8('id', 0, 2).toString('hex'), 'aabb');
  });

  it('rejects trailing bytes at expectEnd', () => {
    const r = new Reader(Buffer.from('0102', 'hex'), 'KeyUpdate');
    r.u8();
    throwsAlert(() => r.expectEnd(), 'decode_error', /KeyUpdate: 1 trailing byte/);
  });

  it('reads u16 lists and rejects odd lengths', () => {
    assert.deepEqual(new Reader(Buffer.from('00041301 1302'.replace(/ /g, ''), 'hex')).u16List('suites'), [0x1301, 0x1302]);
    throwsAlert(() => new Reader(Buffer.from('0003130113', 'hex')).u16List('suites'), 'decode_error', /odd length/);
  });

  it('slices are views of the input, not copies', () => {
    const input = Buffer.from('02aabb', 'hex');
    const v = new Reader(input).opaque8('x');
    assert.equal(v.buffer, input.buffer);
  });

  it('accepts a plain Uint8Array', () => {
    const u = new Uint8Array([0, 1, 7]);
    const r = new Reader(u.subarray(1));
    assert.equal(r.u16(), 0x0107);
  });
});

describe('Writer', () => {
  it('writes integers big-endian and grows past its initial capacity', () => {
    const w = new Writer(16);
    for (let i = 0; i < 100; i++) w.u8(1).u16(0x0203).u24(0x040506).u32(0x0708090a);
    const out = w.finish();
    assert.equal(out.length, 1000);
    assert.equal(out.subarray(990).toString('hex'), '0102030405060708090a');
  });

  it('patches nested length prefixes in place', () => {
    const out = encode((w) => {
      w.u16Prefixed(() => {
        w.u8(0x01);
        w.u8Prefixed(() => w.bytes(Buffer.from('abcd', 'hex')));
        w.u24Prefixed(() => w.u16(0xbeef));
      });
    });
    assert.equal(out.toString('hex'), '0009' + '01' + '02abcd' + '000002beef');
  });

  it('length prefixes survive growth of the buffer during the body', () => {
    const big = Buffer.alloc(5000, 7);
    const out = encode((w) => w.u24Prefixed(() => w.bytes(big)), 16);
    assert.equal(out.readUIntBE(0, 3), 5000);
    assert.equal(out.length, 5003);
  });

  it('refuses values and vectors too large for their field with internal_error', () => {
    throwsAlert(() => new Writer().u8(256), 'internal_error');
    throwsAlert(() => new Writer().u16(-1), 'internal_error');
    throwsAlert(() => new Writer().u16(1.5), 'internal_error');
    throwsAlert(() => new Writer().opaque8(Buffer.alloc(256)), 'internal_error');
    const w = new Writer();
    throwsAlert(() => w.u8Prefixed(() => w.bytes(Buffer.alloc(256)), 'ticket_nonce'), 'internal_error', /ticket_nonce: 256 bytes exceed 255/);
  });

  it('finish returns a view of the internal buffer without copying', () => {
    const w = new Writer(64);
    w.u32(1);
    const a = w.finish();
    assert.equal(a.length, 4);
    assert.ok(a.buffer.byteLength >= 64);
  });

  it('round-trips through Reader', () => {
    const out = encode((w) => {
      w.u16List([1, 2, 0xffff]);
      w.u8List([9]);
      w.opaque24(Buffer.from('hi'));
    });
    const r = new Reader(out);
    assert.deepEqual(r.u16List('a'), [1, 2, 0xffff]);
    assert.deepEqual(r.u8List('b'), [9]);
    assert.equal(r.opaque24('c').toString(), 'hi');
    r.expectEnd();
  });
});
