#!/usr/bin/env node
// The RFC 8446 (RFC 9846 text) requirement audit behind test/tls/CONFORMANCE.md.
//
// Extracts every sentence with MUST / MUST NOT / SHALL / SHALL NOT / REQUIRED
// from §4 (Handshake), §5 (Record), §6 (Alert) and Appendix D (Backward
// Compatibility) of ../shared/reference/rfc/rfc9846-tls13.md, numbered
// "<section>#<n>" (the n-th requirement sentence of that section), and:
//
//   node scripts/conformance.mjs --check      (default; run by npm test)
//     every requirement has exactly one row, with its text; no row names a
//     requirement that does not exist; every "enforced in" reference
//     (path:function) names a file that exists and contains that name; every
//     test cited in backquotes exists in the test sources; a row is either
//     tested (cites a test), "untested", or "n/a: <why>".
//   node scripts/conformance.mjs --generate   rewrites the table, keeping the
//     columns already filled in and adding rows for new requirements.
//   node scripts/conformance.mjs --stats      prints the counts.
//
// Exit status 1 on any problem, with one line per problem.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TABLE = process.env.SSLSOCK_CONFORMANCE_TABLE ?? join(ROOT, 'test', 'tls', 'CONFORMANCE.md');
const RFC_CANDIDATES = [
  process.env.SSLSOCK_RFC9846,
  join(ROOT, '..', 'shared', 'reference', 'rfc', 'rfc9846-tls13.md'),
  join(ROOT, '..', '..', 'shared', 'reference', 'rfc', 'rfc9846-tls13.md'),
  '/work/shared/reference/rfc/rfc9846-tls13.md',
].filter(Boolean);

const KEYWORDS = /\b(MUST|SHALL|REQUIRED)\b/;
/** Middle sections audited, by number; appendices by title → letter (RFC 8446 numbering). */
const MIDDLE = new Set([4, 5, 6]);
const APPENDICES = new Map([['Backward Compatibility', 'D']]);

export function findRfc() {
  return RFC_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** The requirement sentences: [{ id, section, title, text }]. */
export function extractRequirements(markdown) {
  const lines = markdown.split('\n');
  const out = [];
  let part = 'front';
  const counters = [];
  let appendix = null;
  let section = null;
  let title = '';
  let para = [];
  let inFence = false;
  const perSection = new Map();
  const flush = () => {
    if (section === null || para.length === 0) {
      para = [];
      return;
    }
    const text = para.join(' ').replace(/\s+/g, ' ').trim();
    para = [];
    for (const sentence of sentences(text)) {
      if (!KEYWORDS.test(sentence)) continue;
      const n = (perSection.get(section) ?? 0) + 1;
      perSection.set(section, n);
      out.push({ id: `${section}#${n}`, section, title, text: clean(sentence) });
    }
  };
  for (const line of lines) {
    if (line.startsWith('--- middle')) part = 'middle';
    else if (line.startsWith('--- back')) part = 'back';
    if (/^(~~~|```)/.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const h = /^(#+)\s+(.*?)\s*(\{#[^}]*\})?\s*$/.exec(line);
    if (h && part !== 'front') {
      flush();
      const depth = h[1].length;
      counters.length = depth;
      counters[depth - 1] = (counters[depth - 1] ?? 0) + 1;
      for (let i = 0; i < depth - 1; i++) counters[i] ??= 1;
      title = h[2].trim();
      if (part === 'middle') {
        section = MIDDLE.has(counters[0]) ? counters.join('.') : null;
      } else {
        if (depth === 1) appendix = APPENDICES.get(title) ?? null;
        section = appendix === null ? null : depth === 1 ? appendix : `${appendix}.${counters.slice(1).join('.')}`;
      }
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line.trim());
  }
  flush();
  return out;
}

function sentences(text) {
  // Split after . ! ? followed by a space and a capital letter or a quote, keeping "e.g." and "i.e." whole.
  const parts = text.replace(/\b(e\.g|i\.e|cf|vs|Sec)\./g, '$1\u0000').split(/(?<=[.!?:])\s+(?=[A-Z"(*])/);
  return parts.map((p) => p.replace(/\u0000/g, '.'));
}

function clean(s) {
  return s
    .replace(/\{\{([^}]*)\}\}/g, '[$1]')
    .replace(/<sup>([^<]*)<\/sup>/g, '^$1')
    .replace(/\|/g, '\\|')
    .trim();
}

/** Parses the rows of CONFORMANCE.md's table: [{ id, requirement, enforced, test }]. */
export function parseTable(md) {
  const rows = [];
  for (const line of md.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| ID ') || line.startsWith('| --')) continue;
    const cells = splitRow(line);
    if (cells.length !== 4) continue;
    rows.push({ id: cells[0].replace(/`/g, ''), requirement: cells[1], enforced: cells[2], test: cells[3] });
  }
  return rows;
}

