/**
 * Transcript mutation: a peer's recorded bytes (capture.ts) replayed into a
 * new SSLObject of ours. Our side is pinned (fixtures.ts), so an untouched
 * transcript completes the handshake again, and a mutation is met wherever
 * it lands: in the ClientHello/ServerHello, in an encrypted flight, in the
 * Finished, in a ticket or in the close. Mutations work on the byte stream
 * (flip, insert, delete, truncate, …) or on its records (drop, duplicate,
 * swap, retype, split a plaintext record in two); the stream is then cut at
 * random points (TCP re-fragmentation).
 *
 * Oracle: Side's; for a benign plan (re-fragmentation, plaintext record
 * splits) the handshake completes with no error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { MAX_PLAINTEXT_LENGTH, type PlainRecord } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { CORPUS_DIR, clientContext, serverContext } from './fixtures.js';
import type { Transcript } from './capture.js';
import { applyMutations, cutAt, randomCuts, randomMutations, Rng, type Mutation } from './mutate.js';
import { FuzzFailure, Side } from './side.js';

export type RecordOp = { op: 'drop' | 'dup' | 'swap'; record: number } | { op: 'retype'; record: number; type: number } | { op: 'split'; record: number; at: number };

export interface ReplayInput {
  /** Corpus file name (without .json). */
  readonly transcript: string;
  readonly recordOps: readonly RecordOp[];
  /** Byte mutations of the whole stream, after the record operations. */
  readonly muts: readonly Mutation[];
  /** Seeds the re-fragmentation (0: the recorded TCP reads). */
  readonly cutSeed: number;
  /**
   * Mutate the plaintext of the `record`-th protected record once our side has
   * decrypted it (its keys are pinned, so this is what a peer sending that
   * plaintext would cause): the peers' own EncryptedExtensions, Certificate,
   * CertificateRequest, CertificateVerify, Finished, tickets, data and alerts.
   */
  readonly decrypted?: { record: number; muts: Mutation[]; type?: number };
}

interface Loaded {
  readonly t: Transcript;
  readonly stream: Buffer;
  readonly chunks: Buffer[];
  readonly records: number;
  /** Protected records our side opens in an untouched replay (counted on first use). */
  protectedRecords?: number;
}

let corpus: Map<string, Loaded> | null = null;

/** The committed transcripts, by name. */
export function transcripts(): Map<string, Loaded> {
  if (corpus) return corpus;
  corpus = new Map();
  for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const t = JSON.parse(readFileSync(new URL(f, CORPUS_DIR), 'utf8')) as Transcript;
    const chunks = t.chunks.map((h) => Buffer.from(h, 'hex'));
    const stream = Buffer.concat(chunks);
    corpus.set(f.slice(0, -'.json'.length), { t, stream, chunks, records: splitRecords(stream).length });
  }
  return corpus;
}

/** Cuts a stream at its record boundaries (a trailing partial record stays one piece). */
function splitRecords(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 5 <= b.length) {
    const end = Math.min(at + 5 + b.readUInt16BE(at + 3), b.length);
    out.push(b.subarray(at, end));
    at = end;
  }
  if (at < b.length) out.push(b.subarray(at));
  return out;
}

function record(type: number, header: Buffer, body: Buffer): Buffer {
  const h = Buffer.from(header.subarray(0, 5));
  h[0] = type;
  h.writeUInt16BE(body.length, 3);
  return Buffer.concat([h, body]);
}

function applyRecordOps(stream: Buffer, ops: readonly RecordOp[]): { stream: Buffer; benign: boolean } {
  if (ops.length === 0) return { stream, benign: true };
  const recs = splitRecords(stream);
  let benign = true;
  for (const o of ops) {
    if (recs.length === 0) break;
    const i = o.record % recs.length;
    const r = recs[i]!;
    switch (o.op) {
      case 'drop':
        recs.splice(i, 1);
        benign = false;
        break;
      case 'dup':
        recs.splice(i, 0, r);
        benign = false;
        break;
      case 'swap':
        if (i + 1 < recs.length) [recs[i], recs[i + 1]] = [recs[i + 1]!, r];
        benign = false;
        break;
      case 'retype':
        recs[i] = record(o.type, r, r.subarray(5));
        benign = false;
        break;
      case 'split': {
        const body = r.subarray(5);
        const at = 1 + (o.at % Math.max(body.length - 1, 1));
        // Only a plaintext handshake record splits harmlessly (RFC 8446 §5.1: no empty fragments; the rest is protected).
        if (r.length < 5 || r[0] !== ContentType.handshake || at >= body.length || !isPlaintextHandshake(body)) {
          benign = false;
        }
        recs.splice(i, 1, record(r[0]!, r, body.subarray(0, at)), record(r[0]!, r, body.subarray(at)));
        break;
      }
    }
  }
  return { stream: Buffer.concat(recs), benign };
}

/** A plaintext handshake record starts with a known message type whose length fits (ciphertext rarely does). */
function isPlaintextHandshake(body: Buffer): boolean {
  if (body.length < 4) return false;
  const len = body.readUIntBE(1, 3);
  return [1, 2, 11, 12, 13, 14, 16, 22].includes(body[0]!) && len + 4 <= body.length;
}

