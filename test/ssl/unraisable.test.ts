/**
 * Exceptions in user callbacks go where Python sends them: CPython's `_ssl`
 * calls PyErr_WriteUnraisable (sys.unraisablehook) and fails the handshake
 * with an alert. Here: the hook set with ssl.setUnraisableHook, else
 * process.emitWarning; nothing reaches the event loop. The alerts are checked
 * against python3 on this machine, both roles, TLS 1.3 and 1.2.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { havePeer } from '../helpers/peer-check.js';

const ca = CA.create();
const leaf = ca.issueCert('localhost', '127.0.0.1');
const dir = mkdtempSync(join(tmpdir(), 'sslsock-unraisable-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const HAVE_PYTHON = havePeer('python3', ['-c', 'import ssl']);

type Version = 'TLSv1_3' | 'TLSv1_2';

function serverContext(version: Version = 'TLSv1_3'): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  leaf.configureCert(ctx);
  ctx.maximumVersion = ssl.TLSVersion[version];
  return ctx;
}

function clientContext(): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(ctx);
  return ctx;
}

/** Records the unraisable hook's calls, the process warnings and anything that escapes to the event loop while `fn` runs. */
async function watching<T>(
  hook: ssl.UnraisableHook | 'record' | 'default',
  fn: () => Promise<T>,
): Promise<{ result: T; hooked: ssl.UnraisableHookArgs[]; warnings: Error[]; escaped: unknown[] }> {
  const hooked: ssl.UnraisableHookArgs[] = [];
  const warnings: Error[] = [];
  const escaped: unknown[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  const onEscape = (e: unknown): void => void escaped.push(e);
  process.on('warning', onWarning);
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
  if (hook === 'record') ssl.setUnraisableHook((u) => hooked.push(u));
  else if (hook !== 'default') ssl.setUnraisableHook(hook);
  try {
    const result = await fn();
    // Let late rejections and warnings (emitted on the next tick) arrive.
    await new Promise((r) => setTimeout(r, 50));
    return { result, hooked, warnings, escaped };
  } finally {
    ssl.setUnraisableHook(null);
    process.off('warning', onWarning);
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  }
}

/** One handshake over loopback between our client and our server (accept in parallel); returns both outcomes. */
async function handshakeOverTcp(cctx: ssl.SSLContext, sctx: ssl.SSLContext): Promise<{ client: unknown; server: unknown }> {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const ls = await sctx.wrapSocket(listener, { serverSide: true });
  try {
    const port = (ls.getsockname() as [string, number])[1];
    const serverSide = ls.accept().then(
      ([conn]) => {
        conn.close();
        return null;
      },
      (e: unknown) => e,
    );
    const raw = await socket.createConnection(['127.0.0.1', port]);
    const client = await cctx.wrapSocket(raw, { serverHostname: 'localhost' }).then(
      (s) => {
        s.close();
        return null;
      },
      (e: unknown) => {
        raw.close();
        return e;
      },
    );
    return { client, server: await serverSide };
  } finally {
    ls.close();
  }
}

for (const version of ['TLSv1_3', 'TLSv1_2'] as const) {
  test(`${version}: SSLSocket server, sniCallback throws: hook gets it, client handshake_failure, server CALLBACK_FAILED, nothing escapes`, async () => {
    const sctx = serverContext(version);
    const boom = new RangeError('boom');
    const cb = (): never => {
      throw boom;
    };
    sctx.sniCallback = cb;
    const r = await watching('record', () => handshakeOverTcp(clientContext(), sctx));
    assert.equal((r.result.client as ssl.SSLError).reason, 'SSLV3_ALERT_HANDSHAKE_FAILURE');
    assert.equal((r.result.server as ssl.SSLError).message, '[SSL: CALLBACK_FAILED] callback failed');
    assert.equal(r.hooked.length, 1);
    assert.equal(r.hooked[0]!.excValue, boom);
    assert.equal(r.hooked[0]!.excType, RangeError);
    assert.equal(r.hooked[0]!.object, cb);
    assert.deepEqual(r.escaped, []);
    assert.deepEqual(r.warnings, []);
  });
}

test('without a hook the exception becomes a process warning (Python prints "Exception ignored in: <function cb>")', async () => {
  const sctx = serverContext();
  sctx.sniCallback = function sniCb(): never {
    throw new Error('kaboom');
  };
  const r = await watching('default', () => handshakeOverTcp(clientContext(), sctx));
  assert.equal((r.result.client as ssl.SSLError).reason, 'SSLV3_ALERT_HANDSHAKE_FAILURE');
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]!.name, 'UnraisableWarning');
  assert.equal(r.warnings[0]!.message, 'Exception ignored in: <function sniCb>: Error: kaboom');
  assert.deepEqual(r.escaped, []);
});

