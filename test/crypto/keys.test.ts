import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CryptoError, defaultProvider as provider, type PrivateKey } from '../../src/crypto/index.js';
import { OpensslWorkspace, PASSWORD, makeKeyFixtures, type KeyFixture } from './openssl-fixtures.js';

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;

let ws: OpensslWorkspace;
let fixtures: KeyFixture[];

before(() => {
  ws = new OpensslWorkspace();
  fixtures = makeKeyFixtures(ws);
});
after(() => ws.dispose());

function load(f: KeyFixture): PrivateKey {
  return loadWith(f, f.password);
}

function loadWith(f: KeyFixture, password: string | Uint8Array | undefined): PrivateKey {
  const data = f.file.endsWith('.der') ? ws.read(f.file) : ws.text(f.file);
  return provider.importPrivateKey(data, password);
}

test('importPrivateKey: every PEM and DER form written by openssl imports with the right type, curve and size', () => {
  assert.equal(fixtures.length, 21);
  for (const f of fixtures) {
    if (f.marker !== null) assert.ok(ws.text(f.file).includes(f.marker), `${f.name}: fixture is in the intended form`);
    const key = load(f);
    assert.equal(key.type, f.expect.type, f.name);
    assert.equal(key.curve, f.expect.curve, f.name);
    assert.equal(key.bits, f.expect.bits, f.name);
    assert.equal(key.publicKey.type, f.expect.type, f.name);
    // openssl's own view of the public key must match ours byte for byte.
    const source = f.file.endsWith('.der') ? ['-inform', 'DER'] : [];
    const pass = f.password === undefined ? [] : ['-passin', `pass:${f.password}`];
    const spki = ws.run('pkey', '-in', f.file, ...source, ...pass, '-pubout', '-outform', 'DER');
    assert.deepEqual(key.publicKey.spki, spki, `${f.name}: SPKI matches openssl`);
  }
});

test('importPrivateKey: the same key in every encoding yields equal public keys', () => {
  const groups = new Map<string, PrivateKey[]>();
  for (const f of fixtures) {
    const base = f.file.replace(/(-trad)?(-enc)?(-p8-enc)?(-with-params)?(-cert-and-key)?(-crlf)?\.(pem|der)$/, '');
    groups.set(base, [...(groups.get(base) ?? []), load(f)]);
  }
  assert.equal(groups.get('rsa')?.length, 7);
  assert.equal(groups.get('ec')?.length, 8);
  for (const [base, keys] of groups) {
    for (const k of keys) assert.ok(k.publicKey.equals(keys[0]!.publicKey), base);
  }
  assert.equal(groups.get('rsa')![0]!.publicKey.equals(groups.get('ec')![0]!.publicKey), false);
});

test('importPrivateKey: PEM as bytes, password as bytes, and a password given for an unencrypted key', () => {
  const enc = fixtures.find((f) => f.file === 'rsa-p8-enc.pem')!;
  const plain = fixtures.find((f) => f.file === 'ec.pem')!;
  const k1 = provider.importPrivateKey(ws.read(enc.file), new TextEncoder().encode(PASSWORD));
  assert.ok(k1.publicKey.equals(load(enc).publicKey));
  // Python's load_cert_chain ignores a password when the key is not encrypted; so do we.
  assert.ok(provider.importPrivateKey(ws.text(plain.file), 'unused').publicKey.equals(load(plain).publicKey));
});

test('importPrivateKey: an encrypted key with a missing or wrong password is bad_password', () => {
  const encrypted = fixtures.filter((f) => f.password !== undefined);
  assert.equal(encrypted.length, 6);
  for (const f of encrypted) {
    assert.throws(() => loadWith(f, undefined), isCode('bad_password'), `${f.name}: no password`);
    assert.throws(() => loadWith(f, 'wrong password'), isCode('bad_password'), `${f.name}: wrong password`);
    assert.throws(() => loadWith(f, new Uint8Array(0)), isCode('bad_password'), `${f.name}: empty password`);
  }
});

test('importPrivateKey: garbage is bad_key, never another exception', () => {
  const cert = ws.text('ec-cert.pem');
  const broken = ws.text('ec.pem').replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
  const truncatedDer = ws.read('rsa.der').subarray(0, 100);
  const trailingDer = Buffer.concat([ws.read('rsa.der'), Buffer.from([0])]);
  for (const [name, data] of [
    ['empty string', ''],
    ['empty bytes', new Uint8Array(0)],
    ['text', 'not a key at all'],
    ['only a certificate', cert],
    ['corrupt base64', broken],
    ['truncated DER', truncatedDer],
    ['DER with trailing byte', trailingDer],
    ['random bytes', provider.randomBytes(64)],
    ['PKCS#8 header, junk body', '-----BEGIN PRIVATE KEY-----\nMIIBAAAA\n-----END PRIVATE KEY-----\n'],
  ] as const) {
    assert.throws(() => provider.importPrivateKey(data), isCode('bad_key'), name);
  }
  assert.throws(() => provider.importPrivateKey(42 as unknown as string), isCode('bad_argument'));
});

test('importPrivateKey: key types we do not sign with are unsupported', () => {
  ws.run('genpkey', '-algorithm', 'ED448', '-out', 'ed448.pem');
  ws.run('genpkey', '-algorithm', 'X25519', '-out', 'x25519.pem');
  ws.run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-out', 'k1.pem');
  for (const file of ['ed448.pem', 'x25519.pem', 'k1.pem']) {
    assert.throws(() => provider.importPrivateKey(ws.text(file)), isCode('unsupported'), file);
  }
  assert.throws(
    () => provider.importPrivateKey('-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n'),
    isCode('unsupported'),
  );
});

