import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProvider } from '../../src/crypto/index.js';
import { CA, KEY_TYPES, LeafCert, identityToGeneralName } from '../../src/testing/index.js';
import { parseCrl } from '../../src/x509/crl.js';
import { pemToDerCert } from '../../src/x509/pem.js';
import { TrustStore } from '../../src/x509/store.js';
import { verifyCertificateChain, X509_V_FLAG, type VerifyOptions } from '../../src/x509/verify.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { OID } from '../../src/x509/oids.js';
import { openssl, opensslSkipReason, pythonJson, pythonSkipReason, runOpenssl, tempDir } from '../helpers/openssl.js';
import { CERTDATA } from '../helpers/certdata.js';

const noOpenssl = opensslSkipReason() ?? false;
const noPython = pythonSkipReason() ?? false;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Writes the CA (and the leaf's chain) to a temp dir and runs `openssl verify` with extra args. */
function opensslVerify(ca: CA, leaf: LeafCert, args: readonly string[] = []): { status: number; out: string } {
  const { dir, cleanup } = tempDir('sslsock-ca-');
  try {
    const { certFile: caFile } = ca.root.writeFiles(dir, 'root');
    // certFile holds the whole chain, but `openssl verify` checks only its first certificate.
    const { certFile } = leaf.writeFiles(dir, 'leaf');
    const untrusted = leaf.certChainPems.slice(1);
    const extra: string[] = [];
    if (untrusted.length > 0) {
      const path = join(dir, 'untrusted.pem');
      writeFileSync(path, untrusted.join(''));
      extra.push('-untrusted', path);
    }
    const r = runOpenssl(['verify', '-CAfile', caFile, ...extra, ...args, certFile]);
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    cleanup();
  }
}


for (const keyType of KEY_TYPES) {
  test(`${keyType}: a leaf for DNS, IPv4, IPv6 and e-mail identities verifies with openssl for each identity`, { skip: noOpenssl }, () => {
    const ca = CA.create({ keyType });
    const leaf = ca.issueCert('localhost', '127.0.0.1', '::1', 'user@example.org');
    assert.equal(opensslVerify(ca, leaf, ['-verify_hostname', 'localhost']).status, 0);
    assert.equal(opensslVerify(ca, leaf, ['-verify_ip', '127.0.0.1']).status, 0);
    assert.equal(opensslVerify(ca, leaf, ['-verify_ip', '::1']).status, 0);
    assert.equal(opensslVerify(ca, leaf, ['-verify_email', 'user@example.org']).status, 0);
    const wrong = opensslVerify(ca, leaf, ['-verify_hostname', 'example.com']);
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.out, /error 62 at 0 depth lookup: hostname mismatch/);
  });
}

test('leaf certificates carry the SANs, key usages and EKUs trustme gives them', () => {
  const ca = CA.create({ keyType: 'rsa2048' });
  const leaf = ca.issueCert('localhost', '127.0.0.1', '2001:db8::5', 'user@example.org', 'münchen.example', { commonName: 'localhost' });
  const c = parseCertificate(leaf.certDer);
  const san = c.extensions.subjectAltName!;
  assert.deepEqual(
    san.map((g) => (g.type === 'iPAddress' ? `ip:${g.bytes.toString('hex')}` : g.type === 'directoryName' || g.type === 'otherName' || g.type === 'x400Address' || g.type === 'ediPartyName' || g.type === 'registeredID' ? g.type : `${g.type}:${g.value}`)),
    ['dNSName:localhost', 'ip:7f000001', 'ip:20010db8000000000000000000000005', 'rfc822Name:user@example.org', 'dNSName:xn--mnchen-3ya.example'],
  );
  assert.deepEqual(c.subject.commonNames, ['localhost']);
  assert.deepEqual(c.extensions.basicConstraints, { ca: false, pathLen: null });
  assert.ok(c.extensions.keyUsage!.has('digitalSignature') && c.extensions.keyUsage!.has('keyEncipherment'));
  assert.deepEqual(c.extensions.extKeyUsage, [OID.serverAuth, OID.clientAuth]);
  assert.deepEqual(c.issuer.raw, ca.subjectDer);
  assert.equal(c.serialNumber, leaf.serialNumber);
  // EC keys cannot do key transport, so they do not claim keyEncipherment.
  const ec = parseCertificate(CA.create().issueCert('x.test').certDer);
  assert.ok(!ec.extensions.keyUsage!.has('keyEncipherment'));
});

