/**
 * Colour and progress only for a person at a terminal: the built binary on
 * a pseudo-terminal (Python's pty module) shows SGR colours and the
 * handshake spinner; with NO_COLOR, or piped (every other CLI test), none.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pythonSkipReason, runPython, tempDir } from '../helpers/openssl.js';
import { CLI, ESC, exitCode, killAll, startServe } from './cli-helpers.js';

const skip = pythonSkipReason() ?? false;
const TIMEOUT = 60_000;

afterEach(killAll);

interface TerminalRun {
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** Typed at the terminal once the program runs. */
  readonly input?: string;
  /** Fetch one page with Python's ssl once the program prints `listening on HOST:PORT` (for serve). */
  readonly fetchWhenListening?: boolean;
}

/** Runs `sslsock ARGS` on a pseudo-terminal until it exits; returns everything the terminal showed. */
function onTerminal(run: TerminalRun): string {
  const script = `
import json, os, pty, re, socket, ssl, sys
spec = json.loads(sys.stdin.read())
env = {k: v for k, v in os.environ.items() if k != 'NO_COLOR'}
env.update(spec['env'])
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(spec['argv'][0], spec['argv'], env)
buf = b''
if spec.get('input'):
    os.write(fd, spec['input'].encode())
if spec.get('fetchWhenListening'):
    while not re.search(rb'listening on [^ ]+:\\d+', buf):
        buf += os.read(fd, 4096)
    port = int(re.search(rb'listening on [^ ]+:(\\d+)', buf).group(1).split(b':')[-1])
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    with ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), 20)) as t:
        t.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')
        while t.recv(4096): pass
while True:
    try: chunk = os.read(fd, 4096)
    except OSError: break
    if not chunk: break
    buf += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({'out': buf.decode('utf-8', 'replace'), 'status': os.waitstatus_to_exitcode(status)}))
`;
  const spec = { argv: [process.execPath, CLI, ...run.args], env: run.env, input: run.input ?? null, fetchWhenListening: run.fetchWhenListening ?? false };
  const r = runPython(script, JSON.stringify(spec));
  assert.equal(r.status, 0, r.stderr);
  const { out, status } = JSON.parse(r.stdout) as { out: string; status: number };
  assert.equal(status, 0, out);
  return out;
}

test('on a terminal sslsock serve uses colour; NO_COLOR turns it off', { skip, timeout: TIMEOUT }, () => {
  const serve = ['serve', '--www', '--port', '0', '--naccept', '1'];
  const coloured = onTerminal({ args: serve, env: {}, fetchWhenListening: true });
  assert.match(coloured, /\x1b\[1mlistening on 127\.0\.0\.1:\d+ \(www mode; Ctrl-C stops\)\x1b\[0m/);
  assert.match(coloured, /\x1b\[36m\[1\]\x1b\[0m 127\.0\.0\.1:\d+ TLSv1\.3/);
  const plain = onTerminal({ args: serve, env: { NO_COLOR: '1' }, fetchWhenListening: true });
  assert.match(plain, /listening on 127\.0\.0\.1:\d+ \(www mode; Ctrl-C stops\)/);
  assert.ok(!plain.includes(ESC), JSON.stringify(plain));
});

test('on a terminal sslsock connect shows a spinner while it connects and colours the summary; NO_COLOR: neither', { skip, timeout: TIMEOUT }, async () => {
  const { dir, cleanup } = tempDir('sslsock-tty-');
  try {
    const caFile = join(dir, 'ca.pem');
    const { peer, port } = await startServe(['--www', '--naccept', '2', '--ca-out', caFile]);
    const connect = ['connect', '--cafile', caFile, `localhost:${port}`];
    // The terminal turns the typed CR into LF (ICRNL): the server sees "GET / HTTP/1.0\n\n", which it accepts.
    const coloured = onTerminal({ args: connect, env: {}, input: 'GET / HTTP/1.0\r\r' });
    assert.match(coloured, /\r\x1b\[2K⠋ connecting to localhost:\d+…/, 'spinner frame while connecting');
    assert.match(coloured, /\r\x1b\[2K\x1b\[1mconnected to localhost:\d+\x1b\[0m/, 'the spinner line is cleared, then the summary');
    assert.match(coloured, /verify +\x1b\[32m0 \(ok\)\x1b\[0m/);
    assert.match(coloured, /HTTP\/1\.0 200 OK/);
    const plain = onTerminal({ args: connect, env: { NO_COLOR: '1' }, input: 'GET / HTTP/1.0\r\r' });
    assert.match(plain, /connected to localhost:\d+/);
    assert.match(plain, /HTTP\/1\.0 200 OK/);
    assert.ok(!plain.includes(ESC), JSON.stringify(plain));
    assert.equal(await exitCode(peer), 0);
  } finally {
    cleanup();
  }
});
