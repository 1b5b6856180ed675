/**
 * Differential tests against libcrypto itself (through python3 ctypes):
 * random SAN patterns / common names / host names / host flags through
 * X509_check_host, and random strings through a2i_IPADDRESS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultProvider } from '../../src/crypto/index.js';
import { buildCertificate } from '../../src/x509/builder.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { TagClass } from '../../src/x509/der-tags.js';
import { element, sequence } from '../../src/x509/der-writer.js';
import { X509_CHECK_FLAG, checkHost, parseIpAddress } from '../../src/x509/hostname.js';
import { OID } from '../../src/x509/oids.js';
import { hostnameSubject } from '../../src/x509/verify.js';
import { LIBCRYPTO_PRELUDE, libcryptoSkipReason, pythonJson } from '../helpers/openssl.js';

/** Fixed for reproducibility; set SSLSOCK_FUZZ_SEED to explore other samples. */
const SEED = Number(process.env.SSLSOCK_FUZZ_SEED ?? 20261125);
const DNS_NAME_TAG = TagClass.CONTEXT | 2;

const label = fc.constantFrom('*', 'a', 'b', 'www', 'A', 'xn--knig-5qa', 'xn--', 'f*', '*o', 'f*o', 'a-b', '-a', 'a-', '', 'a_b', '1', 'x*');
const pattern = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const hostLabel = fc.constantFrom('a', 'b', 'www', 'WWW', 'xn--knig-5qa', 'foo', 'fo', 'o', 'a-b', 'a_b', '1', '*', '');
const host = fc.array(hostLabel, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const flags = fc.constantFrom(
  0,
  X509_CHECK_FLAG.NO_PARTIAL_WILDCARDS,
  X509_CHECK_FLAG.NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG.NEVER_CHECK_SUBJECT,
  X509_CHECK_FLAG.NO_WILDCARDS,
  X509_CHECK_FLAG.MULTI_LABEL_WILDCARDS,
  X509_CHECK_FLAG.ALWAYS_CHECK_SUBJECT,
);
const sample = fc.record({
  sans: fc.option(fc.array(pattern, { minLength: 1, maxLength: 2 }), { nil: null }),
  cn: fc.option(pattern, { nil: null }),
  hosts: fc.array(host, { minLength: 1, maxLength: 3 }),
  flags,
});

test('host matching agrees with libcrypto X509_check_host on random patterns', { skip: libcryptoSkipReason() ?? false }, () => {
  const key = defaultProvider.generateSigningKey({ type: 'ec', curve: 'P-256' });
  const samples = fc.sample(sample, { seed: SEED, numRuns: 300 });
  const jobs: [string, string, number][] = [];
  const ours: boolean[] = [];
  const sampleOf: number[] = [];
  for (const s of samples) {
    const built = buildCertificate({
      serialNumber: 1,
      subject: s.cn === null ? [['O', 'x']] : [['CN', s.cn]],
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2030, 0, 1)),
      publicKey: key.publicKey,
      signingKey: key,
      extensions: {
        subjectKeyIdentifier: false,
        authorityKeyIdentifier: false,
        extra: s.sans === null ? [] : [{ oid: OID.subjectAltName, value: sequence(...s.sans.map((p) => element(DNS_NAME_TAG, Buffer.from(p, 'latin1')))) }],
      },
    });
    const subject = hostnameSubject(parseCertificate(built.der));
    for (const h of s.hosts) {
      jobs.push([built.der.toString('hex'), h, s.flags]);
      sampleOf.push(samples.indexOf(s));
      ours.push(checkHost(subject, h, s.flags));
    }
  }
  const oracle = pythonJson<number[]>(
    `${LIBCRYPTO_PRELUDE}
out = []
for der, host, flags in json.load(sys.stdin):
    x = load_der(bytes.fromhex(der))
    h = host.encode('utf-8')
    out.append(lib.X509_check_host(x, h, len(h), flags, None))
    lib.X509_free(x)
print(json.dumps(out))`,
    jobs,
  );
  const disagreements = jobs.flatMap(([, h, f], i) => (ours[i] === (oracle[i] === 1) ? [] : [`host ${JSON.stringify(h)} flags ${f}: ours ${ours[i]}, libcrypto ${oracle[i]} (SANs ${JSON.stringify(samples[sampleOf[i]!]!.sans)}, CN ${JSON.stringify(samples[sampleOf[i]!]!.cn)})`]));
  assert.deepEqual(disagreements.slice(0, 5), []);
  assert.ok(jobs.length >= 300);
});

const ipChar = fc.constantFrom('0', '1', '2', '5', '9', 'a', 'F', 'g', ':', ':', '.', '.', ' ', '+', '-', 'x');
const ipText = fc.oneof(
  fc.array(ipChar, { maxLength: 24 }).map((cs) => cs.join('')),
  fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((p) => p.join('.')),
  fc.array(fc.constantFrom('0', 'ff', '1234', '12345', '', 'abcd', '1.2.3.4'), { minLength: 1, maxLength: 10 }).map((g) => g.join(':')),
);

test('IP literal parsing agrees with libcrypto a2i_IPADDRESS on random strings', { skip: libcryptoSkipReason() ?? false }, () => {
  const inputs = fc.sample(ipText, { seed: SEED, numRuns: 1500 });
  const oracle = pythonJson<(string | null)[]>(`${LIBCRYPTO_PRELUDE}\nprint(json.dumps([a2i(t) for t in json.load(sys.stdin)]))`, inputs);
  const disagreements = inputs.flatMap((t, i) => {
    const got = parseIpAddress(t);
    const hex = got === null ? null : got.toString('hex');
    return hex === oracle[i] ? [] : [`${JSON.stringify(t)}: ours ${hex}, libcrypto ${oracle[i]}`];
  });
  assert.deepEqual(disagreements.slice(0, 10), []);
  assert.ok(oracle.some((o) => o !== null) && oracle.some((o) => o === null), 'the sample covers both outcomes');
});
