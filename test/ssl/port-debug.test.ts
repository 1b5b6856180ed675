/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class TestSSLDebug: the key log
 * (keylog_filename, SSLKEYLOGFILE). The _msg_callback tests are not ported
 * (a private OpenSSL debug hook; see TEST_SSL_PORT.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { certdataSkip, testingContext } from './port-fixtures.js';

const skip = certdataSkip;

/** os_helper.TESTFN in a directory of its own, removed afterwards. */
function withTestfn(body: (testfn: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-debug-'));
  return (async () => {
    try {
      await body(join(dir, '@test_keylog_tmp'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
}

function keylogLines(fname: string): number {
  return readFileSync(fname, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '').length;
}

async function connectOnce(clientContext: ssl.SSLContext, serverContext: ssl.SSLContext, hostname: string): Promise<void> {
  const server = await EchoServer.start({ context: serverContext });
  try {
    const s = (await clientContext.wrapSocket(new socket.socket(), { serverHostname: hostname })) as ssl.SSLSocket;
    try {
      await s.connect(server.address);
    } finally {
      s.close();
    }
  } finally {
    await server.stop();
  }
}

test('TestSSLDebug.test_keylog_defaults', () =>
  withTestfn((TESTFN) => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.equal(ctx.keylogFilename, null);

    assert.equal(existsSync(TESTFN), false);
    ctx.keylogFilename = TESTFN;
    assert.equal(ctx.keylogFilename, TESTFN);
    assert.equal(existsSync(TESTFN), true);
    assert.equal(keylogLines(TESTFN), 1);

    ctx.keylogFilename = null;
    assert.equal(ctx.keylogFilename, null);

    assert.throws(
      () => (ctx.keylogFilename = dirname(resolve(TESTFN))),
      (e: unknown) => e instanceof Error && (e.name === 'IsADirectoryError' || e.name === 'PermissionError'),
    );

    assert.throws(() => (ctx.keylogFilename = 1 as unknown as string), TypeError);
  }));

test('TestSSLDebug.test_keylog_filename', { skip }, () =>
  withTestfn(async (TESTFN) => {
    const [clientContext, serverContext, hostname] = testingContext();

    clientContext.keylogFilename = TESTFN;
    await connectOnce(clientContext, serverContext, hostname);
    // header, 5 lines for TLS 1.3
    assert.equal(keylogLines(TESTFN), 6);

    clientContext.keylogFilename = null;
    serverContext.keylogFilename = TESTFN;
    await connectOnce(clientContext, serverContext, hostname);
    assert.ok(keylogLines(TESTFN) >= 11);

    clientContext.keylogFilename = TESTFN;
    serverContext.keylogFilename = TESTFN;
    await connectOnce(clientContext, serverContext, hostname);
    assert.ok(keylogLines(TESTFN) >= 21);

    clientContext.keylogFilename = null;
    serverContext.keylogFilename = null;
  }));

test('TestSSLDebug.test_keylog_env', () =>
  withTestfn((TESTFN) => {
    const saved = process.env.SSLKEYLOGFILE;
    try {
      process.env.SSLKEYLOGFILE = TESTFN;
      assert.equal(process.env.SSLKEYLOGFILE, TESTFN);

      let ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      assert.equal(ctx.keylogFilename, null);

      ctx = ssl.createDefaultContext();
      assert.equal(ctx.keylogFilename, TESTFN);

      ctx = ssl._createStdlibContext();
      assert.equal(ctx.keylogFilename, TESTFN);
    } finally {
      if (saved === undefined) delete process.env.SSLKEYLOGFILE;
      else process.env.SSLKEYLOGFILE = saved;
    }
  }));
