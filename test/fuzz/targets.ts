/**
 * The fuzz targets by name. Each input is generated from a seed (so a
 * failure is reproduced from `target` + `seed`) and is plain JSON (so it can
 * be stored as a regression case with its bytes).
 */
import { generateDecoder, runDecoder, type DecoderInput } from './decoders.js';
import { Rng } from './mutate.js';
import { generatePair, runPair, type PairInput } from './pair.js';
import { generateReplay, runReplay, type ReplayInput } from './replay.js';

export interface Target<I = unknown> {
  readonly name: string;
  /** Share of the run time this target gets. */
  readonly weight: number;
  generate(rng: Rng): I;
  run(input: I): void;
}

export const TARGETS: readonly Target[] = [
  { name: 'pair', weight: 0.4, generate: generatePair, run: (i) => runPair(i as PairInput) },
  { name: 'replay', weight: 0.4, generate: generateReplay, run: (i) => runReplay(i as ReplayInput) },
  { name: 'decoders', weight: 0.2, generate: generateDecoder, run: (i) => runDecoder(i as DecoderInput) },
];

export function targetByName(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown fuzz target '${name}' (have: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}

/** A failing input as stored in the failures file and in regressions.json. */
export interface FailingInput {
  readonly target: string;
  readonly seed: number;
  readonly input: unknown;
  readonly message: string;
}

/** Generates the input of `seed` and runs it; returns the failure or null. */
export function runSeed(target: Target, seed: number): FailingInput | null {
  const input = target.generate(new Rng(seed));
  try {
    target.run(input);
    return null;
  } catch (e) {
    return { target: target.name, seed, input, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
