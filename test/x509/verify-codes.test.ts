import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509_V, pythonVerifyMessage, verifyErrorString } from '../../src/x509/verify-codes.js';
import { LIBCRYPTO_PRELUDE, libcryptoSkipReason, pythonJson } from '../helpers/openssl.js';

test('verification codes carry OpenSSL 3.0 numbers and texts', () => {
  assert.equal(X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20);
  assert.equal(verifyErrorString(20), 'unable to get local issuer certificate');
  assert.equal(verifyErrorString(X509_V.CERT_HAS_EXPIRED), 'certificate has expired');
  assert.equal(verifyErrorString(X509_V.DEPTH_ZERO_SELF_SIGNED_CERT), 'self-signed certificate');
  assert.equal(verifyErrorString(X509_V.INVALID_CA), 'invalid CA certificate');
  assert.equal(verifyErrorString(9999), 'unknown certificate verification error');
});

test('Python substitutes its own texts for host and IP mismatches', () => {
  assert.equal(pythonVerifyMessage(62, 'example.com'), "Hostname mismatch, certificate is not valid for 'example.com'.");
  assert.equal(pythonVerifyMessage(64, '127.0.0.1'), "IP address mismatch, certificate is not valid for '127.0.0.1'.");
  assert.equal(pythonVerifyMessage(10, 'example.com'), 'certificate has expired');
});

test('every text equals libcrypto X509_verify_cert_error_string', { skip: libcryptoSkipReason() ?? false }, () => {
  const codes = [...Object.values(X509_V), 95, 200];
  const texts = pythonJson<string[]>(`${LIBCRYPTO_PRELUDE}\nprint(json.dumps([lib.X509_verify_cert_error_string(n).decode() for n in json.load(sys.stdin)]))`, codes);
  codes.forEach((code, i) => assert.equal(verifyErrorString(code), texts[i], `code ${code}`));
});
