/**
 * Signing keys: import (PEM in every common form, DER PKCS#8, DER SPKI),
 * generation, export, and the PublicKey/PrivateKey objects over KeyObjects.
 */
import * as nodeCrypto from 'node:crypto';
import { CURVES, CURVE_BY_OPENSSL_NAME, ED25519_BITS, HASH_BY_NODE_NAME, PEM_ENCRYPTION_CIPHER, curveInfo } from './algorithms.js';
import { DER_TAG, DerError, requireSingleTlv, secondLevelFirstTag } from './der.js';
import { asCryptoError, guard, requireBytes, view } from './errors.js';
import { findPrivateKeyBlock, looksLikePem } from './pem.js';
import {
  CryptoError,
  type EcCurve,
  type KeyGenSpec,
  type KeyType,
  type PrivateKey,
  type PublicKey,
  type SignatureAlgorithm,
} from './provider.js';
import { RecentMap, bytesKey } from './recent.js';
import { sign, verify, type KeyFacts } from './signature.js';

/** RSA modulus sizes we generate: below 1024 OpenSSL refuses at any security level, above 16384 takes minutes. */
const RSA_MIN_GENERATE_BITS = 1024;
const RSA_MAX_GENERATE_BITS = 16384;

/** Inspects a KeyObject and returns what we need to know about it, or throws for key types we do not handle. */
function keyFacts(key: nodeCrypto.KeyObject): KeyFacts & { readonly bits: number } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { type: 'rsa', curve: null, bits: details.modulusLength ?? 0, pssRestrictions: null };
    case 'rsa-pss': {
      // Node reports hashAlgorithm etc. only when the key's AlgorithmIdentifier carries RSASSA-PSS-params.
      const hasParams = details.hashAlgorithm !== undefined || details.saltLength !== undefined;
      const hashOf = (name: string | undefined) => {
        if (name === undefined) return null;
        const h = HASH_BY_NODE_NAME.get(name);
        if (h === undefined) throw new CryptoError('unsupported', `RSA-PSS key restricted to unsupported hash ${name}`);
        return h;
      };
      return {
        type: 'rsa-pss',
        curve: null,
        bits: details.modulusLength ?? 0,
        pssRestrictions: hasParams
          ? { hash: hashOf(details.hashAlgorithm), mgf1Hash: hashOf(details.mgf1HashAlgorithm), minSaltLength: details.saltLength ?? 0 }
          : null,
      };
    }
    case 'ec': {
      const curve = CURVE_BY_OPENSSL_NAME.get(details.namedCurve ?? '');
      if (curve === undefined) throw new CryptoError('unsupported', `unsupported EC curve ${details.namedCurve ?? '(explicit parameters)'}`);
      return { type: 'ec', curve, bits: CURVES[curve].bits, pssRestrictions: null };
    }
    case 'ed25519':
      return { type: 'ed25519', curve: null, bits: ED25519_BITS, pssRestrictions: null };
    default:
      throw new CryptoError('unsupported', `unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}`);
  }
}

/** What public and private keys share: the node KeyObject and the facts read from it once. */
abstract class NodeKey {
  readonly type: KeyType;
  readonly curve: EcCurve | null;
  readonly bits: number;
  protected readonly facts: KeyFacts;

  constructor(readonly keyObject: nodeCrypto.KeyObject) {
    const facts = keyFacts(keyObject);
    this.facts = facts;
    this.type = facts.type;
    this.curve = facts.curve;
    this.bits = facts.bits;
  }
}

export class NodePublicKey extends NodeKey implements PublicKey {
  private exported: Buffer | null = null;

  /**
   * OpenSSL's canonical re-encoding, exported on first use: most keys (every
   * certificate in a chain being validated) are only ever used to verify, and
   * the export was a third of importPublicKey's time. Not the imported bytes,
   * so that `equals` still sees one key in two encodings as the same.
   */
  get spki(): Buffer {
    this.exported ??= guard('bad_key', 'public key export', () => this.keyObject.export({ format: 'der', type: 'spki' }));
    return this.exported;
  }

  verify(algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
    return verify(algorithm, this.keyObject, this.facts, data, signature);
  }

