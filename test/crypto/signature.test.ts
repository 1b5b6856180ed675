import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CryptoError, defaultProvider as provider, type PrivateKey, type SignatureAlgorithm } from '../../src/crypto/index.js';
import { OpensslWorkspace } from './openssl-fixtures.js';

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;
const DATA = Buffer.from('TLS 1.3, server CertificateVerify');

let ws: OpensslWorkspace;
let keys: Record<'rsa' | 'rsapss' | 'rsapss256' | 'rsapssmgf1' | 'p256' | 'p384' | 'p521' | 'ed25519', PrivateKey>;

before(() => {
  ws = new OpensslWorkspace();
  ws.run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
  ws.run('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsapss.pem');
  ws.run(
    'genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256',
    '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:32', '-out', 'rsapss256.pem',
  );
  // Without rsa_pss_keygen_mgf1_md the parameters omit maskGenAlgorithm, whose ASN.1 DEFAULT is MGF1-SHA-1
  // (RFC 4055 §3.1): such a key cannot make TLS's rsa_pss_pss_sha256 signatures.
  ws.run('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-out', 'rsapssmgf1.pem');
  for (const [name, curve] of [['p256', 'P-256'], ['p384', 'P-384'], ['p521', 'P-521']]) {
    ws.run('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}.pem`);
  }
  ws.run('genpkey', '-algorithm', 'ED25519', '-out', 'ed25519.pem');
  const names = ['rsa', 'rsapss', 'rsapss256', 'rsapssmgf1', 'p256', 'p384', 'p521', 'ed25519'] as const;
  keys = Object.fromEntries(names.map((n) => [n, provider.importPrivateKey(ws.text(`${n}.pem`))])) as typeof keys;
  for (const n of names) ws.run('pkey', '-in', `${n}.pem`, '-pubout', '-out', `${n}.pub.pem`);
  ws.write('data', DATA);
});
after(() => ws.dispose());

/** Every (key, algorithm) pair we sign with. */
const CASES: readonly [keyof typeof keys, SignatureAlgorithm][] = [
  ['rsa', { kind: 'rsa-pkcs1', hash: 'SHA-256' }],
  ['rsa', { kind: 'rsa-pkcs1', hash: 'SHA-384' }],
  ['rsa', { kind: 'rsa-pkcs1', hash: 'SHA-512' }],
  ['rsa', { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }],
  ['rsa', { kind: 'rsa-pss', hash: 'SHA-384', saltLength: 48 }],
  ['rsa', { kind: 'rsa-pss', hash: 'SHA-512', saltLength: 64 }],
  ['rsapss', { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }],
  ['rsapss', { kind: 'rsa-pss', hash: 'SHA-512', saltLength: 64 }],
  ['rsapss256', { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }],
  ['p256', { kind: 'ecdsa', hash: 'SHA-256' }],
  ['p384', { kind: 'ecdsa', hash: 'SHA-384' }],
  ['p521', { kind: 'ecdsa', hash: 'SHA-512' }],
  ['p256', { kind: 'ecdsa', hash: 'SHA-384' }], // TLS 1.2 lets any hash go with any curve
  ['ed25519', { kind: 'ed25519' }],
];

const label = (k: string, a: SignatureAlgorithm) => `${k} ${a.kind}${'hash' in a ? ` ${a.hash}` : ''}`;

test('sign/verify round trip for every algorithm; altered data, signature or key fail verification', () => {
  for (const [k, alg] of CASES) {
    const key = keys[k];
    const sig = key.sign(alg, DATA);
    assert.equal(key.publicKey.verify(alg, DATA, sig), true, label(k, alg));
    assert.equal(key.publicKey.verify(alg, Buffer.concat([DATA, Buffer.from('!')]), sig), false, `${label(k, alg)}: data`);
    const bad = Buffer.from(sig);
    bad[bad.length - 1]! ^= 1;
    assert.equal(key.publicKey.verify(alg, DATA, bad), false, `${label(k, alg)}: signature`);
    assert.equal(key.publicKey.verify(alg, DATA, sig.subarray(0, sig.length - 1)), false, `${label(k, alg)}: truncated`);
    assert.equal(key.publicKey.verify(alg, DATA, Buffer.alloc(0)), false, `${label(k, alg)}: empty`);
    const other = provider.generateSigningKey(
      key.type === 'ec' ? { type: 'ec', curve: key.curve! } : key.type === 'ed25519' ? { type: 'ed25519' } : { type: 'rsa', bits: 2048 },
    );
    if (key.type !== 'rsa-pss') assert.equal(other.publicKey.verify(alg, DATA, sig), false, `${label(k, alg)}: other key`);
  }
});

test('our signatures verify with the openssl CLI', () => {
  for (const [k, alg] of CASES) {
    ws.write('sig', keys[k].sign(alg, DATA));
    const args =
      alg.kind === 'ed25519'
        ? ['pkeyutl', '-verify', '-pubin', '-inkey', `${k}.pub.pem`, '-rawin', '-in', 'data', '-sigfile', 'sig']
        : [
            'dgst', `-${alg.hash.replace('-', '').toLowerCase()}`, '-verify', `${k}.pub.pem`, '-signature', 'sig',
            ...(alg.kind === 'rsa-pss' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${alg.saltLength}`] : []),
            'data',
          ];
    assert.match(ws.run(...args).toString(), /Verified OK|Signature Verified Successfully/, label(k, alg));
  }
});

test('openssl CLI signatures verify with ours, including SHA-1 PKCS#1 v1.5 (verify only)', () => {
  const cases: [keyof typeof keys, SignatureAlgorithm][] = [...CASES, ['rsa', { kind: 'rsa-pkcs1', hash: 'SHA-1' }], ['p256', { kind: 'ecdsa', hash: 'SHA-1' }]];
  for (const [k, alg] of cases) {
    if (alg.kind === 'ed25519') {
      ws.run('pkeyutl', '-sign', '-inkey', `${k}.pem`, '-rawin', '-in', 'data', '-out', 'osig');
    } else {
      const pss = alg.kind === 'rsa-pss' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${alg.saltLength}`] : [];
      ws.run('dgst', `-${alg.hash.replace('-', '').toLowerCase()}`, '-sign', `${k}.pem`, ...pss, '-out', 'osig', 'data');
    }
    assert.equal(keys[k].publicKey.verify(alg, DATA, ws.read('osig')), true, label(k, alg));
  }
});

test('creating a SHA-1 signature is unsupported for every kind', () => {
  assert.throws(() => keys.rsa.sign({ kind: 'rsa-pkcs1', hash: 'SHA-1' }, DATA), isCode('unsupported'));
  assert.throws(() => keys.rsa.sign({ kind: 'rsa-pss', hash: 'SHA-1', saltLength: 20 }, DATA), isCode('unsupported'));
  assert.throws(() => keys.p256.sign({ kind: 'ecdsa', hash: 'SHA-1' }, DATA), isCode('unsupported'));
});

test('an algorithm that does not fit the key is unsupported (sign and verify)', () => {
  const mismatches: [keyof typeof keys, SignatureAlgorithm][] = [
    ['rsa', { kind: 'ecdsa', hash: 'SHA-256' }],
    ['rsa', { kind: 'ed25519' }],
    ['rsapss', { kind: 'rsa-pkcs1', hash: 'SHA-256' }], // RFC 4055: id-RSASSA-PSS keys sign only PSS
    ['p256', { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }],
    ['p256', { kind: 'ed25519' }],
    ['ed25519', { kind: 'ecdsa', hash: 'SHA-256' }],
    ['rsapss256', { kind: 'rsa-pss', hash: 'SHA-384', saltLength: 48 }], // key restricted to SHA-256
    ['rsapss256', { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 20 }], // below the key's minimum salt
    ['rsapssmgf1', { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }], // key restricted to MGF1-SHA-1
  ];
  for (const [k, alg] of mismatches) {
    assert.throws(() => keys[k].sign(alg, DATA), isCode('unsupported'), `sign ${label(k, alg)}`);
    assert.throws(() => keys[k].publicKey.verify(alg, DATA, Buffer.alloc(64)), isCode('unsupported'), `verify ${label(k, alg)}`);
  }
  assert.throws(() => keys.rsa.sign({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: -1 }, DATA), isCode('bad_argument'));
  assert.throws(() => keys.rsa.sign({ kind: 'dsa' } as unknown as SignatureAlgorithm, DATA), isCode('unsupported'));
  assert.throws(() => keys.rsa.sign({ kind: 'rsa-pkcs1', hash: 'MD5' } as unknown as SignatureAlgorithm, DATA), isCode('unsupported'));
});

test('RSA-PSS: a signature with one salt length does not verify as another', () => {
  const sig = keys.rsa.sign({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, DATA);
  assert.equal(keys.rsa.publicKey.verify({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, DATA, sig), true);
  assert.equal(keys.rsa.publicKey.verify({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: 0 }, DATA, sig), false);
  assert.equal(keys.rsa.publicKey.verify({ kind: 'rsa-pss', hash: 'SHA-384', saltLength: 32 }, DATA, sig), false);
  assert.equal(keys.rsa.publicKey.verify({ kind: 'rsa-pkcs1', hash: 'SHA-256' }, DATA, sig), false);
});

test('ECDSA verify refuses a valid signature re-encoded as BER or with trailing bytes', () => {
  const alg = { kind: 'ecdsa', hash: 'SHA-256' } as const;
  const sig = keys.p256.sign(alg, DATA);
  assert.equal(keys.p256.publicKey.verify(alg, DATA, sig), true);
  assert.equal(sig[0], 0x30);
  const contentLength = sig[1]!;
  assert.ok(contentLength < 0x80);
  // Same content, long-form length octet: valid BER, not DER.
  const ber = Buffer.concat([Buffer.from([0x30, 0x81, contentLength]), sig.subarray(2)]);
  assert.equal(keys.p256.publicKey.verify(alg, DATA, ber), false);
  assert.equal(keys.p256.publicKey.verify(alg, DATA, Buffer.concat([sig, Buffer.from([0])])), false);
});
