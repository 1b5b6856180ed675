#!/usr/bin/env node
// Derives test/ssl/TEST_SSL_PORT.md: which of CPython 3.11.7's test_ssl.py
// tests are ported to our test suite, and whether they pass.
//
//   node scripts/test-ssl-port.mjs            run build/test/ssl/*.test.js, write the table
//   node scripts/test-ssl-port.mjs --check    same, print the counts, write nothing
//
// The inventory comes from the real test_ssl.py (every `def test_*` of the
// classes the porting issue names); "ported" means one of our test titles in
// test/ssl names the CPython test (`test_x`, `Class.test_x`, `test_x(_y)` for
// test_x and test_x_y, `test_x_a / _b` for test_x_a and test_x_b); "passes"
// comes from running the compiled tests with the TAP reporter. Only the
// reasons for tests that are NOT ported are written by hand (PENDING / NA).
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join, basename } from 'node:path';

const CLASSES = [
  'BasicSocketTests',
  'ContextTests',
  'SSLErrorTests',
  'MemoryBIOTests',
  'SSLObjectTests',
  'SimpleBackgroundTests',
  'ThreadedTests',
  'TestPreHandshakeClose',
  'TestEnumerations',
  'TestPostHandshakeAuth',
  'TestSSLDebug',
];

// Which CPython classes a test file ports, in order of preference, for test
// names that several classes share (test_check_hostname, test_options, …).
const FILE_CLASSES = [
  [/^context/, ['ContextTests']],
  [/^module/, ['BasicSocketTests', 'TestEnumerations']],
  [/^memorybio/, ['MemoryBIOTests']],
  [/^errors-bio/, ['SSLErrorTests', 'MemoryBIOTests']],
  [/^sslobject/, ['SSLObjectTests', 'SimpleBackgroundTests', 'ThreadedTests']],
  [/^sslsocket\.test/, ['SimpleBackgroundTests', 'SSLErrorTests']],
  [/^(sslsocket-|python-peer)/, ['ThreadedTests', 'TestPreHandshakeClose', 'BasicSocketTests']],
  [/^port-basic/, ['BasicSocketTests']],
  [/^port-context/, ['ContextTests']],
  [/^port-errors/, ['SSLErrorTests']],
  [/^port-memorybio/, ['MemoryBIOTests']],
  [/^port-sslobject/, ['SSLObjectTests']],
  [/^port-background/, ['SimpleBackgroundTests']],
  [/^port-threaded/, ['ThreadedTests']],
  [/^port-prehandshake/, ['TestPreHandshakeClose']],
  [/^port-enumerations/, ['TestEnumerations']],
  [/^port-pha/, ['TestPostHandshakeAuth']],
  [/^port-debug/, ['TestSSLDebug']],
];

// Why a test that is not ported waits (a later issue brings the feature).
const PENDING = {};

