/**
 * SSLSocket against `openssl s_client`: a KeyUpdate with update_requested
 * (s_client's "K" command) must be answered by our server from inside its
 * pending recv — a read that must write — before we write anything
 * ourselves; data then flows both ways under the new keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { SIGNING_CA, certdataSkip, testingContext } from './echo-server-fixtures.js';
import { havePeer } from '../helpers/peer-check.js';

const HAVE_OPENSSL = havePeer('openssl');
const skip = certdataSkip || (HAVE_OPENSSL ? false : 'openssl not installed');

test('a KeyUpdate(update_requested) from openssl s_client is answered during our recv', { skip }, async () => {
  const [, serverContext] = testingContext();
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const port = listener.getsockname()[1] as number;
  const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', SIGNING_CA, '-servername', 'localhost', '-msg'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.setEncoding('latin1').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('latin1').on('data', (d: string) => (out += d));
  const closed = new Promise((r) => proc.on('close', r));
  const waitOut = async (re: RegExp): Promise<boolean> => {
    const end = Date.now() + 10_000;
    while (!re.test(out)) {
      if (Date.now() > end || proc.exitCode !== null) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  };
  try {
    const [conn] = await listener.accept();
    const s = (await serverContext.wrapSocket(conn, { serverSide: true })) as ssl.SSLSocket;
    try {
      assert.ok(await waitOut(/Verification: OK|Verify return code: 0/), out);
      const pending = s.recv(100);
      proc.stdin.write('K\n');
      assert.ok(await waitOut(/>>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate/), 's_client sent no KeyUpdate');
      // Our answer comes from the pending recv alone: we have written nothing yet.
      assert.ok(await waitOut(/<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/), `no KeyUpdate answer:\n${out}`);
      proc.stdin.write('hello\n');
      assert.deepEqual(await pending, Buffer.from('hello\n'));
      await s.sendall(Buffer.from('WORLD\n'));
      assert.ok(await waitOut(/^WORLD$/m), out);
    } finally {
      s.close();
    }
  } finally {
    proc.stdin.end();
    await closed;
    listener.close();
  }
});
