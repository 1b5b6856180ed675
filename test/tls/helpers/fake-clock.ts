/** A clock the test moves by hand (milliseconds since the epoch), for ticket ages and session timeouts. */
export function fakeClock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
