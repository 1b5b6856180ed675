#!/usr/bin/env node
/**
 * The `sslsock` command.
 *
 *   sslsock demo            the ssl API for real: TLS over loopback, failures, sans-IO, X.509
 *   sslsock cert ID...      issue a test certificate into files
 */
import { CERT_USAGE, runCert } from './cert.js';
import { DEMO_USAGE, runDemo } from './demo.js';
import { UsageError } from './args.js';

/** Exit status for command-line mistakes (as BSD sysexits' EX_USAGE spirit and Python's argparse use). */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], out: (line: string) => void): number | Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  demo: { summary: 'run a TLS server and client over loopback with the ssl API, show failures, sans-IO and X.509 checks', usage: DEMO_USAGE, run: runDemo },
  cert: { summary: 'issue a certificate from a throwaway test CA into files', usage: CERT_USAGE, run: runCert },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: sslsock <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'sslsock <command> --help' shows a command's options.`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const [name, ...rest] = argv;
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
      return EXIT_USAGE;
    }
    process.stderr.write(`sslsock ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_FAILURE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`sslsock: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
