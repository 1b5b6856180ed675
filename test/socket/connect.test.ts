import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as socket from '../../src/socket/index.js';
import { connectedPair, hasIPv6Loopback, runPython } from './helpers.js';

test('IPv4 connect, accept and echo with address shapes [host, port]', async () => {
  const p = await connectedPair(socket.AF_INET);
  try {
    const [lhost, lport] = p.listener.getsockname();
    assert.equal(lhost, '127.0.0.1');
    assert.ok(lport > 0);
    assert.deepEqual(p.client.getpeername(), ['127.0.0.1', lport]);
    assert.deepEqual(p.server.getpeername(), p.client.getsockname());
    assert.equal(p.client.getsockname().length, 2);
    await p.client.sendall(Buffer.from('ping'));
    assert.equal((await p.server.recv(10)).toString(), 'ping');
    assert.equal(await p.server.send(Buffer.from('pong')), 4);
    assert.equal((await p.client.recv(10)).toString(), 'pong');
  } finally {
    p.close();
  }
});

test('IPv6 connect, accept and echo with address shapes [host, port, flowinfo, scopeid]', { skip: !hasIPv6Loopback && 'no ::1 on this machine' }, async () => {
  const p = await connectedPair(socket.AF_INET6);
  try {
    const name = p.listener.getsockname();
    assert.equal(name.length, 4);
    assert.equal(name[0], '::1');
    assert.deepEqual(p.client.getpeername(), ['::1', name[1], 0, 0]);
    assert.equal(p.server.family, socket.AF_INET6);
    await p.client.sendall(Buffer.from('six'));
    assert.equal((await p.server.recv(10)).toString(), 'six');
  } finally {
    p.close();
  }
});

test('an unbound socket reports the any-address; bind to port 0 reports the chosen port at once', () => {
  const s = new socket.socket();
  try {
    assert.deepEqual(s.getsockname(), ['0.0.0.0', 0]);
    s.bind(['127.0.0.1', 0]);
    const [host, port] = s.getsockname();
    assert.equal(host, '127.0.0.1');
    assert.ok(port > 1023);
    assert.throws(() => s.getpeername(), { name: 'OSError', errno: 107, message: '[Errno 107] Transport endpoint is not connected' });
  } finally {
    s.close();
  }
});

test('connecting to a closed port rejects with ConnectionRefusedError [Errno 111]', async () => {
  const probe = new socket.socket();
  probe.bind(['127.0.0.1', 0]);
  const port = probe.getsockname()[1];
  probe.close();
  const s = new socket.socket();
  try {
    await assert.rejects(s.connect(['127.0.0.1', port]), (e: unknown) => {
      assert.ok(e instanceof socket.ConnectionRefusedError);
      assert.equal(e.errno, 111);
      assert.equal(e.message, '[Errno 111] Connection refused');
      return true;
    });
    assert.equal(await s.connectEx(['127.0.0.1', port]), 111);
    await assert.rejects(socket.createConnection(['127.0.0.1', port]), socket.ConnectionRefusedError);
  } finally {
    s.close();
  }
});

test('binding an address in use raises EADDRINUSE; createServer adds Python\'s context', async () => {
  const srv = await socket.createServer(['127.0.0.1', 0]);
  const port = srv.getsockname()[1];
  const s = new socket.socket();
  try {
    assert.throws(() => s.bind(['127.0.0.1', port]), { name: 'OSError', errno: 98, message: '[Errno 98] Address already in use' });
    await assert.rejects(socket.createServer(['127.0.0.1', port]), {
      errno: 98,
      message: `[Errno 98] Address already in use (while attempting to bind on address ('127.0.0.1', ${port}))`,
    });
  } finally {
    s.close();
    srv.close();
  }
});

test('binding the port of a python3 listener raises EADDRINUSE', async () => {
  const py = runPython(
    'import socket,sys\ns=socket.create_server(("127.0.0.1",0))\nprint(s.getsockname()[1],flush=True)\ns.accept()[0].close()',
  );
  const port = Number(await py.firstLine);
  const s = new socket.socket();
  try {
    assert.throws(() => s.bind(['127.0.0.1', port]), { errno: 98 });
  } finally {
    s.close();
    const c = await socket.createConnection(['127.0.0.1', port]);
    c.close();
    await py.exit;
  }
});