test('a hook that throws is reported by the default hook, with the original exception; the handshake still fails cleanly', async () => {
  const sctx = serverContext();
  sctx.sniCallback = () => {
    throw new Error('first');
  };
  const r = await watching(
    () => {
      throw new Error('hook broke');
    },
    () => handshakeOverTcp(clientContext(), sctx),
  );
  assert.equal((r.result.server as ssl.SSLError).reason, 'CALLBACK_FAILED');
  assert.deepEqual(
    r.warnings.map((w) => w.message.replace(/: <function (?:<anonymous>|\w+)>/, '')),
    ['Exception ignored in sys.unraisablehook: Error: hook broke', 'Exception ignored in: Error: first'],
  );
  assert.deepEqual(r.escaped, []);
});

test('an async sniCallback (a promise is not an integer): internal_error alert, TypeError and the later rejection both go to the hook', async () => {
  const sctx = serverContext();
  const late = new Error('async boom');
  sctx.sniCallback = async () => {
    await new Promise((res) => setTimeout(res, 5));
    throw late;
  };
  const r = await watching('record', () => handshakeOverTcp(clientContext(), sctx));
  assert.equal((r.result.client as ssl.SSLError).reason, 'TLSV1_ALERT_INTERNAL_ERROR');
  assert.equal(r.hooked.length, 2);
  assert.equal((r.hooked[0]!.excValue as Error).message, "'Promise' object cannot be interpreted as an integer");
  assert.equal(r.hooked[1]!.excValue, late);
  assert.deepEqual(r.escaped, []);
});

