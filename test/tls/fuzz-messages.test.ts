import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader } from '../../src/tls/codec.js';
import { TLSError } from '../../src/tls/errors.js';
import { HandshakeBuffer } from '../../src/tls/handshake-buffer.js';
import {
  decodeAlert,
  decodeChangeCipherSpec,
  decodeExtensions,
  decodeHandshakeBody,
  encodeHandshake,
  parseHandshakeFrame,
  type ExtensionContext,
  type HandshakeDecodeOptions,
} from '../../src/tls/messages/index.js';
import { HandshakeType } from '../../src/tls/registry/handshake-types.js';
import { rfc8448Messages } from './messages-rfc8448.js';

// Every decoder must either succeed or throw a TLSError carrying a real alert:
// never RangeError/TypeError, never a hang.
const EXPECTED_ALERTS = new Set(['decode_error', 'illegal_parameter', 'unexpected_message', 'missing_extension', 'unrecognized_name']);

let cases = 0;

function onlyTLSError(fn: () => unknown): boolean {
  cases++;
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof TLSError && EXPECTED_ALERTS.has(e.alert)) return true;
    throw e;
  }
}

const OPTIONS: HandshakeDecodeOptions[] = [{ version: 'TLSv1.3', finishedLength: 32 }, { version: 'TLSv1.2' }, {}];
const TYPES = Object.values(HandshakeType);
const CONTEXTS: ExtensionContext[] = ['client_hello', 'server_hello', 'hello_retry_request', 'encrypted_extensions', 'certificate', 'certificate_request', 'new_session_ticket'];

/** Decodes, and when that succeeds, checks that encoding and decoding again gives the same message. */
function decodeStable(type: number, body: Buffer, opts: HandshakeDecodeOptions): void {
  const m = decodeHandshakeBody(type, body, opts);
  const again = decodeHandshakeBody(type, parseHandshakeFrame(encodeHandshake(m)).body, opts);
  assert.deepEqual(again, m);
}

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; byte: number } | { kind: 'delete'; at: number } | { kind: 'set'; at: number; byte: number };

function mutate(b: Buffer, muts: Mutation[]): Buffer {
  let out = Buffer.from(b);
  for (const m of muts) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    switch (m.kind) {
      case 'flip':
        if (out.length) out[at] = out[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (out.length) out[at] = m.byte;
        break;
      case 'truncate':
        out = out.subarray(0, at);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), Buffer.from([m.byte]), out.subarray(at)]);
        break;
      case 'delete':
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
        break;
    }
  }
  return out;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

const SAMPLES = rfc8448Messages().map((m) => m.bytes);

const V12: HandshakeDecodeOptions = { version: 'TLSv1.2' };
const der = (n: number) => Buffer.concat([Buffer.from([0x30]), Buffer.alloc(n - 1, 0x5a)]);
/** TLS 1.2 messages to mutate (the traces are all TLS 1.3). */
const TLS12_SAMPLES: Buffer[] = [
  encodeHandshake({ type: 'certificate', version: 'TLSv1.2', certificates: [der(60), der(40)] }),
  encodeHandshake({ type: 'certificate_request', version: 'TLSv1.2', certificateTypes: [1, 64], signatureSchemes: [0x0401, 0x0403], certificateAuthorities: [der(20)] }),
  encodeHandshake({ type: 'server_key_exchange', namedGroup: 0x17, publicKey: Buffer.alloc(65, 4), algorithm: 0x0804, signature: Buffer.alloc(64, 1) }),
  encodeHandshake({ type: 'client_key_exchange', publicKey: Buffer.alloc(32, 3) }),
  encodeHandshake({ type: 'new_session_ticket', version: 'TLSv1.2', lifetimeHint: 7200, ticket: Buffer.alloc(40, 2) }),
  encodeHandshake({ type: 'certificate_status', ocspResponse: der(30) }),
  encodeHandshake({ type: 'finished', verifyData: Buffer.alloc(12, 7) }),
  encodeHandshake({ type: 'server_hello_done' }),
];

describe('fuzz: decoders only ever throw TLSError', () => {
  it('random bodies into every handshake decoder, every version', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.constantFrom(...OPTIONS), fc.uint8Array({ maxLength: 200 }), (type, opts, bytes) =>
        onlyTLSError(() => decodeStable(type, Buffer.from(bytes), opts)),
      ),
      { numRuns: 12000 },
    );
  });

  it('random extension blocks in every context', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONTEXTS), fc.array(fc.record({ code: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(0xff01), fc.integer({ min: 0, max: 0xffff })), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 6 }), (ctx, exts) => {
        const parts = exts.map((e) => {
          const h = Buffer.alloc(4);
          h.writeUInt16BE(e.code, 0);
          h.writeUInt16BE(e.data.length, 2);
          return Buffer.concat([h, e.data]);
        });
        const body = Buffer.concat(parts);
        const block = Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
        return onlyTLSError(() => {
          const r = new Reader(block);
          decodeExtensions(r, ctx);
          r.expectEnd();
        });
      }),
      { numRuns: 15000 },
    );
  });

  it('mutated RFC 8448 messages (bit flips, truncation, insertion, deletion) decode stably or fail with TLSError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...OPTIONS), (sample, muts, opts) => {
        const m = mutate(sample, muts);
        return onlyTLSError(() => {
          const f = parseHandshakeFrame(m);
          decodeStable(f.type, f.body, opts);
        });
      }),
      { numRuns: 12000 },
    );
  });

  it('mutated TLS 1.2 messages decode stably or fail with TLSError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TLS12_SAMPLES), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (sample, muts) =>
        onlyTLSError(() => {
          const f = parseHandshakeFrame(mutate(sample, muts));
          decodeStable(f.type, f.body, V12);
        }),
      ),
      { numRuns: 4000 },
    );
  });

  it('mutated bodies with the header stripped (so the body length always matches)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (sample, muts) => {
        const body = mutate(sample.subarray(4), muts);
        return onlyTLSError(() => decodeStable(sample[0]!, body, OPTIONS[0]!));
      }),
      { numRuns: 8000 },
    );
  });

  it('random alert and ChangeCipherSpec payloads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4 }), (bytes) => onlyTLSError(() => decodeAlert(bytes)) && onlyTLSError(() => decodeChangeCipherSpec(bytes))),
      { numRuns: 2000 },
    );
  });
});

describe('fuzz: handshake buffer', () => {
  it('random record fragments never throw anything but TLSError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.integer({ min: 0, max: 300 }), (frags, max) =>
        onlyTLSError(() => {
          const b = new HandshakeBuffer(max);
          for (const f of frags) {
            b.push(f);
            while (b.next()) {
              /* drain */
            }
          }
          b.assertKeyChangeBoundary('test');
        }),
      ),
      { numRuns: 4000 },
    );
  });

  it('any fragmentation of a valid flight reassembles to exactly the original messages', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SAMPLES), { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 20 }), (msgs, cuts) => {
        cases++;
        const stream = Buffer.concat(msgs);
        const b = new HandshakeBuffer();
        const got: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = Math.min(cuts[i % cuts.length]!, stream.length - at);
          b.push(stream.subarray(at, at + n));
          at += n;
          for (let f = b.next(); f; f = b.next()) got.push(Buffer.from(f.raw));
        }
        assert.deepEqual(got, msgs);
        assert.ok(b.isEmpty);
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('ran at least 50,000 cases', () => {
    assert.ok(cases >= 50000, `only ${cases} cases`);
  });
});