test('name resolution failure is a gaierror with a negative EAI errno', async () => {
  await assert.rejects(socket.createConnection(['no-such-host.invalid', 80]), (e: unknown) => {
    assert.ok(e instanceof socket.gaierror);
    assert.ok(e instanceof socket.OSError);
    assert.ok([-2, -3, -5].includes(e.errno!), String(e.errno));
    return true;
  });
});

test('fileno is a real socket descriptor; closed sockets report -1', async () => {
  const p = await connectedPair();
  try {
    for (const s of [p.listener, p.client, p.server]) {
      const fd = s.fileno();
      assert.ok(Number.isInteger(fd) && fd > 2, String(fd));
      assert.ok(fstatSync(fd).isSocket());
    }
    assert.notEqual(p.client.fileno(), p.server.fileno());
  } finally {
    p.close();
  }
  assert.equal(p.client.fileno(), -1);
});

test('close is idempotent and later operations raise EBADF', async () => {
  const p = await connectedPair();
  p.close();
  p.client.close();
  const ebadf = { name: 'OSError', errno: 9, message: '[Errno 9] Bad file descriptor' };
  await assert.rejects(p.client.recv(1), ebadf);
  await assert.rejects(p.client.send(Buffer.from('x')), ebadf);
  await assert.rejects(p.client.sendall(Buffer.from('x')), ebadf);
  await assert.rejects(p.client.connect(['127.0.0.1', 1]), ebadf);
  await assert.rejects(p.listener.accept(), ebadf);
  assert.throws(() => p.client.getsockname(), ebadf);
  assert.throws(() => p.client.getpeername(), ebadf);
  assert.throws(() => p.client.shutdown(socket.SHUT_RDWR), ebadf);
  assert.throws(() => p.client.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), ebadf);
  assert.throws(() => p.client.bind(['127.0.0.1', 0]), ebadf);
  assert.throws(() => p.client.listen(), ebadf);
  assert.equal(p.client.detach(), -1);
  assert.equal(p.client.gettimeout(), null);
});

test('closing a socket with a pending recv rejects it with EBADF', async () => {
  const p = await connectedPair();
  const pending = p.server.recv(10);
  p.server.close();
  await assert.rejects(pending, { errno: 9 });
  p.close();
});

test('detach returns the descriptor, leaves the socket closed, and the descriptor can be adopted again', async () => {
  const p = await connectedPair();
  try {
    const before = p.server.fileno();
    await p.client.sendall(Buffer.from('kept'));
    const fd = p.server.detach();
    assert.equal(fd, before);
    assert.equal(p.server.fileno(), -1);
    await assert.rejects(p.server.recv(1), { errno: 9 });
    const again = new socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd);
    try {
      assert.equal(again.fileno(), fd);
      assert.equal((await again.recv(10)).toString(), 'kept');
      await again.sendall(Buffer.from('back'));
      assert.equal((await p.client.recv(10)).toString(), 'back');
    } finally {
      again.close();
    }
  } finally {
    p.close();
  }
});

test('socket.close(fd) releases a detached descriptor', async () => {
  const p = await connectedPair();
  try {
    const fd = p.server.detach();
    socket.close(fd);
    assert.equal((await p.client.recv(10)).length, 0);
  } finally {
    p.close();
  }
});

test('our client talks to a python3 echo server', async () => {
  const py = runPython(
    [
      'import socket',
      's = socket.create_server(("127.0.0.1", 0))',
      'print(s.getsockname()[1], flush=True)',
      'c, _ = s.accept()',
      'while True:',
      '    d = c.recv(65536)',
      '    if not d: break',
      '    c.sendall(d)',
      'c.close()',
    ].join('\n'),
  );
  const port = Number(await py.firstLine);
  const c = await socket.createConnection(['127.0.0.1', port], 5);
  try {
    const msg = Buffer.alloc(100_000, 'abcdefgh');
    await c.sendall(msg);
    c.shutdown(socket.SHUT_WR);
    const got: Buffer[] = [];
    for (;;) {
      const d = await c.recv(65536);
      if (d.length === 0) break;
      got.push(d);
    }
    assert.ok(Buffer.concat(got).equals(msg));
  } finally {
    c.close();
  }
  assert.equal((await py.exit).code, 0);
});

