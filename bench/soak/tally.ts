/** What the soak counts while it runs (./run.ts), shared by the server and the clients. */
export class Tally {
  handshakes = 0;
  /** Connections the server saw through to their planned end. */
  serverCompleted = 0;
  /** Connections a client saw through to their planned end. */
  clientCompleted = 0;
  /** Bytes whose SHA-256 matched: by the server (what the client sent) and by the clients (the echo). */
  bytesVerified = 0;
  readonly errors: string[] = [];
  /** What is open now, so a run past its deadline can close everything and report. */
  readonly open = new Set<{ close(): void }>();

  constructor(private readonly deadline: number) {}

  fail(where: string, e: unknown): void {
    const msg = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
    this.errors.push(`${where}: ${msg}`);
  }

  /** Seconds left before the global deadline (at least a little, so a socket timeout is never 0 = non-blocking). */
  secondsLeft(): number {
    return Math.max(0.05, (this.deadline - Date.now()) / 1000);
  }

  /** Runs `body` with `resource` registered as open, closing it afterwards whatever happens. */
  async holding<R extends { close(): void }, T>(resource: R, body: (r: R) => Promise<T>): Promise<T> {
    this.open.add(resource);
    try {
      return await body(resource);
    } finally {
      this.open.delete(resource);
      resource.close();
    }
  }
}
