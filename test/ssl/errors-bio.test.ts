import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBIO } from '../../src/ssl/bio.js';
import {
  SSLError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLEOFError,
  SSLCertVerificationError,
  CertificateError,
  sslErrorFromTLSError,
  wantReadError,
  wantWriteError,
  eofError,
} from '../../src/ssl/errors.js';
import { OSError } from '../../src/socket/errors.js';
import { TLSError } from '../../src/tls/errors.js';

test('SSLError with errno and message prints the message (Python str(e) == strerror)', () => {
  const e = new SSLError(1, 'foo');
  assert.equal(e.message, 'foo');
  assert.equal(e.errno, 1);
  assert.equal(e.strerror, 'foo');
  assert.ok(e instanceof OSError);
  assert.equal(e.name, 'SSLError');
});

test('one-argument SSLError prints as a tuple, as in Python', () => {
  assert.equal(new SSLError('No cipher can be selected.').message, "('No cipher can be selected.',)");
});

test('want-read error carries SSL_ERROR_WANT_READ and Python text', () => {
  const e = wantReadError();
  assert.ok(e instanceof SSLWantReadError && e instanceof SSLError);
  assert.equal(e.errno, 2);
  assert.equal(e.message, 'The operation did not complete (read)');
  assert.equal(e.library, null);
});

test('want-read and want-write errors keep their Python shape without a captured stack, and leave stack capture on for others', () => {
  const before = Error.stackTraceLimit;
  const r = wantReadError();
  const w = wantWriteError();
  assert.equal(Error.stackTraceLimit, before);
  assert.ok(r instanceof SSLWantReadError && r instanceof SSLError && r instanceof OSError && r instanceof Error);
  assert.ok(w instanceof SSLWantWriteError && w instanceof SSLError && w instanceof OSError);
  assert.deepEqual([r.errno, r.strerror, r.args], [2, 'The operation did not complete (read)', [2, 'The operation did not complete (read)']]);
  assert.deepEqual([w.errno, w.strerror, w.args], [3, 'The operation did not complete (write)', [3, 'The operation did not complete (write)']]);
  assert.equal(r.name, 'SSLWantReadError');
  assert.equal(r.stack, 'SSLWantReadError: The operation did not complete (read)');
  assert.match(new SSLError(1, 'x').stack ?? '', /\n\s+at /);
});

test('first EOF error names UNEXPECTED_EOF_WHILE_READING, later ones have no library', () => {
  const first = eofError(true);
  assert.ok(first instanceof SSLEOFError);
  assert.equal(first.errno, 8);
  assert.equal(first.message, '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol');
  assert.equal(first.library, 'SSL');
  assert.equal(eofError(false).library, null);
});

test('peer alerts map to OpenSSL reason mnemonics', () => {
  const cases: [TLSError, string][] = [
    [new TLSError('unknown_ca', 'x', true), '[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca'],
    [new TLSError('bad_certificate', 'x', true), '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate'],
    [new TLSError('handshake_failure', 'x', true), '[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure'],
    [new TLSError('certificate_required', 'x', true), '[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required'],
    [new TLSError('unrecognized_name', 'x', true), '[SSL: TLSV1_UNRECOGNIZED_NAME] tlsv1 unrecognized name'],
    [new TLSError('protocol_version', 'x', true), '[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version'],
    [new TLSError('access_denied', 'x', true), '[SSL: TLSV1_ALERT_ACCESS_DENIED] tlsv1 alert access denied'],
  ];
  for (const [tls, msg] of cases) {
    const e = sslErrorFromTLSError(tls);
    assert.equal(e.message, msg);
    assert.equal(e.errno, 1);
    assert.equal(e.library, 'SSL');
  }
});

test('certificate verification failures become SSLCertVerificationError with code and message', () => {
  const e = sslErrorFromTLSError(
    new TLSError('unknown_ca', 'chain', false, { verifyCode: 20, verifyMessage: 'unable to get local issuer certificate' }),
  );
  assert.ok(e instanceof SSLCertVerificationError);
  assert.ok(e instanceof CertificateError);
  const v = e as SSLCertVerificationError;
  assert.equal(v.verifyCode, 20);
  assert.equal(v.reason, 'CERTIFICATE_VERIFY_FAILED');
  assert.equal(e.message, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate');
});

test('locally detected failures use OpenSSL reasons', () => {
  assert.equal(sslErrorFromTLSError(new TLSError('handshake_failure', 'no shared cipher')).reason, 'NO_SHARED_CIPHER');
  assert.equal(sslErrorFromTLSError(new TLSError('bad_record_mac', 'tag')).reason, 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
});

test('MemoryBIO queues bytes, reads across chunks, reports pending and eof', () => {
  const bio = new MemoryBIO();
  assert.equal(bio.pending, 0);
  assert.equal(bio.eof, false);
  assert.equal(bio.write(Buffer.from('foo')), 3);
  assert.equal(bio.write(new Uint8Array([98, 97, 114])), 3);
  assert.equal(bio.pending, 6);
  assert.equal(bio.read(2).toString(), 'fo');
  assert.equal(bio.read(3).toString(), 'oba');
  bio.writeEof();
  assert.equal(bio.eof, false, 'eof only once drained');
  assert.equal(bio.read().toString(), 'r');
  assert.equal(bio.eof, true);
  assert.equal(bio.read().length, 0);
});

test('MemoryBIO copies written data, rejects non-bytes and writes after EOF', () => {
  const bio = new MemoryBIO();
  const src = Buffer.from('abc');
  bio.write(src);
  src[0] = 0x7a;
  assert.equal(bio.read().toString(), 'abc');
  assert.throws(() => bio.write('foo' as unknown as Uint8Array), { name: 'TypeError', message: "a bytes-like object is required, not 'str'" });
  assert.throws(() => bio.write(null as unknown as Uint8Array), TypeError);
  assert.throws(() => bio.write(1 as unknown as Uint8Array), TypeError);
  bio.writeEof();
  assert.throws(() => bio.write(Buffer.from('x')), (e: unknown) => e instanceof SSLError && e.message === "('cannot write() after write_eof()',)");
});
