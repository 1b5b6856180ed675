#!/usr/bin/env node
/**
 * The interop table: every interop test's outcome (from interop-reporter.mjs)
 * placed in one cell, peer × direction × scenario, so that a failing cell is
 * obvious at the end of `npm test`. The cell comes from the test's name,
 * which names its peer and who is the client ("our client against openssl
 * s_server …", "gnutls-cli against our server …", "Go crypto/tls 1.2, our
 * server: …"); a name that names a peer but no direction is listed under
 * the table instead, and one that names no peer (ours against ours) is not
 * counted.
 *
 * `node scripts/interop-table.mjs results.jsonl` prints the table of a saved run.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Test files whose tests talk to another TLS implementation. */
export const INTEROP_FILE = /[/\\](?:tls|ssl)[/\\]interop-|[/\\]peers[/\\]|[/\\]ssl[/\\](?:python-peer|sslobject-openssl|sslobject-python|sslsocket-openssl)\.test\.js$/;

/** Rows, in order; the peer named first in a test's name is its row. */
const PEERS = [
  ['openssl', /\bopenssl\b|\bs_client\b|\bs_server\b/i],
  ['gnutls', /gnutls/i],
  ['python', /\bpython\b/i],
  ['node:tls', /node:tls(?![^,:]*\bNode 24\b)/],
  ['node:tls 24', /\bNode 24\b/],
  ['go', /\bGo crypto\/tls\b/],
  ['java', /\bJava\b|\bJSSE\b/],
];

const DIRECTIONS = [
  ['client→us', 'a peer client against our server'],
  ['us→server', 'our client against a peer server'],
];

/** Columns within a direction; the first whose pattern matches the name wins, the version last. */
const SCENARIOS = [
  ['resume', /resum|\bReused\b|sess_in/i],
  ['PHA', /post-handshake auth|enable_pha|verify_client_post_handshake/i],
  ['export', /exportKeyingMaterial|keymatexport/],
  ['KeyUpdate', /KeyUpdate|\brekey/i],
  ['1.2', /\bTLS ?1\.2\b|\bTLSv1\.2\b|crypto\/tls 1\.2|JSSE 1\.2|-tls1_2/],
  ['1.3', /./],
];

const COLUMN_ORDER = ['1.3', '1.2', 'resume', 'PHA', 'KeyUpdate', 'export'];

const OUR_CLIENT = /\bour (?:1\.[23][-\w]* |SSLObject )?client\b|\bours against\b|\bSSLSocket\b[^,:]* against\b/;
const OUR_SERVER = /\bour (?:1\.[23][-\w]* |SSLObject |non-blocking )?server\b|\bagainst ours\b|\bserver of ours\b/;
const PEER_CLIENT = /\bs_client\b|\bgnutls-cli\b|\bclient\b|\basking for\b/;
const PEER_SERVER = /\bs_server\b|\bgnutls-serv\b|\bserver\b/;

function peerOf(name) {
  let best = null;
  for (const [peer, re] of PEERS) {
    const m = re.exec(name);
    if (m !== null && (best === null || m.index < best.index)) best = { peer, index: m.index };
  }
  return best?.peer ?? null;
}

/** 'client→us', 'us→server', both (a test that covers both directions) or none. */
function directionsOf(name) {
  const ours = [OUR_SERVER.test(name) ? 'client→us' : null, OUR_CLIENT.test(name) ? 'us→server' : null].filter(Boolean);
  if (ours.length > 0) return ours;
  if (/\bboth directions\b|\bboth ways\b/.test(name)) return ['client→us', 'us→server'];
  // No "our …": the peer's role says it (s_server → we are the client).
  const c = PEER_CLIENT.exec(name);
  const s = PEER_SERVER.exec(name);
  if (c !== null && (s === null || c.index < s.index)) return ['client→us'];
  if (s !== null) return ['us→server'];
  return [];
}

