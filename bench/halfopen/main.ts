/**
 * `npm run halfopen [-- --connections N (1000)] [--probes N (100)] [--tls12] [--no-openssl] [--json]`:
 * our server with N half-open connections must keep answering real clients
 * (./run.ts); prints the latencies with and without the load; exits 1 on
 * any failed probe or any half-open connection not accepted or not ended.
 */
import { formatReport, problems, runHalfOpen, type HalfOpenOptions } from './run.js';

const USAGE = 'usage: npm run halfopen -- [--connections N (1000)] [--probes N (100)] [--tls12] [--no-openssl] [--json]';

function parseArgs(argv: string[]): HalfOpenOptions & { json: boolean } {
  let halfOpen = 1000;
  let probes = 100;
  let version: '1.3' | '1.2' = '1.3';
  let openssl: boolean | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--tls12') version = '1.2';
    else if (a === '--no-openssl') openssl = false;
    else if (a === '--connections' || a === '--probes') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive integer\n${USAGE}`);
      if (a === '--connections') halfOpen = v;
      else probes = v;
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return { halfOpen, probes, version, openssl, json };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const report = await runHalfOpen({ ...o, log: o.json ? undefined : (l) => console.error(`halfopen: ${l}`) });
  const bad = problems(report);
  if (o.json) console.log(JSON.stringify({ ...report, problems: bad }, null, 2));
  else {
    console.log(formatReport(report));
    for (const p of bad) console.log(`  PROBLEM: ${p}`);
  }
  process.exitCode = bad.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
