/**
 * The README's TypeScript examples, extracted so tests can compile and run
 * them exactly as written (the README cannot drift from the code).
 *
 * A fenced block that starts with ```ts is an example. Blocks are grouped
 * into programs by an optional `example=NAME` in the fence line
 * (```ts example=echo): the blocks of one name, in README order, form one
 * program (a server block, then the client block that talks to it).
 * Blocks without a name are programs of their own.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is build/test/helpers/readme.js once compiled). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ReadmeProgram {
  name: string;
  /** 1-based README line of the program's first block. */
  line: number;
  source: string;
}

export function readmePrograms(path = join(REPO, 'README.md')): ReadmeProgram[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const programs = new Map<string, ReadmeProgram>();
  let anonymous = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^```ts\b(.*)$/.exec(lines[i]!);
    if (m === null) continue;
    const named = /\bexample=([\w-]+)/.exec(m[1]!);
    const name = named ? named[1]! : `example-${++anonymous}`;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.startsWith('```'); j++) body.push(lines[j]!);
    const prev = programs.get(name);
    if (prev) prev.source += `\n${body.join('\n')}`;
    else programs.set(name, { name, line: i + 1, source: body.join('\n') });
    i = j;
  }
  return [...programs.values()];
}
