/**
 * Our own client and server, in memory, with the conversation tampered with:
 * a plaintext record mutated, retyped, dropped, duplicated, split or preceded
 * by an injected record *before* it is protected (so the tampering reaches
 * the decoders and state machines behind the encryption: EncryptedExtensions,
 * Certificate, CertificateVerify, Finished, tickets, KeyUpdate, post-handshake
 * auth, TLS 1.2 CCS/Finished), and/or the ciphertext of one flight mutated,
 * and every flight re-fragmented at random points. The script after the
 * handshake: echo, KeyUpdate (1.3), post-handshake auth (1.3), unwrap.
 *
 * Oracle: Side's (SSLError only, alert queued, bounded buffers), a bounded
 * number of rounds, and for a benign plan (re-fragmentation, record splits
 * only) a completed handshake, an intact echo and a clean close on both sides.
 */
import type * as ssl from '../../src/ssl/index.js';
import type { RecordLayer } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { clientContext, serverContext, sniAnomalies, type Scenario } from './fixtures.js';
import { applyMutations, cutAt, randomCuts, randomMutations, Rng, type Mutation } from './mutate.js';
import { FuzzFailure, Side } from './side.js';

export type Tamper =
  | { kind: 'mutate'; muts: Mutation[] }
  | { kind: 'retype'; type: number }
  | { kind: 'drop' }
  | { kind: 'dup' }
  | { kind: 'split'; at: number }
  | { kind: 'inject'; type: number; data: string }
  | { kind: 'replay'; earlier: number }
  /** A record sealed with any content type and length, bypassing write()'s checks (inner type 0, 2^14+1 bytes, …). */
  | { kind: 'raw'; type: number; length: number; fill: number };

export interface PairInput {
  readonly scenario: Scenario;
  /** Tamper with the `write`-th plaintext write (0-based) of one side. */
  readonly tamper: { side: 'c' | 's'; write: number; action: Tamper } | null;
  /** Mutate the ciphertext of the `flight`-th flight in one direction. */
  readonly wire: { dir: 'cs' | 'sc'; flight: number; muts: Mutation[] } | null;
  /** Seeds the re-fragmentation of every flight (0: whole flights). */
  readonly cutSeed: number;
  /** Call the informational API before every step on both sides (Side.probe). */
  readonly probe?: boolean;
}

const MAX_ROUNDS = 60;
const PING = [Buffer.from('ping one'), Buffer.from('ping two, after a key update')];
const BIG_PING = [PING[0]!, Buffer.alloc(40_000, 'big ping ')];
export const SCENARIOS: readonly Scenario[] = [
  { version: '1.3', clientAuth: false },
  { version: '1.3', clientAuth: true, alpn: true },
  { version: '1.3', clientAuth: false, pha: true },
  { version: '1.2', clientAuth: false },
  { version: '1.2', clientAuth: true, alpn: true },
  { version: '1.3', clientAuth: false, hrr: true },
  { version: '1.3', clientAuth: false, resume: true },
  { version: '1.2', clientAuth: false, resume: true },
  { version: '1.3', clientAuth: false, noVerify: true },
  { version: '1.2', clientAuth: true, noVerify: true },
  { version: '1.3', clientAuth: false, big: true },
  { version: '1.2', clientAuth: false, big: true },
];

/** For `resume` scenarios: the session of one untampered connection, offered by every later client. */
const sessions = new Map<Scenario, ssl.SSLSession | null>();
function sessionFor(s: Scenario): ssl.SSLSession | null {
  if (!s.resume) return null;
  let session = sessions.get(s);
  if (session === undefined) {
    const r = new PairRun({ scenario: { ...s, resume: false }, tamper: null, wire: null, cutSeed: 0 }, null);
    r.run();
    session = r.c.obj.session;
    if (session === null) throw new Error('no session to resume');
    sessions.set(s, session);
  }
  return session;
}

