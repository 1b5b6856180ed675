/**
 * The TLS 1.3 key schedule (RFC 8446 §7), as a sequence of typed stages so
 * that no secret can be derived before the inputs it depends on exist
 * (the shape of rustls' KeySchedulePreHandshake → Handshake → Traffic):
 *
 * ```ts
 * const ks = KeySchedule.forSuite(provider, suite, { keyLog });
 * const early = ks.early(psk);                       // psk null: zeros (full handshake)
 * //   early.binderKey('res'), early.clientEarlyTrafficSecret(chHash)
 * const hs = early.handshake(ecdheSharedSecret);     // "derived" → Extract(ECDHE)
 * const { client: cHs, server: sHs } = hs.trafficSecrets(hashClientHelloToServerHello);
 * const k = ks.trafficKeys(cHs); record.setWriteKey(suite, k.key, k.iv);  // client side
 * ks.finishedVerifyData(sHs, hashUpToCertificateVerify)  // or ks.verifyFinished(...)
 * const master = hs.master();
 * const app = master.trafficSecrets(hashClientHelloToServerFinished); // { client, server }
 * const exporter = master.exporterMasterSecret(hashClientHelloToServerFinished);
 * const rms = master.resumptionMasterSecret(hashClientHelloToClientFinished);
 * ks.resumptionPsk(rms, ticketNonce); ks.nextApplicationTrafficSecret(app.client);
 * ks.exportKeyingMaterial(exporter, label, context, length);
 * ```
 *
 * Transcript hashes are passed in already computed (the handshake layer
 * keeps the running transcript); "Transcript-Hash(Messages)" in the RFC's
 * Derive-Secret is therefore the `transcriptHash` argument here.
 *
 * Key logging (NSS SSLKEYLOGFILE labels) happens only through the optional
 * `keyLog` callback; nothing is logged otherwise.
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { TLSError } from './errors.js';
import type { CipherSuite } from './registry/suites.js';

/** Labels of the NSS key log format (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/). */
export type KeyLogLabel =
  | 'CLIENT_EARLY_TRAFFIC_SECRET'
  | 'EARLY_EXPORTER_SECRET'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EXPORTER_SECRET'
  | 'CLIENT_RANDOM'; // TLS 1.2 master secret (prf12.ts)

/** Called with each secret as it is derived; the connection adds the client random and writes the line. */
export type KeyLogCallback = (label: KeyLogLabel, secret: Buffer) => void;

/** One key log line: `LABEL <client_random hex> <secret hex>`, without the newline. */
export function formatKeyLogLine(label: KeyLogLabel, clientRandom: Uint8Array, secret: Uint8Array): string {
  return `${label} ${Buffer.from(clientRandom.buffer, clientRandom.byteOffset, clientRandom.byteLength).toString('hex')} ${Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength).toString('hex')}`;
}

/** RFC 8446 §7.1: every HKDF label is prefixed with this. */
const LABEL_PREFIX = Buffer.from('tls13 ', 'ascii');
/** opaque label<7..255>: the prefixed label must fit one length byte. */
const MAX_LABEL_LENGTH = 255;
/** opaque context<0..255>. */
const MAX_CONTEXT_LENGTH = 255;
/** uint16 length in HkdfLabel. */
const MAX_EXPAND_LENGTH = 0xffff;

/** RFC 8446 §7.1 / §7.3 / §7.5 / §4.6.1 label strings. */
const Labels = {
  derived: 'derived',
  extBinder: 'ext binder',
  resBinder: 'res binder',
  clientEarlyTraffic: 'c e traffic',
  earlyExporterMaster: 'e exp master',
  clientHandshakeTraffic: 'c hs traffic',
  serverHandshakeTraffic: 's hs traffic',
  clientApplicationTraffic: 'c ap traffic',
  serverApplicationTraffic: 's ap traffic',
  exporterMaster: 'exp master',
  resumptionMaster: 'res master',
  key: 'key',
  iv: 'iv',
  finished: 'finished',
  trafficUpdate: 'traffic upd',
  resumption: 'resumption',
  exporter: 'exporter',
} as const;

