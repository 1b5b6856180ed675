/**
 * `sslsock connect --starttls smtp` against a small SMTP server written
 * here with sslsock's own socket and ssl API: plain-text greeting, EHLO and
 * STARTTLS, then our server side wraps the same socket (RFC 3207).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { tempDir } from '../helpers/openssl.js';
import { ESC, exitCode, killAll, startCli } from './cli-helpers.js';

const TIMEOUT = 60_000;
const SOCKET_TIMEOUT_S = 20;

const opened = new Set<{ close(): void }>();
afterEach(async () => {
  for (const s of opened) s.close();
  opened.clear();
  await killAll();
});

/** One CRLF-terminated line from a plain socket, read byte by byte so nothing meant for TLS is consumed. */
async function readLine(s: socket.socket): Promise<string> {
  let line = '';
  for (;;) {
    const b = await s.recv(1);
    if (b.length === 0) throw new Error(`EOF after ${JSON.stringify(line)}`);
    line += b.toString('latin1');
    if (line.endsWith('\r\n')) return line.slice(0, -2);
  }
}

interface SmtpRun {
  /** What the client said, in order: the plain commands, then what came over TLS. */
  readonly commands: string[];
  readonly tlsVersion: string | null;
}

/** A one-connection SMTP server; `offerStarttls: false` leaves STARTTLS out of the EHLO reply. */
async function smtpServer(ca: CA, offerStarttls: boolean): Promise<{ port: number; run: Promise<SmtpRun> }> {
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ca.issueCert('localhost').configureCert(sctx);
  const listener = await socket.createServer(['127.0.0.1', 0]);
  opened.add(listener);
  listener.settimeout(SOCKET_TIMEOUT_S);
  const run = (async (): Promise<SmtpRun> => {
    const [conn] = await listener.accept();
    opened.add(conn);
    conn.settimeout(SOCKET_TIMEOUT_S);
    const commands: string[] = [];
    const say = (text: string): Promise<void> => conn.sendall(Buffer.from(text, 'latin1'));
    await say('220 mail.test ESMTP ready\r\n');
    commands.push(await readLine(conn));
    await say(`250-mail.test greets you\r\n250-PIPELINING\r\n250${offerStarttls ? '-STARTTLS\r\n250 8BITMIME' : ' 8BITMIME'}\r\n`);
    if (!offerStarttls) return { commands, tlsVersion: null };
    commands.push(await readLine(conn));
    await say('220 2.0.0 Ready to start TLS\r\n');
    const tls = await sctx.wrapSocket(conn, { serverSide: true });
    opened.add(tls);
    commands.push((await tls.recv(100)).toString('latin1').trimEnd());
    await tls.sendall(Buffer.from('221 2.0.0 Bye\r\n'));
    const tlsVersion = tls.version();
    await tls.unwrap();
    tls.close();
    return { commands, tlsVersion };
  })();
  run.catch(() => undefined); // awaited by the test
  return { port: listener.getsockname()[1] as number, run };
}

test('sslsock connect --starttls smtp: greeting, EHLO, STARTTLS in the clear, then TLS on the same socket', { timeout: TIMEOUT }, async () => {
  const { dir, cleanup } = tempDir('sslsock-starttls-');
  try {
    const ca = CA.create();
    const caFile = ca.writeFiles(dir, 'ca').certFile;
    const { port, run } = await smtpServer(ca, true);
    const client = startCli(['connect', '--starttls', 'smtp', '--cafile', caFile, `localhost:${port}`]);
    client.proc.stdin.end('QUIT\r\n');
    const status = await exitCode(client, 30_000);
    assert.equal(status, 0, client.err);
    const server = await run;
    assert.match(server.commands[0]!, /^EHLO \S+$/);
    assert.deepEqual(server.commands.slice(1), ['STARTTLS', 'QUIT']);
    assert.equal(server.tlsVersion, 'TLSv1.3');
    assert.equal(client.out.toString(), '221 2.0.0 Bye\r\n', 'only what came over TLS reaches stdout');
    const err = client.err;
    assert.match(err, /^S: 220 mail\.test ESMTP ready\nC: EHLO \S+\nS: 250-mail\.test greets you\nS: 250-PIPELINING\nS: 250-STARTTLS\nS: 250 8BITMIME\nC: STARTTLS\nS: 220 2\.0\.0 Ready to start TLS\n/);
    assert.match(err, /^ {2}verify +0 \(ok\)$/m);
    assert.ok(!err.includes(ESC));
  } finally {
    cleanup();
  }
});

test('sslsock connect --starttls smtp refuses a server that does not offer STARTTLS (exit 1, one line)', { timeout: TIMEOUT }, async () => {
  const { port, run } = await smtpServer(CA.create(), false);
  const client = startCli(['connect', '--starttls', 'smtp', '--quiet', `localhost:${port}`]);
  client.proc.stdin.end();
  assert.equal(await exitCode(client, 30_000), 1);
  assert.equal(client.err, 'sslsock connect: StarttlsError: the server does not offer STARTTLS\n');
  await run;
});
