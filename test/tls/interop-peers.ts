/**
 * Spawning real peers (openssl s_server / s_client, python3 ssl) for the
 * engine's interop tests, and the TCP plumbing around them.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { havePeer } from '../helpers/peer-check.js';
import { defaultProvider } from '../../src/crypto/index.js';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export { havePeer };

export const HAVE_OPENSSL = havePeer('openssl');
export const HAVE_PYTHON = havePeer('python3', ['-c', 'import ssl']);

export function sha256(b: Buffer): string {
  return defaultProvider.hash('SHA-256', b).toString('hex');
}

/** `n` bytes of ASCII digits and newlines: safe to pipe through s_server's stdin, which treats some leading letters as commands. */
export function digitPayload(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 64 === 63 ? 0x0a : 0x30 + ((x >>> 16) % 10);
  }
  return out;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A spawned peer with its output collected. */
export class Peer {
  readonly stdout: Buffer[] = [];
  readonly stderr: Buffer[] = [];
  private exited: Promise<number | null>;
  private outWaiters: (() => void)[] = [];

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => {
      this.stdout.push(d);
      this.wake();
    });
    proc.stderr.on('data', (d: Buffer) => {
      this.stderr.push(d);
      this.wake();
    });
    proc.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => proc.on('close', (code) => (this.wake(), resolve(code))));
  }

  static start(cmd: string, args: string[], cwd?: string): Peer {
    return new Peer(spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private wake(): void {
    const w = this.outWaiters;
    this.outWaiters = [];
    for (const f of w) f();
  }

  get out(): Buffer {
    return Buffer.concat(this.stdout);
  }
  get err(): string {
    return Buffer.concat(this.stderr).toString();
  }

  /** Waits until stdout holds at least n bytes (or the process ends). */
  async waitStdout(n: number, timeoutMs = 20_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.out.length < n && this.proc.exitCode === null && Date.now() < deadline) {
      await Promise.race([new Promise<void>((r) => this.outWaiters.push(r)), sleep(200)]);
    }
    return this.out;
  }

  /** Waits until stderr or stdout matches. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (pattern.test(this.err) || pattern.test(this.out.toString('latin1'))) return true;
      if (this.proc.exitCode !== null) return false;
      await Promise.race([new Promise<void>((r) => this.outWaiters.push(r)), sleep(100)]);
    }
    return false;
  }

  async exit(timeoutMs = 30_000): Promise<number | null> {
    return Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/** Connects to a port a freshly spawned peer is about to listen on, retrying while it starts. */
export async function connectWhenListening(port: number, timeoutMs = 30_000): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      return socket;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(50);
    }
  }
}

/** A one-connection TCP listener for our server side. */
export async function listenOnce(): Promise<{ port: number; accepted: Promise<net.Socket>; close: () => void }> {
  const srv = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => srv.once('connection', resolve));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, accepted, close: () => srv.close() };
}