  equals(other: PublicKey): boolean {
    return other instanceof Object && other.spki instanceof Uint8Array && this.spki.equals(other.spki);
  }
}

export class NodePrivateKey extends NodeKey implements PrivateKey {
  readonly publicKey: NodePublicKey;

  constructor(keyObject: nodeCrypto.KeyObject) {
    super(keyObject);
    this.publicKey = new NodePublicKey(guard('bad_key', 'public key derivation', () => nodeCrypto.createPublicKey(keyObject)));
  }

  sign(algorithm: SignatureAlgorithm, data: Uint8Array): Buffer {
    return sign(algorithm, this.keyObject, this.facts, data);
  }

  toPem(password?: string | Uint8Array): string {
    if (password === undefined) {
      return guard('bad_key', 'private key PEM export', () => this.keyObject.export({ format: 'pem', type: 'pkcs8' }) as string);
    }
    const passphrase = passwordBytes(password);
    return guard('bad_key', 'encrypted private key PEM export', () =>
      this.keyObject.export({ format: 'pem', type: 'pkcs8', cipher: PEM_ENCRYPTION_CIPHER, passphrase }) as string,
    );
  }

  toDer(): Buffer {
    return guard('bad_key', 'private key DER export', () => this.keyObject.export({ format: 'der', type: 'pkcs8' }));
  }
}

function passwordBytes(password: string | Uint8Array): Buffer {
  if (typeof password === 'string') return Buffer.from(password, 'utf8');
  if (password instanceof Uint8Array) return view(password);
  throw new CryptoError('bad_argument', `password must be a string or Uint8Array, got ${typeof password}`);
}

export function importPrivateKey(data: string | Uint8Array, password?: string | Uint8Array): NodePrivateKey {
  const passphrase = password === undefined || password === null ? undefined : passwordBytes(password);
  if (typeof data === 'string') return new NodePrivateKey(importPem(data, passphrase));
  if (!(data instanceof Uint8Array)) {
    throw new CryptoError('bad_argument', `private key must be a PEM string or DER bytes, got ${data === null ? 'null' : typeof data}`);
  }
  // PEM is ASCII; latin1 maps bytes 1:1 so DER never fails to decode while we look for a BEGIN line.
  const text = view(data).toString('latin1');
  return new NodePrivateKey(looksLikePem(text) ? importPem(text, passphrase) : importDer(data, passphrase));
}

function importPem(text: string, passphrase: Buffer | undefined): nodeCrypto.KeyObject {
  const found = findPrivateKeyBlock(text);
  if (found.kind === 'unsupported') throw new CryptoError('unsupported', `unsupported private key type: PEM label "${found.label}"`);
  if (found.kind === 'none') {
    const seen = found.labels.length === 0 ? 'no PEM blocks' : `only ${found.labels.map((l) => `"${l}"`).join(', ')}`;
    throw new CryptoError('bad_key', `no private key in PEM data (found ${seen})`);
  }
  const { key } = found;
  if (!key.encrypted) {
    return guard('bad_key', `cannot decode ${key.form} private key`, () => nodeCrypto.createPrivateKey({ key: key.text, format: 'pem' }));
  }
  if (passphrase === undefined) throw new CryptoError('bad_password', `the ${key.form} private key is encrypted and no password was given`);
  // With an encrypted key, a decoding failure after decryption is (almost always) a wrong password:
  // a wrong key yields garbage that fails the padding check or the ASN.1 parse.
  return guard('bad_password', `cannot decrypt ${key.form} private key (wrong password?)`, () =>
    nodeCrypto.createPrivateKey({ key: key.text, format: 'pem', passphrase }),
  );
}

