/**
 * Section "tls-handshake": full TLS 1.3 handshakes in memory, two
 * `SSLObject`s over MemoryBIOs (TLS_AES_256_GCM_SHA384, X25519, ECDSA P-256
 * leaf under a P-256 root; the client verifies chain and hostname), with
 * contexts made once — what a server or client pays per connection beyond
 * the socket.
 *
 * The baseline is the cryptographic work one such handshake cannot avoid,
 * done straight with node:crypto, long-lived keys made once (the server's
 * signing key, the trust anchor's public key), everything per-connection
 * done per call:
 * - two X25519 key pairs generated, each public share exported and
 *   imported by the other side (as JWK, the fastest way in and out of
 *   OpenSSL 3), two ECDH agreements;
 * - the server's CertificateVerify signed (ECDSA P-256/SHA-256), the leaf's
 *   public key imported from its SPKI, CertificateVerify verified and the
 *   leaf's signature verified with the root's key (the chain);
 * - the key schedule on both sides: 2 × (3 HKDF-Extract + 18 HKDF-Expand)
 *   HMAC-SHA384 (the suite's hash) + 4 Finished HMACs; 4 SHA-384
 *   transcript digests per side (a handshake that issues tickets needs 5);
 * - 8 AEAD traffic keys imported (handshake and application, each way, each
 *   side), the server's encrypted flight and the client's Finished each
 *   sealed once and opened once (one record each).
 * sslsock at 1.0× would mean our protocol costs nothing on top; the goal
 * is ≥ 0.8×. (sslsock keeps a bounded cache of peer keys, parsed peer
 * certificates and verified chain signatures, so with one server
 * certificate it skips the leaf-key import and the chain signature that
 * the baseline pays every time.)
 * (A bench file, so it may import node:crypto.)
 */
import * as nodeCrypto from 'node:crypto';
import * as ssl from '../src/ssl/index.js';
import { CA } from '../src/testing/index.js';
import { JIT_WARMUP_MS, type BenchCase, type BenchSection } from './harness.js';

const SUITE = 'TLS_AES_256_GCM_SHA384';
const HOSTNAME = 'localhost';
const MAX_FLIGHTS = 10;
/** ECDSA P-256 signatures (ecdsa_secp256r1_sha256: CertificateVerify, the leaf's certificate). */
const SIGNATURE_HASH = 'sha256';
/** The suite's hash (TLS_AES_256_GCM_SHA384): every HKDF, Finished HMAC and transcript digest. */
const HASH = 'sha384';
const HASH_LENGTH = 48;
const EXTRACTS_PER_SIDE = 3;
const EXPANDS_PER_SIDE = 18;
const FINISHED_HMACS = 4;
const DIGESTS_PER_SIDE = 4;
const TRAFFIC_KEYS = 8;
const AES_KEY = 32;
const NONCE = 12;
const TAG = 16;
/** Sizes of what the real handshake carries: ClientHello…Finished transcript, the server's encrypted flight, a Finished record. */
const TRANSCRIPT_BYTES = 1500;
const SERVER_FLIGHT_BYTES = 900;
const CLIENT_FINISHED_BYTES = 37;
const CV_CONTENT_BYTES = 130;
const TBS_BYTES = 400;

interface Side {
  readonly obj: ssl.SSLObject;
  readonly incoming: ssl.MemoryBIO;
  readonly outgoing: ssl.MemoryBIO;
}

function side(ctx: ssl.SSLContext, options: ssl.WrapBioOptions): Side {
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  return { obj: ctx.wrapBio(incoming, outgoing, options), incoming, outgoing };
}