// Tests that do not apply to a TypeScript library, and why.
const NA = {
  'BasicSocketTests.test_ssl_types': 'CPython _ssl type immutability',
  'BasicSocketTests.test_refcycle': 'CPython reference cycles / GC',
  'BasicSocketTests.test_dealloc_warn': 'CPython ResourceWarning on GC',
  'BasicSocketTests.test_errors_sslwrap': 'ssl.wrap_socket() was removed in Python 3.12; not part of our API',
  'BasicSocketTests.test_match_hostname': 'ssl.match_hostname() was removed in Python 3.12 (the matcher is tested in test/x509)',
  'BasicSocketTests.test_enum_certificates': 'Windows certificate store',
  'BasicSocketTests.test_enum_crls': 'Windows certificate store',
  'BasicSocketTests.test_cert_time_to_seconds_locale': 'needs setlocale(); JavaScript dates are locale-independent',
  'ThreadedTests.test_protocol_sslv2': 'SSLv2 is not implemented (DESIGN.md: no legacy); CPython skips it too when OpenSSL lacks it',
  'ThreadedTests.test_protocol_sslv3': 'SSLv3 is not implemented (DESIGN.md: no legacy); CPython skips it on this OpenSSL too',
  'ThreadedTests.test_protocol_tlsv1': 'TLS 1.0 is not implemented (DESIGN.md: no legacy); CPython skips it on this OpenSSL too',
  'ThreadedTests.test_protocol_tlsv1_1': 'TLS 1.1 is not implemented (DESIGN.md: no legacy); CPython skips it on this OpenSSL too',
  'ThreadedTests.test_min_max_version_tlsv1_1': 'TLS 1.1 is not implemented (DESIGN.md: no legacy); CPython skips it on this OpenSSL too',
  'ThreadedTests.test_min_max_version_sslv3': 'SSLv3 is not implemented (DESIGN.md: no legacy); CPython skips it on this OpenSSL too',
  'ThreadedTests.test_dh_params': 'finite-field DHE suites (kEDH) are not planned: DESIGN.md has TLS 1.2 as ECDHE with AEAD only',
  'ThreadedTests.test_protocol_tlsv1_2': "CPython runs it only where SSLv3 exists (@requires_tls_version('SSLv3')): skipped on this OpenSSL, and SSLv3 is not implemented here",
  'ThreadedTests.test_min_max_version_mismatch': "CPython runs it only where TLS 1.1 exists (@requires_tls_version('TLSv1_1')): skipped on this OpenSSL, and TLS 1.1 is not implemented here",
  'ContextTests.test_sni_callback_refcycle': 'CPython reference cycles / GC',
  'ContextTests.test_load_default_certs_env_windows': 'Windows only',
  'TestSSLDebug.test_msg_callback': '`_msg_callback` is a private OpenSSL debug hook (python-ssl-api.md: optional); not implemented',
  'TestSSLDebug.test_msg_callback_tls12': '`_msg_callback` is a private OpenSSL debug hook (python-ssl-api.md: optional); not implemented',
  'TestSSLDebug.test_msg_callback_deadlock_bpo43577': '`_msg_callback` is a private OpenSSL debug hook (python-ssl-api.md: optional); not implemented',
};

