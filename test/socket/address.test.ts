import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as socket from '../../src/socket/index.js';

const V6 = ['::1', '::', '2001:db8::1', 'fe80::1:2:3:4', '::ffff:1.2.3.4', '1:0:0:1:0:0:0:1', '1:2:3:4:5:6:7:8', '2001:DB8:0:0:1::', '::0.0.0.2', '0:0:1::'];
const V4 = ['127.0.0.1', '0.0.0.0', '255.255.255.255', '10.1.2.3'];

test('inet_pton and inet_ntop round-trip exactly as python3 does', () => {
  const script = [
    'import socket, json, sys',
    'v4, v6 = json.loads(sys.argv[1])',
    'out = [[socket.inet_pton(socket.AF_INET, a).hex(), socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, a))] for a in v4]',
    'out += [[socket.inet_pton(socket.AF_INET6, a).hex(), socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a))] for a in v6]',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, JSON.stringify([V4, V6])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as Array<[string, string]>;
  const ours = [
    ...V4.map((a) => [socket.inet_pton(socket.AF_INET, a).toString('hex'), socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, a))]),
    ...V6.map((a) => [socket.inet_pton(socket.AF_INET6, a).toString('hex'), socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a))]),
  ];
  assert.deepEqual(ours, want);
});

test('inet_pton rejects malformed addresses with Python\'s message', () => {
  for (const bad of ['1.2.3', '1.2.3.256', 'x']) {
    assert.throws(() => socket.inet_pton(socket.AF_INET, bad), { name: 'OSError', message: 'illegal IP address string passed to inet_pton' });
  }
  for (const bad of ['zz', '1:2:3:4:5:6:7:8:9', '1::2::3']) {
    assert.throws(() => socket.inet_pton(socket.AF_INET6, bad), { name: 'OSError' });
  }
  assert.throws(() => socket.inet_ntop(socket.AF_INET, Buffer.from('123')), {
    name: 'ValueError',
    message: 'invalid length of packed IP address string',
  });
});

test('addresses of the wrong shape raise Python\'s TypeError and OverflowError', async () => {
  const s = new socket.socket();
  try {
    await assert.rejects(s.connect('x' as never), { name: 'TypeError', message: 'connect(): AF_INET address must be tuple, not str' });
    assert.throws(() => s.bind(['127.0.0.1'] as never), { name: 'TypeError', message: 'AF_INET address must be a pair (host, port)' });
    await assert.rejects(s.connect(['127.0.0.1', 70000]), { name: 'OverflowError', message: 'connect(): port must be 0-65535.' });
    await assert.rejects(s.connect([1, 2] as never), { name: 'TypeError', message: 'str, bytes or bytearray expected, not int' });
  } finally {
    s.close();
  }
});

test('constants keep Linux/Python values', () => {
  assert.deepEqual(
    [socket.AF_INET, socket.AF_INET6, socket.SOCK_STREAM, socket.SOL_SOCKET, socket.SO_REUSEADDR, socket.SO_KEEPALIVE, socket.SO_TYPE],
    [2, 10, 1, 1, 2, 9, 3],
  );
  assert.deepEqual([socket.SO_RCVBUF, socket.SO_SNDBUF, socket.IPPROTO_TCP, socket.TCP_NODELAY], [8, 7, 6, 1]);
  assert.deepEqual([socket.SHUT_RD, socket.SHUT_WR, socket.SHUT_RDWR, socket.MSG_PEEK, socket.MSG_DONTWAIT, socket.MSG_WAITALL], [0, 1, 2, 2, 64, 256]);
  assert.equal(socket.htons(0x1234), 0x3412);
  assert.equal(socket.htonl(0x12345678), 0x78563412);
});

test('getaddrinfo resolves numeric hosts and names to Python-shaped 5-tuples', async () => {
  assert.deepEqual(await socket.getaddrinfo('127.0.0.1', 80), [[socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 80]]]);
  const local = await socket.getaddrinfo('localhost', '443', socket.AF_INET);
  assert.ok(local.length >= 1);
  assert.deepEqual(local[0], [socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 443]]);
  await assert.rejects(socket.getaddrinfo('::1', 80, socket.AF_INET), { name: 'gaierror', errno: -9 });
  await assert.rejects(socket.getaddrinfo('127.0.0.1', 'no-such-service'), { name: 'gaierror', errno: -8 });
});
