/**
 * What each soak connection does (./run.ts): which client (ours or
 * node:tls), which TLS version, whether it shows a client certificate or
 * resumes a session, how it ends, and how many random bytes it echoes.
 *
 * The client tells the server its plan in a fixed header, the first bytes
 * it sends through TLS, so the server can check what it saw (version,
 * certificate, resumption, SHA-256 of the data) and end the connection the
 * way the client will.
 */
import { createHash, randomBytes } from 'node:crypto';

export type ClientKind = 'ours' | 'node';
export type TlsVersion = '1.3' | '1.2';
/**
 * - close-notify: both sides send close_notify (our client unwrap(), node:tls end()); the server unwraps too.
 * - ragged: the client closes TCP without close_notify; the server (suppressRaggedEofs) reads b''.
 * - ragged-strict: the same, but the server has suppressRaggedEofs off and must get SSLEOFError.
 * - unwrap: both unwrap() back to plain TCP and echo more data in the clear (our client only: node:tls cannot).
 * - abort: the client closes TCP halfway through the echo, with echoed data unread (so the kernel may send a
 *   reset); the server must end with ConnectionError or SSLEOFError, never hang. No bytes are verified.
 * - server-ragged: after the echo the server closes TCP without close_notify; our client (suppressRaggedEofs)
 *   reads b'', node:tls sees the end of the stream.
 * - server-ragged-strict: the same, our client with suppressRaggedEofs off must get SSLEOFError.
 */
export type Ending = 'close-notify' | 'ragged' | 'ragged-strict' | 'unwrap' | 'abort' | 'server-ragged' | 'server-ragged-strict';
/**
 * Whether the connection shows a client certificate, resumes a session, or
 * both: 'resume-cert' resumes a session whose full handshake verified the
 * client certificate, and the server must still see that certificate
 * (getpeercert(), as OpenSSL keeps it in the session).
 */
export type Auth = 'plain' | 'client-cert' | 'resume' | 'resume-cert';

/** The connection offers a session from a primer. */
export function resumes(auth: Auth): boolean {
  return auth === 'resume' || auth === 'resume-cert';
}

/** The client has the certificate (and the server must see it, resumed or not). */
export function showsCert(auth: Auth): boolean {
  return auth === 'client-cert' || auth === 'resume-cert';
}

export interface ConnSpec {
  readonly id: number;
  readonly client: ClientKind;
  readonly version: TlsVersion;
  readonly ending: Ending;
  readonly auth: Auth;
  /** Bytes echoed through TLS (1 .. 256 KiB). */
  readonly size: number;
  /** Bytes echoed in the clear after unwrap() (0 unless ending is 'unwrap'). */
  readonly plainSize: number;
}

export const MAX_SIZE = 256 * 1024;
const MAX_PLAIN_SIZE = 64 * 1024;
const ENDINGS: Record<ClientKind, readonly Ending[]> = {
  ours: ['close-notify', 'ragged', 'ragged-strict', 'unwrap', 'abort', 'server-ragged', 'server-ragged-strict'],
  node: ['close-notify', 'ragged', 'ragged-strict', 'abort', 'server-ragged'],
};
const AUTHS: readonly Auth[] = ['plain', 'client-cert', 'resume', 'resume-cert'];
const VERSIONS: readonly TlsVersion[] = ['1.3', '1.2'];

type Combo = Pick<ConnSpec, 'client' | 'version' | 'ending' | 'auth'>;

/** Every combination once: ours 2×7×4 = 56, node:tls 2×5×4 = 40. */
export const COMBOS: readonly Combo[] = (['ours', 'node'] as const).flatMap((client) =>
  VERSIONS.flatMap((version) => ENDINGS[client].flatMap((ending) => AUTHS.map((auth) => ({ client, version, ending, auth })))),
);

/** mulberry32: a small seeded generator, so a failing plan can be replayed with --seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-uniform in [1, max]: most connections small, some near the top. */
function logSize(rand: () => number, max: number): number {
  return Math.min(max, Math.max(1, Math.floor(Math.exp(rand() * Math.log(max + 1)))));
}

/**
 * `n` connections cycling through every combination (so 96 or more cover
 * each at least once), in a shuffled order; the first two echo 1 byte and
 * the full 256 KiB so both edges are always in.
 */
export function makePlan(n: number, seed: number): ConnSpec[] {
  const rand = prng(seed);
  const specs: ConnSpec[] = [];
  for (let id = 0; id < n; id++) {
    const combo = COMBOS[id % COMBOS.length]!;
    const size = id === 0 ? 1 : id === 1 ? MAX_SIZE : logSize(rand, MAX_SIZE);
    const plainSize = combo.ending === 'unwrap' ? logSize(rand, MAX_PLAIN_SIZE) : 0;
    specs.push({ id, ...combo, size, plainSize });
  }
  for (let i = specs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [specs[i], specs[j]] = [specs[j]!, specs[i]!];
  }
  return specs;
}

