/**
 * SSLSocketDuplex.ref()/unref() act on the node:net socket underneath, as
 * net.Socket's do: a process whose only handle is an unref'd, idle TLS
 * connection (a read pending) exits by itself; ref() (the default, or after
 * unref()) keeps it running. Each case runs in a child process
 * (streams-ref-child.ts) against a node:tls server here that never answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { listen, nodeCa, nodeServerOptions } from './streams-fixtures.js';

const CHILD = fileURLToPath(new URL('./streams-ref-child.js', import.meta.url));
/** Generous: the machine running the tests may be loaded (a failure bound, not a timing). */
const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 60_000;
/** How long a ref'd child must stay up with its connection idle. */
const STAYS_UP_MS = 2_000;

interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

async function startChild(port: number, mode: string): Promise<Child> {
  const proc = spawn(process.execPath, [CHILD, String(port), mode], { env: { ...process.env, SSLSOCK_TEST_CA: nodeCa }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!out.includes('ready\n')) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      await exited;
      assert.fail(`the child did not get ready (${mode}): ${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { proc, output: () => out, exited };
}

async function withServer(fn: (port: number, connections: Socket[]) => Promise<void>): Promise<void> {
  const connections: Socket[] = [];
  const server = tls.createServer(nodeServerOptions, (c) => {
    c.on('error', () => {});
    connections.push(c);
  });
  const port = await listen(server);
  try {
    await fn(port, connections);
  } finally {
    for (const c of connections) c.destroy();
    server.close();
  }
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((r) => setTimeout(() => r('timeout'), ms).unref());
}

test('an unref()d idle SSLSocketDuplex lets the process exit while the connection is still open', { timeout: 180_000 }, async () => {
  await withServer(async (port, connections) => {
    const child = await startChild(port, 'unref');
    const result = await Promise.race([child.exited, timeout(EXIT_TIMEOUT_MS)]);
    if (result === 'timeout') {
      child.proc.kill();
      await child.exited;
      assert.fail(`the unref()d child kept running: ${child.output()}`);
    }
    assert.deepEqual(result, [0, null], child.output());
    assert.equal(connections.length, 1, 'the server saw the connection');
  });
});

for (const mode of ['ref', 'unref-ref']) {
  test(`a ${mode === 'ref' ? 'ref()d (the default)' : 'ref()d again after unref()'} idle SSLSocketDuplex keeps the process running`, { timeout: 180_000 }, async () => {
    await withServer(async (port) => {
      const child = await startChild(port, mode);
      try {
        const result = await Promise.race([child.exited, timeout(STAYS_UP_MS)]);
        assert.equal(result, 'timeout', `the child exited on its own: ${child.output()}`);
      } finally {
        child.proc.kill();
        await child.exited;
      }
    });
  });
}
