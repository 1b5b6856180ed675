/**
 * The soak (issue 9): `connections` TLS connections on loopback, up to
 * `concurrency` at once, to our server (./server.ts) from a mix of our
 * clients and node:tls clients (./clients.ts, ./plan.ts), each echoing
 * random data checked by SHA-256 on both ends, within one global deadline.
 * Four primer connections first (ours and node:tls, TLS 1.3 and 1.2) give
 * the resuming connections their sessions.
 *
 * Reports what was completed and verified, every error, RSS before and
 * after, the process's active resources (process.getActiveResourcesInfo())
 * before and after, which must match, and handshakes per second.
 */
import { readFileSync } from 'node:fs';
import { runClient, type ClientEnv, type Session } from './clients.js';
import { makePlan, type ClientKind, type ConnSpec, type TlsVersion } from './plan.js';
import { SoakServer } from './server.js';
import { makeContexts } from './setup.js';
import { Tally } from './tally.js';

export interface SoakOptions {
  readonly connections: number;
  /** Connections in flight at once (default: all of them). */
  readonly concurrency?: number;
  /** The whole run, setup to cleanup, must finish within this many seconds. */
  readonly deadlineSeconds?: number;
  readonly seed?: number;
}

export interface SoakReport {
  readonly connections: number;
  readonly concurrency: number;
  readonly primers: number;
  readonly seed: number;
  /** Connections both ends saw through to their planned end (primers included). */
  readonly completed: number;
  readonly serverCompleted: number;
  readonly clientCompleted: number;
  readonly handshakes: number;
  /** Bytes whose SHA-256 matched, counted once at the server and once at the client. */
  readonly bytesVerified: number;
  readonly bytesPlanned: number;
  readonly errors: readonly string[];
  readonly deadlineExceeded: boolean;
  readonly mix: Readonly<Record<string, number>>;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly handlesBefore: Readonly<Record<string, number>>;
  readonly handlesAfter: Readonly<Record<string, number>>;
  readonly handlesBack: boolean;
  /** Seconds from the first connection to the last one's end. */
  readonly seconds: number;
  /** Server handshakes completed per second over that time (each connection also echoes its data within it). */
  readonly handshakesPerSecond: number;
  readonly fdLimit: number | null;
}

const DEFAULT_DEADLINE_SECONDS = 300;
/** File descriptors beyond the sockets: stdio, the event loop, files, workers. */
const FD_SLACK = 64;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const n = options.connections;
  const concurrency = Math.max(1, Math.min(n, options.concurrency ?? n));
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const deadlineSeconds = options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  const fdLimit = openFileLimit();
  // Both ends of every connection live in this process.
  const fdsNeeded = 2 * concurrency + FD_SLACK;
  if (fdLimit !== null && fdLimit < fdsNeeded) {
    throw new Error(`soak: ${concurrency} concurrent connections need about ${fdsNeeded} file descriptors, the limit is ${fdLimit} (raise it: ulimit -n ${fdsNeeded})`);
  }

  // Node's net.Socket#_destroy reads process.stderr (node:net, `this !== process.stderr`), which opens the
  // stderr handle on first use: open both stdio handles now so the first socket closed is not counted as a leak.
  void process.stdout;
  void process.stderr;
  // Whatever start-up left in flight (a file close, say) finishes first, so the baseline is the idle process.
  await new Promise<void>((resolve) => setTimeout(resolve, 50));
  const handlesBefore = activeResources();
  const rssBefore = rss();
  const tally = new Tally(Date.now() + deadlineSeconds * 1000);
  const plan = makePlan(n, seed);
  const contexts = makeContexts();
  const primerSpecs = primers(n);
  const server = await SoakServer.start(contexts.server, tally);
  const env: ClientEnv = { port: server.port, contexts, tally };

  const started = performance.now();
  let deadlineExceeded = false;
  let timer: NodeJS.Timeout | undefined;
  let seconds: number;
  try {
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        deadlineExceeded = true;
        resolve();
      }, tally.secondsLeft() * 1000);
    });
    const served = server.serve(primerSpecs.length + n);
    const work = (async () => {
      const sessions = new Map<string, Session>();
      // The primers one after the other, so each resuming connection has a session to offer.
      for (const spec of primerSpecs) sessions.set(sessionKey(spec.client, spec.version), await runClient(env, spec, null));
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let i = next++; i < plan.length && !deadlineExceeded; i = next++) {
          const spec = plan[i]!;
          await runClient(env, spec, spec.auth === 'resume' ? (sessions.get(sessionKey(spec.client, spec.version)) ?? null) : null);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      await served;
    })();
    await Promise.race([work, expired]);
    seconds = (performance.now() - started) / 1000;
    if (deadlineExceeded) {
      tally.fail('soak', new Error(`deadline of ${deadlineSeconds} s exceeded with ${tally.open.size} connection(s) open`));
      for (const r of [...tally.open]) r.close();
      server.close();
    }
    await work;
  } finally {
    clearTimeout(timer);
    server.close();
  }

  const handlesAfter = await settledResources(handlesBefore);
  globalThis.gc?.();
  const all = [...primerSpecs, ...plan];
  return {
    connections: n,
    concurrency,
    primers: primerSpecs.length,
    seed,
    completed: Math.min(tally.serverCompleted, tally.clientCompleted),
    serverCompleted: tally.serverCompleted,
    clientCompleted: tally.clientCompleted,
    handshakes: tally.handshakes,
    bytesVerified: tally.bytesVerified,
    bytesPlanned: all.reduce((sum, s) => sum + 2 * (s.size + s.plainSize), 0),
    errors: tally.errors,
    deadlineExceeded,
    mix: mixOf(plan),
    rssBefore,
    rssAfter: rss(),
    handlesBefore,
    handlesAfter,
    handlesBack: sameCounts(handlesBefore, handlesAfter),
    seconds,
    handshakesPerSecond: tally.handshakes / seconds,
    fdLimit,
  };
}

/** Every connection completed with all its bytes verified, no error, within the deadline, and the handles back where they were. */
export function passed(r: SoakReport): boolean {
  const all = r.connections + r.primers;
  return r.errors.length === 0 && r.completed === all && r.bytesVerified === r.bytesPlanned && r.handlesBack && !r.deadlineExceeded;
}

/** One plain, close_notify connection per client kind and TLS version; ids after the plan's. */
function primers(n: number): ConnSpec[] {
  const kinds: [ClientKind, TlsVersion][] = [['ours', '1.3'], ['ours', '1.2'], ['node', '1.3'], ['node', '1.2']];
  return kinds.map(([client, version], i) => ({ id: n + i, client, version, ending: 'close-notify', auth: 'plain', size: 1024, plainSize: 0 }));
}

function sessionKey(client: ClientKind, version: TlsVersion): string {
  return `${client}/${version}`;
}

function mixOf(plan: readonly ConnSpec[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const s of plan) for (const k of [s.client, `TLS ${s.version}`, s.auth, s.ending]) mix[k] = (mix[k] ?? 0) + 1;
  return mix;
}

function rss(): number {
  return process.memoryUsage().rss;
}

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

/** Closed handles leave the list a few event-loop turns later: wait (up to 5 s) for the counts to come back. */
async function settledResources(before: Record<string, number>): Promise<Record<string, number>> {
  const until = Date.now() + 5000;
  for (;;) {
    const now = activeResources();
    if (sameCounts(before, now) || Date.now() > until) return now;
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
}

/** The soft RLIMIT_NOFILE (Node raises it to the hard limit at start-up), from /proc on Linux; null elsewhere. */
function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
