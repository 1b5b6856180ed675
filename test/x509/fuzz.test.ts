/**
 * Property tests: whatever bytes reach the x509 decoders — random, mutated
 * real certificates and CRLs, or well-framed DER trees with random contents —
 * the only exceptions are X509Error/DerError, and everything a parsed object
 * offers (extensions, names, getpeercert dict) can be used without a crash.
 * About 110k cases; the run time is printed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parseCertificate, type Certificate } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { pemBlocksWithLabel, parsePem, pemToDerCert } from '../../src/x509/pem.js';
import { peerCertDict } from '../../src/x509/peercert.js';
import { DerReader, validateDer } from '../../src/x509/der-reader.js';
import { X509Error } from '../../src/x509/errors.js';
import { der } from '../../src/x509/der.js';
import {
  decodeAltName,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeCertificatePolicies,
  decodeCrlDistributionPoints,
  decodeCrlNumber,
  decodeCrlReason,
  decodeExtKeyUsage,
  decodeInfoAccess,
  decodeKeyUsage,
  decodeNameConstraints,
  decodeSubjectKeyIdentifier,
  type Extension,
} from '../../src/x509/extensions.js';
import { parseGeneralName } from '../../src/x509/general-name.js';
import { parseName } from '../../src/x509/name.js';
import { algorithmIdentifierFrom, parsePssParams, signatureAlgorithmInfo } from '../../src/x509/algorithm.js';

const DIR = new URL('../../../test/vectors/x509/', import.meta.url);
const CERTS = readdirSync(DIR)
  .filter((f) => f.endsWith('.pem'))
  .map((f) => pemBlocksWithLabel(readFileSync(new URL(f, DIR), 'latin1'), 'CERTIFICATE')[0]!);
const CRL = pemBlocksWithLabel(readFileSync(new URL('cpython-revocation.crl', DIR), 'latin1'), 'X509 CRL')[0]!;

/** Runs `op`; X509Error is an accepted outcome, anything else fails the property. */
function onlyX509Error(op: () => unknown): boolean {
  try {
    op();
  } catch (e) {
    if (!(e instanceof X509Error)) throw e;
    assert.equal(typeof e.code, 'string');
  }
  return true;
}

/** Uses every part of a parsed certificate. */
function exercise(c: Certificate): void {
  void c.serialNumber;
  void c.subject.toString();
  void c.issuer.canonicalKey;
  void c.isSelfIssued;
  const x = c.extensions;
  for (const get of [
    () => x.basicConstraints,
    () => x.keyUsage,
    () => x.extKeyUsage,
    () => x.subjectAltName,
    () => x.issuerAltName,
    () => x.nameConstraints,
    () => x.authorityKeyIdentifier,
    () => x.subjectKeyIdentifier,
    () => x.authorityInfoAccess,
    () => x.crlDistributionPoints,
    () => x.certificatePolicies,
    () => x.ocspUris,
  ]) {
    onlyX509Error(get);
  }
  for (const e of x.errors()) assert.ok(e instanceof X509Error);
  void x.unknownCritical();
  JSON.stringify(peerCertDict(c));
}

/** Walks any DER: every element is checked as the reader checks ANY values (recursing into constructed ones). */
function walk(data: Uint8Array): void {
  const r = new DerReader(data, 'fuzz');
  while (!r.done) validateDer(r.read('e'));
}

/** A byte-level mutation of a valid encoding. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'flip') b[at] = b[at]! ^ (1 << m.value);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.of(m.value), b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    else b = b.subarray(0, at);
  }
  return b;
}

/** Well-framed DER trees with random tags and contents: they get past the framing checks. */
const tree: fc.Arbitrary<Buffer> = fc.letrec<{ node: Buffer }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x1e, 0x1c, 0x80, 0x81, 0x82, 0x86, 0x87, 0x88), fc.uint8Array({ maxLength: 20 })).map(([id, c]) => der.element(id, c)),
    fc.tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa3, 0xa4), fc.array(tie('node'), { maxLength: 4 })).map(([id, kids]) => der.element(id, Buffer.concat(kids))),
  ),
})).node;

const RUNS = { random: 22_000, walk: 20_000, certs: 30_000, crl: 10_000, trees: 12_000, pem: 8_000, decoders: 4_000 };
const started = Date.now();