test('toPem/toDer: round trip, and an encrypted PEM that openssl can decrypt', () => {
  for (const f of fixtures.filter((x) => x.password === undefined)) {
    const key = load(f);
    const again = provider.importPrivateKey(key.toPem());
    assert.ok(again.publicKey.equals(key.publicKey), f.name);
    assert.ok(provider.importPrivateKey(key.toDer()).publicKey.equals(key.publicKey), `${f.name} DER`);
    assert.match(key.toPem(), /^-----BEGIN PRIVATE KEY-----\n/);
  }
  const key = load(fixtures.find((f) => f.file === 'ec.pem')!);
  const pem = key.toPem('s3cret');
  assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  assert.ok(provider.importPrivateKey(pem, 's3cret').publicKey.equals(key.publicKey));
  assert.throws(() => provider.importPrivateKey(pem, 'S3cret'), isCode('bad_password'));
  ws.write('exported-enc.pem', pem);
  const spki = ws.run('pkey', '-in', 'exported-enc.pem', '-passin', 'pass:s3cret', '-pubout', '-outform', 'DER');
  assert.deepEqual(spki, key.publicKey.spki);
  const asn1 = ws.run('asn1parse', '-in', 'exported-enc.pem').toString();
  assert.match(asn1, /PBES2/);
  assert.match(asn1, /PBKDF2/);
  assert.match(asn1, /aes-256-cbc/);
});

test('importPublicKey: SPKI DER from openssl; trailing bytes and garbage are bad_key', () => {
  for (const f of fixtures.filter((x) => x.password === undefined && x.file.endsWith('.pem'))) {
    const spki = ws.run('pkey', '-in', f.file, '-pubout', '-outform', 'DER');
    const pub = provider.importPublicKey(spki);
    assert.equal(pub.type, f.expect.type, f.name);
    assert.equal(pub.bits, f.expect.bits, f.name);
    assert.ok(pub.equals(load(f).publicKey), f.name);
    assert.throws(() => provider.importPublicKey(Buffer.concat([spki, Buffer.from([0])])), isCode('bad_key'), `${f.name} + trailing`);
    assert.throws(() => provider.importPublicKey(spki.subarray(0, spki.length - 1)), isCode('bad_key'), `${f.name} truncated`);
  }
  assert.throws(() => provider.importPublicKey(new Uint8Array(0)), isCode('bad_key'));
  assert.throws(() => provider.importPublicKey(Buffer.from('3003020100', 'hex')), isCode('bad_key'));
});

test('a node-generated RSA-PSS key (PKCS#8 with the id-RSASSA-PSS OID) imports, signs PSS and refuses PKCS#1', () => {
  // @types/node 20 types saltLength as a string; Node wants a number.
  const saltLength = 48 as unknown as string;
  const { privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  assert.ok(der.includes(Buffer.from('06092a864886f70d01010a', 'hex')), 'id-RSASSA-PSS OID 1.2.840.113549.1.1.10');
  for (const key of [provider.importPrivateKey(pem), provider.importPrivateKey(der)]) {
    assert.equal(key.type, 'rsa-pss');
    assert.equal(key.bits, 2048);
    const alg = { kind: 'rsa-pss', hash: 'SHA-384', saltLength: 48 } as const;
    const sig = key.sign(alg, Buffer.from('hello'));
    assert.equal(key.publicKey.verify(alg, Buffer.from('hello'), sig), true);
    assert.equal(key.publicKey.verify(alg, Buffer.from('hellO'), sig), false);
    assert.throws(() => key.sign({ kind: 'rsa-pkcs1', hash: 'SHA-256' }, Buffer.from('x')), isCode('unsupported'));
    assert.throws(() => key.sign({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, Buffer.from('x')), isCode('unsupported'));
    // openssl reads our re-export as the same RSA-PSS key.
    ws.write('node-pss.pem', key.toPem());
    assert.match(ws.run('pkey', '-in', 'node-pss.pem', '-noout', '-text').toString(), /PSS parameter restrictions:\n  Hash Algorithm: SHA2-384\n  Mask Algorithm: MGF1 with SHA2-384\n  Minimum Salt Length: 48\n/);
  }
});

test('generateSigningKey: RSA, every EC curve and Ed25519; bad specs refused', () => {
  const rsa = provider.generateSigningKey({ type: 'rsa', bits: 2048 });
  assert.equal(rsa.type, 'rsa');
  assert.equal(rsa.bits, 2048);
  for (const [curve, bits] of [['P-256', 256], ['P-384', 384], ['P-521', 521]] as const) {
    const ec = provider.generateSigningKey({ type: 'ec', curve });
    assert.equal(ec.curve, curve);
    assert.equal(ec.bits, bits);
    assert.equal(ec.publicKey.curve, curve);
  }
  const ed = provider.generateSigningKey({ type: 'ed25519' });
  assert.equal(ed.type, 'ed25519');
  assert.equal(ed.publicKey.spki.length, 44);
  assert.equal(ed.publicKey.equals(provider.generateSigningKey({ type: 'ed25519' }).publicKey), false);
  assert.throws(() => provider.generateSigningKey({ type: 'rsa', bits: 100 }), isCode('bad_argument'));
  assert.throws(() => provider.generateSigningKey({ type: 'ec', curve: 'P-192' as 'P-256' }), isCode('unsupported'));
  assert.throws(() => provider.generateSigningKey({ type: 'dsa' } as unknown as { type: 'ed25519' }), isCode('unsupported'));
});
