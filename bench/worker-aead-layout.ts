/** The SharedArrayBuffer layout shared by ./worker-aead.ts and its worker. */
import type { KeyObject } from 'node:crypto';

export const TAG = 16;

/** Int32 slots at the start of the buffer. */
export const CTRL = {
  /** Job counter: the main thread bumps it (and notifies) to start a job; -1 stops the worker. */
  job: 0,
  /** The last job finished (the worker stores the job's number and notifies). */
  done: 1,
  /** Records in the current job, and the plaintext length of each. */
  records: 2,
  length: 3,
  words: 4,
  bytes: 16,
} as const;

export interface WorkerInit {
  readonly sab: SharedArrayBuffer;
  readonly key: KeyObject;
  readonly iv: Buffer;
  readonly recordLength: number;
  readonly maxRecords: number;
}

/** Byte offsets of record i's input (plaintext in) and output (plaintext opened again) slots, and the buffer size. */
export function layout(recordLength: number, maxRecords: number): { inputAt: (i: number) => number; outputAt: (i: number) => number; size: number } {
  const input = CTRL.bytes;
  const output = input + recordLength * maxRecords;
  return {
    inputAt: (i) => input + i * recordLength,
    outputAt: (i) => output + i * recordLength,
    size: output + recordLength * maxRecords,
  };
}
