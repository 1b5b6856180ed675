/**
 * `sslsock bench`: the benchmark report. The benchmarks live in the source
 * checkout (bench/, not shipped in the package), so this runs exactly what
 * `npm run bench` runs there, passing the arguments through.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_FAILURE } from './errors.js';
import { colourEnabled, withSpinner } from './pretty.js';

export const BENCH_USAGE = `usage: sslsock bench [ARGS...]

Runs the benchmark report of a source checkout of sslsock: the same as
'npm run bench -- ARGS' in the checkout this command was built from (it
builds, then measures sslsock beside node:crypto / node:tls in one run).
ARGS go to the benchmark unchanged; see bench/ in the checkout.`;

/** The checkout this file was built from: the nearest package.json named sslsock, with a bench/ beside it. */
function checkoutRoot(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'bench'))) {
      const name: unknown = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
      if (name === 'sslsock') return dir;
    }
    if (dirname(dir) === dir) return null;
  }
}

function run(root: string, argv: readonly string[], capture: boolean): Promise<{ code: number; output: Buffer[] }> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const child = spawn(npm, ['run', '--silent', 'bench', '--', ...argv], { cwd: root, stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
  const output: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d));
  child.stderr?.on('data', (d: Buffer) => output.push(d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal !== null ? EXIT_FAILURE : 0), output }));
  });
}

export async function runBench(argv: readonly string[], _out: (line: string) => void): Promise<number> {
  const root = checkoutRoot();
  if (root === null) throw new Error('sslsock bench runs from a source checkout of sslsock (bench/ is not in the installed package)');
  // On a terminal: a spinner while it runs, then the report. Piped: the report streams through unchanged.
  const interactive = colourEnabled(process.stderr) && colourEnabled(process.stdout);
  const { code, output } = await withSpinner(process.stderr, 'running npm run bench…', () => run(root, argv, interactive));
  for (const chunk of output) process.stdout.write(chunk);
  return code;
}
