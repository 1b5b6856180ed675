/** Shared fixtures for the socket tests: connected pairs and python3 peers. */
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import * as socket from '../../src/socket/index.js';

/** A listener plus a connected client and the accepted server side. */
export interface Pair {
  listener: socket.socket;
  client: socket.socket;
  server: socket.socket;
  close(): void;
}

export async function connectedPair(family: number = socket.AF_INET): Promise<Pair> {
  const host = family === socket.AF_INET6 ? '::1' : '127.0.0.1';
  const listener = await socket.createServer([host, 0], { family });
  const client = new socket.socket(family, socket.SOCK_STREAM);
  const [, accepted] = await Promise.all([client.connect(listener.getsockname()), listener.accept()]);
  const server = accepted[0];
  return {
    listener,
    client,
    server,
    close() {
      client.close();
      server.close();
      listener.close();
    },
  };
}

/** True when this machine has the IPv6 loopback address. */
export const hasIPv6Loopback: boolean = Object.values(networkInterfaces()).some((list) =>
  (list ?? []).some((i) => i.family === 'IPv6' && i.address === '::1'),
);

export interface PythonPeer {
  /** The first line the script prints (by convention, its port or "ready"). */
  firstLine: Promise<string>;
  /** Resolves with everything printed once the script exits. */
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Stop the script (SIGTERM). */
  kill(): void;
}

/** Run a python3 script; its stdout is collected, the first line resolved early. */
export function runPython(script: string, args: string[] = []): PythonPeer {
  const proc = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let resolveFirst!: (s: string) => void;
  let rejectFirst!: (e: Error) => void;
  const firstLine = new Promise<string>((res, rej) => {
    resolveFirst = res;
    rejectFirst = rej;
  });
  // Scripts that print nothing leave firstLine unobserved; that is not an error.
  firstLine.catch(() => undefined);
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    stdout += d;
    const nl = stdout.indexOf('\n');
    if (nl >= 0) resolveFirst(stdout.slice(0, nl).trim());
  });
  proc.stderr.on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    proc.on('close', (code) => {
      rejectFirst(new Error(`python3 exited (${code}) before printing a line: ${stderr}`));
      res({ code, stdout, stderr });
    });
  });
  return { firstLine, exit, kill: () => proc.kill() };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Receives until `n` bytes (or EOF) have arrived. */
export async function readAllN(s: socket.socket, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const d = await s.recv(65536);
    if (d.length === 0) break;
    parts.push(d);
    have += d.length;
  }
  return Buffer.concat(parts);
}
