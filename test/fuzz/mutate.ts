/**
 * The fuzzer's randomness and byte mutations. Every input is a pure function
 * of a 32-bit seed (mulberry32), so a failure is reproduced from its seed and
 * the mutated bytes can be stored as a regression case.
 */

/** A small fast seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform 32-bit unsigned. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() < p * 0x1_0000_0000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
  /** Small sizes are likelier: 0..max with a bias to short. */
  size(max: number): number {
    return this.chance(0.7) ? this.below(Math.min(max, 16) + 1) : this.below(max + 1);
  }
}

/** Values that break length fields and counters more often than random bytes do. */
const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xfe, 0xff];

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; data: string }
  | { op: 'delete'; at: number; n: number }
  | { op: 'truncate'; at: number }
  | { op: 'dup'; at: number; n: number }
  | { op: 'u16'; at: number; value: number };

/** A random mutation of a buffer of `len` bytes (positions are taken modulo the length when applied). */
export function randomMutation(rng: Rng, len: number): Mutation {
  const at = rng.below(Math.max(len, 1));
  switch (rng.below(8)) {
    case 0:
    case 1:
      return { op: 'flip', at, bit: rng.below(8) };
    case 2:
      return { op: 'set', at, byte: rng.chance(0.5) ? rng.pick(INTERESTING) : rng.below(256) };
    case 3:
      return { op: 'insert', at, data: rng.bytes(rng.chance(0.8) ? 1 : rng.size(40)).toString('hex') };
    case 4:
      return { op: 'delete', at, n: 1 + rng.size(20) };
    case 5:
      return { op: 'truncate', at };
    case 6:
      return { op: 'dup', at, n: 1 + rng.size(60) };
    default:
      return { op: 'u16', at, value: rng.pick([0, 1, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0x7fff, 0xffff, rng.below(0x10000)]) };
  }
}

/** 1..max mutations, half the time exactly one (a single precise change reaches checks that several would break first). */
export function randomMutations(rng: Rng, len: number, max = 4): Mutation[] {
  const n = rng.chance(0.5) ? 1 : 1 + rng.below(max);
  const out: Mutation[] = [];
  for (let i = 0; i < n; i++) out.push(randomMutation(rng, len));
  return out;
}

/** Applies mutations in order; never throws. */
export function applyMutations(input: Uint8Array, muts: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.op) {
      case 'flip':
        if (b.length) b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (b.length) b[at] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.data, 'hex'), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + m.n), b.subarray(at)]);
        break;
      case 'u16':
        if (b.length >= 2) b.writeUInt16BE(m.value, Math.min(at, b.length - 2));
        break;
    }
  }
  return b;
}

/** Cuts a byte stream into chunks at random points (TCP-style re-fragmentation): same bytes, other boundaries. */
export function randomCuts(rng: Rng, len: number): number[] {
  const cuts = new Set<number>();
  const n = rng.chance(0.3) ? rng.below(len + 1) : rng.below(6);
  for (let i = 0; i < n; i++) cuts.add(1 + rng.below(Math.max(len - 1, 1)));
  return [...cuts].filter((c) => c > 0 && c < len).sort((a, b) => a - b);
}

export function cutAt(b: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    if (c <= prev || c >= b.length) continue;
    out.push(b.subarray(prev, c));
    prev = c;
  }
  out.push(b.subarray(prev));
  return out;
}