// Where a port deviates from the CPython text, and why (written into the table).
const NOTES = [
  'Python tuples are arrays, `None` is `null`, `str(e)` is `e.message`, bytes/bytearray/memoryview are Buffer/Uint8Array/DataView; blocking calls are awaited.',
  '`_ssl._test_decode_cert(path)` is `testDecodeCert` in port-fixtures.ts (the first certificate of the PEM file through the same `peerCertDict` getpeercert() uses); port-basic.test.ts also checks it equals python3\'s `_test_decode_cert` on the same files.',
  'BasicSocketTests.test_unsupported_dtls: our socket module has no UDP (`socket(AF_INET, SOCK_DGRAM)` raises OSError), so the datagram socket is a socket subclass whose `getsockopt(SOL_SOCKET, SO_TYPE)` says SOCK_DGRAM — the value ssl checks.',
  'BasicSocketTests.test_str_for_enums: our enums are numbers, so `repr()` is rebuilt from the enum object (`getProtocolName`).',
  'BasicSocketTests.test_cert_time_to_seconds_timezone: CPython skips it unless local time differs from UTC; the port sets TZ to three non-UTC zones.',
  'BasicSocketTests.test_parse_cert_CVE_2013_4238: the `_OPENSSL_API_VERSION >= (0, 9, 8)` branch is taken unconditionally (our `_OPENSSL_API_VERSION` is sslsock\'s own version; the decoder always decodes IPv6).',
  'ThreadedTests.test_recv_into_buffer_protocol_len: `array(\'I\')` is a Uint32Array, the bytearray subclass whose `__len__` raises is a Uint8Array subclass whose `length` getter throws. It found that SSLSocket.read/recv_into sized buffers by `length` and refused non-Uint8Array views (fixed in src/ssl/sslsocket.ts).',
  'ThreadedTests.test_socketserver and TestPreHandshakeClose.test_https_client_non_tls_response_ignored: http.server/urllib/http.client are replaced by the least HTTP/1.0 written over our SSLSocket; the TLS side is unchanged.',
  'ThreadedTests.test_PROTOCOL_TLS: only the try_protocol_combo rows that CPython runs on an OpenSSL without SSLv2/SSLv3/TLS 1.0 (has_tls_version false), as here.',
  'ThreadedTests tests that need a TLS 1.2 connection are ported in port-threaded-tls12.test.ts and run on the TLS 1.2 engine (test_wrong_cert_tls12 also refuses to count an UNSUPPORTED_PROTOCOL refusal as the expected failure).',
  'ThreadedTests.test_session and test_session_handling pin TLS 1.2 ("sessions aren\'t compatible with TLSv1.3 yet"): ported faithfully in port-threaded-tls12.test.ts, todo until TLS 1.2 resumption; TLS 1.3 resumption through the same API is tested in sslsocket-session.test.ts. SSLSession `==` is `equals()`.',
  'TestPostHandshakeAuth.test_internal_chain_client: the chains are DER Buffers (3.13\'s public get_verified_chain()), so _ssl.Certificate equality/hash/repr/public_bytes become byte comparisons and DER↔PEM. test_pha_required_nocert drops the verbose-only _msg_callback. test_pha_not_tls13 and test_internal_chain_server run over TLS 1.2.',
  'Ported by others with a different setup: SimpleBackgroundTests.test_bio_* also have in-memory variants in sslobject.test.ts (the faithful socket versions are in port-background.test.ts); ThreadedTests.test_asyncore_server also has a python3-client variant in python-peer.test.ts (the faithful one, our client against AsyncoreEchoServer, is in port-threaded.test.ts); SSLErrorTests.test_lib_reason is inside context.test.ts test_load_dh_params.',
  'The tests that call `select.select()` (SimpleBackgroundTests.test_non_blocking_connect_ex and test_non_blocking_handshake, ThreadedTests.test_handshake_timeout and test_asyncore_server) call our `select()` (`sslsock/select`) with the same arguments; asyncore (`poll`, `loop`, `dispatcher`, `dispatcher_with_send`, `close_all`) is ported line for line over it in test/ssl/asyncore.ts, and AsyncoreEchoServer over that.',
];

function cpythonFile() {
  const fixed = '/root/.pyenv/versions/3.11.7/lib/python3.11/test/test_ssl.py';
  if (existsSync(fixed)) return fixed;
  const r = spawnSync('python3', ['-c', 'import os, test; print(os.path.join(os.path.dirname(test.__file__), "test_ssl.py"))'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || !existsSync(p)) throw new Error("CPython's Lib/test/test_ssl.py not found");
  return p;
}

/** [{cls, name, line}] for every def test_* of the classes above. */
function inventory(path) {
  const out = [];
  let cls = null;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const c = /^class (\w+)/.exec(line);
      if (c) cls = c[1];
      const t = /^    def (test_\w+)\(/.exec(line);
      if (t && CLASSES.includes(cls)) out.push({ cls, name: t[1], line: i + 1 });
    });
  return out;
}

