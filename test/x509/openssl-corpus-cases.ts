/**
 * The verification corpus: chains made with the openssl CLI that exercise
 * every path-building and path-validation rule we implement. Each case is
 * judged by `openssl verify` (and, where it is a plain client-side check, by
 * a real Python handshake) and by our verifier; the test asserts they agree.
 */
import { CA_EXT, LEAF_EXT, Pki, type CorpusCase, type KeyKind } from '../helpers/openssl-corpus.js';

const EXPIRED = { start: '20200101000000Z', end: '20240101000000Z' };
const NOT_YET = { start: '20900101000000Z', end: '20990101000000Z' };
const LEAF_SAN = 'subjectAltName = DNS:www.example.com,DNS:*.wild.example.com,IP:127.0.0.1,IP:::1';

function leafExt(...extra: string[]): string[] {
  return [...LEAF_EXT, ...extra];
}
/** Drops an extension; key identifiers are set to 'none' since openssl 3 adds them by default. */
function without(list: readonly string[], prefix: string): string[] {
  const rest = list.filter((l) => !l.startsWith(prefix));
  return prefix.endsWith('KeyIdentifier') ? [...rest, `${prefix} = none`] : rest;
}
function replace(list: readonly string[], prefix: string, line: string): string[] {
  return list.map((l) => (l.startsWith(prefix) ? line : l));
}

