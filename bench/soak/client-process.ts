/**
 * The soak's clients in a process of their own (`--clients-process`): the
 * server's process then holds only the server, as in production, and the
 * two share the machine's cores instead of one event loop. The parent
 * (./run.ts) sends a job over IPC; this process runs it (./clients.ts),
 * answers with what it counted and whether its own handles came back, and
 * exits by itself — a handle left open would keep it alive, which the parent
 * reports.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runClients } from './clients.js';
import type { ConnSpec } from './plan.js';
import { baselineResources, sameCounts, settledResources, type Counts } from './resources.js';
import { clientContexts, type SoakCerts } from './setup.js';
import { Tally } from './tally.js';

export interface ClientJob {
  readonly port: number;
  readonly certs: SoakCerts;
  readonly primers: readonly ConnSpec[];
  readonly plan: readonly ConnSpec[];
  readonly concurrency: number;
  /** Date.now() at the global deadline. */
  readonly deadline: number;
}

export interface ClientOutcome {
  readonly clientCompleted: number;
  readonly bytesVerified: number;
  readonly errors: readonly string[];
  readonly handlesBefore: Counts;
  readonly handlesAfter: Counts;
}

type ToChild = { type: 'run'; job: ClientJob } | { type: 'stop' };

/** Starts the client process on `job`; `stop()` closes its connections early (the deadline passed). */
export function runClientProcess(job: ClientJob): { outcome: Promise<ClientOutcome>; stop(): void } {
  const child = fork(fileURLToPath(new URL('./client-process.js', import.meta.url)), [], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const outcome = new Promise<ClientOutcome>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ClientOutcome));
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`the client process exited (${code}) without an answer`)));
  }).then(async (o) => {
    // It must exit by itself: a socket or timer left open would keep it alive.
    const timer = setTimeout(() => child.kill(), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code === 0 ? o : { ...o, errors: [...o.errors, `client process: did not exit by itself (exit ${code}); something was left open`] };
  });
  child.send({ type: 'run', job } satisfies ToChild);
  return {
    outcome,
    stop: () => {
      if (child.connected) child.send({ type: 'stop' } satisfies ToChild);
    },
  };
}

async function serveJob(job: ClientJob): Promise<void> {
  const tally = new Tally(job.deadline);
  let stopped = false;
  // Listening refs the IPC channel (an active PipeWrap): listen before the baseline is counted.
  process.on('message', (m: ToChild) => {
    if (m.type !== 'stop') return;
    stopped = true;
    for (const r of [...tally.open]) r.close();
  });
  const handlesBefore = await baselineResources();
  await runClients({ port: job.port, contexts: clientContexts(job.certs), tally }, job.primers, job.plan, job.concurrency, () => stopped);
  const handlesAfter = await settledResources(handlesBefore);
  const outcome: ClientOutcome = {
    clientCompleted: tally.clientCompleted,
    bytesVerified: tally.bytesVerified,
    errors: sameCounts(handlesBefore, handlesAfter)
      ? tally.errors
      : [...tally.errors, `client process: active handles not back to the start (${JSON.stringify(handlesBefore)} → ${JSON.stringify(handlesAfter)})`],
    handlesBefore,
    handlesAfter,
  };
  process.send!(outcome, () => process.disconnect());
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (m: ToChild) => {
    if (m.type === 'run') void serveJob(m.job);
  });
}