const EMPTY = Buffer.alloc(0);

/** A value that depends only on the provider and the hash, made once and shared by every connection (read-only). */
function perHash<T>(cache: WeakMap<CryptoProvider, Map<HashAlgorithm, T>>, provider: CryptoProvider, hash: HashAlgorithm, make: () => T): T {
  let byHash = cache.get(provider);
  if (byHash === undefined) cache.set(provider, (byHash = new Map()));
  let v = byHash.get(hash);
  if (v === undefined) byHash.set(hash, (v = make()));
  return v;
}

/** Hash(""): a constant. */
const emptyHashes = new WeakMap<CryptoProvider, Map<HashAlgorithm, Buffer>>();

function emptyHashOf(provider: CryptoProvider, hash: HashAlgorithm): Buffer {
  return perHash(emptyHashes, provider, hash, () => provider.hash(hash, EMPTY));
}

/**
 * Without a PSK the Early Secret is HKDF-Extract(0, 0) and its "derived" salt for the handshake secret
 * is Derive-Secret(that, "derived", ""): public constants of the hash (RFC 8446 §7.1), so a full
 * handshake need not spend two HMACs per side on them.
 */
const noPskEarlySecrets = new WeakMap<CryptoProvider, Map<HashAlgorithm, { readonly secret: Buffer; readonly derived: Buffer }>>();

/** The RFC's own labels, encoded once (exporter labels come from callers and are encoded per call). */
const ENCODED_LABELS: ReadonlyMap<string, Buffer> = new Map(Object.values(Labels).map((l) => [l, Buffer.from(l, 'ascii')]));

function bytesOf(label: string | Uint8Array): Buffer {
  if (typeof label === 'string') return ENCODED_LABELS.get(label) ?? Buffer.from(label, 'ascii');
  return Buffer.from(label.buffer, label.byteOffset, label.byteLength);
}

/**
 * RFC 8446 §7.1: HKDF-Expand-Label(Secret, Label, Context, Length) =
 * HKDF-Expand(Secret, HkdfLabel, Length) with
 * HkdfLabel = uint16 length || opaque label<7..255> ("tls13 " + Label) || opaque context<0..255>.
 */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  length: number,
): Buffer {
  const labelBytes = bytesOf(label);
  const fullLabelLength = LABEL_PREFIX.length + labelBytes.length;
  if (fullLabelLength > MAX_LABEL_LENGTH) throw new TLSError('internal_error', `HKDF label of ${labelBytes.length} bytes is too long (at most ${MAX_LABEL_LENGTH - LABEL_PREFIX.length})`);
  if (context.length > MAX_CONTEXT_LENGTH) throw new TLSError('internal_error', `HKDF context of ${context.length} bytes is too long (at most ${MAX_CONTEXT_LENGTH})`);
  if (!Number.isInteger(length) || length < 0 || length > MAX_EXPAND_LENGTH) throw new TLSError('internal_error', `HKDF-Expand-Label length ${length} is out of range`);
  const info = Buffer.allocUnsafe(2 + 1 + fullLabelLength + 1 + context.length);
  let o = info.writeUInt16BE(length, 0);
  o = info.writeUInt8(fullLabelLength, o);
  o += LABEL_PREFIX.copy(info, o);
  o += labelBytes.copy(info, o);
  o = info.writeUInt8(context.length, o);
  info.set(context, o);
  return provider.hkdfExpand(hash, secret, info, length);
}

