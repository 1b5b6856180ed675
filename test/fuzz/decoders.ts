/**
 * Decoder targets: real messages, mutated, straight into the codecs.
 * Handshake messages are those our engine sends in every scenario (all
 * TLS 1.3 and 1.2 types, with every extension we use) plus every one the
 * recorded peers sent, plaintext or protected (decrypted by our pinned side):
 * their ClientHellos, ServerHellos, EncryptedExtensions, CertificateRequests
 * and tickets carry extensions we never send; certificates are the corpus PKI and the x509
 * vectors. Oracle: a decoder returns or throws TLSError / X509Error (never
 * another error), and what decodes re-encodes to something that decodes to
 * the same message.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { TLSError } from '../../src/tls/errors.js';
import { decodeHandshakeBody, encodeHandshake, parseHandshakeFrame, type HandshakeDecodeOptions } from '../../src/tls/messages/index.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { X509Error } from '../../src/x509/errors.js';
import { pemBlocksWithLabel } from '../../src/x509/pem.js';
import { peerCertDict } from '../../src/x509/peercert.js';
import { readCert } from './fixtures.js';
import { applyMutations, randomMutations, Rng, type Mutation } from './mutate.js';
import { ourPlaintexts } from './pair.js';
import { peerProtectedRecords, transcripts } from './replay.js';
import { FuzzFailure } from './side.js';

const ACCEPTED_ALERTS = new Set(['decode_error', 'illegal_parameter', 'unexpected_message', 'missing_extension', 'unrecognized_name']);

interface Sample {
  readonly message: Buffer;
  readonly opts: HandshakeDecodeOptions;
}

let samples: Sample[] | null = null;
let certs: Buffer[] | null = null;

function handshakeSamples(): Sample[] {
  if (samples) return samples;
  const out: Sample[] = [];
  const seen = new Set<string>();
  const add = (message: Buffer, opts: HandshakeDecodeOptions) => {
    const key = message.toString('hex');
    // A TLS 1.3 Finished is as long as the suite's hash: take it from the message itself.
    if (opts.version === 'TLSv1.3' && message[0] === 20) opts = { ...opts, finishedLength: message.length - 4 };
    if (!seen.has(key)) out.push({ message, opts }), seen.add(key);
  };
  for (const { scenario, type, data } of ourPlaintexts()) {
    if (type !== ContentType.handshake) continue;
    add(data, scenario.version === '1.3' ? { version: 'TLSv1.3', finishedLength: 32 } : { version: 'TLSv1.2' });
  }
  // The peers' protected handshake messages, as our pinned side decrypted them.
  for (const { scenario, record } of peerProtectedRecords()) {
    if (record.type !== ContentType.handshake) continue;
    let body = record.payload;
    while (body.length >= 4 && 4 + body.readUIntBE(1, 3) <= body.length) {
      const n = 4 + body.readUIntBE(1, 3);
      add(Buffer.from(body.subarray(0, n)), scenario.version === '1.3' ? { version: 'TLSv1.3', finishedLength: 32 } : { version: 'TLSv1.2' });
      body = body.subarray(n);
    }
  }
  for (const { t, stream } of transcripts().values()) {
    // The peer's plaintext handshake records, up to the first protected one.
    for (let at = 0; at + 5 <= stream.length; ) {
      const len = stream.readUInt16BE(at + 3);
      if (stream[at] === ContentType.handshake) {
        let body = stream.subarray(at + 5, at + 5 + len);
        while (body.length >= 4 && [1, 2, 11, 12, 13, 14, 16, 22].includes(body[0]!) && 4 + body.readUIntBE(1, 3) <= body.length) {
          const n = 4 + body.readUIntBE(1, 3);
          add(body.subarray(0, n), t.scenario.version === '1.3' ? { version: 'TLSv1.3', finishedLength: 32 } : { version: 'TLSv1.2' });
          body = body.subarray(n);
        }
        if (body.length > 0) break; // protected from here on
      } else if (stream[at] !== ContentType.change_cipher_spec) break;
      at += 5 + len;
    }
  }
  samples = out;
  return out;
}

function certSamples(): Buffer[] {
  if (certs) return certs;
  const dir = new URL('../../../test/vectors/x509/', import.meta.url);
  const pems = [readCert('ca.pem'), readCert('server.pem'), readCert('client.pem')];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pem'))) pems.push(readFileSync(new URL(f, dir), 'latin1'));
  certs = pems.flatMap((p) => pemBlocksWithLabel(p, 'CERTIFICATE'));
  return certs;
}

export interface DecoderInput {
  readonly kind: 'handshake' | 'certificate';
  readonly sample: number;
  readonly muts: readonly Mutation[];
  /** Decode with the header stripped, so the body length always matches. */
  readonly bodyOnly: boolean;
}

export function generateDecoder(rng: Rng): DecoderInput {
  const kind = rng.chance(0.75) ? 'handshake' : 'certificate';
  const pool = kind === 'handshake' ? handshakeSamples().map((s) => s.message) : certSamples();
  const sample = rng.below(pool.length);
  return { kind, sample, muts: randomMutations(rng, pool[sample]!.length, 4), bodyOnly: rng.chance(0.5) };
}

function decodeStable(type: number, body: Buffer, opts: HandshakeDecodeOptions): void {
  const m = decodeHandshakeBody(type, body, opts);
  const again = decodeHandshakeBody(type, parseHandshakeFrame(encodeHandshake(m)).body, opts);
  assert.deepEqual(again, m);
}

function exerciseCertificate(der: Buffer): void {
  const c = parseCertificate(der);
  void c.subject.toString();
  void c.issuer.canonicalKey;
  const x = c.extensions;
  for (const get of [() => x.basicConstraints, () => x.keyUsage, () => x.extKeyUsage, () => x.subjectAltName, () => x.nameConstraints, () => x.authorityKeyIdentifier, () => x.subjectKeyIdentifier, () => x.authorityInfoAccess, () => x.crlDistributionPoints, () => x.certificatePolicies]) {
    try {
      get();
    } catch (e) {
      if (!(e instanceof X509Error)) throw e;
    }
  }
  JSON.stringify(peerCertDict(c));
}

export function runDecoder(input: DecoderInput): void {
  try {
    if (input.kind === 'certificate') {
      exerciseCertificate(applyMutations(certSamples()[input.sample]!, input.muts));
      return;
    }
    const s = handshakeSamples()[input.sample]!;
    if (input.bodyOnly) decodeStable(s.message[0]!, applyMutations(s.message.subarray(4), input.muts), s.opts);
    else {
      const f = parseHandshakeFrame(applyMutations(s.message, input.muts));
      decodeStable(f.type, f.body, s.opts);
    }
  } catch (e) {
    if (e instanceof TLSError && ACCEPTED_ALERTS.has(e.alert)) return;
    if (e instanceof X509Error && input.kind === 'certificate') return;
    throw new FuzzFailure(`${input.kind} decoder: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  }
}

/** How many samples each pool holds (reported by the runner). */
export function decoderPools(): { handshake: number; certificate: number } {
  return { handshake: handshakeSamples().length, certificate: certSamples().length };
}
