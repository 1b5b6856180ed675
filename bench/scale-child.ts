/**
 * One end of the scale section's connections, in a process of its own
 * (forked by ./scale.ts with an IPC channel and --expose-gc):
 *
 *   node --expose-gc build/bench/scale-child.js server <ours|tls|net> <dir>
 *   node --expose-gc build/bench/scale-child.js client <ours|tls|net> <dir> <port>
 *
 * Both ends of 10,000 connections need 20,000 file descriptors, which is
 * this machine's hard `ulimit -n`; so each end lives in its own process and
 * each process holds its 10,000 connections. `<dir>` holds the server's
 * `key-and-chain.pem` and the client's trust anchor `ca.pem`.
 *
 * The server accepts for ever, echoing the first byte of each connection
 * back, and holds every connection it accepted. The client opens
 * connections when told (`{ op: 'open', n }`: handshake, one byte echoed,
 * then held; memory-child's BATCH in flight at once). Either answers `{ op: 'measure' }`
 * with its memory after garbage collection, the connections it holds and
 * the CPU it has spent so far. TLS: 1.3, TLS_AES_256_GCM_SHA384, X25519,
 * ECDSA P-256, the client verifying chain and hostname, as tls-socket.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as socket from '../src/socket/index.js';
import * as ssl from '../src/ssl/index.js';
import { openMany, settle, type Opener } from './memory-child.js';
import { GROUP, HOSTNAME, LOOPBACK, SUITE } from './tls-socket.js';

/** Accepts outstanding at once on our listener: the client has memory-child's BATCH handshakes in flight. */
const ACCEPTS = 32;
const ONE_BYTE = Buffer.from([0x2a]);
export const KEY_AND_CHAIN = 'key-and-chain.pem';
export const CA_FILE = 'ca.pem';

export type Kind = 'ours' | 'tls' | 'net';

/** Parent → child. */
export type Command = { readonly op: 'open'; readonly n: number } | { readonly op: 'measure' };

/** Child → parent. */
export type Report =
  | { readonly op: 'listening'; readonly port: number }
  | { readonly op: 'opened'; readonly held: number }
  | { readonly op: 'memory'; readonly held: number; readonly usage: NodeJS.MemoryUsage; readonly cpuMs: number }
  | { readonly op: 'failed'; readonly error: string };

function send(r: Report): void {
  process.send!(r);
}

// ───────────── server ─────────────

/** Starts listening; `held` receives every accepted connection (after its echo is under way). */
async function serve(kind: Kind, dir: string, held: unknown[]): Promise<number> {
  const keyAndChain = join(dir, KEY_AND_CHAIN);
  if (kind === 'ours') {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.loadCertChain(keyAndChain);
    ctx.setCiphersuites(SUITE);
    ctx.setGroups(GROUP);
    const listener = (await ctx.wrapSocket(await socket.createServer([LOOPBACK, 0], { backlog: 1024 }), { serverSide: true })) as ssl.SSLSocket;
    // Several accepts outstanding, as the client has several handshakes in flight.
    for (let i = 0; i < ACCEPTS; i++) {
      void (async () => {
        for (;;) {
          const [s] = (await listener.accept()) as [ssl.SSLSocket, unknown];
          held.push(s);
          await s.sendall(await s.recv(1));
        }
      })().catch(fail);
    }
    return (listener.getsockname() as [string, number])[1];
  }
  const echo = (s: net.Socket): void => {
    held.push(s);
    s.once('data', (d: Buffer) => s.write(d));
  };
  const pem = readFileSync(keyAndChain, 'latin1');
  const server =
    kind === 'tls'
      ? tls.createServer({ key: pem, cert: pem, ciphers: SUITE, minVersion: 'TLSv1.3', ecdhCurve: GROUP }, echo)
      : net.createServer(echo);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: LOOPBACK, backlog: 1024 }, resolve));
  return (server.address() as net.AddressInfo).port;
}

// ───────────── client ─────────────

function opener(kind: Kind, dir: string, port: number): Opener {
  const caFile = join(dir, CA_FILE);
  if (kind === 'ours') {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(caFile);
    ctx.setCiphersuites(SUITE);
    ctx.setGroups(GROUP);
    return async () => {
      const s = (await ctx.wrapSocket(await socket.createConnection([LOOPBACK, port]), { serverHostname: HOSTNAME })) as ssl.SSLSocket;
      await s.sendall(ONE_BYTE);
      if ((await s.recv(1)).length !== 1) throw new Error('scale: echo lost its byte');
      return s;
    };
  }
  const ca = readFileSync(caFile, 'latin1');
  return async () => {
    const s =
      kind === 'tls'
        ? tls.connect({ host: LOOPBACK, port, ca, servername: HOSTNAME, ecdhCurve: GROUP, ciphers: SUITE, minVersion: 'TLSv1.3' })
        : net.connect(port, LOOPBACK);
    await new Promise<void>((resolve, reject) => s.once(kind === 'tls' ? 'secureConnect' : 'connect', resolve).once('error', reject));
    const back = new Promise<Buffer>((resolve) => s.once('data', resolve));
    s.write(ONE_BYTE);
    if ((await back).length !== 1) throw new Error('scale: echo lost its byte');
    return s;
  };
}

// ───────────── main ─────────────

function fail(e: unknown): void {
  const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  if (process.connected) send({ op: 'failed', error });
  else process.stderr.write(`scale-child: ${error}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const [role, kind, dir, port] = process.argv.slice(2) as [string, Kind, string, string | undefined];
  if (process.send === undefined) throw new Error('scale-child runs under ./scale.ts (fork with an IPC channel)');
  if (!['ours', 'tls', 'net'].includes(kind)) throw new Error(`scale-child: unknown kind ${kind}`);
  const held: unknown[] = [];
  const cpu0 = process.cpuUsage();
  let open: Opener | null = null;
  if (role === 'server') send({ op: 'listening', port: await serve(kind, dir, held) });
  else if (role === 'client') open = opener(kind, dir, Number(port));
  else throw new Error(`scale-child: unknown role ${role}`);
  process.on('message', (c: Command) => {
    void (async () => {
      if (c.op === 'open') {
        if (open === null) throw new Error('scale-child: only the client opens connections');
        await openMany(open, c.n, held);
        send({ op: 'opened', held: held.length });
      } else {
        const usage = await settle();
        const cpu = process.cpuUsage(cpu0);
        send({ op: 'memory', held: held.length, usage, cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    })().catch(fail);
  });
  // The parent going away (or killing us) ends the process; nothing to close by hand.
  process.on('disconnect', () => process.exit());
}

// ./scale.ts imports this file for its types and names: run only as the forked program.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main().catch(fail);
