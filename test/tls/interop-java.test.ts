/**
 * Interop with Java JSSE (test/peers/java/Peer.java, compiled by the test
 * with the JDK's javac): the TLS 1.3 and TLS 1.2 matrices both ways, folded
 * into fewer cells because a JVM takes seconds to start. JDK 17 chooses
 * groups only through the jdk.tls.namedGroups system property.
 */
import { test } from 'node:test';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import { JAVA, interopMatrix } from './interop-jsonpeer.js';

const JAVA_GROUP: Record<string, string> = { X25519: 'x25519', X448: 'x448', 'P-256': 'secp256r1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

interopMatrix(
  {
    peer: JAVA,
    groups: ['X25519', 'P-256', 'P-384', 'P-521', 'X448'] as KeyExchangeGroup[],
    group: (g) => ({ args: [], env: { 'jdk.tls.namedGroups': JAVA_GROUP[g]! } }),
    version: (v) => ['--protocols', v],
    suite12: (s) => ['--suites', s.ianaName],
    clientSubject: /CN=sslsock client/,
  },
  test,
  true,
);
