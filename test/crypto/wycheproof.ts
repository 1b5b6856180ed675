/**
 * Loading and judging Project Wycheproof vectors (test/vectors/wycheproof/,
 * Apache-2.0, see the LICENSE there). Not a test file itself: the
 * `wycheproof-*.test.ts` files use it.
 *
 * Judging rules (test/vectors/wycheproof/README): "valid" must be accepted
 * with the right output; "invalid" must be rejected, by a false result or a
 * CryptoError, never by any other exception; "acceptable" may go either way,
 * and each test states which way our policy says, so a change is noticed.
 */
import { readFileSync } from 'node:fs';
import { CryptoError } from '../../src/crypto/index.js';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly [field: string]: unknown;
}

export interface WycheproofGroup {
  readonly tests: readonly WycheproofTest[];
  readonly [field: string]: unknown;
}

export interface WycheproofFile {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

// Compiled tests run from build/test/crypto/; the vectors stay in the source tree.
const VECTOR_DIR = new URL('../../../test/vectors/wycheproof/', import.meta.url);

export function loadWycheproof(name: string): WycheproofFile {
  return JSON.parse(readFileSync(new URL(`${name}_test.json`, VECTOR_DIR), 'utf8')) as WycheproofFile;
}

export function hex(value: unknown): Buffer {
  if (typeof value !== 'string') throw new Error(`expected a hex string, got ${typeof value}`);
  return Buffer.from(value, 'hex');
}

/** What the provider did with a vector. */
export type Outcome = { readonly kind: 'accepted'; readonly output?: Buffer } | { readonly kind: 'rejected'; readonly reason: string };

/**
 * Runs `op`; a CryptoError is a rejection, any other exception is a provider bug and is rethrown
 * to fail the test. `op` returns true/false for verify-style operations or the output bytes.
 */
export function attempt(op: () => boolean | Buffer): Outcome {
  try {
    const r = op();
    if (r === false) return { kind: 'rejected', reason: 'returned false' };
    return r === true ? { kind: 'accepted' } : { kind: 'accepted', output: r };
  } catch (e) {
    if (e instanceof CryptoError) return { kind: 'rejected', reason: `CryptoError(${e.code}): ${e.message}` };
    throw e;
  }
}

/** Tallies results and collects every mismatch so one failing vector does not hide the rest. */
export class Tally {
  readonly failures: string[] = [];
  ran = 0;
  readonly skipped = new Map<string, number>();
  readonly acceptableOutcomes = new Map<string, number>();

  constructor(readonly file: WycheproofFile) {}

  skip(reason: string, count = 1): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + count);
  }

  get skippedCount(): number {
    let n = 0;
    for (const v of this.skipped.values()) n += v;
    return n;
  }

  /**
   * Judges one vector. `expectedOutput` (when given) must equal the accepted output of a valid vector.
   * `acceptablePolicy` says what our policy does with an "acceptable" vector.
   */
  judge(t: WycheproofTest, outcome: Outcome, expectedOutput?: Buffer, acceptablePolicy?: 'accept' | 'reject'): void {
    this.ran++;
    const where = `tcId ${t.tcId} (${t.result}; ${t.comment}; ${t.flags.join(',')})`;
    const matches = outcome.kind === 'accepted' && (expectedOutput === undefined || outcome.output === undefined || outcome.output.equals(expectedOutput));
    switch (t.result) {
      case 'valid':
        if (outcome.kind === 'rejected') this.failures.push(`${where}: rejected: ${outcome.reason}`);
        else if (!matches) this.failures.push(`${where}: wrong output ${outcome.output?.toString('hex')}, expected ${expectedOutput?.toString('hex')}`);
        break;
      case 'invalid':
        // An "accepted" op whose output differs from the (bogus) expectation still counts as a rejection
        // only for verify-style checks; for computations, invalid input must be refused outright.
        if (outcome.kind === 'accepted') this.failures.push(`${where}: accepted an invalid vector`);
        break;
      case 'acceptable': {
        const got = outcome.kind === 'accepted' && matches ? 'accept' : 'reject';
        const key = `${got}:${t.flags.join(',')}`;
        this.acceptableOutcomes.set(key, (this.acceptableOutcomes.get(key) ?? 0) + 1);
        if (acceptablePolicy === undefined) this.failures.push(`${where}: no policy stated for an acceptable vector (got ${got})`);
        else if (got !== acceptablePolicy) this.failures.push(`${where}: policy says ${acceptablePolicy}, provider did ${got}`);
        if (got === 'accept' && outcome.kind === 'accepted' && !matches) this.failures.push(`${where}: accepted with wrong output`);
        break;
      }
    }
  }

  /** Every vector in the file was either run or skipped for a counted reason. */
  get accounted(): number {
    return this.ran + this.skippedCount;
  }

  summary(): string {
    const skipped = [...this.skipped].map(([r, n]) => `${n} ${r}`).join('; ');
    return `${this.file.algorithm}: ran ${this.ran}/${this.file.numberOfTests}${skipped ? `, skipped ${skipped}` : ''}`;
  }
}
