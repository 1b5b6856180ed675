/**
 * A small command-line parser for the `sslsock` subcommands: `--name value`,
 * `--name=value`, boolean `--flag`, and positionals. Unknown options and
 * missing values are usage errors (exit status 2), never silently ignored.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** Takes a value (`--out DIR`) rather than being a flag (`--client`). */
  readonly value: boolean;
  readonly help: string;
  /** Placeholder shown in help for valued options. */
  readonly metavar?: string;
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const opt = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (opt === undefined) throw new UsageError(`unknown option --${name}`);
    if (!opt.value) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      options.set(name, true);
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else v = argv[++i];
    if (v === undefined || v === '') throw new UsageError(`option --${name} needs a value`);
    options.set(name, v);
  }
  return { options, positionals };
}

/** The help lines for an option table. */
export function formatOptions(spec: Readonly<Record<string, OptionSpec>>): string {
  const rows = Object.entries(spec).map(([name, o]) => [`--${name}${o.value ? ` ${o.metavar ?? 'VALUE'}` : ''}`, o.help] as const);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n');
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

export function integerOption(args: ParsedArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`option --${name} needs an integer, got '${v}'`);
  return Number(v);
}

/** A comma-separated list option (`--alpn h2,http/1.1`); empty entries are a usage error. */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const items = v.split(',');
  if (items.some((x) => x === '')) throw new UsageError(`option --${name} needs a comma-separated list without empty entries, got '${v}'`);
  return items;
}

const MAX_PORT = 65535;

/** A TCP port number 0..65535 (0: let the kernel choose, where listening). */
export function parsePort(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_PORT) throw new UsageError(`${what} needs a port number 0-${MAX_PORT}, got '${text}'`);
  return Number(text);
}

/** `HOST:PORT`, `[v6]:PORT`, or a bare host with `defaultPort`. */
export function parseHostPort(text: string, defaultPort: number): [host: string, port: number] {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) return [bracketed[1]!, bracketed[2] === undefined ? defaultPort : parsePort(bracketed[2], text)];
  const colon = text.lastIndexOf(':');
  // More than one colon and no brackets: a bare IPv6 address.
  if (colon < 0 || text.indexOf(':') !== colon) return [text, defaultPort];
  if (colon === 0) throw new UsageError(`'${text}' has no host (write HOST:PORT)`);
  return [text.slice(0, colon), parsePort(text.slice(colon + 1), text)];
}
