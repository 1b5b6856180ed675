import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as socket from '../../src/socket/index.js';
import { ERRNO, strerror } from '../../src/socket/errno.js';

test('OSError(errno, strerror) formats like Python and picks the PEP 3151 subclass', () => {
  const e = new socket.OSError(111, 'Connection refused');
  assert.ok(e instanceof socket.ConnectionRefusedError);
  assert.ok(e instanceof socket.ConnectionError);
  assert.ok(e instanceof socket.OSError);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'ConnectionRefusedError');
  assert.equal(e.message, '[Errno 111] Connection refused');
  assert.equal(e.errno, 111);
  assert.equal(e.strerror, 'Connection refused');
  assert.deepEqual(e.args, [111, 'Connection refused']);
});

test('OSError with one argument has no errno and that argument as its text', () => {
  const e = new socket.OSError('illegal IP address string passed to inet_pton');
  assert.equal(e.constructor, socket.OSError);
  assert.equal(e.errno, null);
  assert.equal(e.strerror, null);
  assert.equal(e.message, 'illegal IP address string passed to inet_pton');
});

test('OSError with a filename appends its repr like Python', () => {
  const e = new socket.OSError(2, 'No such file or directory', 'a.txt');
  assert.ok(e instanceof socket.FileNotFoundError);
  assert.equal(e.filename, 'a.txt');
  assert.equal(e.message, "[Errno 2] No such file or directory: 'a.txt'");
});

test('timeout is TimeoutError with the text "timed out" and no errno', () => {
  const e = new socket.timeout('timed out');
  assert.equal(socket.timeout, socket.TimeoutError);
  assert.ok(e instanceof socket.OSError);
  assert.equal(e.name, 'TimeoutError');
  assert.equal(e.message, 'timed out');
  assert.equal(e.errno, null);
});

test('every class sets name to its Python name', () => {
  const names: Array<[new (...a: never[]) => Error, string]> = [
    [socket.OSError, 'OSError'],
    [socket.BlockingIOError, 'BlockingIOError'],
    [socket.BrokenPipeError, 'BrokenPipeError'],
    [socket.ConnectionResetError, 'ConnectionResetError'],
    [socket.ConnectionAbortedError, 'ConnectionAbortedError'],
    [socket.InterruptedError, 'InterruptedError'],
    [socket.gaierror, 'gaierror'],
    [socket.ValueError, 'ValueError'],
    [socket.NotImplementedError, 'NotImplementedError'],
  ];
  for (const [cls, name] of names) assert.equal(new cls().name, name);
  assert.ok(!(new socket.ValueError('x') instanceof socket.OSError));
});

test('fromNodeError maps node error codes to the OSError subclass and errno', () => {
  const refused = socket.fromNodeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 }));
  assert.ok(refused instanceof socket.ConnectionRefusedError);
  assert.equal(refused.message, '[Errno 111] Connection refused');
  const reset = socket.fromNodeError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  assert.ok(reset instanceof socket.ConnectionResetError);
  const pipe = socket.fromNodeError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  assert.ok(pipe instanceof socket.BrokenPipeError);
  assert.equal((pipe as socket.OSError).errno, 32);
  const gai = socket.fromNodeError(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }));
  assert.ok(gai instanceof socket.gaierror);
  assert.equal(gai.message, '[Errno -2] Name or service not known');
});

test('errno numbers, strerror texts and classes agree with python3', () => {
  const codes = Object.entries(ERRNO);
  const script = [
    'import errno, os, sys',
    `names = ${JSON.stringify(codes.map(([n]) => n))}`,
    'for n in names:',
    '    v = getattr(errno, n)',
    '    e = OSError(v, os.strerror(v))',
    '    print(n, v, type(e).__name__, str(e), sep="|")',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, codes.length);
  for (const line of lines) {
    const [name, num, cls, text] = line.split('|');
    const ours = socket.OSError.fromErrno(ERRNO[name as keyof typeof ERRNO]);
    assert.equal(ours.errno, Number(num), name);
    assert.equal(ours.name, cls, name);
    assert.equal(ours.message, text, name);
    assert.equal(strerror(Number(num)), ours.strerror);
  }
});
