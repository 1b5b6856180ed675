// Test helpers for message codec tests: building raw bodies and checking alerts.
import assert from 'node:assert/strict';
import { TLSError } from '../../src/tls/errors.js';

/** Asserts that fn throws a TLSError with this alert (and, optionally, a reason matching `reason`). */
export function throwsAlert(fn: () => unknown, alert: string, reason?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TLSError, `expected TLSError, got ${e instanceof Error ? e.stack : String(e)}`);
    assert.equal(e.alert, alert, `alert for: ${e.reason}`);
    if (reason) assert.match(e.reason, reason);
    return true;
  });
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** One raw extension: type, length, data. */
export function ext(code: number, data: string | Buffer = ''): Buffer {
  const d = typeof data === 'string' ? hex(data) : data;
  const b = Buffer.alloc(4);
  b.writeUInt16BE(code, 0);
  b.writeUInt16BE(d.length, 2);
  return Buffer.concat([b, d]);
}

/** An extensions block (2-byte length prefix) holding `exts`. */
export function extBlock(...exts: Buffer[]): Buffer {
  const body = Buffer.concat(exts);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** A ClientHello body: 0x0303, zero random, empty session id, TLS_AES_128_GCM_SHA256, null compression, then `tail`. */
export function clientHelloBody(tail: Buffer = extBlock()): Buffer {
  return Buffer.concat([hex('0303'), Buffer.alloc(32), hex('00 0002 1301 0100'), tail]);
}

/** A ServerHello body with a non-HRR random (all 0x11). */
export function serverHelloBody(tail: Buffer = extBlock()): Buffer {
  return Buffer.concat([hex('0303'), Buffer.alloc(32, 0x11), hex('00 1301 00'), tail]);
}

/** An EncryptedExtensions body holding `exts`. */
export function encryptedExtensionsBody(...exts: Buffer[]): Buffer {
  return extBlock(...exts);
}
