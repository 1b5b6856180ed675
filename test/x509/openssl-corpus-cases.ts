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
  ];
}