/** Handshake messages and alerts a confused or hostile peer might slip in. */
const INJECTIONS: ReadonlyArray<[number, string]> = [
  [ContentType.handshake, '18000001' + '00'], // KeyUpdate
  [ContentType.handshake, '18000001' + '01'], // KeyUpdate, update_requested
  [ContentType.handshake, '00000000'], // HelloRequest
  [ContentType.handshake, '0e000000'], // ServerHelloDone
  [ContentType.handshake, '14000000'], // empty Finished
  [ContentType.handshake, '05000000'], // EndOfEarlyData
  [ContentType.alert, '0100'], // warning close_notify
  [ContentType.alert, '015a'], // warning user_canceled
  [ContentType.alert, '0164'], // warning no_renegotiation
  [ContentType.alert, '022f'], // fatal illegal_parameter
  [ContentType.change_cipher_spec, '01'],
  [ContentType.application_data, '6869'],
];

/** Plaintext writes and flights per direction of an untampered run of each scenario (to aim tampering anywhere). */
const shapes = new Map<Scenario, { writes: { c: number; s: number }; flights: { cs: number; sc: number } }>();

function shapeOf(s: Scenario) {
  let shape = shapes.get(s);
  if (!shape) {
    const r = new PairRun({ scenario: s, tamper: null, wire: null, cutSeed: 0 });
    r.run();
    shape = { writes: { c: r.writes.c, s: r.writes.s }, flights: { cs: r.flights.cs, sc: r.flights.sc } };
    shapes.set(s, shape);
  }
  return shape;
}

export function generatePair(rng: Rng): PairInput {
  const input = generatePlan(rng);
  return rng.chance(0.15) ? { ...input, probe: true } : input;
}

function generatePlan(rng: Rng): PairInput {
  const scenario = rng.pick(SCENARIOS);
  const shape = shapeOf(scenario);
  const cutSeed = rng.chance(0.5) ? rng.u32() : 0;
  const mode = rng.below(10);
  if (mode === 0) return { scenario, tamper: null, wire: null, cutSeed: cutSeed || 1 };
  if (mode <= 2) {
    const dir = rng.chance(0.5) ? 'cs' : 'sc';
    return { scenario, tamper: null, wire: { dir, flight: rng.below(shape.flights[dir]), muts: randomMutations(rng, 600) }, cutSeed };
  }
  const side = rng.chance(0.5) ? 'c' : 's';
  const write = rng.below(shape.writes[side]);
  let action: Tamper;
  switch (rng.below(13)) {
    case 0:
      action = { kind: 'retype', type: rng.pick([20, 21, 22, 23]) };
      break;
    case 1:
      action = { kind: 'drop' };
      break;
    case 2:
      action = { kind: 'dup' };
      break;
    case 3:
      action = { kind: 'split', at: rng.u32() };
      break;
    case 4:
    case 5: {
      const [type, data] = rng.pick(INJECTIONS);
      action = { kind: 'inject', type, data };
      break;
    }
    case 6:
      action = { kind: 'replay', earlier: rng.u32() };
      break;
    case 7:
      action = { kind: 'raw', type: rng.pick([0, 20, 21, 22, 23, 24, 25, 99, 255]), length: rng.pick([0, 1, 2, 3, 16384, 16385, 16400, rng.below(64)]), fill: rng.pick([0, 1, 0x16, rng.below(256)]) };
      break;
    default:
      action = { kind: 'mutate', muts: randomMutations(rng, 300) };
  }
  return { scenario, tamper: { side, write, action }, wire: null, cutSeed };
}

/** Whether the plan changes nothing a correct implementation may reject. */
function benign(input: PairInput): boolean {
  if (input.wire) return false;
  const t = input.tamper;
  return t === null || t.action.kind === 'split';
}