/**
 * TLS 1.3 KeyUpdates with update_requested in the middle of the echo (beyond
 * Python: SSLSocket.keyUpdate()): our client sends one halfway through its
 * data on even ids, the server one right after the header on odd ids — each
 * peer answers with its own while data flows both ways.
 */
export function clientKeyUpdate(spec: ConnSpec): boolean {
  return spec.client === 'ours' && spec.version === '1.3' && spec.ending !== 'abort' && spec.id % 2 === 0;
}

/**
 * Not before the server's own ragged close: the client's KeyUpdate answer may
 * then reach a socket already closed, and the server's kernel answers with a
 * reset that discards the echo still in flight (TCP, not TLS: Python's
 * server would see the same).
 */
export function serverKeyUpdate(spec: ConnSpec): boolean {
  const serverCloses = spec.ending === 'server-ragged' || spec.ending === 'server-ragged-strict';
  return spec.version === '1.3' && spec.ending !== 'abort' && !serverCloses && spec.id % 2 === 1;
}

/** Bytes whose SHA-256 both ends check: each echoed byte once at the server and once at the client; none for an abort. */
export function bytesToVerify(spec: ConnSpec): number {
  return spec.ending === 'abort' ? 0 : 2 * (spec.size + spec.plainSize);
}

/** How much of the echo an aborting client reads before it closes: at least a byte, so the server has read the header. */
export function abortAfter(spec: ConnSpec): number {
  return Math.max(1, Math.floor(spec.size / 2));
}

// ── the header the client sends first ────────────────────────────────────

const CLIENT_CODES: readonly ClientKind[] = ['ours', 'node'];
const ENDING_CODES: readonly Ending[] = ['close-notify', 'ragged', 'ragged-strict', 'unwrap', 'abort', 'server-ragged', 'server-ragged-strict'];
const AUTH_CODES: readonly Auth[] = ['plain', 'client-cert', 'resume', 'resume-cert'];
const VERSION_CODES: readonly TlsVersion[] = ['1.3', '1.2'];
const DIGEST = 32;
/** id u32, client u8, ending u8, auth u8, version u8, size u32, plainSize u32, SHA-256 of the data, SHA-256 of the plain data. */
export const HEADER_LENGTH = 4 + 4 + 4 + 4 + 2 * DIGEST;
const DIGESTS_AT = HEADER_LENGTH - 2 * DIGEST;

export interface Header {
  readonly spec: ConnSpec;
  readonly digest: Buffer;
  readonly plainDigest: Buffer;
}

/** The data a client sends for one connection, and the header that announces it. */
export interface Payload {
  readonly data: Buffer;
  readonly plain: Buffer;
  readonly header: Buffer;
}

export function sha256(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest();
}

export function makePayload(spec: ConnSpec): Payload {
  const data = randomBytes(spec.size);
  const plain = randomBytes(spec.plainSize);
  const header = Buffer.alloc(HEADER_LENGTH);
  let o = header.writeUInt32BE(spec.id, 0);
  o = header.writeUInt8(CLIENT_CODES.indexOf(spec.client), o);
  o = header.writeUInt8(ENDING_CODES.indexOf(spec.ending), o);
  o = header.writeUInt8(AUTH_CODES.indexOf(spec.auth), o);
  o = header.writeUInt8(VERSION_CODES.indexOf(spec.version), o);
  o = header.writeUInt32BE(spec.size, o);
  o = header.writeUInt32BE(spec.plainSize, o);
  o += sha256(data).copy(header, o);
  sha256(plain).copy(header, o);
  return { data, plain, header };
}

function code<T>(table: readonly T[], i: number, what: string): T {
  const v = table[i];
  if (v === undefined) throw new Error(`soak header: bad ${what} code ${i}`);
  return v;
}

export function parseHeader(b: Buffer): Header {
  if (b.length !== HEADER_LENGTH) throw new Error(`soak header: ${b.length} bytes, want ${HEADER_LENGTH}`);
  const spec: ConnSpec = {
    id: b.readUInt32BE(0),
    client: code(CLIENT_CODES, b[4]!, 'client'),
    ending: code(ENDING_CODES, b[5]!, 'ending'),
    auth: code(AUTH_CODES, b[6]!, 'auth'),
    version: code(VERSION_CODES, b[7]!, 'version'),
    size: b.readUInt32BE(8),
    plainSize: b.readUInt32BE(12),
  };
  if (spec.size > MAX_SIZE || spec.plainSize > MAX_SIZE) throw new Error(`soak header: sizes ${spec.size}/${spec.plainSize} too large`);
  return { spec, digest: b.subarray(DIGESTS_AT, DIGESTS_AT + DIGEST), plainDigest: b.subarray(DIGESTS_AT + DIGEST) };
}