test('a python3 client talks to our server, including its half-close', async () => {
  const srv = await socket.createServer(['127.0.0.1', 0]);
  const port = srv.getsockname()[1];
  const py = runPython(
    [
      'import socket, sys',
      'c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))',
      'c.sendall(b"hello from python")',
      'c.shutdown(socket.SHUT_WR)',
      'data = b""',
      'while True:',
      '    d = c.recv(100)',
      '    if not d: break',
      '    data += d',
      'print(data.decode())',
    ].join('\n'),
    [String(port)],
  );
  try {
    const [conn, addr] = await srv.accept();
    assert.equal(addr[0], '127.0.0.1');
    const got: Buffer[] = [];
    for (;;) {
      const d = await conn.recv(7);
      if (d.length === 0) break;
      got.push(d);
    }
    assert.equal(Buffer.concat(got).toString(), 'hello from python');
    await conn.sendall(Buffer.from('HELLO BACK'));
    conn.close();
    const r = await py.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'HELLO BACK');
  } finally {
    srv.close();
  }
});

test('bind before connect keeps the bound address as the source (createConnection sourceAddress)', async () => {
  const srv = await socket.createServer(['127.0.0.1', 0]);
  const s = new socket.socket();
  try {
    s.bind(['127.0.0.1', 0]);
    const bound = s.getsockname();
    await s.connect(srv.getsockname());
    const [conn, addr] = await srv.accept();
    assert.deepEqual(s.getsockname(), bound);
    assert.deepEqual(addr, bound);
    conn.close();
    const viaHelper = await socket.createConnection(srv.getsockname() as [string, number], 5, ['127.0.0.1', 0]);
    const [conn2, addr2] = await srv.accept();
    assert.deepEqual(addr2, viaHelper.getsockname());
    conn2.close();
    viaHelper.close();
  } finally {
    s.close();
    srv.close();
  }
});

test('listen without bind picks an ephemeral port on every address, as Linux does', async () => {
  const s = new socket.socket();
  try {
    s.listen();
    const [host, port] = s.getsockname();
    assert.equal(host, '0.0.0.0');
    assert.ok(port > 0);
    const c = await socket.createConnection(['127.0.0.1', port]);
    const [conn] = await s.accept();
    c.close();
    conn.close();
  } finally {
    s.close();
  }
});

test('a reset from a python3 peer is ConnectionResetError [Errno 104], then EOF, and send is EPIPE', async () => {
  const srv = await socket.createServer(['127.0.0.1', 0]);
  const py = runPython(
    [
      'import socket, struct, sys',
      'c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))',
      'c.recv(1)',
      // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
      'c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
      'c.close()',
    ].join('\n'),
    [String(srv.getsockname()[1])],
  );
  const [conn] = await srv.accept();
  try {
    await conn.sendall(Buffer.from('!'));
    await py.exit;
    await assert.rejects(conn.recv(10), (e: unknown) => {
      assert.ok(e instanceof socket.ConnectionResetError);
      assert.equal(e.errno, 104);
      assert.equal(e.message, '[Errno 104] Connection reset by peer');
      return true;
    });
    assert.equal((await conn.recv(10)).length, 0);
    await assert.rejects(conn.sendall(Buffer.from('x')), { name: 'BrokenPipeError', errno: 32 });
  } finally {
    conn.close();
    srv.close();
  }
});

test('createServer on AF_INET6: dual-stack accepts IPv4 peers, the default is IPv6-only', { skip: !hasIPv6Loopback && 'no ::1 on this machine' }, async () => {
  const dual = await socket.createServer(['::', 0], { family: socket.AF_INET6, dualstackIpv6: true });
  const only6 = await socket.createServer(['::', 0], { family: socket.AF_INET6 });
  try {
    assert.equal(dual.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 0);
    assert.equal(only6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 1);
    const c = await socket.createConnection(['127.0.0.1', dual.getsockname()[1]]);
    const [conn, addr] = await dual.accept();
    assert.equal(addr[0], '::ffff:127.0.0.1');
    assert.equal(addr.length, 4);
    c.close();
    conn.close();
    await assert.rejects(socket.createConnection(['127.0.0.1', only6.getsockname()[1]]), socket.ConnectionRefusedError);
  } finally {
    dual.close();
    only6.close();
  }
});