export class PairRun {
  readonly c: Side;
  readonly s: Side;
  readonly writes = { c: 0, s: 0 };
  readonly flights = { cs: 0, sc: 0 };
  readonly history = { c: [] as [number, Buffer][], s: [] as [number, Buffer][] };
  private readonly cuts: Rng;
  private clientPhase = 0;
  private serverAskedCert = false;
  /** A split a peer may refuse: an alert or CCS in two records, or an empty handshake fragment. */
  private unsplittable = false;

  constructor(
    readonly input: PairInput,
    session = sessionFor(input.scenario),
  ) {
    this.c = new Side(clientContext(input.scenario), false, session);
    this.s = new Side(serverContext(input.scenario), true);
    this.cuts = new Rng(input.cutSeed);
    this.c.probing = this.s.probing = input.probe === true;
    this.intercept('c', this.c);
    this.intercept('s', this.s);
  }

  private intercept(name: 'c' | 's', side: Side): void {
    const records = side.records;
    const write = records.write.bind(records);
    records.write = (type: number, data: Uint8Array, now?: boolean) => {
      const index = this.writes[name]++;
      const t = this.input.tamper;
      const copy = Buffer.from(data);
      if (t && t.side === name && t.write === index) this.tamper(t.action, type, copy, write, records, this.history[name]);
      else write(type, data, now);
      this.history[name].push([type, copy]);
    };
  }

  private tamper(a: Tamper, type: number, data: Buffer, write: (type: number, data: Uint8Array) => void, records: RecordLayer, history: [number, Buffer][]): void {
    const flush = () => records.flush();
    switch (a.kind) {
      case 'mutate':
        return write(type, applyMutations(data, a.muts));
      case 'retype':
        return write(a.type, data);
      case 'drop':
        return;
      case 'dup':
        write(type, data);
        flush();
        return write(type, data);
      case 'split': {
        const at = a.at % (data.length + 1);
        // Alerts and ChangeCipherSpec never span records; neither may a handshake fragment be empty (RFC 8446 §5.1).
        if (type === ContentType.alert || type === ContentType.change_cipher_spec || ((at === 0 || at === data.length) && type === ContentType.handshake)) this.unsplittable = true;
        write(type, data.subarray(0, at));
        flush();
        return write(type, data.subarray(at));
      }
      case 'inject':
        flush();
        write(a.type, Buffer.from(a.data, 'hex'));
        flush();
        return write(type, data);
      case 'raw': {
        flush();
        // RecordWriter's private sealing step, with a content type write() would refuse.
        const rw = records as unknown as { pendingType: number; seal(content: Uint8Array[], length: number): void };
        const saved = rw.pendingType;
        rw.pendingType = a.type;
        rw.seal([Buffer.alloc(a.length, a.fill)], a.length);
        rw.pendingType = saved;
        return write(type, data);
      }
      case 'replay': {
        if (history.length > 0) {
          const [t, d] = history[a.earlier % history.length]!;
          flush();
          write(t, d);
          flush();
        }
        return write(type, data);
      }
    }
  }

  /** Moves one flight: mutated if the plan says so, re-fragmented, the receiver stepping after each fragment. */
  private deliver(dir: 'cs' | 'sc', flight: Buffer, to: Side): void {
    if (flight.length === 0) return;
    const index = this.flights[dir]++;
    const w = this.input.wire;
    if (w && w.dir === dir && w.flight === index) flight = applyMutations(flight, w.muts);
    const cuts = this.input.cutSeed === 0 ? [] : randomCuts(this.cuts, flight.length);
    for (const chunk of cutAt(flight, cuts)) {
      to.inc.write(chunk);
      to.step();
    }
  }

  private get pings(): Buffer[] {
    return this.input.scenario.big ? BIG_PING : PING;
  }

