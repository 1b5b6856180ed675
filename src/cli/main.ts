#!/usr/bin/env node
/**
 * The `sslsock` command.
 *
 *   sslsock connect HOST:PORT   a TLS client, like `openssl s_client`, readable
 *   sslsock serve               a TLS server, like `openssl s_server` (echo or www)
 *   sslsock cert ID...          issue a test certificate into files
 *   sslsock bench               the benchmark report (`npm run bench`)
 *   sslsock demo                the ssl API for real: TLS over loopback, failures, sans-IO, X.509
 *
 * Exit status: 0 ok, 1 TLS / verification / network failure, 2 usage.
 */
import { BENCH_USAGE, runBench } from './bench.js';
import { CERT_USAGE, runCert } from './cert.js';
import { CONNECT_USAGE, runConnect } from './connect.js';
import { DEMO_USAGE, runDemo } from './demo.js';
import { errorLine, exitStatusOf, EXIT_USAGE } from './errors.js';
import { SERVE_USAGE, runServe } from './serve.js';
import { UsageError } from './args.js';

interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], out: (line: string) => void): number | Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  connect: { summary: 'connect to a TLS server, show the handshake and the chain, then relay stdin/stdout', usage: CONNECT_USAGE, run: runConnect },
  serve: { summary: 'run a TLS server that echoes or answers HTTP with a page describing the connection', usage: SERVE_USAGE, run: runServe },
  cert: { summary: 'issue a certificate from a throwaway test CA into files', usage: CERT_USAGE, run: runCert },
  bench: { summary: 'run the benchmark report (npm run bench, from a source checkout)', usage: BENCH_USAGE, run: runBench },
  demo: { summary: 'run a TLS server and client over loopback with the ssl API, show failures, sans-IO and X.509 checks', usage: DEMO_USAGE, run: runDemo },
};

const DEBUG_FLAG = '--debug';

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: sslsock <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "'sslsock <command> --help' shows a command's options; --debug shows the stack trace of an error.",
    'exit status: 0 ok, 1 TLS / certificate / network failure, 2 usage error.',
    'Colour and progress only on a terminal; never when piped or with NO_COLOR set.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const debug = argv.includes(DEBUG_FLAG);
  const [name, ...rest] = argv.filter((a) => a !== DEBUG_FLAG);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`sslsock: unknown command '${name}'\n\n${usage()}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, out);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sslsock ${name}: ${e.message}\n\n${command.usage}\n`);
    } else {
      process.stderr.write(`sslsock ${name}: ${debug && e instanceof Error ? (e.stack ?? errorLine(e)) : errorLine(e)}\n`);
    }
    return exitStatusOf(e);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`sslsock: ${errorLine(e)}\n`);
    process.exitCode = exitStatusOf(e);
  },
);