/** Runs one compiled test file with the TAP reporter: [{title, ok, directive}]. */
function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    let tap = '';
    child.stdout.on('data', (d) => (tap += d));
    child.on('close', () => {
      const results = [];
      for (const line of tap.split('\n')) {
        const m = /^\s*(not ok|ok) \d+ - (.*?)(?: # (TODO|SKIP)\b.*)?$/.exec(line);
        if (m) results.push({ title: m[2].replace(/\\#/g, '#').replace(/\\\\/g, '\\'), ok: m[1] === 'ok', directive: m[3] ?? null });
      }
      resolve(results);
    });
  });
}

async function runAll(files) {
  const results = new Map();
  const queue = [...files];
  async function worker() {
    while (queue.length) {
      const f = queue.shift();
      results.set(f, await runFile(f));
    }
  }
  await Promise.all([worker(), worker()]);
  return results;
}

/** CPython test names a title refers to, each with an explicit class or null. */
function namesInTitle(title, known) {
  const out = [];
  const re = /(?:\b([A-Z]\w+)\.)?\b(test_\w+)(?:\((_\w+)\))?((?:\s*\/\s*_\w+)*)/g;
  for (const m of title.matchAll(re)) {
    const [, cls, name, paren, slashes] = m;
    out.push({ cls: cls ?? null, name });
    if (paren) out.push({ cls: cls ?? null, name: name + paren });
    for (const suf of slashes.match(/_\w+/g) ?? []) {
      // test_sni_callback_alert / _raising → test_sni_callback_raising
      const parts = name.split('_');
      for (let k = parts.length - 1; k >= 2; k--) {
        const cand = parts.slice(0, k).join('_') + suf;
        if (known.has(cand)) {
          out.push({ cls: cls ?? null, name: cand });
          break;
        }
      }
    }
  }
  return out;
}

function classesForFile(file) {
  const b = basename(file);
  for (const [re, classes] of FILE_CLASSES) if (re.test(b)) return classes;
  return [];
}

// The 40-case acceptance set of python-test-ssl.md §4: the CPython tests each
// case stands on; `derived:` entries name our own test titles (substring).
const ACCEPTANCE = [
  [1, 'ThreadedTests.test_echo'],
  [2, 'ThreadedTests.test_echo'],
  [3, 'ThreadedTests.test_getpeercert'],
  [4, 'BasicSocketTests.test_parse_cert'],
  [5, 'BasicSocketTests.test_parse_all_sans'],
  [6, 'BasicSocketTests.test_parse_cert_CVE_2013_4238 BasicSocketTests.test_parse_cert_CVE_2019_5010'],
  [7, 'SimpleBackgroundTests.test_connect'],
  [8, 'SimpleBackgroundTests.test_connect_fail'],
  [9, 'ThreadedTests.test_ssl_cert_verify_error'],
  [10, 'ThreadedTests.test_check_hostname'],
  [11, 'ThreadedTests.test_check_hostname'],
  [12, 'derived:an IP server_hostname is matched against iPAddress SANs'],
  [13, 'ThreadedTests.test_hostname_checks_common_name'],
  [14, 'ThreadedTests.test_check_hostname_idn'],
  [15, 'ThreadedTests.test_crl_check'],
  [16, 'ThreadedTests.test_wrong_cert_tls13'],
  [17, 'ThreadedTests.test_alpn_protocols'],
  [18, 'ThreadedTests.test_selected_alpn_protocol ThreadedTests.test_selected_alpn_protocol_if_server_uses_alpn'],
  [19, 'ThreadedTests.test_sni_callback'],
  [20, 'ThreadedTests.test_sni_callback_alert ThreadedTests.test_sni_callback_raising ThreadedTests.test_sni_callback_wrong_return_type'],
  [21, 'ThreadedTests.test_session'],
  [22, 'ThreadedTests.test_session_handling'],
  [23, 'ThreadedTests.test_starttls'],
  [24, 'SSLObjectTests.test_unwrap'],
  [25, 'SimpleBackgroundTests.test_bio_handshake'],
  [26, 'SimpleBackgroundTests.test_bio_read_write_data SimpleBackgroundTests.test_transport_eof'],
  [27, 'MemoryBIOTests.test_read_write MemoryBIOTests.test_eof MemoryBIOTests.test_pending MemoryBIOTests.test_error_types'],
  [28, 'SimpleBackgroundTests.test_non_blocking_handshake SimpleBackgroundTests.test_non_blocking_connect_ex'],
  [29, 'SSLErrorTests.test_subclass'],
  [30, 'ThreadedTests.test_nonblocking_send derived:wrapSocket of a non-blocking socket with doHandshakeOnConnect raises ValueError'],
  [31, 'ThreadedTests.test_handshake_timeout'],
  [32, 'ThreadedTests.test_recv_send'],
  [33, 'ThreadedTests.test_recv_zero BasicSocketTests.test_read_write_zero'],
  [34, 'ThreadedTests.test_read_write_after_close_raises_valuerror'],
  [35, 'ThreadedTests.test_version_basic ThreadedTests.test_tls1_3'],
  [36, 'ThreadedTests.test_shared_ciphers ThreadedTests.test_no_shared_ciphers'],
  [37, 'ThreadedTests.test_tls_unique_channel_binding BasicSocketTests.test_tls_unique_channel_binding BasicSocketTests.test_unknown_channel_binding'],
  [38, 'TestPostHandshakeAuth.test_pha_required TestPostHandshakeAuth.test_pha_optional TestPostHandshakeAuth.test_pha_no_pha_client'],
  [39, 'TestPreHandshakeClose.test_preauth_data_to_tls_server TestPreHandshakeClose.test_preauth_data_to_tls_client'],
  [40, 'derived:ragged EOF, suppressed derived:ragged EOF, not suppressed derived:the peer unwraps derived:unwrap against a silent peer derived:shutdown(SHUT_RDWR) drops TLS'],
];

async function main() {
  const check = process.argv.includes('--check');
  const inv = inventory(cpythonFile());
  const known = new Set(inv.map((t) => t.name));
  const byName = new Map();
  for (const t of inv) byName.set(t.name, [...(byName.get(t.name) ?? []), t.cls]);

  const dir = 'build/test/ssl';
  if (!existsSync(dir)) throw new Error('build/test/ssl missing: run npx tsc -p tsconfig.json first');
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(dir, f));
  const results = await runAll(files);

  // key "Class.test_name" → [{file, title, status}]
  const ported = new Map();
  const allTitles = [];
  for (const [file, rs] of results) {
    const src = basename(file).replace(/\.js$/, '.ts');
    const fileClasses = classesForFile(src);
    for (const r of rs) {
      // A todo test that passes is reported as such, so its marker is removed.
      const status = r.directive === 'TODO' ? (r.ok ? 'todo (passes: remove the marker)' : 'todo') : r.directive === 'SKIP' ? 'skip' : r.ok ? 'pass' : 'fail';
      allTitles.push({ file: src, title: r.title, status });
      const seen = new Set();
      for (const { cls, name } of namesInTitle(r.title, known)) {
        const owners = byName.get(name);
        if (!owners) continue;
        let c = cls && owners.includes(cls) ? cls : null;
        if (!c && !cls) c = owners.length === 1 ? owners[0] : (fileClasses.find((fc) => owners.includes(fc)) ?? null);
        if (!c) continue;
        const key = `${c}.${name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ported.set(key, [...(ported.get(key) ?? []), { file: src, title: r.title, status }]);
      }
    }
  }

  const rows = [];
  const counts = {};
  for (const t of inv) {
    const key = `${t.cls}.${t.name}`;
    const where = ported.get(key);
    const c = (counts[t.cls] ??= { total: 0, passing: 0, portedNotPassing: 0, pending: 0, na: 0 });
    c.total++;
    let status;
    let detail;
    if (where) {
      const passing = where.every((w) => w.status === 'pass');
      status = passing ? 'ported, passes' : `ported, ${[...new Set(where.filter((w) => w.status !== 'pass').map((w) => w.status))].join('/')}`;
      if (passing) c.passing++;
      else c.portedNotPassing++;
      detail = where.map((w) => `${w.file}: ${w.title.length > 90 ? w.title.slice(0, 87) + '…' : w.title}`).join('<br>');
    } else if (NA[key]) {
      status = 'n/a';
      detail = NA[key];
      c.na++;
    } else {
      status = 'pending';
      detail = PENDING[key] ?? 'not yet ported';
      c.pending++;
    }
    rows.push({ key, line: t.line, status, detail });
  }

  const acc = ACCEPTANCE.map(([n, spec]) => {
    const parts = [];
    let ok = true;
    let pend = false;
    for (const item of spec.split(/ (?=\w+:|[A-Z]\w+\.test_)/)) {
      if (item.startsWith('derived:')) {
        const needle = item.slice(8);
        const hits = allTitles.filter((t) => t.title.includes(needle));
        const pass = hits.length > 0 && hits.every((h) => h.status === 'pass');
        ok &&= pass;
        parts.push(`${hits.length ? hits.map((h) => h.file).join(', ') : 'missing'}: “${needle}” ${pass ? '✓' : '✗'}`);
      } else if (item.startsWith('pha:')) {
        ok = false;
        pend = true;
        parts.push(item.slice(4));
      } else {
        const where = ported.get(item);
        const pass = !!where && where.every((w) => w.status === 'pass');
        // A port marked todo waits for a later issue, like one not written yet.
        if (!where || where.some((w) => w.status.startsWith('todo'))) pend = true;
        ok &&= pass;
        const mark = pass ? '✓' : where ? `✗ (${where.map((w) => `${w.file}: ${w.status}`).join(', ')})` : '(not ported: ' + (PENDING[item] ?? NA[item] ?? 'missing') + ')';
        parts.push(`${item} ${mark}`);
      }
    }
    return { n, status: ok ? 'passes' : pend ? 'pending' : 'fails', parts };
  });

  const totals = Object.values(counts).reduce(
    (a, c) => ({ total: a.total + c.total, passing: a.passing + c.passing, portedNotPassing: a.portedNotPassing + c.portedNotPassing, pending: a.pending + c.pending, na: a.na + c.na }),
    { total: 0, passing: 0, portedNotPassing: 0, pending: 0, na: 0 },
  );
  const accPass = acc.filter((a) => a.status === 'passes').length;

  if (check) {
    console.log(JSON.stringify({ counts, totals, acceptancePassing: accPass }, null, 1));
    return;
  }

  const md = [];
  md.push('# CPython `test_ssl.py` port — inventory');
  md.push('');
  md.push('Generated by `node scripts/test-ssl-port.mjs` (after `npx tsc -p tsconfig.json`): the CPython 3.11.7 tests are read from');
  md.push('`Lib/test/test_ssl.py`, our tests from the titles in `test/ssl/*.test.ts` that name them, and pass/fail from running them.');
  md.push('Do not edit by hand; reasons for tests that are not ported live in the script (`PENDING`, `NA`).');
  md.push('');
  md.push(`**${totals.passing} of ${totals.total} CPython tests ported and passing**; ${totals.portedNotPassing} ported but not passing (todo/fail);`);
  md.push(`${totals.pending} pending; ${totals.na} n/a. Acceptance set (§4 of python-test-ssl.md): **${accPass} of 40 pass**.`);
  md.push('');
  md.push('| class | tests | ported & passing | ported, not passing | pending | n/a |');
  md.push('|---|---|---|---|---|---|');
  for (const cls of CLASSES) {
    const c = counts[cls];
    md.push(`| ${cls} | ${c.total} | ${c.passing} | ${c.portedNotPassing} | ${c.pending} | ${c.na} |`);
  }
  md.push(`| **total** | ${totals.total} | ${totals.passing} | ${totals.portedNotPassing} | ${totals.pending} | ${totals.na} |`);
  md.push('');
  md.push('Not in scope of this inventory: NetworkedTests (internet).');
  md.push('');
  md.push('## Notes on the port');
  md.push('');
  for (const n of NOTES) md.push(`- ${n}`);
  md.push('');
  md.push('## Tests');
  md.push('');
  md.push('| CPython test (test_ssl.py line) | status | where / why |');
  md.push('|---|---|---|');
  for (const r of rows) md.push(`| ${r.key} (${r.line}) | ${r.status} | ${r.detail.replace(/\|/g, '\\|')} |`);
  md.push('');
  md.push('## Acceptance set (python-test-ssl.md §4)');
  md.push('');
  md.push('| # | status | CPython tests / our tests |');
  md.push('|---|---|---|');
  for (const a of acc) md.push(`| ${a.n} | ${a.status} | ${a.parts.join('<br>').replace(/\|/g, '\\|')} |`);
  md.push('');
  writeFileSync('test/ssl/TEST_SSL_PORT.md', md.join('\n'));
  console.log(`wrote test/ssl/TEST_SSL_PORT.md: ${totals.passing}/${totals.total} passing, acceptance ${accPass}/40`);
}

await main();