test('keylog file that cannot be written (/dev/full): the handshake completes as with OpenSSL, the write error goes to the hook', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  const cctx = clientContext();
  cctx.keylogFilename = '/dev/full';
  const r = await watching('record', () => handshakeOverTcp(cctx, serverContext()));
  assert.equal(r.result.client, null);
  assert.equal(r.result.server, null);
  assert.ok(r.hooked.length > 0);
  assert.equal((r.hooked[0]!.excValue as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.equal(r.hooked[0]!.object, '/dev/full');
  assert.equal(r.hooked[0]!.errMsg, 'Exception ignored while writing the TLS key log');
});

test('setUnraisableHook refuses a non-callable', () => {
  assert.throws(() => ssl.setUnraisableHook('x' as never), { name: 'TypeError', message: 'not a callable object' });
  assert.equal(ssl.getUnraisableHook(), null);
});

// ---- against python3: the same alerts on the wire, both roles ------------------

const PY = String.raw`
import json, socket, ssl, sys, threading
cfg = json.loads(sys.argv[1])
hooked = []
sys.unraisablehook = lambda u: hooked.append([u.exc_type.__name__, str(u.exc_value)])
ver = getattr(ssl.TLSVersion, cfg['version'])
def reason(e):
    return getattr(e, 'reason', None) or type(e).__name__
if cfg['role'] == 'server':
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cfg['cert'], cfg['key'])
    ctx.maximum_version = ver
    def cb(obj, name, c):
        if cfg['mode'] == 'raise':
            raise ZeroDivisionError('division by zero')
        return 'foo'
    ctx.sni_callback = cb
    l = socket.create_server(('127.0.0.1', 0))
    print(l.getsockname()[1], flush=True)
    c, _ = l.accept()
    try:
        ctx.wrap_socket(c, server_side=True)
        out = None
    except ssl.SSLError as e:
        out = reason(e)
    c.close()
    print(json.dumps({'server': out, 'hooked': hooked}), flush=True)
else:
    ctx = ssl.create_default_context(cafile=cfg['ca'])
    ctx.maximum_version = ver
    try:
        ctx.wrap_socket(socket.create_connection(('127.0.0.1', cfg['port'])), server_hostname='localhost')
        out = None
    except (ssl.SSLError, OSError) as e:
        out = reason(e)
    print(json.dumps({'client': out}), flush=True)
`;

function runPython(config: object): { lines: AsyncIterableIterator<string>; done: Promise<void> } {
  const proc = spawn('python3', ['-c', PY, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  proc.stdout.setEncoding('utf8');
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  let buf = '';
  proc.stdout.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    wake?.();
  });
  const done = new Promise<void>((r) =>
    proc.on('close', () => {
      closed = true;
      wake?.();
      r();
    }),
  );
  const timer = setTimeout(() => proc.kill(), 30_000);
  void done.then(() => clearTimeout(timer));
  async function* lines(): AsyncIterableIterator<string> {
    for (;;) {
      if (queue.length > 0) yield queue.shift()!;
      else if (closed) return;
      else await new Promise<void>((r) => (wake = r));
    }
  }
  return { lines: lines(), done };
}

const files = leaf.writeFiles(dir, 'leaf');
const caFile = ca.writeFiles(dir, 'ca').certFile;

for (const version of ['TLSv1_3', 'TLSv1_2'] as const) {
  for (const [mode, clientReason, pyHook] of [
    ['raise', 'SSLV3_ALERT_HANDSHAKE_FAILURE', ['ZeroDivisionError', 'division by zero']],
    ['foo', 'TLSV1_ALERT_INTERNAL_ERROR', ['TypeError', "'str' object cannot be interpreted as an integer"]],
  ] as const) {
    test(`${version}: SNI callback ${mode === 'raise' ? 'raising' : "returning 'foo'"} — our client vs Python's server and Python's client vs ours see the same alert`, { skip: HAVE_PYTHON ? false : 'python3 not installed' }, async () => {
      // Python server, our client.
      const py = runPython({ role: 'server', version, mode, cert: files.certFile, key: files.keyFile });
      const port = Number((await py.lines.next()).value);
      const cctx = clientContext();
      let ours: unknown = null;
      const raw = await socket.createConnection(['127.0.0.1', port]);
      await cctx.wrapSocket(raw, { serverHostname: 'localhost' }).then(
        (s) => s.close(),
        (e: unknown) => {
          ours = e;
          raw.close();
        },
      );
      const pyServer = JSON.parse((await py.lines.next()).value as string) as { server: string; hooked: string[][] };
      await py.done;
      assert.equal((ours as ssl.SSLError).reason, clientReason);
      assert.equal(pyServer.server, 'CALLBACK_FAILED');
      assert.deepEqual(pyServer.hooked, [pyHook]);

      // Our server, Python's client.
      const sctx = serverContext(version);
      sctx.sniCallback = mode === 'raise' ? () => {
        throw new Error('division by zero');
      } : () => 'foo';
      const listener = await socket.createServer(['127.0.0.1', 0]);
      const ls = await sctx.wrapSocket(listener, { serverSide: true });
      try {
        const r = await watching('record', async () => {
          const accepted = ls.accept().then(
            () => null,
            (e: unknown) => e,
          );
          const client = runPython({ role: 'client', version, ca: caFile, port: (ls.getsockname() as [string, number])[1] });
          const line = JSON.parse((await client.lines.next()).value as string) as { client: string };
          await client.done;
          return { py: line.client, server: await accepted };
        });
        assert.equal(r.result.py, clientReason);
        assert.equal((r.result.server as ssl.SSLError).reason, 'CALLBACK_FAILED');
        assert.equal(r.hooked.length, 1);
      } finally {
        ls.close();
      }
    });
  }
}

test('the key log fixture file stays readable (sanity: a writable keylog still works with the hook installed)', async () => {
  const path = join(dir, 'keylog.txt');
  const cctx = clientContext();
  cctx.keylogFilename = path;
  const r = await watching('record', () => handshakeOverTcp(cctx, serverContext()));
  assert.equal(r.result.client, null);
  assert.deepEqual(r.hooked, []);
  assert.match(readFileSync(path, 'utf8'), /CLIENT_HANDSHAKE_TRAFFIC_SECRET /);
});
