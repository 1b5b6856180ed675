/**
 * `npm run soak [-- --connections N] [--concurrency N] [--deadline S] [--seed N] [--same-process] [--json]`:
 * runs the soak (./run.ts), the clients in a process of their own unless
 * `--same-process`, and prints its figures; exits 1 unless every
 * connection completed with its bytes verified, no error, and the
 * process's active handles back where they started.
 */
import { passed, runSoak, type SoakOptions, type SoakReport } from './run.js';

const USAGE =
  'usage: npm run soak -- [--connections N (1000)] [--concurrency N (all)] [--deadline SECONDS (300)] [--seed N] [--same-process] [--json]';

function parseArgs(argv: string[]): SoakOptions & { json: boolean } {
  let connections = 1000;
  let concurrency: number | undefined;
  let deadlineSeconds: number | undefined;
  let seed: number | undefined;
  let json = false;
  let clientsProcess = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' || a === '--same-process') {
      if (a === '--json') json = true;
      else clientsProcess = false;
      continue;
    }
    const v = Number(argv[++i]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number\n${USAGE}`);
    if (a === '--connections') connections = Math.floor(v);
    else if (a === '--concurrency') concurrency = Math.floor(v);
    else if (a === '--deadline') deadlineSeconds = v;
    else if (a === '--seed') seed = Math.floor(v);
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return { connections, concurrency, deadlineSeconds, seed, clientsProcess, json };
}

const MIB = 1024 * 1024;

function handles(h: Readonly<Record<string, number>>): string {
  return Object.entries(h).map(([k, v]) => `${k}×${v}`).join(', ') || '(none)';
}

function print(r: SoakReport): void {
  const lines = [
    `soak: ${r.connections} connections (+${r.primers} primers), ${r.concurrency} at once, seed ${r.seed}, fd limit ${r.fdLimit ?? 'unknown'}, clients in ${r.clientsProcess ? 'a process of their own' : 'the server\'s process'}`,
    `  mix:            ${Object.entries(r.mix).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  completed:      ${r.completed} of ${r.connections + r.primers} (server ${r.serverCompleted}, clients ${r.clientCompleted})`,
    `  bytes verified: ${r.bytesVerified} of ${r.bytesPlanned} (${(r.bytesVerified / MIB).toFixed(1)} MiB, SHA-256 at both ends)`,
    `  errors:         ${r.errors.length}${r.deadlineExceeded ? ' (deadline exceeded)' : ''}`,
    ...r.errors.slice(0, 20).map((e) => `    ${e}`),
    ...(r.errors.length > 20 ? [`    … and ${r.errors.length - 20} more`] : []),
    `  RSS:            ${(r.rssBefore / MIB).toFixed(1)} MiB before, ${(r.rssAfter / MIB).toFixed(1)} MiB after${r.clientsProcess ? ' (the server\'s process)' : ''}`,
    `  live memory:    ${(r.liveBefore / MIB).toFixed(1)} MiB before, ${(r.liveAfter / MIB).toFixed(1)} MiB after (heap + Buffers${globalThis.gc ? ' after a full GC' : ', no --expose-gc'})`,
    `  handles:        before ${handles(r.handlesBefore)}; after ${handles(r.handlesAfter)} — ${r.handlesBack ? 'back to the start' : 'NOT back to the start'}${r.clientsProcess ? ' (client process checked too)' : ''}`,
    `  time:           ${r.seconds.toFixed(2)} s, ${r.handshakes} handshakes, ${r.handshakesPerSecond.toFixed(1)} handshakes/s (each connection also echoing its data); load average ${r.loadAverage.map((x) => x.toFixed(1)).join(' ')}`,
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const { json, ...options } = parseArgs(process.argv.slice(2));
  const report = await runSoak(options);
  if (json) console.log(JSON.stringify(report, null, 2));
  else print(report);
  console.log(passed(report) ? 'soak: PASS' : 'soak: FAIL');
  process.exitCode = passed(report) ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
