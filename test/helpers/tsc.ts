/**
 * Runs this repository's TypeScript compiler (node_modules/typescript) in a
 * child process, for the type tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './readme.js';

const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** tsc with `args` from the repository root; the run's exit status and its diagnostics. */
export function tsc(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, ...args], { cwd: REPO, encoding: 'utf8', timeout: 280_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}