test('createServer argument checks follow Python', async () => {
  await assert.rejects(socket.createServer(['127.0.0.1', 0], { dualstackIpv6: true }), {
    name: 'ValueError',
    message: 'dualstack_ipv6 requires AF_INET6 family',
  });
  await assert.rejects(socket.createServer(['127.0.0.1', 0], { reusePort: true }), {
    name: 'ValueError',
    message: 'SO_REUSEPORT not supported on this platform',
  });
});

test('connect under settimeout rejects with TimeoutError when the peer never answers the SYN', async () => {
  // A python3 listener with backlog 0 that never accepts: once its queue is
  // full, Linux drops further SYNs, so those connects hang.
  const py = runPython(
    'import socket, time\ns = socket.socket()\ns.bind(("127.0.0.1", 0))\ns.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)',
  );
  const port = Number(await py.firstLine);
  const socks: socket.socket[] = [];
  try {
    let timedOutAfter = -1;
    for (let i = 0; i < 5 && timedOutAfter < 0; i++) {
      const s = new socket.socket();
      socks.push(s);
      s.settimeout(0.3);
      const t0 = performance.now();
      try {
        await s.connect(['127.0.0.1', port]);
      } catch (e) {
        assert.ok(e instanceof socket.TimeoutError, String(e));
        assert.equal(e.message, 'timed out');
        timedOutAfter = performance.now() - t0;
      }
    }
    assert.ok(timedOutAfter >= 280 && timedOutAfter < 2000, `timed out after ${timedOutAfter} ms`);
    const s = new socket.socket();
    socks.push(s);
    s.settimeout(0.2);
    assert.equal(await s.connectEx(['127.0.0.1', port]), 11);
  } finally {
    for (const s of socks) s.close();
    py.kill();
    await py.exit;
  }
});

test('socket(family, type, proto, fileno) adopts a descriptor inherited from another process', async () => {
  const p = await connectedPair();
  try {
    const fd = p.server.detach();
    const moduleUrl = new URL('../../src/socket/index.js', import.meta.url).href;
    const script = [
      `import * as socket from ${JSON.stringify(moduleUrl)};`,
      'const s = new socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, 3);',
      'const d = await s.recv(100);',
      "await s.sendall(Buffer.concat([Buffer.from('child got: '), d]));",
      'console.log(JSON.stringify(s.getpeername()));',
      's.close();',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe', fd] });
    // The child holds its own copy of the descriptor now; release ours.
    socket.close(fd);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await p.client.sendall(Buffer.from('hi'));
    assert.equal((await p.client.recv(100)).toString(), 'child got: hi');
    assert.equal(await exited, 0, err);
    assert.deepEqual(JSON.parse(out), p.client.getsockname());
    assert.equal((await p.client.recv(100)).length, 0);
  } finally {
    p.close();
  }
});

test('connecting and accepting ask the kernel for no local address, and for the peer only at accept(); getsockname()/getpeername() ask later, right', async () => {
  const { Socket } = await import('node:net');
  // node caches each address in _sockname / _peername: a call finding none there is a syscall.
  type Probe = { _getsockname(): unknown; _getpeername(): unknown; _sockname?: unknown; _peername?: unknown };
  const proto = Socket.prototype as unknown as Probe;
  const saved = { sock: proto._getsockname, peer: proto._getpeername };
  const calls = { sock: 0, peer: 0 };
  proto._getsockname = function (this: Probe) {
    if (this._sockname === undefined) calls.sock++;
    return saved.sock.call(this);
  };
  proto._getpeername = function (this: Probe) {
    if (this._peername === undefined) calls.peer++;
    return saved.peer.call(this);
  };
  let p: Awaited<ReturnType<typeof connectedPair>> | null = null;
  try {
    p = await connectedPair(socket.AF_INET);
    await p.client.sendall(Buffer.from('x'));
    assert.equal((await p.server.recv(1)).toString(), 'x');
    assert.equal(calls.sock, 0, 'getsockname() of a connection nobody asked about');
    assert.ok(calls.peer <= 1, `${calls.peer} getpeername() calls (only accept() needs the peer's address)`);
    const port = (p.listener.getsockname() as [string, number])[1];
    assert.deepEqual(p.client.getpeername(), ['127.0.0.1', port]);
    assert.deepEqual(p.server.getsockname(), ['127.0.0.1', port]);
    assert.deepEqual(p.server.getpeername(), p.client.getsockname());
  } finally {
    proto._getsockname = saved.sock;
    proto._getpeername = saved.peer;
    p?.close();
  }
});
