/**
 * The soak (issue 9): `connections` TLS connections on loopback, up to
 * `concurrency` at once, to our server (./server.ts) from a mix of our
 * clients and node:tls clients (./clients.ts, ./plan.ts), each echoing
 * random data checked by SHA-256 on both ends, within one global deadline.
 * Eight primer connections first (ours and node:tls, TLS 1.3 and 1.2, with and without the client certificate) give
 * the resuming connections their sessions. The clients run in this process
 * or, with `clientsProcess`, in a child of their own (./client-process.ts).
 *
 * Reports what was completed and verified, every error, RSS before and
 * after, the process's active resources (process.getActiveResourcesInfo())
 * before and after, which must match (in the client process too), and
 * handshakes per second.
 */
import { loadavg } from 'node:os';
import { runClients } from './clients.js';
import { runClientProcess, type ClientOutcome } from './client-process.js';
import { bytesToVerify, clientKeyUpdate, makePlan, serverKeyUpdate, type ConnSpec } from './plan.js';
import { baselineResources, checkFdLimit, liveMemory, rss, sameCounts, settledResources, type Counts } from './resources.js';
import { SoakServer } from './server.js';
import { clientContexts, makeCerts, serverContext } from './setup.js';
import { Tally } from './tally.js';

export interface SoakOptions {
  readonly connections: number;
  /** Connections in flight at once (default: all of them). */
  readonly concurrency?: number;
  /** The whole run, setup to cleanup, must finish within this many seconds. */
  readonly deadlineSeconds?: number;
  readonly seed?: number;
  /** Run the clients in a child process (the server's process then holds only the server). */
  readonly clientsProcess?: boolean;
}

export interface SoakReport {
  readonly connections: number;
  readonly concurrency: number;
  readonly primers: number;
  readonly seed: number;
  readonly clientsProcess: boolean;
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
  /** RSS of this process (the server's, and the clients' unless clientsProcess). */
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** Heap used + external (Buffers) after a full GC (with --expose-gc), before and after: a leak grows it with the connection count. */
  readonly liveBefore: number;
  readonly liveAfter: number;
  readonly handlesBefore: Counts;
  readonly handlesAfter: Counts;
  /** This process's handles back to the start, and the client process's too when there is one. */
  readonly handlesBack: boolean;
  /** Seconds from the first connection to the last one's end. */
  readonly seconds: number;
  /** Server handshakes completed per second over that time (each connection also echoes its data within it). */
  readonly handshakesPerSecond: number;
  readonly fdLimit: number | null;
  /** os.loadavg() at the end: the machine's load, to read the time by. */
  readonly loadAverage: readonly number[];
}

const DEFAULT_DEADLINE_SECONDS = 300;
/** How long a client process asked to stop at the deadline may take to answer. */
const STOP_GRACE_MS = 15_000;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const n = options.connections;
  const concurrency = Math.max(1, Math.min(n, options.concurrency ?? n));
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const deadlineSeconds = options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  const clientsProcess = options.clientsProcess ?? false;
  // Each connection is two sockets; both live here unless the clients have a process of their own.
  const fdLimit = checkFdLimit((clientsProcess ? 1 : 2) * concurrency);

  const handlesBefore = await baselineResources();
  const liveBefore = await liveMemory();
  const rssBefore = rss();
  const deadline = Date.now() + deadlineSeconds * 1000;
  const tally = new Tally(deadline);
  const plan = makePlan(n, seed);
  const primerSpecs = primers(n);
  const certs = makeCerts();
  const server = await SoakServer.start(serverContext(certs), tally);

  const started = performance.now();
  let deadlineExceeded = false;
  let timer: NodeJS.Timeout | undefined;
  let seconds: number;
  let clientHandlesBack = true;
  try {
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        deadlineExceeded = true;
        resolve();
      }, tally.secondsLeft() * 1000);
    });
    const served = server.serve(primerSpecs.length + n);
    let stopClients: () => void;
    let clients: Promise<void>;
    if (clientsProcess) {
      const child = runClientProcess({ port: server.port, certs, primers: primerSpecs, plan, concurrency, deadline });
      stopClients = child.stop;
      clients = child.outcome.then(
        (o) => {
          clientHandlesBack = sameCounts(o.handlesBefore, o.handlesAfter);
          merge(tally, o);
        },
        (e: unknown) => tally.fail('client process', e),
      );
    } else {
      stopClients = () => {
        for (const r of [...tally.open]) r.close();
      };
      clients = runClients({ port: server.port, contexts: clientContexts(certs), tally }, primerSpecs, plan, concurrency, () => deadlineExceeded);
    }
    const work = Promise.all([clients, served]);
    await Promise.race([work, expired]);
    seconds = (performance.now() - started) / 1000;
    if (deadlineExceeded) {
      tally.fail('soak', new Error(`deadline of ${deadlineSeconds} s exceeded with ${tally.open.size} server-side connection(s) open`));
      stopClients();
      for (const r of [...tally.open]) r.close();
      server.close();
      await Promise.race([work, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
    } else {
      await work;
    }
  } finally {
    clearTimeout(timer);
    server.close();
  }

  const handlesAfter = await settledResources(handlesBefore);
  const liveAfter = await liveMemory();
  const all = [...primerSpecs, ...plan];
  return {
    connections: n,
    concurrency,
    primers: primerSpecs.length,
    seed,
    clientsProcess,
    completed: Math.min(tally.serverCompleted, tally.clientCompleted),
    serverCompleted: tally.serverCompleted,
    clientCompleted: tally.clientCompleted,
    handshakes: tally.handshakes,
    bytesVerified: tally.bytesVerified,
    bytesPlanned: all.reduce((sum, s) => sum + bytesToVerify(s), 0),
    errors: tally.errors,
    deadlineExceeded,
    mix: mixOf(plan),
    rssBefore,
    rssAfter: rss(),
    liveBefore,
    liveAfter,
    handlesBefore,
    handlesAfter,
    handlesBack: sameCounts(handlesBefore, handlesAfter) && clientHandlesBack,
    seconds,
    handshakesPerSecond: tally.handshakes / seconds,
    fdLimit,
    loadAverage: loadavg(),
  };
}

/** Every connection completed with all its bytes verified, no error, within the deadline, and the handles back where they were. */
export function passed(r: SoakReport): boolean {
  const all = r.connections + r.primers;
  return r.errors.length === 0 && r.completed === all && r.bytesVerified === r.bytesPlanned && r.handlesBack && !r.deadlineExceeded;
}

function merge(tally: Tally, o: ClientOutcome): void {
  tally.clientCompleted += o.clientCompleted;
  tally.bytesVerified += o.bytesVerified;
  tally.errors.push(...o.errors);
}

/** One close_notify connection per client kind, TLS version, and with or without the client certificate; ids after the plan's. */
function primers(n: number): ConnSpec[] {
  const kinds = (['ours', 'node'] as const).flatMap((client) =>
    (['1.3', '1.2'] as const).flatMap((version) => (['plain', 'client-cert'] as const).map((auth) => ({ client, version, auth }))),
  );
  return kinds.map((k, i) => ({ id: n + i, ...k, ending: 'close-notify', size: 1024, plainSize: 0 }));
}

function mixOf(plan: readonly ConnSpec[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const s of plan) {
    const keyUpdates = [...(clientKeyUpdate(s) ? ['client KeyUpdate'] : []), ...(serverKeyUpdate(s) ? ['server KeyUpdate'] : [])];
    for (const k of [s.client, `TLS ${s.version}`, s.auth, s.ending, ...keyUpdates]) mix[k] = (mix[k] ?? 0) + 1;
  }
  return mix;
}
