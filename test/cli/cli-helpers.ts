/**
 * Driving the built `sslsock` binary (and openssl / curl beside it) from
 * tests: every process started here is tracked, and `killAll()` (each test
 * file's afterEach) ends whatever a failing test left running, so no server
 * or port outlives its test.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Peer, havePeer } from '../tls/interop-peers.js';

/** The compiled CLI next to this compiled test: build/src/cli/main.js (the package's bin is dist/cli/main.js, the same code). */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const ESC = '\x1b';

const live = new Set<Peer>();

function tracked(peer: Peer): Peer {
  live.add(peer);
  peer.proc.on('close', () => live.delete(peer));
  return peer;
}

/** Environment for the CLI without NO_COLOR/FORCE_COLOR from the caller, so tests see the piped defaults. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('NO_COLOR' in extra)) delete env['NO_COLOR'];
  return env;
}

/** Starts `sslsock ARGS...` with stdin, stdout and stderr as pipes. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): Peer {
  return tracked(new Peer(spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: cliEnv(env) })));
}

/** Starts another program (openssl, curl) under the same tracking. */
export function startPeer(cmd: string, args: readonly string[], cwd?: string): Peer {
  return tracked(Peer.start(cmd, [...args], cwd));
}

/** Runs `sslsock ARGS...` to completion (stdin from `input`). */
export function runCli(args: readonly string[], input = '', env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: cliEnv(env), timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Ends every process still running and waits for each (for afterEach). */
export async function killAll(): Promise<void> {
  const peers = [...live];
  for (const p of peers) p.kill();
  await Promise.all(peers.map((p) => p.exit()));
}

process.once('exit', () => {
  for (const p of live) p.kill();
});

/** Waits for a process to exit; kills it and fails if it does not within the time. */
export async function exitCode(peer: Peer, timeoutMs = 15_000): Promise<number | null> {
  const code = await peer.exit(timeoutMs);
  if (peer.proc.exitCode === null && peer.proc.signalCode === null) {
    peer.kill();
    throw new Error(`process did not exit within ${timeoutMs} ms\nstdout: ${peer.out.toString()}\nstderr: ${peer.err}`);
  }
  return code;
}

/** `sslsock serve ARGS --port 0`, once it says where it listens. */
export async function startServe(args: readonly string[]): Promise<{ peer: Peer; port: number }> {
  const peer = startCli(['serve', '--port', '0', ...args]);
  if (!(await peer.waitFor(/^listening on \S+:\d+/m, 20_000))) throw new Error(`sslsock serve did not start:\n${peer.out.toString()}${peer.err}`);
  const port = Number(/^listening on \S+:(\d+)/m.exec(peer.out.toString())![1]);
  return { peer, port };
}

/** A line of serve's output that starts with a label, e.g. `server certificate SHA-256`. */
export function labelled(text: string, label: string): string | undefined {
  return new RegExp(`^\\s*${label}\\s+(\\S+)$`, 'm').exec(text)?.[1];
}

/** Skip reason for a missing peer; under CI a missing peer fails instead (PROTOCOL: CI installs them). */
export function peerSkip(cmd: string, pkg: string, versionArg = '--version'): string | false {
  if (havePeer(cmd, [versionArg])) return false;
  if (process.env['CI']) throw new Error(`${cmd} is required under CI (apt-get install ${pkg})`);
  return `${cmd} not installed (apt-get install ${pkg})`;
}

/** Each argument list exits 2 with its message on stderr; `--help` exits 0 and shows `helpShows`. */
export function assertUsage(command: string, cases: readonly (readonly [string[], RegExp])[], helpShows: RegExp): void {
  for (const [args, message] of cases) {
    const r = runCli([command, ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = runCli([command, '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, helpShows);
}
