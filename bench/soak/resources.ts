/** What the soak measures of a process (./run.ts, ./client-process.ts): active handles and requests, RSS, the fd limit. */
import { readFileSync } from 'node:fs';

export type Counts = Readonly<Record<string, number>>;

/** process.getActiveResourcesInfo() counted by kind. */
export function activeResources(): Counts {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

export function sameCounts(a: Counts, b: Counts): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

/**
 * The baseline: the process idle before the soak. Node's net.Socket#_destroy
 * reads process.stderr (node:net, `this !== process.stderr`), which opens the
 * stderr handle on first use, so both stdio handles are opened first and the
 * first socket closed is not counted as a leak; whatever start-up left in
 * flight (a file close, say) finishes before the count.
 */
export async function baselineResources(): Promise<Counts> {
  void process.stdout;
  void process.stderr;
  await new Promise<void>((resolve) => setTimeout(resolve, 50));
  return activeResources();
}

/** Closed handles leave the list a few event-loop turns later: wait (up to 5 s) for the counts to come back. */
export async function settledResources(before: Counts): Promise<Counts> {
  const until = Date.now() + 5000;
  for (;;) {
    const now = activeResources();
    if (sameCounts(before, now) || Date.now() > until) return now;
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
}

export function rss(): number {
  return process.memoryUsage().rss;
}

/**
 * Live JS heap plus Buffer memory, after full GCs when the process runs with
 * --expose-gc (npm run soak does): what a leak would grow. Several rounds
 * with event-loop turns between them, since WeakRef targets and
 * FinalizationRegistry entries (the socket registry) outlive one GC.
 */
export async function liveMemory(): Promise<number> {
  for (let i = 0; i < 4 && globalThis.gc; i++) {
    globalThis.gc();
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** The soft RLIMIT_NOFILE (Node raises it to the hard limit at start-up), from /proc on Linux; null elsewhere. */
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** File descriptors beyond the sockets: stdio, the event loop, files, workers. */
const FD_SLACK = 64;

/** Throws a clear error when `sockets` open at once would not fit under the fd limit. */
export function checkFdLimit(sockets: number): number | null {
  const limit = openFileLimit();
  const needed = sockets + FD_SLACK;
  if (limit !== null && limit < needed) {
    throw new Error(`soak: ${sockets} sockets open at once need about ${needed} file descriptors, the limit is ${limit} (raise it: ulimit -n ${needed})`);
  }
  return limit;
}