test('a root CA is self-signed with CA:TRUE, pathlen 9 and certificate/CRL signing usages', { skip: noOpenssl }, () => {
  const ca = CA.create({ organizationName: 'Acme Testing', commonName: 'Acme Root' });
  const text = openssl(['x509', '-text', '-noout', '-nameopt', 'RFC2253'], { input: ca.certPem });
  assert.match(text, /Subject: CN=Acme Root,OU=Testing CA #[0-9a-f]{16},O=Acme Testing/);
  assert.match(text, /CA:TRUE, pathlen:9/);
  assert.match(text, /Certificate Sign, CRL Sign/);
  const c = parseCertificate(ca.certDer);
  assert.ok(c.isSelfIssued);
  assert.ok(ca.privateKey.publicKey.verify(c.signatureAlgorithm.algorithm!, c.tbsRaw, c.signatureValue));
});

test('intermediates: the leaf chain lists leaf then intermediates, and verifies only with them', { skip: noOpenssl }, () => {
  const root = CA.create({ keyType: 'ecdsa-p384' });
  const inter1 = root.createChildCA();
  const inter2 = inter1.createChildCA({ keyType: 'rsa2048' });
  const leaf = inter2.issueCert('deep.test');
  assert.equal(leaf.certChainPems.length, 3);
  assert.equal(leaf.certChainPems[0], leaf.certPem);
  assert.equal(leaf.certChainPems[1], inter2.certPem);
  assert.equal(leaf.certChainPems[2], inter1.certPem);
  assert.equal(inter2.root, root);
  assert.equal(parseCertificate(Buffer.from(inter1.certDer)).extensions.basicConstraints!.pathLen, 8);
  assert.equal(opensslVerify(inter2, leaf, ['-verify_hostname', 'deep.test']).status, 0);
  // Without the intermediates openssl cannot build the path: error 20.
  const { dir, cleanup } = tempDir('sslsock-ca-');
  try {
    const { certFile: caFile } = root.writeFiles(dir);
    writeFileSync(join(dir, 'leaf-only.pem'), leaf.certPem);
    const r = runOpenssl(['verify', '-CAfile', caFile, join(dir, 'leaf-only.pem')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /error 20 at 0 depth lookup: unable to get local issuer certificate/);
  } finally {
    cleanup();
  }
});

test('pathLength is inherited minus one and exhausted pathLength refuses another intermediate', () => {
  const root = CA.create({ pathLength: 1 });
  const child = root.createChildCA();
  assert.equal(parseCertificate(child.certDer).extensions.basicConstraints!.pathLen, 0);
  assert.throws(() => child.createChildCA(), /pathLength exhausted/);
  const unlimited = CA.create({ pathLength: null });
  assert.equal(parseCertificate(unlimited.certDer).extensions.basicConstraints!.pathLen, null);
});

test('an expired leaf fails openssl verify with error 10 and a not-yet-valid one with error 9', { skip: noOpenssl }, () => {
  const ca = CA.create();
  const expired = ca.issueCert('old.test', { notAfter: new Date(Date.now() - DAY) });
  const future = ca.issueCert('new.test', { notBefore: new Date(Date.now() + DAY) });
  const e = opensslVerify(ca, expired);
  assert.notEqual(e.status, 0);
  assert.match(e.out, /error 10 at 0 depth lookup: certificate has expired/);
  const f = opensslVerify(ca, future);
  assert.notEqual(f.status, 0);
  assert.match(f.out, /error 9 at 0 depth lookup: certificate is not yet valid/);
  const ec = parseCertificate(expired.certDer);
  assert.ok(ec.notBefore < ec.notAfter && ec.notAfter.getTime() < Date.now());
});

test('a CRL listing a leaf makes openssl verify -crl_check fail with error 23; an unrevoked leaf passes', { skip: noOpenssl }, () => {
  const ca = CA.create({ keyType: 'ed25519' });
  const revoked = ca.issueCert('revoked.test');
  const good = ca.issueCert('good.test');
  const crl = ca.createCrl({ revoked: [revoked] });
  const { dir, cleanup } = tempDir('sslsock-ca-');
  try {
    const { certFile: caFile } = ca.writeFiles(dir);
    const crlFile = crl.writeFile(join(dir, 'ca.crl'));
    const bad = revoked.writeFiles(dir, 'revoked');
    const ok = good.writeFiles(dir, 'good');
    const r = runOpenssl(['verify', '-crl_check', '-CAfile', caFile, '-CRLfile', crlFile, bad.certFile]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /error 23 at 0 depth lookup: certificate revoked/);
    const g = runOpenssl(['verify', '-crl_check', '-CAfile', caFile, '-CRLfile', crlFile, ok.certFile]);
    assert.equal(g.status, 0, g.stdout + g.stderr);
    assert.match(openssl(['crl', '-in', crlFile, '-text', '-noout']), /X509v3 CRL Number:\s+1\b/);
  } finally {
    cleanup();
  }
  // Each further CRL gets the next number.
  assert.match(openssl(['crl', '-inform', 'DER', '-text', '-noout'], { input: ca.createCrl().der }), /X509v3 CRL Number:\s+2\b/);
});

test('client certificates carry only clientAuth: openssl accepts them for sslclient and refuses sslserver (error 26, unsuitable purpose)', { skip: noOpenssl }, () => {
  const ca = CA.create();
  const client = ca.issueClientCert('alice@example.org');
  assert.deepEqual(parseCertificate(client.certDer).extensions.extKeyUsage, [OID.clientAuth]);
  assert.equal(opensslVerify(ca, client, ['-purpose', 'sslclient']).status, 0);
  const s = opensslVerify(ca, client, ['-purpose', 'sslserver']);
  assert.notEqual(s.status, 0);
  assert.match(s.out, /error 26 at 0 depth lookup: unsuitable certificate purpose/);
  const serverOnly = ca.issueCert('srv.test', { clientAuth: false });
  assert.deepEqual(parseCertificate(serverOnly.certDer).extensions.extKeyUsage, [OID.serverAuth]);
});

test('writeFiles writes PEM files that openssl reads back, key matching the certificate', { skip: noOpenssl }, () => {
  const ca = CA.create({ keyType: 'ecdsa-p384' });
  const child = ca.createChildCA();
  const leaf = child.issueCert('files.test');
  const { dir, cleanup } = tempDir('sslsock-ca-');
  try {
    const paths = leaf.writeFiles(join(dir, 'nested'), 'server');
    assert.deepEqual(Object.keys(paths), ['certFile', 'keyFile', 'combinedFile']);
    for (const p of Object.values(paths)) assert.ok(existsSync(p), p);
    const chain = readFileSync(paths.certFile, 'utf8');
    assert.equal(chain.match(/BEGIN CERTIFICATE/g)!.length, 2);
    const combined = readFileSync(paths.combinedFile, 'utf8');
    assert.ok(combined.startsWith('-----BEGIN PRIVATE KEY-----'));
    assert.equal(combined, leaf.privateKeyAndCertChainPem);
    const certPub = openssl(['x509', '-in', paths.certFile, '-noout', '-pubkey']);
    const keyPub = openssl(['pkey', '-in', paths.keyFile, '-pubout']);
    assert.equal(certPub, keyPub);
    const caPaths = ca.writeFiles(dir);
    assert.equal(readFileSync(caPaths.certFile, 'utf8'), ca.certPem);
    assert.match(readFileSync(caPaths.keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  } finally {
    cleanup();
  }
});

test("Python's ssl module completes a TLS handshake with a leaf we issue and trusts our CA", { skip: noPython }, () => {
  const ca = CA.create({ keyType: 'rsa2048' });
  const inter = ca.createChildCA();
  const leaf = inter.issueCert('localhost', '127.0.0.1', { commonName: 'localhost' });
  const { dir, cleanup } = tempDir('sslsock-ca-');
  try {
    const files = leaf.writeFiles(dir, 'server');
    const script = `
import json, ssl, sys
args = json.load(sys.stdin)
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(args['cert'], args['key'])
cctx = ssl.create_default_context(cadata=args['ca'])
results = {}
for host in ['localhost', '127.0.0.1', 'wrong.test']:
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cctx.wrap_bio(c_in, c_out, server_hostname=host)
    server = sctx.wrap_bio(s_in, s_out, server_side=True)
    try:
        for _ in range(10):
            for side in (client, server):
                try: side.do_handshake()
                except ssl.SSLWantReadError: pass
            s_in.write(c_out.read()); c_in.write(s_out.read())
        results[host] = {'ok': True, 'cert': client.getpeercert()}
    except ssl.SSLCertVerificationError as e:
        results[host] = {'ok': False, 'code': e.verify_code, 'message': e.verify_message}
print(json.dumps(results))
`;
    const r = pythonJson<Record<string, { ok: boolean; code?: number; message?: string; cert?: { subject: unknown; subjectAltName: unknown } }>>(script, {
      cert: files.certFile,
      key: files.keyFile,
      ca: ca.certPem,
    });
    assert.equal(r['localhost']!.ok, true);
    assert.deepEqual(r['localhost']!.cert!.subjectAltName, [
      ['DNS', 'localhost'],
      ['IP Address', '127.0.0.1'],
    ]);
    assert.equal(r['127.0.0.1']!.ok, true);
    assert.deepEqual([r['wrong.test']!.ok, r['wrong.test']!.code], [false, 62]);
    assert.equal(r['wrong.test']!.message, "Hostname mismatch, certificate is not valid for 'wrong.test'.");
  } finally {
    cleanup();
  }
});

test('configureTrust passes the root as cadata and configureCert loads key+chain from a file removed afterwards', () => {
  const root = CA.create();
  const child = root.createChildCA();
  const calls: unknown[][] = [];
  child.configureTrust({ loadVerifyLocations: (...args: unknown[]) => void calls.push(args) });
  assert.deepEqual(calls, [[undefined, undefined, root.certPem]]);
  const leaf = child.issueCert('ctx.test');
  let seenPath = '';
  let seenText = '';
  leaf.configureCert({
    loadCertChain(certfile: string) {
      seenPath = certfile;
      seenText = readFileSync(certfile, 'utf8');
    },
  });
  assert.equal(seenText, leaf.privateKeyAndCertChainPem);
  assert.ok(!existsSync(seenPath), 'the temporary file is removed');
});

test('identities map to GeneralNames the way trustme maps them', () => {
  assert.deepEqual(identityToGeneralName('example.org'), { type: 'dns', value: 'example.org' });
  assert.deepEqual(identityToGeneralName('*.example.org'), { type: 'dns', value: '*.example.org' });
  assert.deepEqual(identityToGeneralName('10.1.2.3'), { type: 'ip', value: '10.1.2.3' });
  assert.deepEqual(identityToGeneralName('fe80::1'), { type: 'ip', value: 'fe80::1' });
  assert.deepEqual(identityToGeneralName('bob@example.org'), { type: 'email', value: 'bob@example.org' });
  assert.deepEqual(identityToGeneralName('https://example.org/x'), { type: 'uri', value: 'https://example.org/x' });
  assert.deepEqual(identityToGeneralName('bücher.example'), { type: 'dns', value: 'xn--bcher-kva.example' });
  assert.throws(() => identityToGeneralName(''), /non-empty/);
});

test('issueCert refuses calls without identities or with misplaced options, and unknown key types', () => {
  const ca = CA.create();
  assert.throws(() => ca.issueCert(), /at least one identity/);
  assert.throws(() => (ca.issueCert as (...a: unknown[]) => LeafCert)({ commonName: 'x' }, 'a.test'), /options go last/);
  assert.throws(() => CA.create({ keyType: 'dsa1024' as never }), /unknown key type 'dsa1024'/);
  // A commonName alone is enough (for client certificates identified by subject).
  assert.deepEqual(parseCertificate(ca.issueClientCert({ commonName: 'Alice' }).certDer).subject.commonNames, ['Alice']);
});

/** Our verifier on a leaf's chain against a root, the way a client would call it. */
function ourVerify(root: CA, leaf: LeafCert, options: Partial<Omit<VerifyOptions, 'chain' | 'store' | 'provider'>> = {}) {
  const store = new TrustStore(defaultProvider);
  store.addCertificate(root.certDer);
  return verifyCertificateChain({ chain: leaf.certChainPems.map((p) => pemToDerCert(p)), store, provider: defaultProvider, ...options });
}

test('issued chains validate with our verifyCertificateChain, and fail with the codes openssl gives', { skip: noOpenssl }, () => {
  for (const keyType of KEY_TYPES) {
    const root = CA.create({ keyType });
    const inter = root.createChildCA();
    const leaf = inter.issueCert('localhost', '127.0.0.1', '::1');
    const cases: { args: string[]; options: Partial<VerifyOptions> }[] = [
      { args: ['-verify_hostname', 'localhost'], options: { hostname: 'localhost' } },
      { args: ['-verify_ip', '::1'], options: { ip: '::1' } },
      { args: ['-verify_hostname', 'example.com'], options: { hostname: 'example.com' } },
      { args: ['-verify_ip', '10.0.0.1'], options: { ip: '10.0.0.1' } },
    ];
    for (const { args, options } of cases) {
      const theirs = opensslVerify(inter, leaf, args);
      const ours = ourVerify(root, leaf, options);
      const theirCode = theirs.status === 0 ? 0 : Number(/error (\d+) at/.exec(theirs.out)?.[1]);
      assert.equal(ours.ok ? 0 : ours.code, theirCode, `${keyType} ${args.join(' ')}: ${theirs.out}`);
    }
  }
});

test('our verifier reports an expired leaf as 10, a not-yet-valid one as 9 and a CRL-revoked one as 23', () => {
  const root = CA.create();
  const inter = root.createChildCA();
  const expired = inter.issueCert('old.test', { notAfter: new Date(Date.now() - DAY) });
  const future = inter.issueCert('new.test', { notBefore: new Date(Date.now() + DAY) });
  const revoked = inter.issueCert('revoked.test');
  const good = inter.issueCert('good.test');
  const codeOf = (r: ReturnType<typeof ourVerify>) => (r.ok ? 0 : r.code);
  assert.equal(codeOf(ourVerify(root, expired)), 10);
  assert.equal(codeOf(ourVerify(root, future)), 9);
  const crls = [parseCrl(inter.createCrl({ revoked: [revoked] }).der)];
  const crlCheck = { crls, flags: X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK };
  const r = ourVerify(root, revoked, crlCheck);
  assert.deepEqual([codeOf(r), r.ok ? null : r.depth], [23, 0]);
  assert.equal(codeOf(ourVerify(root, good, crlCheck)), 0);
  // Revoking the intermediate in the root's CRL is caught with CRL_CHECK_ALL at depth 1.
  const chainCrls = [parseCrl(root.createCrl({ revoked: [inter] }).der), parseCrl(inter.createCrl().der)];
  const all = ourVerify(root, good, { crls: chainCrls, flags: X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK | X509_V_FLAG.CRL_CHECK_ALL });
  assert.deepEqual([codeOf(all), all.ok ? null : all.depth], [23, 1]);
});

test("CA.fromPem issues from an existing CA (CPython's pycacert) and openssl verifies the result against it", { skip: noOpenssl || !existsSync(`${CERTDATA}/pycacert.pem`) ? 'openssl or CPython certdata missing' : false }, () => {
  const ca = CA.fromPem(readFileSync(`${CERTDATA}/pycacert.pem`, 'utf8'), readFileSync(`${CERTDATA}/pycakey.pem`, 'utf8'));
  assert.equal(ca.keyType, 'rsa2048');
  assert.equal(parseCertificate(ca.certDer).subject.toString(), 'CN=our-ca-server,O=Python Software Foundation CA,C=XY');
  const leaf = ca.issueCert('localhost');
  const { dir, cleanup } = tempDir('sslsock-ca-');
  try {
    const { certFile } = leaf.writeFiles(dir);
    const r = runOpenssl(['verify', '-CAfile', `${CERTDATA}/pycacert.pem`, '-verify_hostname', 'localhost', certFile]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    cleanup();
  }
});

test('CA.fromPem round-trips our own CA and refuses a key that does not match or a non-CA certificate', () => {
  const original = CA.create({ keyType: 'ed25519' });
  const loaded = CA.fromPem(original.certPem, original.privateKeyPem);
  assert.deepEqual(loaded.subjectDer, original.subjectDer);
  assert.equal(loaded.serialNumber, original.serialNumber);
  assert.equal(loaded.keyType, 'ed25519');
  assert.deepEqual(parseCertificate(loaded.issueCert('x.test').certDer).issuer.raw, original.subjectDer);
  assert.throws(() => CA.fromPem(original.certPem, CA.create({ keyType: 'ed25519' }).privateKeyPem), /does not match/);
  const leaf = original.issueCert('leaf.test');
  assert.throws(() => CA.fromPem(leaf.certPem, leaf.privateKeyPem), /not a CA certificate/);
  assert.throws(() => CA.fromPem('not pem', original.privateKeyPem), /no CERTIFICATE block/);
});

test('createCrl takes serials with dates and reasons, and explicit CRL numbers', { skip: noOpenssl }, () => {
  const ca = CA.create();
  const when = new Date('2026-01-02T03:04:05Z');
  const crl = ca.createCrl({ revoked: [{ serialNumber: 0x1234n, revocationDate: when, reason: 'superseded' }], crlNumber: 77 });
  const parsed = parseCrl(crl.der);
  assert.deepEqual(
    parsed.revoked.map((r) => [r.serialNumber, r.revocationDate.toISOString(), r.reason]),
    [[0x1234n, '2026-01-02T03:04:05.000Z', 4]],
  );
  assert.match(openssl(['crl', '-inform', 'DER', '-text', '-noout'], { input: crl.der }), /X509v3 CRL Number:\s+77\b[\s\S]*Superseded/);
  assert.match(openssl(['crl', '-inform', 'DER', '-text', '-noout'], { input: ca.createCrl().der }), /X509v3 CRL Number:\s+78\b/);
});