  private clientScript(): void {
    const PING = this.pings;
    const c = this.c;
    c.inspect();
    if (!c.alive || !c.handshakeDone) return;
    const echoed = Buffer.concat(c.received);
    const v13 = this.input.scenario.version === '1.3';
    if (this.clientPhase === 0) {
      this.clientPhase = 1;
      c.guard('write', () => void c.obj.write(PING[0]!));
    } else if (this.clientPhase === 1 && echoed.length >= PING[0]!.length) {
      this.clientPhase = 2;
      if (v13) c.guard('keyUpdate', () => c.obj.keyUpdate(true));
      c.guard('write', () => void c.obj.write(PING[1]!));
    } else if (this.clientPhase === 2 && echoed.length >= PING[0]!.length + PING[1]!.length) {
      this.clientPhase = 3;
      c.paused = true; // unwrap() does the reading from here
    }
    if (this.clientPhase === 3) {
      c.guard('unwrap', () => {
        c.obj.unwrap();
        this.clientPhase = 4;
      });
    }
  }

  private serverScript(): void {
    const s = this.s;
    const data = s.received.splice(0);
    s.inspect();
    if (!s.alive || !s.handshakeDone) return;
    for (const d of data) {
      this.echoed.push(d);
      s.guard('write', () => void s.obj.write(d));
    }
    if (this.input.scenario.pha && !this.serverAskedCert && this.echoed.length > 0) {
      this.serverAskedCert = true;
      s.guard('verifyClientPostHandshake', () => s.obj.verifyClientPostHandshake());
    }
  }
  private readonly echoed: Buffer[] = [];

  run(): void {
    let quiet = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      this.c.step();
      this.clientScript();
      this.s.step();
      this.serverScript();
      if (this.s.peerClosed && this.s.error === null && !this.serverUnwrapped) {
        this.serverUnwrapped = true;
        // Answer the client's close_notify (SSLZeroReturnError took the side out of service).
        try {
          this.s.obj.unwrap();
        } catch (e) {
          throw new FuzzFailure(`server unwrap after close_notify: ${String(e)}`);
        }
      }
      const cs = this.c.take();
      const sc = this.s.take();
      this.deliver('cs', cs, this.s);
      this.deliver('sc', sc, this.c);
      if (cs.length === 0 && sc.length === 0) {
        if (++quiet >= 2) return this.verdict();
      } else quiet = 0;
    }
    throw new FuzzFailure(`still talking after ${MAX_ROUNDS} rounds`);
  }
  private serverUnwrapped = false;

  private verdict(): void {
    if (sniAnomalies.length > 0) throw new FuzzFailure(sniAnomalies.splice(0).join('; '));
    if (!benign(this.input) || this.unsplittable) return;
    const problems: string[] = [];
    for (const [n, side] of [['client', this.c] as const, ['server', this.s] as const]) {
      if (side.error) problems.push(`${n} failed: ${side.error.message}`);
      if (!side.handshakeDone) problems.push(`${n} did not finish the handshake`);
    }
    const want = Buffer.concat(this.pings);
    if (!Buffer.concat(this.echoed).equals(want)) problems.push('the echo did not come through intact');
    if (this.clientPhase !== 4) problems.push(`client stopped in phase ${this.clientPhase}`);
    if (this.input.scenario.resume && !this.c.obj.sessionReused) problems.push('the session was not resumed');
    if (!this.s.peerClosed) problems.push('server saw no close_notify');
    if (problems.length) throw new FuzzFailure(`benign plan failed: ${problems.join('; ')}`);
  }
}

export function runPair(input: PairInput): PairRun {
  const r = new PairRun(input);
  r.run();
  return r;
}

/** Every plaintext record our client and server write in an untampered run of each scenario (decoders.ts mutates them). */
export function ourPlaintexts(): { scenario: Scenario; type: number; data: Buffer }[] {
  const out: { scenario: Scenario; type: number; data: Buffer }[] = [];
  for (const scenario of SCENARIOS) {
    const r = new PairRun({ scenario, tamper: null, wire: null, cutSeed: 0 });
    r.run();
    for (const [type, data] of [...r.history.c, ...r.history.s]) out.push({ scenario, type, data });
  }
  return out;
}