/** One full in-memory handshake between fresh SSLObjects of the two contexts. */
export function handshakeInMemory(cctx: ssl.SSLContext, sctx: ssl.SSLContext): void {
  const client = side(cctx, { serverHostname: HOSTNAME });
  const server = side(sctx, { serverSide: true });
  let done = 0;
  const order = [client, server];
  const finished = new Set<Side>();
  for (let i = 0; i < MAX_FLIGHTS && done < 2; i++) {
    for (const s of order) {
      if (finished.has(s)) continue;
      try {
        s.obj.doHandshake();
        finished.add(s);
        done++;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
      if (client.outgoing.pending > 0) server.incoming.write(client.outgoing.read());
      if (server.outgoing.pending > 0) client.incoming.write(server.outgoing.read());
    }
  }
  if (done < 2) throw new Error('tls-handshake: handshake did not complete');
}

/** Client and server contexts as the section uses them (exported for other rows, e.g. resumption). */
export function handshakeContexts(): { cctx: ssl.SSLContext; sctx: ssl.SSLContext } {
  const ca = CA.create({ keyType: 'ecdsa-p256' });
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ca.issueCert(HOSTNAME).configureCert(sctx);
  sctx.setCiphersuites(SUITE);
  sctx.setGroups('X25519');
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  cctx.setCiphersuites(SUITE);
  cctx.setGroups('X25519');
  return { cctx, sctx };
}

/** The baseline: the primitives of one handshake (see the file comment). */
function primitives(): () => void {
  // Public halves come out of the generation itself: export() on a fresh key can deadlock node 20 (src/crypto/kex-dh.ts).
  const server = nodeCrypto.generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  const serverKey = nodeCrypto.createPrivateKey({ key: server.privateKey, format: 'der', type: 'pkcs8' });
  const leafSpki = server.publicKey;
  const caKey = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rootPublic = caKey.publicKey;
  const tbs = nodeCrypto.randomBytes(TBS_BYTES);
  const leafSignature = nodeCrypto.sign(SIGNATURE_HASH, tbs, caKey.privateKey);
  const transcript = nodeCrypto.randomBytes(TRANSCRIPT_BYTES);
  const cvContent = nodeCrypto.randomBytes(CV_CONTENT_BYTES);
  const flight = nodeCrypto.randomBytes(SERVER_FLIGHT_BYTES);
  const clientFinished = nodeCrypto.randomBytes(CLIENT_FINISHED_BYTES);
  const label = Buffer.from('tls13 derived');

  // Key shares cross the boundary as JWK: OpenSSL 3 decodes DER SPKI ~7× slower than it takes a raw key.
  // The generation encodes the public half (publicKeyEncoding), as src/crypto/kex-dh.ts does: faster than export(), and no deadlock.
  const generateShare = nodeCrypto.generateKeyPairSync as unknown as (type: 'x25519', options: object) => { privateKey: nodeCrypto.KeyObject; publicKey: nodeCrypto.JsonWebKey };
  const share = (): { priv: nodeCrypto.KeyObject; raw: Buffer } => {
    const { privateKey, publicKey } = generateShare('x25519', { publicKeyEncoding: { format: 'jwk' } });
    return { priv: privateKey, raw: Buffer.from(publicKey.x!, 'base64url') };
  };
  const agree = (priv: nodeCrypto.KeyObject, peerRaw: Buffer): Buffer =>
    nodeCrypto.diffieHellman({ privateKey: priv, publicKey: nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerRaw.toString('base64url') }, format: 'jwk' }) });
  const keySchedule = (secret: Buffer): Buffer => {
    let k = secret;
    for (let i = 0; i < EXTRACTS_PER_SIDE; i++) k = nodeCrypto.createHmac(HASH, k).update(secret).digest();
    for (let i = 0; i < EXPANDS_PER_SIDE; i++) k = nodeCrypto.createHmac(HASH, k).update(label).digest();
    const h = nodeCrypto.createHash(HASH);
    for (let i = 0; i < DIGESTS_PER_SIDE; i++) k = h.update(transcript.subarray(0, (TRANSCRIPT_BYTES * (i + 1)) / DIGESTS_PER_SIDE)).copy().digest();
    return k;
  };
  const protect = (key: Buffer, data: Buffer): number => {
    const seal = nodeCrypto.createSecretKey(key.subarray(0, AES_KEY));
    const open = nodeCrypto.createSecretKey(key.subarray(0, AES_KEY));
    const nonce = key.subarray(0, NONCE);
    const c = nodeCrypto.createCipheriv('aes-256-gcm', seal, nonce, { authTagLength: TAG });
    const body = c.update(data);
    c.final();
    const d = nodeCrypto.createDecipheriv('aes-256-gcm', open, nonce, { authTagLength: TAG });
    d.setAuthTag(c.getAuthTag());
    const n = d.update(body).length;
    d.final();
    return n;
  };

  return () => {
    const c = share();
    const s = share();
    const sharedServer = agree(s.priv, c.raw);
    const sharedClient = agree(c.priv, s.raw);
    const signature = nodeCrypto.sign(SIGNATURE_HASH, cvContent, serverKey);
    const leafPublic = nodeCrypto.createPublicKey({ key: leafSpki, format: 'der', type: 'spki' });
    if (!nodeCrypto.verify(SIGNATURE_HASH, cvContent, leafPublic, signature)) throw new Error('tls-handshake: CertificateVerify');
    if (!nodeCrypto.verify(SIGNATURE_HASH, tbs, rootPublic, leafSignature)) throw new Error('tls-handshake: chain');
    const ks = keySchedule(sharedServer);
    const kc = keySchedule(sharedClient);
    for (let i = 0; i < FINISHED_HMACS; i++) nodeCrypto.createHmac(HASH, i % 2 === 0 ? ks : kc).update(transcript.subarray(0, HASH_LENGTH)).digest();
    // Two of the eight traffic keys per protect() call (sealing and opening side); the other four imported as well.
    let moved = protect(ks, flight) + protect(kc, clientFinished);
    for (let i = 0; i < TRAFFIC_KEYS - 4; i++) moved += nodeCrypto.createSecretKey(ks.subarray(0, AES_KEY)).symmetricKeySize ?? 0;
    if (moved === 0) throw new Error('tls-handshake: nothing moved');
  };
}

export const tlsHandshakeSection: BenchSection = {
  id: 'tls-handshake',
  title: `in memory: two SSLObjects, TLS 1.3 ${SUITE}, X25519, ECDSA P-256, chain + hostname verified`,
  setup(): BenchCase[] {
    const { cctx, sctx } = handshakeContexts();
    handshakeInMemory(cctx, sctx);
    return [
      {
        name: 'full handshake in memory',
        ours: () => handshakeInMemory(cctx, sctx),
        baseline: primitives(),
        baselineName: "the primitives of one handshake alone (node:crypto: 2 X25519, ECDSA sign + 2 verify, key import, HMACs, AEAD)",
        goal: '≥ 0.8x',
        warmupMs: JIT_WARMUP_MS,
      },
    ];
  },
};