export function generateReplay(rng: Rng): ReplayInput {
  const all = transcripts();
  const names = [...all.keys()];
  const transcript = rng.pick(names);
  const { stream, records } = all.get(transcript)!;
  const recordOps: RecordOp[] = [];
  let muts: Mutation[] = [];
  const mode = rng.below(10);
  if (mode <= 2) {
    const n = 1 + rng.below(2);
    for (let i = 0; i < n; i++) {
      const record = rng.below(records);
      const k = rng.below(5);
      recordOps.push(k === 0 ? { op: 'drop', record } : k === 1 ? { op: 'dup', record } : k === 2 ? { op: 'swap', record } : k === 3 ? { op: 'retype', record, type: rng.pick([20, 21, 22, 23, 24, 0, 255]) } : { op: 'split', record, at: rng.u32() });
    }
  }
  const cutSeed = rng.chance(0.5) ? rng.u32() || 1 : 0;
  if (mode >= 6) {
    const loaded = all.get(transcript)!;
    loaded.protectedRecords ??= replay({ transcript, recordOps: [], muts: [], cutSeed: 0 }).opened;
    const decrypted = { record: rng.below(loaded.protectedRecords), muts: randomMutations(rng, 200, 3), ...(rng.chance(0.1) ? { type: rng.pick([20, 21, 22, 23]) } : {}) };
    return { transcript, recordOps, muts, cutSeed, decrypted };
  }
  if (mode >= 2) muts = randomMutations(rng, stream.length, 3);
  return { transcript, recordOps, muts, cutSeed };
}

/** Wraps the side's record reader so the chosen protected record's plaintext is mutated; counts protected records. */
function interceptDecrypted(side: Side, plan: ReplayInput['decrypted'], collect?: PlainRecord[]): { opened: number } {
  const records = side.records;
  const seen = { opened: 0 };
  const intercept = (protectedRead: boolean, r: PlainRecord | null): PlainRecord | null => {
    if (r === null || !protectedRead) return r;
    const index = seen.opened++;
    collect?.push(r);
    if (!plan || plan.record !== index) return r;
    // Stay within what the record layer lets through (2^14 bytes of plaintext).
    const payload = applyMutations(r.payload, plan.muts).subarray(0, MAX_PLAINTEXT_LENGTH);
    return { type: plan.type ?? r.type, payload };
  };
  // Both ways records come out of the record layer: queued (nextRecord) and taken whole from the BIO (readRecord).
  const next = records.nextRecord.bind(records);
  records.nextRecord = () => intercept(records.readProtection !== 'none', next());
  const readWhole = records.readRecord.bind(records);
  records.readRecord = (header: Uint8Array, body: Uint8Array) => intercept(records.readProtection !== 'none', readWhole(header, body));
  return seen;
}

export function runReplay(input: ReplayInput): void {
  replay(input);
}

/** The plaintext of every protected record the peers sent (decoders.ts mutates their handshake messages). */
export function peerProtectedRecords(): { scenario: Transcript['scenario']; record: PlainRecord }[] {
  const out: { scenario: Transcript['scenario']; record: PlainRecord }[] = [];
  for (const [transcript, { t }] of transcripts()) {
    const collect: PlainRecord[] = [];
    replay({ transcript, recordOps: [], muts: [], cutSeed: 0 }, collect);
    for (const record of collect) out.push({ scenario: t.scenario, record });
  }
  return out;
}

function replay(input: ReplayInput, collect?: PlainRecord[]): { opened: number } {
  const loaded = transcripts().get(input.transcript);
  if (!loaded) throw new Error(`no transcript ${input.transcript}`);
  const { t } = loaded;
  const serverSide = t.peerRole === 'client';
  const side = new Side(serverSide ? serverContext(t.scenario) : clientContext(t.scenario), serverSide);
  const seen = interceptDecrypted(side, input.decrypted, collect);
  const ops = applyRecordOps(loaded.stream, input.recordOps);
  const stream = applyMutations(ops.stream, input.muts);
  const chunks = input.cutSeed === 0 ? (input.muts.length === 0 && input.recordOps.length === 0 ? loaded.chunks : [stream]) : cutAt(stream, randomCuts(new Rng(input.cutSeed), stream.length));
  side.step();
  side.take();
  for (const c of chunks) {
    if (!side.alive) break;
    side.inc.write(c);
    side.step();
    side.take();
  }
  side.inspect();
  if (input.muts.length === 0 && ops.benign && !input.decrypted) {
    // The recorded peer answered the ClientHello / ServerHello we sent then: if ours changed on purpose, re-record.
    const hint = 'if our hello messages changed on purpose, re-record the corpus: npm run fuzz:corpus';
    if (side.error) throw new FuzzFailure(`benign replay of ${input.transcript} failed: ${side.error.message} (${hint})`);
    if (!side.handshakeDone) throw new FuzzFailure(`benign replay of ${input.transcript} did not complete the handshake (${hint})`);
  }
  return seen;
}