/** RFC 8446 §7.1: Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length). */
export function deriveSecret(provider: CryptoProvider, hash: HashAlgorithm, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Buffer {
  return hkdfExpandLabel(provider, hash, secret, label, transcriptHash, provider.hashLength(hash));
}

/** Traffic key and IV for one direction (RFC 8446 §7.3). */
export interface TrafficKeys {
  readonly key: Buffer;
  readonly iv: Buffer;
}

/**
 * RFC 8446 §7.3 traffic key and IV from a traffic secret, without building a
 * KeySchedule (e.g. for a record-layer key change after KeyUpdate).
 */
export function trafficKeys(provider: CryptoProvider, suite: CipherSuite, trafficSecret: Uint8Array): TrafficKeys {
  if (suite.version !== 'TLSv1.3') throw new TLSError('internal_error', `TLS 1.3 traffic keys cannot be derived for TLS 1.2 suite ${suite.ianaName}`);
  return {
    key: hkdfExpandLabel(provider, suite.hash, trafficSecret, Labels.key, EMPTY, suite.keyLength),
    iv: hkdfExpandLabel(provider, suite.hash, trafficSecret, Labels.iv, EMPTY, suite.fixedIvLength),
  };
}

export interface KeyScheduleOptions {
  /** Receives each secret as it is derived (SSLKEYLOGFILE); omitted: nothing is logged. */
  readonly keyLog?: KeyLogCallback;
}

/**
 * The suite-bound helpers of the key schedule, and the entry point to its
 * stages. Stateless apart from the suite: stages carry the secrets.
 */
export class KeySchedule {
  readonly hashLength: number;
  /** Hash("") for this suite's hash: the context of "derived" and of the exporter's first step (shared: never write to it). */
  readonly emptyHash: Buffer;

  private constructor(
    readonly provider: CryptoProvider,
    readonly suite: CipherSuite,
    readonly options: KeyScheduleOptions,
  ) {
    if (suite.version !== 'TLSv1.3') throw new TLSError('internal_error', `the TLS 1.3 key schedule cannot run with TLS 1.2 suite ${suite.ianaName}`);
    this.hashLength = provider.hashLength(suite.hash);
    this.emptyHash = emptyHashOf(provider, suite.hash);
  }

  static forSuite(provider: CryptoProvider, suite: CipherSuite, options: KeyScheduleOptions = {}): KeySchedule {
    return new KeySchedule(provider, suite, options);
  }

  get hash(): HashAlgorithm {
    return this.suite.hash;
  }

  /**
   * The first stage: Early Secret = HKDF-Extract(0, PSK), with a string of
   * Hash.length zeros when there is no PSK (RFC 8446 §7.1).
   */
  early(psk: Uint8Array | null = null): EarlySecret {
    if (psk !== null) return new EarlySecret(STAGE_TOKEN, this, this.provider.hkdfExtract(this.hash, EMPTY, psk), null);
    const zero = perHash(noPskEarlySecrets, this.provider, this.hash, () => {
      const secret = this.provider.hkdfExtract(this.hash, EMPTY, Buffer.alloc(this.hashLength));
      return { secret, derived: this.deriveSecret(secret, Labels.derived, this.emptyHash) };
    });
    return new EarlySecret(STAGE_TOKEN, this, zero.secret, zero.derived);
  }

  expandLabel(secret: Uint8Array, label: string | Uint8Array, context: Uint8Array, length: number): Buffer {
    return hkdfExpandLabel(this.provider, this.hash, secret, label, context, length);
  }

  deriveSecret(secret: Uint8Array, label: string, transcriptHash: Uint8Array): Buffer {
    return hkdfExpandLabel(this.provider, this.hash, secret, label, transcriptHash, this.hashLength);
  }

  /** RFC 8446 §7.3: [sender]_write_key / _iv from a traffic secret. */
  trafficKeys(trafficSecret: Uint8Array): TrafficKeys {
    return trafficKeys(this.provider, this.suite, trafficSecret);
  }

  /** RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
  finishedKey(baseKey: Uint8Array): Buffer {
    return this.expandLabel(baseKey, Labels.finished, EMPTY, this.hashLength);
  }

  /**
   * RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(...)).
   * `baseKey` is the sender's handshake traffic secret (or a binder key,
   * RFC 8446 §4.2.11.2, where the transcript is the truncated ClientHello).
   */
  finishedVerifyData(baseKey: Uint8Array, transcriptHash: Uint8Array): Buffer {
    return this.provider.hmac(this.hash, this.finishedKey(baseKey), transcriptHash);
  }

  /** Checks a received Finished (or PSK binder) in constant time. */
  verifyFinished(baseKey: Uint8Array, transcriptHash: Uint8Array, received: Uint8Array): boolean {
    return this.provider.constantTimeEqual(this.finishedVerifyData(baseKey, transcriptHash), received);
  }

  /** RFC 8446 §7.2 (KeyUpdate): application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length). */
  nextApplicationTrafficSecret(current: Uint8Array): Buffer {
    return this.expandLabel(current, Labels.trafficUpdate, EMPTY, this.hashLength);
  }

  /** RFC 8446 §4.6.1: the PSK of a ticket = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
  resumptionPsk(resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Buffer {
    return this.expandLabel(resumptionMasterSecret, Labels.resumption, ticketNonce, this.hashLength);
  }

  /**
   * RFC 8446 §7.5: TLS-Exporter(label, context_value, key_length) =
   * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length).
   * In TLS 1.3 an absent context and an empty one give the same output; pass an empty buffer for both.
   * `exporterSecret` is the exporter_master_secret (or early_exporter_master_secret).
   */
  exportKeyingMaterial(exporterSecret: Uint8Array, label: string | Uint8Array, context: Uint8Array | null, length: number): Buffer {
    const labelBytes = bytesOf(label);
    const derived = hkdfExpandLabel(this.provider, this.hash, exporterSecret, labelBytes, this.emptyHash, this.hashLength);
    const contextHash = this.provider.hash(this.hash, context ?? EMPTY);
    return this.expandLabel(derived, Labels.exporter, contextHash, length);
  }

  /** @internal */
  log(label: KeyLogLabel, secret: Buffer): Buffer {
    this.options.keyLog?.(label, secret);
    return secret;
  }
}

/** Stages are created only by the stage before them; this token keeps their constructors private to this module. */
const STAGE_TOKEN: unique symbol = Symbol('key schedule stage');

/** Early Secret (RFC 8446 §7.1, first row): binder keys and 0-RTT secrets, then the way to the handshake secret. */
export class EarlySecret {
  /** @internal */
  constructor(
    token: typeof STAGE_TOKEN,
    readonly schedule: KeySchedule,
    /** The Early Secret itself (exposed for tests and trace checks). */
    readonly secret: Buffer,
    /** Its "derived" salt when already known (the shared no-PSK constant), else null. */
    private readonly derived: Buffer | null = null,
  ) {
    if (token !== STAGE_TOKEN) throw new TLSError('internal_error', 'EarlySecret is created by KeySchedule.early()');
  }

  /** binder_key: Derive-Secret(Early Secret, "ext binder" | "res binder", ""). 'res' for resumption tickets, 'ext' for external PSKs. */
  binderKey(kind: 'res' | 'ext'): Buffer {
    return this.schedule.deriveSecret(this.secret, kind === 'res' ? Labels.resBinder : Labels.extBinder, this.schedule.emptyHash);
  }

  /** PSK binder value over Transcript-Hash(Truncate(ClientHello)) (RFC 8446 §4.2.11.2). */
  binder(kind: 'res' | 'ext', truncatedHelloHash: Uint8Array): Buffer {
    return this.schedule.finishedVerifyData(this.binderKey(kind), truncatedHelloHash);
  }

  /** client_early_traffic_secret over Transcript-Hash(ClientHello). */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Buffer {
    return this.schedule.log('CLIENT_EARLY_TRAFFIC_SECRET', this.schedule.deriveSecret(this.secret, Labels.clientEarlyTraffic, clientHelloHash));
  }

  /** early_exporter_master_secret over Transcript-Hash(ClientHello). */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Buffer {
    return this.schedule.log('EARLY_EXPORTER_SECRET', this.schedule.deriveSecret(this.secret, Labels.earlyExporterMaster, clientHelloHash));
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE); null for psk_ke (zeros). */
  handshake(sharedSecret: Uint8Array | null): HandshakeSecret {
    const s = this.schedule;
    const salt = this.derived ?? s.deriveSecret(this.secret, Labels.derived, s.emptyHash);
    const ikm = sharedSecret ?? Buffer.alloc(s.hashLength);
    return new HandshakeSecret(STAGE_TOKEN, s, s.provider.hkdfExtract(s.hash, salt, ikm));
  }
}

/** Handshake Secret (RFC 8446 §7.1, second row). */
export class HandshakeSecret {
  /** @internal */
  constructor(
    token: typeof STAGE_TOKEN,
    readonly schedule: KeySchedule,
    readonly secret: Buffer,
  ) {
    if (token !== STAGE_TOKEN) throw new TLSError('internal_error', 'HandshakeSecret is created by EarlySecret.handshake()');
  }

  /** {client,server}_handshake_traffic_secret over Transcript-Hash(ClientHello..ServerHello). */
  trafficSecrets(helloHash: Uint8Array): { readonly client: Buffer; readonly server: Buffer } {
    const s = this.schedule;
    return {
      client: s.log('CLIENT_HANDSHAKE_TRAFFIC_SECRET', s.deriveSecret(this.secret, Labels.clientHandshakeTraffic, helloHash)),
      server: s.log('SERVER_HANDSHAKE_TRAFFIC_SECRET', s.deriveSecret(this.secret, Labels.serverHandshakeTraffic, helloHash)),
    };
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0). */
  master(): MasterSecret {
    const s = this.schedule;
    const salt = s.deriveSecret(this.secret, Labels.derived, s.emptyHash);
    return new MasterSecret(STAGE_TOKEN, s, s.provider.hkdfExtract(s.hash, salt, Buffer.alloc(s.hashLength)));
  }
}

/** Master Secret (RFC 8446 §7.1, last row): application traffic, exporter and resumption secrets. */
export class MasterSecret {
  /** @internal */
  constructor(
    token: typeof STAGE_TOKEN,
    readonly schedule: KeySchedule,
    readonly secret: Buffer,
  ) {
    if (token !== STAGE_TOKEN) throw new TLSError('internal_error', 'MasterSecret is created by HandshakeSecret.master()');
  }

  /** {client,server}_application_traffic_secret_0 over Transcript-Hash(ClientHello..server Finished). */
  trafficSecrets(serverFinishedHash: Uint8Array): { readonly client: Buffer; readonly server: Buffer } {
    const s = this.schedule;
    return {
      client: s.log('CLIENT_TRAFFIC_SECRET_0', s.deriveSecret(this.secret, Labels.clientApplicationTraffic, serverFinishedHash)),
      server: s.log('SERVER_TRAFFIC_SECRET_0', s.deriveSecret(this.secret, Labels.serverApplicationTraffic, serverFinishedHash)),
    };
  }

  /** exporter_master_secret over Transcript-Hash(ClientHello..server Finished). */
  exporterMasterSecret(serverFinishedHash: Uint8Array): Buffer {
    return this.schedule.log('EXPORTER_SECRET', this.schedule.deriveSecret(this.secret, Labels.exporterMaster, serverFinishedHash));
  }

  /** resumption_master_secret over Transcript-Hash(ClientHello..client Finished). */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Buffer {
    return this.schedule.deriveSecret(this.secret, Labels.resumptionMaster, clientFinishedHash);
  }
}