/** Builds the PKI in `pki.dir` and returns the cases. */
export async function buildCorpus(pki: Pki): Promise<CorpusCase[]> {
  await pki.pregenerate([
    ['rsaRoot', 'rsa'],
    ['rsaInter', 'rsa'],
    ['rsaLeaf', 'rsa'],
    ['weakLeaf', 'rsa1024'],
    ['weakInter', 'rsa1024'],
  ]);
  const ca = (name: string, subject: string, issuer: string, ext: readonly string[] = CA_EXT, dates: { start?: string; end?: string } = {}, key = name, keyKind: KeyKind = 'ec') =>
    pki.issue(name, { subject: `/O=Corpus/CN=${subject}`, key, keyKind, issuer, ext, ...dates });
  const leaf = (name: string, issuer: string, ext: readonly string[] = leafExt(LEAF_SAN), dates: { start?: string; end?: string } = {}, subject = 'www.example.com', keyKind: KeyKind = 'ec') =>
    pki.issue(name, { subject: `/O=Corpus/CN=${subject}`, key: name, keyKind, issuer, ext, ...dates });

  // The main hierarchy: root → inter → leaf, plus a second level inter2.
  ca('root', 'Root', 'self');
  ca('inter', 'Intermediate', 'root');
  ca('inter2', 'Intermediate 2', 'inter');
  leaf('leaf', 'inter');
  leaf('leaf3', 'inter2');
  ca('unrelated', 'Unrelated', 'self');

  // Validity.
  leaf('leafExpired', 'inter', leafExt(LEAF_SAN), EXPIRED);
  leaf('leafNotYet', 'inter', leafExt(LEAF_SAN), NOT_YET);
  ca('interExpired', 'Intermediate Expired', 'root', CA_EXT, EXPIRED);
  leaf('leafUnderExpired', 'interExpired');
  ca('rootExpired', 'Root Expired', 'self', CA_EXT, EXPIRED);
  ca('interUnderExpiredRoot', 'Intermediate Under Expired Root', 'rootExpired');
  leaf('leafUnderExpiredRoot', 'interUnderExpiredRoot');

  // Self-signed leaves.
  pki.issue('selfLeaf', { subject: '/O=Corpus/CN=www.example.com', key: 'selfLeaf', issuer: 'self', ext: without(leafExt(LEAF_SAN), 'authorityKeyIdentifier') });

  // CA constraints.
  ca('interNotCA', 'Intermediate CA FALSE', 'root', replace(CA_EXT, 'basicConstraints', 'basicConstraints = critical,CA:FALSE'));
  leaf('leafUnderNotCA', 'interNotCA');
  ca('interNoBC', 'Intermediate without basicConstraints', 'root', without(CA_EXT, 'basicConstraints'));
  leaf('leafUnderNoBC', 'interNoBC');
  ca('interNoKCS', 'Intermediate without keyCertSign', 'root', replace(CA_EXT, 'keyUsage', 'keyUsage = critical,digitalSignature,cRLSign'));
  leaf('leafUnderNoKCS', 'interNoKCS');
  ca('interPL0', 'Intermediate pathlen 0', 'root', replace(CA_EXT, 'basicConstraints', 'basicConstraints = critical,CA:TRUE,pathlen:0'));
  ca('interBelowPL0', 'Intermediate below pathlen 0', 'interPL0');
  leaf('leafUnderPL0', 'interBelowPL0');
  leaf('leafDirectPL0', 'interPL0');
  ca('interBCNotCritical', 'Intermediate BC not critical', 'root', replace(CA_EXT, 'basicConstraints', 'basicConstraints = CA:TRUE'));
  leaf('leafUnderBCNotCritical', 'interBCNotCritical');
  ca('interNoAKI', 'Intermediate without AKI', 'root', without(CA_EXT, 'authorityKeyIdentifier'));
  leaf('leafUnderNoAKI', 'interNoAKI');
  ca('interNoSKI', 'Intermediate without SKI', 'root', without(CA_EXT, 'subjectKeyIdentifier'));
  // openssl cannot make a key-id AKI when the issuer has no SKI: write one by hand (any key id passes when there is no SKI to compare).
  leaf('leafUnderNoSKI', 'interNoSKI', [...without(leafExt(LEAF_SAN), 'authorityKeyIdentifier'), `2.5.29.35 = DER:30168014${'ab'.repeat(20)}`]);
  ca('interNoKU', 'Intermediate without keyUsage', 'root', without(CA_EXT, 'keyUsage'));
  leaf('leafUnderNoKU', 'interNoKU');
  leaf('leafCritUnknown', 'inter', leafExt(LEAF_SAN, '1.2.3.4.5 = critical,ASN1:NULL'));

  // Purposes.
  leaf('leafClientOnly', 'inter', replace(leafExt(LEAF_SAN), 'extendedKeyUsage', 'extendedKeyUsage = clientAuth'));
  leaf('leafServerOnly', 'inter', replace(leafExt(LEAF_SAN), 'extendedKeyUsage', 'extendedKeyUsage = serverAuth'));
  leaf('leafNoEKU', 'inter', without(leafExt(LEAF_SAN), 'extendedKeyUsage'));
  leaf('leafKUCertSignOnly', 'inter', replace(leafExt(LEAF_SAN), 'keyUsage', 'keyUsage = critical,keyCertSign'));
  ca('interEkuClient', 'Intermediate EKU clientAuth', 'root', [...CA_EXT, 'extendedKeyUsage = clientAuth']);
  leaf('leafUnderEkuClient', 'interEkuClient');

  // Name constraints.
  ca('interNC', 'Intermediate name constraints', 'root', [
    ...CA_EXT,
    'nameConstraints = critical,permitted;DNS:.example.com,excluded;DNS:bad.example.com,permitted;IP:127.0.0.0/255.0.0.0,permitted;email:.example.com',
  ]);
  leaf('leafNcOk', 'interNC', leafExt('subjectAltName = DNS:www.example.com,IP:127.0.0.1'));
  leaf('leafNcPermitted', 'interNC', leafExt('subjectAltName = DNS:www.other.org'));
  leaf('leafNcExcluded', 'interNC', leafExt('subjectAltName = DNS:bad.example.com'));
  leaf('leafNcIp', 'interNC', leafExt('subjectAltName = DNS:www.example.com,IP:10.0.0.1'));
  leaf('leafNcCn', 'interNC', leafExt(), {}, 'www.other.org');
  leaf('leafNcCnWithSan', 'interNC', leafExt('subjectAltName = DNS:www.example.com'), {}, 'www.other.org');
  leaf('leafNcEmail', 'interNC', leafExt('subjectAltName = DNS:www.example.com,email:someone@other.org'));
  ca('interNCDir', 'Intermediate dirName constraint', 'root', [...CA_EXT, 'nameConstraints = critical,permitted;dirName:dir_sect', '[ dir_sect ]', 'O = Corpus']);
  leaf('leafNcDirOk', 'interNCDir');
  pki.issue('leafNcDirBad', { subject: '/O=Elsewhere/CN=www.example.com', key: 'leafNcDirBad', issuer: 'interNCDir', ext: leafExt(LEAF_SAN) });

  // Signatures.
  pki.corruptSignature('leaf', 'leafBadSig');
  pki.corruptSignature('inter', 'interBadSig');
  ca('impostorInter', 'Intermediate', 'root', CA_EXT, {}, 'impostorInterKey');
  leaf('leafNoAKI', 'inter', without(leafExt(LEAF_SAN), 'authorityKeyIdentifier'));

  // Hostnames.
  leaf('leafCnOnly', 'inter', leafExt(), {}, 'cn.example.com');
  leaf('leafPartialWild', 'inter', leafExt('subjectAltName = DNS:f*.example.com'));

  // Key types.
  ca('rsaRoot', 'RSA Root', 'self', CA_EXT, {}, 'rsaRoot', 'rsa');
  ca('rsaInter', 'RSA Intermediate', 'rsaRoot', CA_EXT, {}, 'rsaInter', 'rsa');
  leaf('rsaLeaf', 'rsaInter', leafExt(LEAF_SAN), {}, 'www.example.com', 'rsa');
  pki.corruptSignature('rsaLeaf', 'rsaLeafBadSig');
  ca('edRoot', 'Ed25519 Root', 'self', CA_EXT, {}, 'edRoot', 'ed25519');
  ca('edInter', 'Ed25519 Intermediate', 'edRoot', CA_EXT, {}, 'edInter', 'ed25519');
  leaf('edLeaf', 'edInter', replace(leafExt(LEAF_SAN), 'keyUsage', 'keyUsage = critical,digitalSignature'), {}, 'www.example.com', 'ed25519');
  pki.corruptSignature('edLeaf', 'edLeafBadSig');
  ca('mixInter', 'EC Intermediate under RSA', 'rsaRoot');
  leaf('mixLeaf', 'mixInter', replace(leafExt(LEAF_SAN), 'keyUsage', 'keyUsage = critical,digitalSignature'), {}, 'www.example.com', 'ed25519');

  // Cross-signing: rootNew also certified by rootOld (same subject and key as rootNew).
  ca('rootNew', 'Root New', 'self');
  ca('rootOld', 'Root Old', 'self');
  ca('crossNew', 'Root New', 'rootOld', CA_EXT, {}, 'rootNew');
  ca('crossNewExpired', 'Root New', 'rootOld', CA_EXT, EXPIRED, 'rootNew');
  ca('interUnderNew', 'Intermediate under Root New', 'rootNew');
  leaf('leafUnderNew', 'interUnderNew');
  // Renewed root: same subject and key, one copy expired.
  ca('rootRenewedOld', 'Root Renewed', 'self', CA_EXT, EXPIRED, 'rootRenewed');
  ca('rootRenewed', 'Root Renewed', 'self', CA_EXT, {}, 'rootRenewed');
  leaf('leafUnderRenewed', 'rootRenewed');

  // A loop: A certified by B and B by A, no root anywhere.
  ca('loopA0', 'Loop A', 'self', CA_EXT, {}, 'loopA');
  ca('loopB', 'Loop B', 'loopA0');
  ca('loopA', 'Loop A', 'loopB', CA_EXT, {}, 'loopA');
  leaf('leafInLoop', 'loopA');

  // Revocation.
  leaf('leafRevoked', 'inter');
  ca('interRevoked', 'Intermediate Revoked', 'root');
  leaf('leafUnderRevoked', 'interRevoked');
  pki.revoke('inter', 'leafRevoked');
  pki.revoke('root', 'interRevoked');
  const interCrl = pki.crl('inter', 'inter');
  const rootCrl = pki.crl('root', 'root');
  const interCrlExpired = pki.crl('inter', 'interExpired', '20200101000000Z', '20240101000000Z');
  const interCrlNotYet = pki.crl('inter', 'interNotYet', '20900101000000Z', '20990101000000Z');
  const interRevokedCrl = pki.crl('interRevoked', 'interRevoked');

  // Security level 2 (what Python contexts use): weak keys and SHA-1 signatures.
  leaf('weakLeaf', 'inter', leafExt(LEAF_SAN), {}, 'www.example.com', 'rsa1024');
  ca('weakInter', 'Weak Intermediate', 'root', CA_EXT, {}, 'weakInter', 'rsa1024');
  leaf('leafUnderWeak', 'weakInter');
  pki.issue('sha1Inter', { subject: '/O=Corpus/CN=SHA-1 Intermediate', key: 'sha1Inter', issuer: 'root', ext: CA_EXT, md: 'sha1' });
  leaf('leafUnderSha1', 'sha1Inter');
  pki.issue('sha1Leaf', { subject: '/O=Corpus/CN=www.example.com', key: 'sha1Leaf', issuer: 'inter', ext: leafExt(LEAF_SAN), md: 'sha1' });
  // More profile checks.
  ca('interStrictMany', 'Intermediate BC not critical, no keyUsage', 'root', without(replace(CA_EXT, 'basicConstraints', 'basicConstraints = CA:TRUE'), 'keyUsage'));
  leaf('leafUnderStrictMany', 'interStrictMany');
  ca('interAkiCritical', 'Intermediate AKI critical', 'root', replace(CA_EXT, 'authorityKeyIdentifier', 'authorityKeyIdentifier = critical,keyid:always'));
  leaf('leafUnderAkiCritical', 'interAkiCritical');
  ca('interPathlenNoKcs', 'Intermediate pathlen without keyCertSign', 'root', replace(replace(CA_EXT, 'basicConstraints', 'basicConstraints = critical,CA:TRUE,pathlen:3'), 'keyUsage', 'keyUsage = critical,cRLSign,digitalSignature'));
  leaf('leafCA', 'inter', replace(leafExt(LEAF_SAN), 'basicConstraints', 'basicConstraints = critical,CA:TRUE'));
  leaf('leafExplicitCurve', 'inter', leafExt(LEAF_SAN), {}, 'www.example.com', 'ec-explicit');
  pki.selfSignV1('v1Root', '/O=Corpus/CN=V1 Root', 'v1Root');
  leaf('leafUnderV1', 'v1Root', without(leafExt(LEAF_SAN), 'authorityKeyIdentifier'));
  ca('interUnderV1', 'Intermediate under V1 Root', 'v1Root', without(CA_EXT, 'authorityKeyIdentifier'));
  leaf('leafUnderInterUnderV1', 'interUnderV1');
  ca('interNCExcludedIp', 'Intermediate excluding loopback, URIs in example.com', 'root', [...CA_EXT, 'nameConstraints = critical,excluded;IP:127.0.0.0/255.0.0.0,permitted;URI:.example.com']);
  leaf('leafExcludedIp', 'interNCExcludedIp', leafExt('subjectAltName = DNS:www.example.com,IP:127.0.0.1'));
  leaf('leafUriOk', 'interNCExcludedIp', leafExt('subjectAltName = DNS:www.example.com,URI:https://www.example.com/path'));
  leaf('leafUriBad', 'interNCExcludedIp', leafExt('subjectAltName = DNS:www.example.com,URI:https://www.other.org/path'));
  // Name constraint corner cases: a minimum (49), an unsupported name type (51), a malformed e-mail (53).
  const dotExample = Buffer.from('.example.com').toString('hex');
  ca('interNCMin', 'Intermediate constraint with minimum', 'root', [...CA_EXT, `2.5.29.30 = critical,DER:3015a0133011820c${dotExample}800101`]);
  leaf('leafUnderNCMin', 'interNCMin', leafExt('subjectAltName = DNS:www.example.com'));
  ca('interNCRid', 'Intermediate registeredID constraint', 'root', [...CA_EXT, 'nameConstraints = critical,permitted;RID:1.2.3,permitted;email:.example.com']);
  leaf('leafRid', 'interNCRid', leafExt('subjectAltName = DNS:www.example.com,RID:1.2.3.4'));
  leaf('leafBadEmail', 'interNCRid', leafExt('subjectAltName = DNS:www.example.com,email:no-at-sign.example.com'));

  // Extensions that do not decode (OpenSSL's EXFLAG_INVALID).
  leaf('leafBadBC', 'inter', [...without(leafExt(LEAF_SAN), 'basicConstraints'), '2.5.29.19 = critical,DER:0101ff']);
  leaf('leafBadSAN', 'inter', [...leafExt(), '2.5.29.17 = DER:0403616263']);
  ca('interBadKU', 'Intermediate malformed keyUsage', 'root', [...without(CA_EXT, 'keyUsage'), '2.5.29.15 = critical,DER:0500']);
  leaf('leafUnderBadKU', 'interBadKU');

  const interCrlCritical = pki.crl('inter', 'interCritical', undefined, undefined, 'crl_ext_critical');
  const impostorCrl = pki.crl('impostorInter', 'impostor', undefined, undefined, 'crl_ext_noakid');

  const base = { trusted: ['root'], untrusted: ['inter'] };
  const py = { python: true };
  return [
    // Path building.
    { name: 'valid chain', leaf: 'leaf', ...base, ...py },
    { name: 'valid chain with the root sent too', leaf: 'leaf', untrusted: ['inter', 'root'], trusted: ['root'], ...py },
    { name: 'leaf alone, issuer unknown', leaf: 'leaf', untrusted: [], trusted: ['root'], ...py },
    { name: 'empty trust store', leaf: 'leaf', untrusted: ['inter'], trusted: [], ...py },
    { name: 'untrusted root in chain', leaf: 'leaf', untrusted: ['inter', 'root'], trusted: [], ...py },
    { name: 'self-signed leaf, untrusted', leaf: 'selfLeaf', untrusted: [], trusted: [], ...py },
    { name: 'self-signed leaf, trusted', leaf: 'selfLeaf', untrusted: [], trusted: ['selfLeaf'], hostname: 'www.example.com', ...py },
    { name: 'superfluous intermediates', leaf: 'leaf', untrusted: ['unrelated', 'rsaInter', 'inter', 'interExpired'], trusted: ['root'], ...py },
    { name: 'out-of-order intermediates', leaf: 'leaf3', untrusted: ['inter', 'inter2'], trusted: ['root'], ...py },
    { name: 'intermediate found in the store', leaf: 'leaf3', untrusted: ['inter2'], trusted: ['root', 'inter'], ...py },
    { name: 'intermediate in store without partial chain', leaf: 'leaf', untrusted: [], trusted: ['inter'], ...py },
    { name: 'intermediate in store with partial chain', leaf: 'leaf', untrusted: [], trusted: ['inter'], flags: ['partial_chain'], ...py },
    { name: 'leaf in store with partial chain', leaf: 'leaf', untrusted: [], trusted: ['leaf'], flags: ['partial_chain'], ...py },
    { name: 'leaf in store without partial chain', leaf: 'leaf', untrusted: [], trusted: ['leaf'], ...py },
    { name: 'loop of cross-certified CAs', leaf: 'leafInLoop', untrusted: ['loopA', 'loopB'], trusted: [], ...py },
    { name: 'loop of cross-certified CAs, A trusted', leaf: 'leafInLoop', untrusted: ['loopA', 'loopB'], trusted: ['loopA0'], ...py },
    { name: 'cross-signed root, new root trusted (trusted first)', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNew'], trusted: ['rootNew'], ...py },
    { name: 'cross-signed root, old root trusted', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNew'], trusted: ['rootOld'], ...py },
    { name: 'expired cross-sign, new root trusted', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNewExpired'], trusted: ['rootNew'], ...py },
    { name: 'expired cross-sign, old root trusted', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNewExpired'], trusted: ['rootOld'], ...py },
    { name: 'renewed root preferred over expired copy', leaf: 'leafUnderRenewed', untrusted: [], trusted: ['rootRenewedOld', 'rootRenewed'], ...py },
    { name: 'impostor intermediate, leaf has AKI', leaf: 'leaf', untrusted: ['impostorInter'], trusted: ['root'], ...py },
    { name: 'impostor intermediate, leaf without AKI', leaf: 'leafNoAKI', untrusted: ['impostorInter'], trusted: ['root'], ...py },
    { name: 'chain longer than max depth', leaf: 'leaf3', untrusted: ['inter2', 'inter'], trusted: ['root'], maxDepth: 1 },
    { name: 'chain exactly at max depth', leaf: 'leaf3', untrusted: ['inter2', 'inter'], trusted: ['root'], maxDepth: 2 },
    // Validity periods.
    { name: 'expired leaf', leaf: 'leafExpired', ...base, ...py },
    { name: 'not yet valid leaf', leaf: 'leafNotYet', ...base, ...py },
    { name: 'expired intermediate', leaf: 'leafUnderExpired', untrusted: ['interExpired'], trusted: ['root'], ...py },
    { name: 'expired root', leaf: 'leafUnderExpiredRoot', untrusted: ['interUnderExpiredRoot'], trusted: ['rootExpired'], ...py },
    { name: 'expired leaf checked at an earlier time', leaf: 'leafExpired', ...base, attime: Date.UTC(2022, 0, 1) / 1000 },
    // CA rules.
    { name: 'CA:FALSE intermediate', leaf: 'leafUnderNotCA', untrusted: ['interNotCA'], trusted: ['root'], ...py },
    { name: 'intermediate without basicConstraints', leaf: 'leafUnderNoBC', untrusted: ['interNoBC'], trusted: ['root'], ...py },
    { name: 'intermediate keyUsage without keyCertSign', leaf: 'leafUnderNoKCS', untrusted: ['interNoKCS'], trusted: ['root'], ...py },
    { name: 'pathlen 0 exceeded', leaf: 'leafUnderPL0', untrusted: ['interBelowPL0', 'interPL0'], trusted: ['root'], ...py },
    { name: 'pathlen 0 respected', leaf: 'leafDirectPL0', untrusted: ['interPL0'], trusted: ['root'], ...py },
    { name: 'unknown critical extension in leaf', leaf: 'leafCritUnknown', ...base, ...py },
    // Purposes.
    { name: 'clientAuth-only leaf for a server', leaf: 'leafClientOnly', ...base, ...py },
    { name: 'clientAuth-only leaf for a client', leaf: 'leafClientOnly', ...base, purpose: 'sslclient' },
    { name: 'serverAuth-only leaf for a client', leaf: 'leafServerOnly', ...base, purpose: 'sslclient' },
    { name: 'leaf without EKU', leaf: 'leafNoEKU', ...base, ...py },
    { name: 'leaf keyUsage keyCertSign only', leaf: 'leafKUCertSignOnly', ...base, ...py },
    { name: 'intermediate EKU clientAuth only', leaf: 'leafUnderEkuClient', untrusted: ['interEkuClient'], trusted: ['root'], ...py },
    { name: 'intermediate EKU clientAuth only, no purpose', leaf: 'leafUnderEkuClient', untrusted: ['interEkuClient'], trusted: ['root'], purpose: null },
    // Name constraints.
    { name: 'name constraints satisfied', leaf: 'leafNcOk', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'DNS outside permitted subtree', leaf: 'leafNcPermitted', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'DNS in excluded subtree', leaf: 'leafNcExcluded', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'IP outside permitted subtree', leaf: 'leafNcIp', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'CN outside permitted subtree, no SAN', leaf: 'leafNcCn', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'CN outside permitted subtree, DNS SAN inside', leaf: 'leafNcCnWithSan', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'email outside permitted subtree', leaf: 'leafNcEmail', untrusted: ['interNC'], trusted: ['root'], ...py },
    { name: 'dirName constraint satisfied', leaf: 'leafNcDirOk', untrusted: ['interNCDir'], trusted: ['root'], ...py },
    { name: 'dirName constraint violated', leaf: 'leafNcDirBad', untrusted: ['interNCDir'], trusted: ['root'], ...py },
    // Signatures.
    { name: 'bad leaf signature', leaf: 'leafBadSig', ...base, ...py },
    { name: 'bad intermediate signature', leaf: 'leaf', untrusted: ['interBadSig'], trusted: ['root'], ...py },
    { name: 'RSA chain', leaf: 'rsaLeaf', untrusted: ['rsaInter'], trusted: ['rsaRoot'], hostname: 'www.example.com', ...py },
    { name: 'RSA bad leaf signature', leaf: 'rsaLeafBadSig', untrusted: ['rsaInter'], trusted: ['rsaRoot'], ...py },
    { name: 'Ed25519 chain', leaf: 'edLeaf', untrusted: ['edInter'], trusted: ['edRoot'], hostname: 'www.example.com', ...py },
    { name: 'Ed25519 bad leaf signature', leaf: 'edLeafBadSig', untrusted: ['edInter'], trusted: ['edRoot'], ...py },
    { name: 'mixed RSA / ECDSA / Ed25519 chain', leaf: 'mixLeaf', untrusted: ['mixInter'], trusted: ['rsaRoot'], ...py },
    // Host names and IP addresses.
    { name: 'hostname matches SAN', leaf: 'leaf', ...base, hostname: 'www.example.com', ...py },
    { name: 'hostname matches SAN, other case', leaf: 'leaf', ...base, hostname: 'WWW.Example.COM', ...py },
    { name: 'hostname mismatch', leaf: 'leaf', ...base, hostname: 'other.example.com', ...py },
    { name: 'wildcard SAN matches one label', leaf: 'leaf', ...base, hostname: 'foo.wild.example.com', ...py },
    { name: 'wildcard SAN does not match two labels', leaf: 'leaf', ...base, hostname: 'a.b.wild.example.com', ...py },
    { name: 'wildcard SAN does not match the bare domain', leaf: 'leaf', ...base, hostname: 'wild.example.com', ...py },
    { name: 'IPv4 matches IP SAN', leaf: 'leaf', ...base, ip: '127.0.0.1', ...py },
    { name: 'IPv6 matches IP SAN', leaf: 'leaf', ...base, ip: '::1', ...py },
    { name: 'IP mismatch', leaf: 'leaf', ...base, ip: '10.0.0.1', ...py },
    { name: 'CN used without SAN', leaf: 'leafCnOnly', ...base, hostname: 'cn.example.com', ...py },
    { name: 'hostname mismatch reported before expiry', leaf: 'leafExpired', ...base, hostname: 'other.example.com', ...py },
    { name: 'hostname mismatch after untrusted issuer', leaf: 'leaf', untrusted: [], trusted: ['root'], hostname: 'other.example.com', ...py },
    { name: 'partial wildcard (openssl verify allows it)', leaf: 'leafPartialWild', ...base, hostname: 'foo.example.com', hostFlags: 0 },
    { name: 'partial wildcard refused with Python host flags', leaf: 'leafPartialWild', ...base, hostname: 'foo.example.com', python: true, opensslSkip: true },
    // Revocation.
    { name: 'revoked leaf with CRL check', leaf: 'leafRevoked', ...base, crls: [interCrl], flags: ['crl_check'], ...py },
    { name: 'revoked leaf without CRL check', leaf: 'leafRevoked', ...base, crls: [interCrl], ...py },
    { name: 'good leaf with CRL check', leaf: 'leaf', ...base, crls: [interCrl], flags: ['crl_check'], ...py },
    { name: 'CRL check without CRL', leaf: 'leaf', ...base, flags: ['crl_check'], ...py },
    { name: 'CRL check all with only the leaf CRL', leaf: 'leaf', ...base, crls: [interCrl], flags: ['crl_check_all'], ...py },
    { name: 'CRL check all with every CRL', leaf: 'leaf', ...base, crls: [interCrl, rootCrl], flags: ['crl_check_all'], ...py },
    { name: 'revoked intermediate with CRL check all', leaf: 'leafUnderRevoked', untrusted: ['interRevoked'], trusted: ['root'], crls: [interRevokedCrl, rootCrl], flags: ['crl_check_all'], ...py },
    { name: 'revoked intermediate with leaf CRL check only', leaf: 'leafUnderRevoked', untrusted: ['interRevoked'], trusted: ['root'], crls: [interRevokedCrl, rootCrl], flags: ['crl_check'], ...py },
    { name: 'expired CRL', leaf: 'leaf', ...base, crls: [interCrlExpired], flags: ['crl_check'], ...py },
    { name: 'CRL not yet valid', leaf: 'leaf', ...base, crls: [interCrlNotYet], flags: ['crl_check'], ...py },
    { name: 'partial chain stops CRL check all at the anchor', leaf: 'leaf', untrusted: [], trusted: ['inter'], crls: [interCrl], flags: ['crl_check_all', 'partial_chain'], ...py },
    // Strict mode.
    { name: 'strict: conforming chain', leaf: 'leaf', ...base, flags: ['x509_strict'], ...py },
    { name: 'strict: intermediate without AKI', leaf: 'leafUnderNoAKI', untrusted: ['interNoAKI'], trusted: ['root'], flags: ['x509_strict'], ...py },
    { name: 'not strict: intermediate without AKI', leaf: 'leafUnderNoAKI', untrusted: ['interNoAKI'], trusted: ['root'], ...py },
    { name: 'strict: intermediate without SKI', leaf: 'leafUnderNoSKI', untrusted: ['interNoSKI'], trusted: ['root'], flags: ['x509_strict'], ...py },
    { name: 'strict: intermediate basicConstraints not critical', leaf: 'leafUnderBCNotCritical', untrusted: ['interBCNotCritical'], trusted: ['root'], flags: ['x509_strict'], ...py },
    { name: 'not strict: intermediate basicConstraints not critical', leaf: 'leafUnderBCNotCritical', untrusted: ['interBCNotCritical'], trusted: ['root'], ...py },
    { name: 'strict: intermediate without keyUsage', leaf: 'leafUnderNoKU', untrusted: ['interNoKU'], trusted: ['root'], flags: ['x509_strict'], ...py },
    { name: 'not strict: intermediate without keyUsage', leaf: 'leafUnderNoKU', untrusted: ['interNoKU'], trusted: ['root'], ...py },
    { name: 'strict: self-signed leaf trusted', leaf: 'selfLeaf', untrusted: [], trusted: ['selfLeaf'], flags: ['x509_strict'], ...py },
    { name: 'strict: BC not critical and no keyUsage (which is reported)', leaf: 'leafUnderStrictMany', untrusted: ['interStrictMany'], trusted: ['root'], flags: ['x509_strict'], ...py },
    { name: 'strict: AKI marked critical', leaf: 'leafUnderAkiCritical', untrusted: ['interAkiCritical'], trusted: ['root'], flags: ['x509_strict'] },
    { name: 'not strict: AKI marked critical', leaf: 'leafUnderAkiCritical', untrusted: ['interAkiCritical'], trusted: ['root'] },
    { name: 'strict: pathlen without keyCertSign (self-signed anchor)', leaf: 'interPathlenNoKcs', untrusted: [], trusted: ['interPathlenNoKcs'], flags: ['x509_strict', 'partial_chain'] },
    { name: 'leaf that is a CA', leaf: 'leafCA', ...base, ...py },
    { name: 'strict: leaf that is a CA', leaf: 'leafCA', ...base, flags: ['x509_strict'], ...py },
    { name: 'EC key with explicit curve parameters', leaf: 'leafExplicitCurve', ...base },
    { name: 'version 1 root as anchor', leaf: 'leafUnderV1', untrusted: [], trusted: ['v1Root'], ...py },
    { name: 'strict: version 1 root as anchor', leaf: 'leafUnderV1', untrusted: [], trusted: ['v1Root'], flags: ['x509_strict'], ...py },
    { name: 'intermediate under a version 1 root', leaf: 'leafUnderInterUnderV1', untrusted: ['interUnderV1'], trusted: ['v1Root'], ...py },
    { name: 'IP in excluded subtree', leaf: 'leafExcludedIp', untrusted: ['interNCExcludedIp'], trusted: ['root'], ...py },
    { name: 'URI inside permitted subtree', leaf: 'leafUriOk', untrusted: ['interNCExcludedIp'], trusted: ['root'], ...py },
    { name: 'URI outside permitted subtree', leaf: 'leafUriBad', untrusted: ['interNCExcludedIp'], trusted: ['root'], ...py },
    { name: 'name constraint with a minimum', leaf: 'leafUnderNCMin', untrusted: ['interNCMin'], trusted: ['root'], ...py },
    { name: 'name type without constraint support', leaf: 'leafRid', untrusted: ['interNCRid'], trusted: ['root'], ...py },
    { name: 'e-mail without @ under an e-mail constraint', leaf: 'leafBadEmail', untrusted: ['interNCRid'], trusted: ['root'], ...py },
    { name: 'leaf with malformed basicConstraints', leaf: 'leafBadBC', ...base },
    { name: 'leaf with malformed subjectAltName', leaf: 'leafBadSAN', ...base },
    { name: 'leaf with malformed subjectAltName and a host name', leaf: 'leafBadSAN', ...base, hostname: 'www.example.com' },
    { name: 'intermediate with malformed keyUsage', leaf: 'leafUnderBadKU', untrusted: ['interBadKU'], trusted: ['root'] },
    { name: 'intermediate with malformed keyUsage, trusted', leaf: 'leafUnderBadKU', untrusted: [], trusted: ['root', 'interBadKU'] },
    // Security level 2.
    { name: 'RSA-1024 leaf key too small', leaf: 'weakLeaf', ...base },
    { name: 'RSA-1024 intermediate key too small', leaf: 'leafUnderWeak', untrusted: ['weakInter'], trusted: ['root'] },
    { name: 'SHA-1 signed intermediate', leaf: 'leafUnderSha1', untrusted: ['sha1Inter'], trusted: ['root'] },
    { name: 'SHA-1 signed leaf', leaf: 'sha1Leaf', ...base },
    // More revocation.
    { name: 'CRL with an unhandled critical extension', leaf: 'leaf', ...base, crls: [interCrlCritical], flags: ['crl_check'], ...py },
    { name: 'CRL signed by another key', leaf: 'leaf', ...base, crls: [impostorCrl], flags: ['crl_check'], ...py },
    { name: 'self-signed trusted leaf with CRL check', leaf: 'selfLeaf', untrusted: [], trusted: ['selfLeaf'], flags: ['crl_check'], ...py },
    { name: 'CRL check all on a version 1 root chain', leaf: 'leafUnderV1', untrusted: [], trusted: ['v1Root'], crls: [], flags: ['crl_check_all'], ...py },
    // Untrusted-first (VERIFY_X509_TRUSTED_FIRST cleared): alternative chains; Python only.
    { name: 'untrusted first: cross-sign to a missing root, alternative chain', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNew'], trusted: ['rootNew'], untrustedFirst: true, opensslSkip: true, ...py },
    { name: 'untrusted first: expired cross-sign, alternative chain', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNewExpired'], trusted: ['rootNew'], untrustedFirst: true, opensslSkip: true, ...py },
    { name: 'untrusted first: cross-sign to the old root', leaf: 'leafUnderNew', untrusted: ['interUnderNew', 'crossNew'], trusted: ['rootOld'], untrustedFirst: true, opensslSkip: true, ...py },
    { name: 'untrusted first: plain chain', leaf: 'leaf3', untrusted: ['inter2', 'inter', 'root'], trusted: ['root'], untrustedFirst: true, opensslSkip: true, ...py },
    { name: 'untrusted first: no trusted issuer anywhere', leaf: 'leaf', untrusted: ['inter'], trusted: ['rootOld'], untrustedFirst: true, opensslSkip: true, ...py },
    // Host names, more.
    { name: 'hostname with a trailing dot', leaf: 'leaf', ...base, hostname: 'www.example.com.', ...py },
    { name: 'IPv6 in another notation', leaf: 'leaf', ...base, ip: '0:0:0:0:0:0:0:1', ...py },
    { name: 'IP address given as hostname is not matched against DNS', leaf: 'leafCnOnly', ...base, ip: '127.0.0.1', ...py },
  ];
}
