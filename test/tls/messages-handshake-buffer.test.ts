import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HandshakeBuffer } from '../../src/tls/handshake-buffer.js';
import { decodeHandshake } from '../../src/tls/messages/index.js';
import { rfc8448Messages, traceMessage } from './messages-rfc8448.js';
import { hex, throwsAlert } from './messages-helpers.js';

describe('HandshakeBuffer', () => {
  it('splits coalesced messages from one record (RFC 8448 §3 server flight)', () => {
    const flight = [traceMessage(3, 'EncryptedExtensions'), traceMessage(3, 'Certificate'), traceMessage(3, 'CertificateVerify'), traceMessage(3, 'Finished')];
    const b = new HandshakeBuffer();
    b.push(Buffer.concat(flight));
    for (const m of flight) {
      const f = b.next();
      assert.ok(f);
      assert.deepEqual(f.raw, m);
      assert.equal(f.type, m[0]);
      assert.deepEqual(f.body, m.subarray(4));
    }
    assert.equal(b.next(), null);
    assert.ok(b.isEmpty);
    b.assertKeyChangeBoundary('Finished');
  });

  it('reassembles a message fragmented across records, down to one byte per record', () => {
    const cert = traceMessage(3, 'Certificate');
    const b = new HandshakeBuffer();
    for (let i = 0; i < cert.length - 1; i++) {
      b.push(cert.subarray(i, i + 1));
      assert.equal(b.next(), null, `complete after ${i + 1} bytes`);
    }
    b.push(cert.subarray(cert.length - 1));
    const f = b.next();
    assert.ok(f);
    assert.deepEqual(f.raw, cert);
    const m = decodeHandshake(f, { version: 'TLSv1.3' });
    assert.equal(m.type, 'certificate');
  });

  it('handles every split of two messages across two records', () => {
    const all = Buffer.concat([traceMessage(3, 'ServerHello'), traceMessage(3, 'EncryptedExtensions')]);
    for (let cut = 1; cut < all.length; cut++) {
      const b = new HandshakeBuffer();
      b.push(all.subarray(0, cut));
      const got: Buffer[] = [];
      for (let f = b.next(); f; f = b.next()) got.push(f.raw);
      b.push(all.subarray(cut));
      for (let f = b.next(); f; f = b.next()) got.push(f.raw);
      assert.deepEqual(Buffer.concat(got), all, `cut at ${cut}`);
      assert.equal(got.length, 2);
    }
  });

  it('frames stay valid after the caller reuses its input buffer', () => {
    const input = Buffer.from(traceMessage(3, 'Finished'));
    const b = new HandshakeBuffer();
    b.push(input);
    input.fill(0);
    const f = b.next();
    assert.ok(f);
    assert.deepEqual(f.raw, traceMessage(3, 'Finished'));
  });

  it('accepts an empty-body message (EndOfEarlyData)', () => {
    const b = new HandshakeBuffer();
    b.push(hex('05000000'));
    assert.deepEqual(b.next(), { type: 5, body: hex(''), raw: hex('05000000') });
  });

  it('rejects a zero-length handshake record with unexpected_message', () => {
    throwsAlert(() => new HandshakeBuffer().push(Buffer.alloc(0)), 'unexpected_message', /zero-length/);
  });

  it('rejects a message larger than the limit as soon as its header arrives', () => {
    const b = new HandshakeBuffer(1000);
    throwsAlert(() => b.push(hex('0b 0003e9')), 'illegal_parameter', /1001 bytes exceeds the 1000-byte limit/);
    const ok = new HandshakeBuffer(1000);
    ok.push(hex('0b 0003e8'));
    assert.equal(ok.next(), null);
    assert.equal(ok.pending, 4);
  });

  it('checks the size of a message that follows a complete one in the same record', () => {
    const b = new HandshakeBuffer(100);
    b.push(hex('05000000 0b ffffff'));
    assert.equal(b.next()?.type, 5);
    throwsAlert(() => b.next(), 'illegal_parameter');
  });

  it('a partial message across a key change → unexpected_message (RFC 8446 §5.1)', () => {
    const b = new HandshakeBuffer();
    const sh = traceMessage(3, 'ServerHello');
    b.push(Buffer.concat([sh, traceMessage(3, 'EncryptedExtensions').subarray(0, 10)]));
    assert.ok(b.next());
    throwsAlert(() => b.assertKeyChangeBoundary('ServerHello'), 'unexpected_message', /10 handshake byte\(s\) in the same record as ServerHello/);
  });

  it('a whole message after a key-changing message in the same record → unexpected_message', () => {
    const b = new HandshakeBuffer();
    b.push(Buffer.concat([traceMessage(3, 'ServerHello'), traceMessage(3, 'EncryptedExtensions')]));
    assert.ok(b.next());
    throwsAlert(() => b.assertKeyChangeBoundary('ServerHello'), 'unexpected_message');
  });

  it('carries every RFC 8448 message through one-record-per-message delivery', () => {
    const b = new HandshakeBuffer();
    for (const m of rfc8448Messages()) {
      b.push(m.bytes);
      const f = b.next();
      assert.ok(f);
      assert.deepEqual(f.raw, m.bytes);
      assert.ok(b.isEmpty);
    }
  });
});
