/**
 * Differential test against OpenSSL (through python3's `_test_decode_cert`):
 * deterministic single-byte mutations of every fixture certificate go to
 * both parsers. Whatever OpenSSL refuses we must refuse too, and whenever
 * both accept, the getpeercert() dicts must be identical. We are allowed to
 * be stricter (DER rules OpenSSL relaxes: trailing bytes after the
 * certificate, malformed times, BER booleans, constructed strings, duplicate
 * extensions, …); those cases are counted, not failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCertificate } from '../../src/x509/certificate.js';
import { pemBlocksWithLabel, toPem } from '../../src/x509/pem.js';
import { peerCertDict } from '../../src/x509/peercert.js';
import { X509Error } from '../../src/x509/errors.js';
import { processTempDir } from '../helpers/tmp.js';

const DIR = new URL('../../../test/vectors/x509/', import.meta.url);
const CERTS = readdirSync(DIR)
  .filter((f) => f.endsWith('.pem'))
  .sort()
  .map((f) => pemBlocksWithLabel(readFileSync(new URL(f, DIR), 'latin1'), 'CERTIFICATE')[0]!);
const CASES = 600;
/** Mutations land in the first bytes, where names, times, extensions and algorithms live. */
const MUTATION_WINDOW = 700;

const jsonOf = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => {
    const b = x as { type?: unknown; data?: unknown };
    return b !== null && typeof b === 'object' && b.type === 'Buffer' && Array.isArray(b.data) ? { $bytes: Buffer.from(b.data as number[]).toString('hex') } : x;
  });

const python = spawnSync('python3', ['-c', 'import ssl'], { encoding: 'utf8' });
test(`mutated certificates: never accepted where OpenSSL refuses, identical dicts where both accept (${CASES} cases)`, { skip: python.status !== 0 ? 'python3 not available' : false }, () => {
  let seed = 20240607;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  const dir = processTempDir('sslsock-x509-diff-');
  const inputs: Buffer[] = [];
  for (let i = 0; i < CASES; i++) {
    let b = Buffer.from(CERTS[rnd(CERTS.length)]!);
    const at = rnd(Math.min(b.length, MUTATION_WINDOW));
    const kind = rnd(3);
    if (kind === 0) b[at] = rnd(256);
    else if (kind === 1) b[at] = b[at]! ^ (1 << rnd(8));
    else b = Buffer.concat([b.subarray(0, at), Buffer.of(rnd(256)), b.subarray(at)]);
    inputs.push(b);
    writeFileSync(join(dir, `${i}.pem`), toPem('CERTIFICATE', b));
  }
  const script = [
    'import ssl, sys, json',
    'def l(x):',
    "  if isinstance(x, bytes): return {'$bytes': x.hex()}",
    '  if isinstance(x, (tuple, list)): return [l(i) for i in x]',
    '  if isinstance(x, dict): return {k: l(v) for k, v in x.items()}',
    '  return x',
    'out = []',
    `for i in range(${CASES}):`,
    '  try: out.append(["ok", json.dumps(l(ssl._ssl._test_decode_cert(sys.argv[1] + "/%d.pem" % i)), separators=(",", ":"))])',
    '  except ssl.SSLError as e: out.append(["refused", str(e)])',
    '  except UnicodeDecodeError as e: out.append(["unicode", str(e)])',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const theirs = JSON.parse(r.stdout) as [string, string][];
  const tally: Record<string, number> = {};
  inputs.forEach((b, i) => {
    let ours: [string, string];
    try {
      ours = ['ok', jsonOf(peerCertDict(parseCertificate(b)))];
    } catch (e) {
      assert.ok(e instanceof X509Error, `case ${i}: ${String(e)}`);
      ours = ['refused', e.code];
    }
    const [theirKind, theirValue] = theirs[i]!;
    const key = `${ours[0]}/${theirKind}`;
    tally[key] = (tally[key] ?? 0) + 1;
    if (theirKind === 'refused') assert.equal(ours[0], 'refused', `case ${i}: OpenSSL refuses (${theirValue}) but we accept`);
    if (ours[0] === 'ok' && theirKind === 'ok') assert.equal(JSON.stringify(JSON.parse(ours[1])), JSON.stringify(JSON.parse(theirValue)), `case ${i}`);
  });
  // Most mutations must be decided the same way; stricter-than-OpenSSL is the exception.
  assert.ok((tally['ok/ok'] ?? 0) + (tally['refused/refused'] ?? 0) > CASES * 0.85, JSON.stringify(tally));
  console.log(`# x509 differential vs OpenSSL: ${JSON.stringify(tally)}`);
});