function importDer(der: Uint8Array, passphrase: Buffer | undefined): nodeCrypto.KeyObject {
  let tag: number;
  try {
    requireSingleTlv(der);
    tag = secondLevelFirstTag(der);
  } catch (e) {
    throw new CryptoError('bad_key', `private key is neither PEM nor valid DER: ${e instanceof DerError ? e.message : String(e)}`);
  }
  const key = view(der);
  if (tag === DER_TAG.SEQUENCE) {
    // EncryptedPrivateKeyInfo (RFC 5958 §3) starts with the encryption AlgorithmIdentifier.
    if (passphrase === undefined) throw new CryptoError('bad_password', 'the encrypted PKCS#8 private key needs a password');
    return guard('bad_password', 'cannot decrypt encrypted PKCS#8 private key (wrong password?)', () =>
      nodeCrypto.createPrivateKey({ key, format: 'der', type: 'pkcs8', passphrase }),
    );
  }
  // PrivateKeyInfo, RSAPrivateKey and ECPrivateKey all start with a version INTEGER; try PKCS#8 first.
  let firstError: unknown = null;
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return nodeCrypto.createPrivateKey({ key, format: 'der', type });
    } catch (e) {
      firstError ??= e;
    }
  }
  throw asCryptoError(firstError, 'bad_key', 'cannot decode DER private key');
}

/** Public keys seen lately (a peer's certificate key, handshake after handshake), by their exact SPKI bytes. */
const publicKeyCache = new RecentMap<NodePublicKey>(256);

/**
 * Imports a SubjectPublicKeyInfo. The same bytes give the same (immutable)
 * key object for a while: OpenSSL 3's DER decoding costs more than an ECDSA
 * verification, and a client talking to the same servers, or a server
 * verifying the same client certificates, sees the same keys over and over.
 */
export function importPublicKey(spki: Uint8Array): NodePublicKey {
  requireBytes(spki, 'SubjectPublicKeyInfo');
  const id = bytesKey(spki);
  let key = publicKeyCache.get(id);
  if (key === undefined) {
    key = decodePublicKey(spki);
    publicKeyCache.set(id, key);
  }
  return key;
}

function decodePublicKey(spki: Uint8Array): NodePublicKey {
  try {
    requireSingleTlv(spki);
  } catch (e) {
    throw new CryptoError('bad_key', `SubjectPublicKeyInfo is not valid DER: ${e instanceof DerError ? e.message : String(e)}`);
  }
  return new NodePublicKey(guard('bad_key', 'cannot decode SubjectPublicKeyInfo', () => nodeCrypto.createPublicKey({ key: view(spki), format: 'der', type: 'spki' })));
}

export function generateSigningKey(spec: KeyGenSpec): NodePrivateKey {
  if (typeof spec !== 'object' || spec === null) throw new CryptoError('bad_argument', 'key generation spec must be an object');
  switch (spec.type) {
    case 'rsa': {
      const { bits } = spec;
      if (!Number.isSafeInteger(bits) || bits < RSA_MIN_GENERATE_BITS || bits > RSA_MAX_GENERATE_BITS) {
        throw new CryptoError('bad_argument', `RSA key size must be an integer in ${RSA_MIN_GENERATE_BITS}..${RSA_MAX_GENERATE_BITS}, got ${bits}`);
      }
      return generate('rsa', 'rsa', { modulusLength: bits });
    }
    case 'ec': {
      const { opensslName } = curveInfo(spec.curve);
      return generate(`EC ${spec.curve}`, 'ec', { namedCurve: opensslName });
    }
    case 'ed25519':
      return generate('Ed25519', 'ed25519', {});
    default:
      throw new CryptoError('unsupported', `unsupported key type ${JSON.stringify((spec as { type?: unknown }).type)}`);
  }
}

/**
 * New keys leave the generation as PKCS#8 DER and are imported from it, so
 * the KeyObject we keep shares no mutex with the KeyGenJob that made it:
 * export() on a key while that job awaits finalization can deadlock node
 * (see generateMontgomery in kex-dh.ts), and these keys are exported (SPKI
 * for certificates, PEM for files). The import costs ~0.4 ms (OpenSSL's
 * DER decoder; an EC P-256 generation is ~0.04 ms, RSA-2048 ~50 ms): a
 * price paid per key made, which is rare (certificates, the test CA).
 */
function generate(what: string, type: string, options: object): NodePrivateKey {
  const generateDer = nodeCrypto.generateKeyPairSync as unknown as (type: string, options: object) => { privateKey: Buffer };
  return new NodePrivateKey(
    guard('unsupported', `${what} key generation`, () => {
      const { privateKey } = generateDer(type, { ...options, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
      return nodeCrypto.createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' });
    }),
  );
}