// Most cases end in a thrown X509Error; capturing a stack trace for each is
// the dominant cost of the run, and these errors are never printed.
const stackTraceLimit = Error.stackTraceLimit;
before(() => {
  Error.stackTraceLimit = 0;
});
after(() => {
  Error.stackTraceLimit = stackTraceLimit;
});

test(`random bytes into parseCertificate / parseCrl (${RUNS.random} cases)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      onlyX509Error(() => exercise(parseCertificate(bytes)));
      return onlyX509Error(() => parseCrl(bytes));
    }),
    { numRuns: RUNS.random },
  );
});

test(`random bytes through a full DER walk (${RUNS.walk} cases)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyX509Error(() => walk(bytes))),
    { numRuns: RUNS.walk },
  );
});

test(`mutated real certificates (${RUNS.certs} cases): X509Error or a usable certificate`, () => {
  let parsed = 0;
  fc.assert(
    fc.property(fc.nat({ max: CERTS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
      const bytes = mutate(CERTS[i]!, ms);
      return onlyX509Error(() => {
        const c = parseCertificate(bytes);
        parsed++;
        exercise(c);
      });
    }),
    { numRuns: RUNS.certs },
  );
  // Mutations inside signatures, keys and strings keep the structure valid: many must parse.
  assert.ok(parsed > RUNS.certs / 10, `only ${parsed} mutated certificates parsed`);
});

test(`mutated CRLs (${RUNS.crl} cases)`, () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) =>
      onlyX509Error(() => {
        const crl = parseCrl(mutate(CRL, ms));
        onlyX509Error(() => crl.extensions.crlNumber);
        for (const r of crl.revoked) onlyX509Error(() => r.reason);
        crl.findRevoked(1n);
      }),
    ),
    { numRuns: RUNS.crl },
  );
});

test(`well-framed random DER trees as certificates, CRLs and extension values (${RUNS.trees} cases)`, () => {
  fc.assert(
    fc.property(tree, (bytes) => {
      onlyX509Error(() => walk(bytes));
      onlyX509Error(() => exercise(parseCertificate(bytes)));
      return onlyX509Error(() => parseCrl(bytes));
    }),
    { numRuns: RUNS.trees },
  );
});

/** Every extension decoder, on a value that is a random DER tree or random bytes. */
const DECODERS: ((e: Extension) => unknown)[] = [
  decodeBasicConstraints,
  decodeKeyUsage,
  decodeExtKeyUsage,
  decodeAltName,
  decodeNameConstraints,
  decodeAuthorityKeyIdentifier,
  decodeSubjectKeyIdentifier,
  decodeInfoAccess,
  decodeCrlDistributionPoints,
  decodeCertificatePolicies,
  decodeCrlNumber,
  decodeCrlReason,
];

test(`extension decoders, GeneralName and Name on random DER trees (${RUNS.decoders} cases)`, () => {
  const asExtension = (value: Buffer): Extension => ({ oid: '1.2.3', name: '1.2.3', critical: false, value, valueOffset: 0, path: 'ext', raw: value });
  fc.assert(
    fc.property(fc.oneof(tree, fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u))), (bytes) => {
      for (const decode of DECODERS) onlyX509Error(() => decode(asExtension(bytes)));
      onlyX509Error(() => parseGeneralName(new DerReader(bytes, 'gn').read('')));
      onlyX509Error(() => {
        const n = parseName(new DerReader(bytes, 'name').read(''));
        void n.canonicalKey;
        void n.toString();
      });
      onlyX509Error(() => signatureAlgorithmInfo(algorithmIdentifierFrom(new DerReader(bytes, 'alg').read(''))));
      return onlyX509Error(() => parsePssParams(bytes));
    }),
    { numRuns: RUNS.decoders },
  );
});

test(`PEM readers on random text (${RUNS.pem} cases)`, () => {
  const pemish = fc.array(fc.constantFrom('-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '\n', 'MAA=', 'TWFu', '=', ' ', 'é', 'Proc-Type: x\n\n', '-----BEGIN X-----', '-----END X-----'), { maxLength: 12 }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(pemish, fc.string({ maxLength: 80 })), (text) => {
      onlyX509Error(() => parsePem(text));
      return onlyX509Error(() => pemToDerCert(text));
    }),
    { numRuns: RUNS.pem },
  );
});

test('fuzz budget: ≥100k cases in total', () => {
  const total = Object.values(RUNS).reduce((a, b) => a + b, 0);
  assert.ok(total >= 100_000, `${total}`);
  console.log(`# x509 fuzz: ${total} cases in ${Date.now() - started} ms`);
});
