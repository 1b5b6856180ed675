/**
 * The fuzz targets (test/fuzz/*.ts), a bounded amount of each driven by
 * fast-check seeds, the recorded transcripts replayed untouched, the stored
 * regression inputs, and a check that tampering with any handshake message
 * is caught. `npm run fuzz -- --minutes N` runs the same targets for long.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decoderPools } from './decoders.js';
import { PairRun, SCENARIOS } from './pair.js';
import { runReplay, transcripts } from './replay.js';
import { runSeed, targetByName, type FailingInput } from './targets.js';

const seeds = fc.integer({ min: 0, max: 0x7fffffff });

/** Runs `numRuns` seeds of a target; a failing input fails the test with its JSON (stored in regressions.json once fixed). */
function fuzz(name: string, numRuns: number): void {
  const t = targetByName(name);
  const started = Date.now();
  fc.assert(
    fc.property(seeds, (seed) => {
      const f = runSeed(t, seed);
      if (f) assert.fail(`${f.message}\ninput: ${JSON.stringify(f.input)}`);
    }),
    { numRuns },
  );
  console.log(`# fuzz ${name}: ${numRuns} inputs in ${Date.now() - started} ms`);
}

describe('fuzz corpus: recorded peer transcripts', () => {
  const all = transcripts();

  it('holds OpenSSL, GnuTLS, Python and node:tls, each as server and as client, TLS 1.3 and 1.2, with and without client certificates, and HelloRetryRequests', () => {
    for (const peer of ['openssl', 'gnutls', 'python', 'node']) {
      for (const role of ['server', 'client']) {
        for (const v of ['tls13', 'tls12']) {
          for (const auth of ['', '-auth']) assert.ok(all.has(`${peer}-${role}-${v}${auth}`), `missing ${peer}-${role}-${v}${auth}`);
        }
        // HelloRetryRequest both ways (Python's ssl cannot pick groups before 3.15).
        if (peer !== 'python') assert.ok(all.has(`${peer}-${role}-tls13-hrr`), `missing ${peer}-${role}-tls13-hrr`);
      }
    }
  });

  it('every transcript, replayed untouched into our pinned side, completes the handshake again', () => {
    for (const name of all.keys()) runReplay({ transcript: name, recordOps: [], muts: [], cutSeed: 0 });
  });

  it('and still does when re-fragmented byte by byte', () => {
    for (const name of all.keys()) runReplay({ transcript: name, recordOps: [], muts: [], cutSeed: 1 });
  });
});

describe('fuzz: bounded runs of each target', () => {
  it('decoders: mutated real handshake messages and certificates', () => {
    const pools = decoderPools();
    assert.ok(pools.handshake >= 60 && pools.certificate >= 20, JSON.stringify(pools));
    fuzz('decoders', 4000);
  });
  it('replay: mutated peer transcripts into our client and server', () => fuzz('replay', 300));
  it('pair: our client and server with records tampered with in flight', () => fuzz('pair', 150));
});

describe('fuzz: regression inputs (test/fuzz/regressions.json)', () => {
  const cases = JSON.parse(readFileSync(new URL('../../../test/fuzz/regressions.json', import.meta.url), 'utf8')) as FailingInput[];
  for (const c of cases) {
    it(`${c.target} seed ${c.seed}: ${c.message.split('\n')[0]}`, () => {
      targetByName(c.target).run(c.input);
    });
  }
});

describe('fuzz: tampering reaches the checks behind the encryption', () => {
  /** Types whose bytes a peer may change undetected: tickets (opaque to the client) and KeyUpdate's flag. */
  const UNAUTHENTICATED = new Set([4, 24]);
  for (const scenario of SCENARIOS) {
    const label = [`TLS ${scenario.version}`, ...Object.entries(scenario).filter(([k, v]) => k !== 'version' && v === true).map(([k]) => k)].join(', ');
    it(`a flipped byte in any handshake message keeps the handshake from completing (${label})`, () => {
      const clean = new PairRun({ scenario, tamper: null, wire: null, cutSeed: 0 });
      clean.run();
      let checked = 0;
      let failed = 0;
      for (const side of ['c', 's'] as const) {
        clean.history[side].forEach(([type, data], write) => {
          if (type !== 22 || UNAUTHENTICATED.has(data[0]!)) return;
          const r = new PairRun({ scenario, tamper: { side, write, action: { kind: 'mutate', muts: [{ op: 'flip', at: data.length >> 1, bit: 2 }] } }, wire: null, cutSeed: 0 });
          r.run();
          // Mostly a fatal alert; a length field made longer leaves the peer waiting for the rest, also fine.
          const completed = r.c.handshakeDone && r.s.handshakeDone && r.c.error === null && r.s.error === null;
          assert.ok(!completed, `${side} write ${write} (handshake type ${data[0]}) flipped, yet the handshake completed`);
          if (r.c.error !== null || r.s.error !== null) failed++;
          checked++;
        });
      }
      assert.ok(checked >= 4, `only ${checked} handshake messages`);
      assert.ok(failed >= checked - 1, `only ${failed} of ${checked} tampered handshakes ended in an error`);
    });
  }
});

describe('npm run fuzz (test/fuzz/main.ts)', () => {
  const main = new URL('./main.js', import.meta.url).pathname;

  it('runs for the given minutes, prints inputs/s and the totals per target, exits 0', () => {
    const r = spawnSync(process.execPath, [main, '--minutes', '0.05', '--seed', '7', '--out', join(tmpdir(), `sslsock-fuzz-${process.pid}.json`)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const m = /total: (\d+) inputs in \d+ s = (\d+)\/s \(pair (\d+), replay (\d+), decoders (\d+)\); failures 0/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[3]) > 0 && Number(m[4]) > 0 && Number(m[5]) > 0, r.stdout);
  });

  it('--repro re-runs stored inputs and exits 1 when one fails', () => {
    const file = join(tmpdir(), `sslsock-fuzz-repro-${process.pid}.json`);
    // A decoder input naming a sample that does not exist: the harness's own TypeError, reported as a failure.
    writeFileSync(file, JSON.stringify([{ target: 'decoders', seed: 0, input: { kind: 'handshake', sample: 1e9, muts: [], bodyOnly: false }, message: 'planted' }]));
    try {
      const r = spawnSync(process.execPath, [main, '--repro', file], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL decoders seed 0: FuzzFailure/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('fuzz findings', () => {
  // Found by `npm run fuzz` (regressions.json, seed 1261056): the chain was recorded before it was parsed and
  // verified, so after refusing it the server's getpeercert() threw a DerError on the peer's bytes.
  it('a refused post-handshake client certificate (unparseable) is not kept: getpeercert() still says none', () => {
    const scenario = SCENARIOS.find((s) => s.pha)!;
    const r = new PairRun({ scenario, tamper: { side: 'c', write: 4, action: { kind: 'mutate', muts: [{ op: 'u16', at: 104, value: 0x3fff }] } }, wire: null, cutSeed: 0 });
    r.run();
    assert.equal(r.s.conn.error?.alert, 'bad_certificate');
    assert.match(r.s.conn.error?.reason ?? '', /peer certificate cannot be parsed/);
    assert.equal(r.s.obj.getpeercert(), null);
    assert.equal(r.s.obj.getpeercert(true), null);
    assert.deepEqual(r.s.obj.getUnverifiedChain(), []);
    assert.deepEqual(r.s.obj.getVerifiedChain(), []);
  });
});
