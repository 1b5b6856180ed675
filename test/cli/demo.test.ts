/**
 * `sslsock demo` (what `npm run demo` runs): the real loopback contract,
 * the handshake failures with both sides' exceptions (cross-checked against
 * Python's ssl module doing the same thing), the sans-IO flights and the
 * X.509 part — all read back from the CLI's own output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CA } from '../../src/testing/index.js';
import { pythonJson, pythonSkipReason } from '../helpers/openssl.js';

/** The compiled CLI next to this compiled test: build/src/cli/main.js (what `npm run demo` runs from dist/). */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** "A few seconds": the demo must finish (and exit by itself: no handle left open) well within this. */
const DEMO_TIME_LIMIT_MS = 15_000;
const MS_PER_DAY = 86_400_000;
const pythonSkip = pythonSkipReason() ?? false;

function demo(...args: string[]): string {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'demo', ...args], { encoding: 'utf8', timeout: DEMO_TIME_LIMIT_MS });
  assert.equal(r.error, undefined, `demo did not exit by itself within ${DEMO_TIME_LIMIT_MS} ms (${String(r.error)})`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(Date.now() - started < DEMO_TIME_LIMIT_MS);
  return r.stdout;
}

interface ErrorView {
  class: string;
  errno: number | null;
  library: string | null;
  reason: string | null;
  verifyCode?: number | null;
  verifyMessage?: string | null;
  message: string;
}
interface Endpoint {
  version: string | null;
  cipher: [string, string, number] | null;
  alpn: string | null;
  peercert: unknown;
}
interface Report {
  server: { identities: string[]; certPem: string };
  loopback: {
    listening: [string, number];
    acceptedFrom: [string, number];
    client: Endpoint;
    server: Endpoint;
    tls: { sent: number; received: number; echoed: string };
    unwrap: { client: { sameObject: boolean; versionAfter: string | null }; server: { sameObject: boolean; versionAfter: string | null } };
    plain: { sent: number; received: number; echoed: string };
    serverSawEof: boolean;
  };
  failures: { case: string; serverHostname: string; client: ErrorView | null; server: ErrorView | null }[];
  sansio: {
    flights: { call: string; outcome: string; bytesOut: number; recordHeader: string }[];
    clientHelloBytes: number;
    version: string | null;
    cipher: [string, string, number] | null;
    alpn: string | null;
    appData: { plaintext: number; ciphertext: number; received: string };
  };
  x509: {
    validations: { case: string; ok: boolean; verifyCode: number; chain?: string[] }[];
    failures: { case: string; ok: boolean; verifyCode: number; verifyMessage: string }[];
  };
}

let cached: Report | undefined;
const report = (): Report => (cached ??= JSON.parse(demo('--json')) as Report);

const TLS13_CIPHER = /^TLS_(AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_GCM_SHA256)$/;

