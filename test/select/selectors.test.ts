/**
 * selectors.DefaultSelector over sslsock sockets: register / unregister /
 * modify / getKey / getMap / close with Python's errors and texts (observed
 * with python3 3.11's EpollSelector), select() level-triggered, and nothing
 * left subscribed after select() returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import { BaseSelector, DefaultSelector, EVENT_READ, EVENT_WRITE, KeyError, RuntimeError, SelectorKey } from '../../src/select/selectors.js';
import type { Transport } from '../../src/socket/transport.js';
import { connectedPair } from '../socket/helpers.js';

const watchers = (s: socket.socket): number => {
  const t = (s as unknown as { _t: Transport })._t;
  return t.readable.waiting + t.writable.waiting;
};

test('constants and the interface: EVENT_READ 1, EVENT_WRITE 2, DefaultSelector is a BaseSelector', () => {
  assert.equal(EVENT_READ, 1);
  assert.equal(EVENT_WRITE, 2);
  const sel = new DefaultSelector();
  assert.ok(sel instanceof BaseSelector);
  sel.close();
});

test('register(): a SelectorKey with fileobj, fd, events, data; Python errors for bad events and objects, and for registering twice', async () => {
  const p = await connectedPair();
  const sel = new DefaultSelector<string>();
  try {
    const repr = p.client.toString();
    assert.throws(() => sel.register(p.client, 0), { name: 'ValueError', message: 'Invalid events: 0' });
    assert.throws(() => sel.register(p.client, 4), { name: 'ValueError', message: 'Invalid events: 4' });
    assert.throws(() => sel.register(p.client, 'x' as unknown as number), { name: 'TypeError', message: "unsupported operand type(s) for &: 'str' and 'int'" });
    const key = sel.register(p.client, EVENT_READ, 'd');
    assert.ok(key instanceof SelectorKey);
    assert.equal(key.fileobj, p.client);
    assert.equal(key.fd, p.client.fileno());
    assert.equal(key.events, EVENT_READ);
    assert.equal(key.data, 'd');
    assert.ok(Object.isFrozen(key));
    assert.equal(key.toString(), `SelectorKey(fileobj=${repr}, fd=${key.fd}, events=1, data='d')`);
    assert.throws(() => sel.register(p.client, EVENT_READ), (e: unknown) => e instanceof KeyError && e.message === `${repr} (FD ${key.fd}) is already registered`);
    // The same descriptor by number is the same registration, as in Python.
    assert.throws(() => sel.register(key.fd, EVENT_READ), { name: 'KeyError', message: `${key.fd} (FD ${key.fd}) is already registered` });
    const closed = new socket.socket();
    closed.close();
    assert.throws(() => sel.register(closed, EVENT_READ), { name: 'ValueError', message: 'Invalid file descriptor: -1' });
    assert.throws(() => sel.register(-1, EVENT_READ), { name: 'ValueError', message: 'Invalid file descriptor: -1' });
    const bad = { fileno: () => 'x' };
    assert.throws(() => sel.register(bad as unknown as number, EVENT_READ), { name: 'ValueError', message: `Invalid file object: <Object object>` });
    assert.throws(() => sel.register(4000, EVENT_READ), (e: unknown) => e instanceof socket.OSError && e.errno === 9 && e.message === '[Errno 9] Bad file descriptor');
  } finally {
    sel.close();
    p.close();
  }
});

test('unregister(), modify(), getKey(), getMap(): KeyError "<obj> is not registered"; modify keeps or replaces the key', async () => {
  const p = await connectedPair();
  const sel = new DefaultSelector<string | null>();
  try {
    const other = p.server.toString();
    assert.throws(() => sel.unregister(p.server), { name: 'KeyError', message: `${other} is not registered` });
    assert.throws(() => sel.modify(p.server, EVENT_READ), { name: 'KeyError', message: `${other} is not registered` });
    assert.throws(() => sel.getKey(p.server), { name: 'KeyError', message: `${other} is not registered` });
    const key = sel.register(p.client, EVENT_READ, 'd');
    assert.equal(sel.getKey(p.client), key);
    assert.equal(sel.getKey(key.fd), key);
    assert.equal(sel.modify(p.client, EVENT_READ, 'd'), key);
    assert.throws(() => sel.modify(p.client, 0), { name: 'ValueError', message: 'Invalid events: 0' });
    assert.equal(sel.getKey(p.client), key, 'a refused modify() changes nothing');
    const k2 = sel.modify(p.client, EVENT_READ | EVENT_WRITE, 'e');
    assert.notEqual(k2, key);
    assert.deepEqual([k2.fileobj, k2.fd, k2.events, k2.data], [p.client, key.fd, 3, 'e']);
    const map = sel.getMap()!;
    assert.equal(map.size, 1);
    assert.equal(map.get(p.client), k2);
    assert.ok(map.has(p.client));
    assert.ok(!map.has(p.server));
    assert.deepEqual([...map], [key.fd]);
    assert.deepEqual([...map.values()], [k2]);
    assert.throws(() => map.get(p.server), { name: 'KeyError', message: `${other} is not registered` });
    assert.equal(sel.unregister(p.client), k2);
    assert.equal(map.size, 0);
    // A socket closed while registered can still be unregistered (found by identity).
    sel.register(p.server, EVENT_READ);
    p.server.close();
    assert.equal(sel.unregister(p.server).fileobj, p.server);
  } finally {
    sel.close();
    p.close();
  }
});

test('select(): [key, events] for ready file objects, level-triggered; timeout <= 0 polls; waits for events', async () => {
  const p = await connectedPair();
  const sel = new DefaultSelector<string>();
  try {
    const kc = sel.register(p.client, EVENT_READ, 'client');
    const ks = sel.register(p.server, EVENT_READ | EVENT_WRITE, 'server');
    // The server side can send: writable only.
    assert.deepEqual(await sel.select(0), [[ks, EVENT_WRITE]]);
    assert.deepEqual(await sel.select(-1), [[ks, EVENT_WRITE]]);
    sel.modify(p.server, EVENT_READ, 'server');
    const ks2 = sel.getKey(p.server);
    assert.deepEqual(await sel.select(0), []);
    const t0 = performance.now();
    assert.deepEqual(await sel.select(0.1), []);
    assert.ok(performance.now() - t0 >= 95);
    const waiting = sel.select(5);
    setTimeout(() => void p.server.sendall(Buffer.from('hello')), 30);
    assert.deepEqual(await waiting, [[kc, EVENT_READ]]);
    // Level-triggered: still ready until read.
    assert.deepEqual(await sel.select(), [[kc, EVENT_READ]]);
    assert.deepEqual(await p.client.recv(100), Buffer.from('hello'));
    assert.deepEqual(await sel.select(0), []);
    await p.client.sendall(Buffer.from('x'));
    assert.deepEqual(await sel.select(5), [[ks2, EVENT_READ]]);
    assert.equal(watchers(p.client) + watchers(p.server), 0);
    // A closed registered socket is never reported (epoll drops closed descriptors).
    p.client.close();
    assert.deepEqual(await sel.select(0), [[ks2, EVENT_READ]]);
  } finally {
    sel.close();
    p.close();
  }
  await assert.rejects(sel.select('x' as unknown as number), { name: 'TypeError', message: "'<=' not supported between instances of 'str' and 'int'" });
});

test('close(): getMap() is null, getKey() RuntimeError, select()/register() ValueError, unregister()/modify() KeyError', async () => {
  const p = await connectedPair();
  const sel = new DefaultSelector();
  try {
    sel.register(p.client, EVENT_READ);
    sel.close();
    const repr = p.client.toString();
    assert.equal(sel.getMap(), null);
    assert.throws(() => sel.getKey(p.client), (e: unknown) => e instanceof RuntimeError && e.message === 'Selector is closed');
    await assert.rejects(sel.select(0), { name: 'ValueError', message: 'I/O operation on closed epoll object' });
    assert.throws(() => sel.register(p.server, EVENT_READ), { name: 'ValueError', message: 'I/O operation on closed epoll object' });
    assert.throws(() => sel.unregister(p.client), { name: 'KeyError', message: `${repr} is not registered` });
    assert.throws(() => sel.modify(p.client, EVENT_READ), { name: 'KeyError', message: `${repr} is not registered` });
    sel.close();
  } finally {
    p.close();
  }
});
