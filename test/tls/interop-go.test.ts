/**
 * Interop with Go crypto/tls (test/peers/go/peer.go, built by the test with
 * the Debian Go toolchain, offline): the TLS 1.3 and TLS 1.2 matrices both
 * ways. Go 1.19 has no X448 and does not let TLS 1.3 suites be chosen (ours
 * pin them).
 */
import { test } from 'node:test';
import { GO, interopMatrix } from './interop-jsonpeer.js';

interopMatrix(
  {
    peer: GO,
    groups: ['X25519', 'P-256', 'P-384', 'P-521'],
    group: (g) => ({ args: ['--curves', g] }),
    version: (v) => (v === 'TLSv1.3' ? ['--min', '1.3', '--max', '1.3'] : ['--min', '1.2', '--max', '1.2']),
    suite12: (s) => ['--suites', s.ianaName],
    clientSubject: /^sslsock client$/,
  },
  test,
);