function splitRow(line) {
  const cells = [];
  let cur = '';
  for (let i = 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && line[i + 1] === '|') {
      cur += '\\|';
      i++;
    } else if (ch === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  return cells;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

/** The row's status: 'tested' | 'untested' | 'n/a'. */
export function status(row) {
  if (/`[^`]+`/.test(row.test)) return 'tested';
  if (/^n\/a: \S/.test(row.test)) return 'n/a';
  return 'untested';
}

function testSources() {
  return walk(join(ROOT, 'test')).map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** The checks every row gets: its `path:function` references exist, its cited tests exist, its test column is well formed. */
function checkRow(row, testText, problems) {
  for (const ref of row.enforced.matchAll(/`([^`:]+):([A-Za-z0-9_.#]+)`/g)) {
    const file = join(ROOT, ref[1]);
    if (!existsSync(file)) problems.push(`${row.id}: enforced in ${ref[1]}, which does not exist`);
    else if (!readFileSync(file, 'utf8').includes(ref[2].split('.').pop())) problems.push(`${row.id}: ${ref[1]} has no ${ref[2]}`);
  }
  const st = status(row);
  if (st === 'tested') {
    for (const t of row.test.matchAll(/`([^`]+)`/g)) {
      if (!testText.includes(t[1].replace(/\\\|/g, '|'))) problems.push(`${row.id}: cites test "${t[1]}", which no test file has`);
    }
  } else if (st === 'untested' && row.test !== 'untested') {
    problems.push(`${row.id}: the test column must cite tests in backquotes, say "untested", or "n/a: <why>" (has "${row.test}")`);
  }
}

export function check(requirements, rows, testText = testSources()) {
  const problems = [];
  const byId = new Map();
  for (const r of rows) {
    if (byId.has(r.id)) problems.push(`${r.id}: two rows`);
    byId.set(r.id, r);
  }
  const ids = new Set(requirements.map((r) => r.id));
  for (const req of requirements) {
    const row = byId.get(req.id);
    if (!row) {
      problems.push(`${req.id}: no row for "${req.text.slice(0, 80)}…" (run scripts/conformance.mjs --generate)`);
      continue;
    }
    const quoted = row.requirement.replace(/^\*\*[^*]*\*\*\s*/, '');
    const want = req.text.slice(0, 40);
    if (!quoted.startsWith(want.slice(0, Math.min(want.length, quoted.replace(/…$/, '').length)))) {
      problems.push(`${req.id}: the row quotes "${quoted.slice(0, 50)}", the RFC says "${want}"`);
    }
  }
  for (const row of rows) {
    if (!ids.has(row.id)) problems.push(`${row.id}: row for a requirement the RFC text does not have`);
    checkRow(row, testText, problems);
  }
  return problems;
}

/**
 * The TLS 1.2 rows (RFC 5246 / 7627 / 5746 / 8422), ids "<rfc>/<section>#<n>".
 * Their texts are not in this repository, so the list was compiled by hand
 * from the RFCs; this checks what can be checked: the id form and numbering
 * (n = 1, 2, … within a section), one row per id, a requirement keyword in
 * the quote, and each row's references and tests as for RFC 8446.
 */
export const TLS12_RFCS = ['5246', '7627', '5746', '8422'];
const TLS12_ID = /^(\d{4})\/([0-9A-Z][0-9.]*)#(\d+)$/;

export function isTls12Row(row) {
  return TLS12_ID.test(row.id);
}

export function check12(rows, testText = testSources()) {
  const problems = [];
  const seen = new Set();
  const last = new Map();
  for (const row of rows) {
    const m = TLS12_ID.exec(row.id);
    if (!m || !TLS12_RFCS.includes(m[1])) {
      problems.push(`${row.id}: not a TLS 1.2 row id (<${TLS12_RFCS.join('|')}>/<section>#<n>)`);
      continue;
    }
    if (seen.has(row.id)) problems.push(`${row.id}: two rows`);
    seen.add(row.id);
    const section = `${m[1]}/${m[2]}`;
    const n = Number(m[3]);
    if (n !== (last.get(section) ?? 0) + 1) problems.push(`${row.id}: numbered out of order (after #${last.get(section) ?? 0})`);
    last.set(section, n);
    if (!KEYWORDS.test(row.requirement)) problems.push(`${row.id}: the quote has no MUST / SHALL / REQUIRED`);
    checkRow(row, testText, problems);
  }
  return problems;
}

function stats(rows) {
  const s = { rows: rows.length, tested: 0, untested: 0, 'n/a': 0 };
  for (const r of rows) s[status(r)]++;
  return s;
}

function stats12(rows) {
  return Object.fromEntries(TLS12_RFCS.map((rfc) => [`RFC ${rfc}`, stats(rows.filter((r) => r.id.startsWith(`${rfc}/`)))]));
}

const HEADER = `| ID | Requirement (RFC 9846 text, section#n) | Enforced in | Test (scripted peer / trace) |
| -- | -- | -- | -- |`;

function generate(requirements, rows, md) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lines = requirements.map((req) => {
    const old = byId.get(req.id);
    const text = req.text.length > 220 ? `${req.text.slice(0, 217)}…` : req.text;
    return `| \`${req.id}\` | **${req.title}** ${text} | ${old?.enforced ?? '—'} | ${old?.test ?? 'untested'} |`;
  });
  const start = md.indexOf(HEADER.split('\n')[0]);
  const before = start >= 0 ? md.slice(0, start) : md;
  const afterTable = start >= 0 ? md.slice(start).split('\n').findIndex((l, i) => i > 1 && !l.startsWith('|')) : -1;
  const after = start >= 0 && afterTable >= 0 ? md.slice(start).split('\n').slice(afterTable).join('\n') : '\n';
  return `${before}${HEADER}\n${lines.join('\n')}\n${after}`;
}

function main() {
  const mode = process.argv[2] ?? '--check';
  const rfc = findRfc();
  if (rfc === null) {
    console.error(`conformance: RFC 9846 text not found (looked in ${RFC_CANDIDATES.join(', ')}; set SSLSOCK_RFC9846)`);
    process.exit(2);
  }
  const requirements = extractRequirements(readFileSync(rfc, 'utf8'));
  const md = existsSync(TABLE) ? readFileSync(TABLE, 'utf8') : '';
  const all = parseTable(md);
  const rows = all.filter((r) => !isTls12Row(r));
  const rows12 = all.filter(isTls12Row);
  if (mode === '--generate') {
    writeFileSync(TABLE, generate(requirements, rows, md));
    console.log(`conformance: ${requirements.length} requirements written to ${TABLE}`);
    return;
  }
  const s = stats(rows);
  const s12 = stats12(rows12);
  if (mode === '--stats') {
    console.log(JSON.stringify({ requirements: requirements.length, ...s, tls12: s12 }));
    return;
  }
  const testText = testSources();
  const problems = [...check(requirements, rows, testText), ...check12(rows12, testText)];
  for (const p of problems) console.error(`conformance: ${p}`);
  console.log(`conformance: ${requirements.length} requirements, ${s.rows} rows: ${s.tested} tested, ${s.untested} untested, ${s['n/a']} n/a; ${problems.length} problem(s)`);
  const per = Object.entries(s12).map(([rfc, x]) => `${rfc} ${x.rows} rows (${x.tested} tested, ${x.untested} untested, ${x['n/a']} n/a)`);
  console.log(`conformance: TLS 1.2: ${per.join('; ')}`);
  process.exit(problems.length === 0 ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