/** The cells a test's result goes into: [{ peer, direction, scenario }], or [] when its name does not say. */
export function cellsOf(name) {
  const peer = peerOf(name);
  if (peer === null) return [];
  const scenario = SCENARIOS.find(([, re]) => re.test(name))[0];
  return directionsOf(name).map((direction) => ({ peer, direction, scenario }));
}

function cellText(c) {
  if (c === undefined) return '·';
  if (c.fail > 0) return `FAIL ${c.fail}/${c.pass + c.fail + c.skip}`;
  if (c.pass === 0) return `skip ${c.skip}`;
  return c.skip > 0 ? `ok ${c.pass} +${c.skip}skip` : `ok ${c.pass}`;
}

/**
 * The table for a run's results ({ file, name, status } each). Returns the
 * text, and the interop tests that failed or were skipped.
 */
export function interopTable(results) {
  // A test in an interop file that names no peer (ours against ours, argument checks) is not interop.
  const interop = results.filter((r) => INTEROP_FILE.test(r.file) && peerOf(r.name) !== null);
  const cells = new Map();
  const unplaced = [];
  for (const r of interop) {
    const where = cellsOf(r.name);
    if (where.length === 0) unplaced.push(r);
    for (const { peer, direction, scenario } of where) {
      const key = `${peer}|${direction}|${scenario}`;
      const c = cells.get(key) ?? { pass: 0, fail: 0, skip: 0 };
      c[r.status]++;
      cells.set(key, c);
    }
  }
  const columns = DIRECTIONS.flatMap(([d]) => COLUMN_ORDER.map((s) => [d, s])).filter(([d, s]) => [...cells.keys()].some((k) => k.includes(`|${d}|${s}`)));
  const header = ['peer', ...columns.map(([, s]) => s)];
  const rows = PEERS.map(([p]) => p)
    .filter((p) => [...cells.keys()].some((k) => k.startsWith(`${p}|`)))
    .map((p) => [p, ...columns.map(([d, s]) => cellText(cells.get(`${p}|${d}|${s}`)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const groupOf = (d) => columns.map(([cd], i) => (cd === d ? i + 1 : -1)).filter((i) => i > 0);
  const spanOf = (idx) => idx.reduce((n, i) => n + widths[i], 0) + 3 * (idx.length - 1);
  for (const [d] of DIRECTIONS) {
    const idx = groupOf(d);
    // A direction of few columns is widened to hold its banner.
    if (idx.length > 0) widths[idx[idx.length - 1]] += Math.max(0, d.length + 2 - spanOf(idx));
  }
  const line = (cellsOfRow) => cellsOfRow.map((c, i) => c.padEnd(widths[i])).join(' │ ');
  // The direction banner spans its columns.
  const banner = [''.padEnd(widths[0])];
  for (const [d] of DIRECTIONS) {
    const idx = groupOf(d);
    if (idx.length === 0) continue;
    const span = spanOf(idx);
    const label = ` ${d} `;
    const left = Math.max(0, (span - label.length) >> 1);
    banner.push(`${'─'.repeat(left)}${label}${'─'.repeat(Math.max(0, span - left - label.length))}`);
  }
  const failed = interop.filter((r) => r.status === 'fail');
  const skipped = interop.filter((r) => r.status === 'skip');
  const out = [
    `Interop table: ${interop.length} tests against other TLS implementations (${failed.length} failed, ${skipped.length} skipped)`,
    banner.join(' │ '),
    line(header),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...rows.map(line),
  ];
  if (unplaced.length > 0) out.push(`not in a cell (the name names no direction): ${unplaced.map((r) => `${r.status} "${r.name}"`).join('; ')}`);
  for (const r of failed) out.push(`FAILED: ${r.name} (${r.file})`);
  for (const r of skipped) out.push(`skipped: ${r.name} (${r.file})`);
  return { text: out.join('\n'), failed, skipped, total: interop.length };
}

/** The results a reporter wrote (one JSON object a line). */
export function readResults(path) {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.length < 3) {
    console.error('usage: node scripts/interop-table.mjs results.jsonl');
    process.exit(2);
  }
  console.log(interopTable(readResults(process.argv[2])).text);
}