test('the demo runs the contract over loopback: TLS 1.3, a cipher, ALPN h2 on both sides, the echo byte for byte', () => {
  const l = report().loopback;
  assert.equal(l.listening[0], '127.0.0.1');
  assert.ok(l.listening[1] > 0);
  assert.equal(l.acceptedFrom[0], '127.0.0.1');
  for (const side of [l.client, l.server]) {
    assert.equal(side.version, 'TLSv1.3');
    assert.match(side.cipher![0], TLS13_CIPHER);
    assert.deepEqual(side.cipher!.slice(1), ['TLSv1.3', side.cipher![0].includes('128') ? 128 : 256]);
    assert.equal(side.alpn, 'h2');
  }
  assert.deepEqual(l.client.cipher, l.server.cipher);
  assert.equal(l.server.peercert, null, 'no client certificate requested: the server getpeercert() is None');
  assert.deepEqual(l.tls, { sent: 35, received: 35, echoed: 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' });
});

test('the demo unwraps both sides (close_notify both ways) and then echoes in plain text; close() reaches the server as EOF', () => {
  const l = report().loopback;
  assert.deepEqual(l.unwrap, { client: { sameObject: true, versionAfter: null }, server: { sameObject: true, versionAfter: null } });
  assert.deepEqual(l.plain, { sent: 40, received: 40, echoed: 'ENDTLS: this line travels in the clear\r\n' });
  assert.equal(l.serverSawEof, true);
});

test("the demo's getpeercert() over the connection is exactly what Python's ssl module decodes from the same certificate", { skip: pythonSkip }, () => {
  const r = report();
  const python = pythonJson<Record<string, unknown>>(
    `
import json, ssl, sys, tempfile
pem = json.load(sys.stdin)
with tempfile.NamedTemporaryFile('w', suffix='.pem') as f:
    f.write(pem); f.flush()
    print(json.dumps(ssl._ssl._test_decode_cert(f.name)))
`,
    r.server.certPem,
  );
  assert.deepEqual(r.loopback.client.peercert, python);
  assert.deepEqual(r.server.identities, ['localhost', '127.0.0.1']);
});

test('the demo fails the wrong host name (62), an untrusted CA (20) and an expired certificate (10), on both sides', () => {
  const f = report().failures;
  assert.deepEqual(
    f.map((c) => [c.client?.class, c.client?.errno, c.client?.library, c.client?.reason, c.client?.verifyCode, c.client?.verifyMessage, c.client?.message]),
    [
      [
        'SSLCertVerificationError', 1, 'SSL', 'CERTIFICATE_VERIFY_FAILED', 62, "Hostname mismatch, certificate is not valid for 'example.com'.",
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'example.com'.",
      ],
      ['SSLCertVerificationError', 1, 'SSL', 'CERTIFICATE_VERIFY_FAILED', 20, 'unable to get local issuer certificate', '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate'],
      ['SSLCertVerificationError', 1, 'SSL', 'CERTIFICATE_VERIFY_FAILED', 10, 'certificate has expired', '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired'],
    ],
  );
  assert.deepEqual(
    f.map((c) => [c.server?.class, c.server?.reason, c.server?.message]),
    [
      ['SSLError', 'SSLV3_ALERT_BAD_CERTIFICATE', '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate'],
      ['SSLError', 'TLSV1_ALERT_UNKNOWN_CA', '[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca'],
      ['SSLError', 'SSLV3_ALERT_CERTIFICATE_EXPIRED', '[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired'],
    ],
  );
});

test("the demo's failure texts are what Python's ssl module raises on both sides for the same three handshakes", { skip: pythonSkip }, () => {
  const ca = CA.create();
  const now = Date.now();
  const cases = [
    { chain: ca.issueCert('localhost').privateKeyAndCertChainPem, host: 'example.com' },
    { chain: CA.create().issueCert('localhost').privateKeyAndCertChainPem, host: 'localhost' },
    { chain: ca.issueCert('localhost', { notBefore: new Date(now - 30 * MS_PER_DAY), notAfter: new Date(now - MS_PER_DAY) }).privateKeyAndCertChainPem, host: 'localhost' },
  ];
  const python = pythonJson<[string[], string[]][]>(
    `
import json, re, socket, ssl, sys, tempfile, threading
spec = json.load(sys.stdin)
def view(e):
    out = [type(e).__name__, re.sub(r' \\(_ssl\\.c:\\d+\\)$', '', str(e))]
    if isinstance(e, ssl.SSLCertVerificationError): out += [e.verify_code, e.verify_message]
    return out
results = []
for case in spec['cases']:
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.NamedTemporaryFile('w', suffix='.pem') as f:
        f.write(case['chain']); f.flush(); sctx.load_cert_chain(f.name)
    sctx.set_alpn_protocols(['h2', 'http/1.1'])
    ls = sctx.wrap_socket(socket.create_server(('127.0.0.1', 0)), server_side=True)
    ls.settimeout(10)
    server = []
    def serve():
        try: ls.accept()[0].close(); server.append(None)
        except Exception as e: server.append(view(e))
    t = threading.Thread(target=serve); t.start()
    ctx = ssl.create_default_context(); ctx.load_verify_locations(cadata=spec['ca'])
    ctx.set_alpn_protocols(['h2', 'http/1.1'])
    raw = socket.create_connection(ls.getsockname(), 10)
    try: ctx.wrap_socket(raw, server_hostname=case['host']).close(); client = None
    except Exception as e: client = view(e)
    raw.close(); t.join(); ls.close()
    results.append([client, server[0]])
print(json.dumps(results))
`,
    { ca: ca.certPem, cases },
  );
  const ours = report().failures.map((c) => [
    [c.client!.class, c.client!.message, c.client!.verifyCode, c.client!.verifyMessage],
    [c.server!.class, c.server!.message],
  ]);
  assert.deepEqual(ours, python);
  assert.deepEqual(
    report().failures.map((c) => c.serverHostname),
    cases.map((c) => c.host),
  );
});

test('the sans-IO section: doHandshake raises SSLWantReadError with the ClientHello in outgoing, then completes and carries data', () => {
  const s = report().sansio;
  assert.deepEqual(
    s.flights.map((f) => [f.call, f.outcome]),
    [
      ['client.doHandshake()', 'SSLWantReadError'],
      ['server.doHandshake()', 'SSLWantReadError'],
      ['client.doHandshake()', 'done'],
      ['server.doHandshake()', 'done'],
      ['client.write(28 bytes)', 'done'],
    ],
  );
  const [clientHello] = s.flights;
  assert.equal(s.clientHelloBytes, clientHello!.bytesOut);
  // RFC 8446 §5.1: a handshake record with legacy_record_version 0x0301 whose length covers the rest.
  assert.equal(clientHello!.recordHeader.slice(0, 8), '16 03 01');
  assert.equal(parseInt(clientHello!.recordHeader.slice(9).replace(' ', ''), 16), s.clientHelloBytes - 5);
  assert.equal(s.flights[2]!.recordHeader.slice(0, 8), '14 03 03', 'the client Finished flight opens with the middlebox-compatibility ChangeCipherSpec');
  assert.equal(s.version, 'TLSv1.3');
  assert.match(s.cipher![0], TLS13_CIPHER);
  assert.equal(s.alpn, 'h2');
  assert.deepEqual(s.appData.received, 'hello through two MemoryBIOs');
  assert.equal(s.appData.plaintext, 28);
  // TLS 1.3 record: 5-byte header + plaintext + 1 content-type byte + 16-byte AEAD tag (RFC 8446 §5.2).
  assert.equal(s.appData.ciphertext, 28 + 5 + 1 + 16);
});

test('the X.509 part validates localhost and 127.0.0.1 through the chain and shows each failure code', () => {
  const x = report().x509;
  assert.deepEqual(
    x.validations.map((v) => [v.case, v.ok, v.verifyCode, v.chain]),
    [
      ['localhost', true, 0, ['localhost', 'sslsock demo intermediate', 'sslsock demo root']],
      ['127.0.0.1', true, 0, ['localhost', 'sslsock demo intermediate', 'sslsock demo root']],
    ],
  );
  assert.ok(x.failures.every((f) => !f.ok));
  assert.deepEqual(
    x.failures.map((f) => [f.case, f.verifyCode, f.verifyMessage]),
    [
      ["host name 'example.com'", 62, "Hostname mismatch, certificate is not valid for 'example.com'."],
      ['IP address 127.0.0.2', 64, "IP address mismatch, certificate is not valid for '127.0.0.2'."],
      ['expired certificate', 10, 'certificate has expired'],
      ['certificate not yet valid', 9, 'certificate is not yet valid'],
      ['issuer not trusted', 20, 'unable to get local issuer certificate'],
      ['intermediate not sent', 20, 'unable to get local issuer certificate'],
      ['revoked (VERIFY_CRL_CHECK_LEAF)', 23, 'certificate revoked'],
      ['client-only certificate on a server', 26, 'unsuitable certificate purpose'],
    ],
  );
});

test('the text demo prints what a Python user looks at: version, cipher, ALPN, echo counts, unwrap, the failures', () => {
  const text = demo();
  assert.match(text, /^2\. The contract on loopback/m);
  assert.match(text, /^ {3}s\.version\(\) +"TLSv1\.3"$/m);
  assert.match(text, /^ {3}s\.cipher\(\) +\["TLS_\w+","TLSv1\.3",(128|256)\]$/m);
  assert.match(text, /^ {3}s\.selectedAlpnProtocol\(\) +"h2"$/m);
  assert.match(text, /"subjectAltName": \[\["DNS","localhost"\],\["IP Address","127\.0\.0\.1"\]\]/);
  assert.match(text, /35 bytes echoed by the server: b'GET \/ HTTP\/1\.0\\r\\nHost: localhost\\r\\n\\r\\n'/);
  assert.match(text, /await s\.unwrap\(\) +close_notify both ways; returned s itself, s\.version\(\) now null/);
  assert.match(text, /40 bytes echoed in the clear: b'ENDTLS: this line travels in the clear\\r\\n'/);
  assert.match(text, /server's recv\(\) then returned b'' \(EOF\)/);
  assert.match(text, /client {2}SSLCertVerificationError {2}verify_code 62 {2}verify_message "Hostname mismatch, certificate is not valid for 'example\.com'\."/);
  assert.match(text, /verify_code 20 {2}verify_message "unable to get local issuer certificate"/);
  assert.match(text, /verify_code 10 {2}verify_message "certificate has expired"/);
  assert.match(text, /str\(e\): \[SSL: SSLV3_ALERT_BAD_CERTIFICATE\] sslv3 alert bad certificate/);
  assert.match(text, /client\.doHandshake\(\) +SSLWantReadError +outgoing\.read\(\) -> +\d+ bytes {2}first record header 16 03 01/);
  assert.match(text, /FAIL expired certificate +10 {2}certificate has expired/);
  assert.doesNotMatch(text, /unexpected/);
});
