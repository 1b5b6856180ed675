"""Python ssl peers for test/select/nonblocking-notes.test.ts.

argv[1] is a JSON object with "mode":
  "sender":  a TLS server (certfile) that accepts one connection, sends
             `size` random bytes with sendall() and prints their SHA-256 hex
             ("SENT <hex>"), then waits for the peer to close. Prints
             "PORT <n>" first.
  "clients": `count` TLS clients at once (one thread each) against `port`,
             trusting `cafile`, each sending `size` random bytes, reading the
             echo back and printing one JSON line {"i", "sent", "got", "n"}
             (SHA-256 hex of what it sent and what came back), then "DONE".
"""
import hashlib
import json
import os
import socket
import ssl
import sys
import threading

cfg = json.loads(sys.argv[1])


def sender():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cfg['certfile'])
    listener = socket.create_server(('127.0.0.1', 0))
    print('PORT', listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    with ctx.wrap_socket(conn, server_side=True) as s:
        data = os.urandom(cfg['size'])
        s.sendall(data)
        print('SENT', hashlib.sha256(data).hexdigest(), flush=True)
        try:
            while s.recv(1024):
                pass
        except (ssl.SSLError, OSError):
            pass  # the peer may close without close_notify


def client(i, out):
    ctx = ssl.create_default_context(cafile=cfg['cafile'])
    data = os.urandom(cfg['size'])
    got = bytearray()
    try:
        with socket.create_connection(('127.0.0.1', cfg['port']), timeout=60) as raw:
            with ctx.wrap_socket(raw, server_hostname='localhost') as s:
                s.sendall(data)
                while len(got) < len(data):
                    d = s.recv(65536)
                    if not d:
                        break
                    got += d
        out[i] = {'i': i, 'sent': hashlib.sha256(data).hexdigest(), 'got': hashlib.sha256(bytes(got)).hexdigest(), 'n': len(got)}
    except Exception as e:  # reported, so the test shows what went wrong
        out[i] = {'i': i, 'error': repr(e), 'n': len(got)}


def clients():
    out = [None] * cfg['count']
    threads = [threading.Thread(target=client, args=(i, out)) for i in range(cfg['count'])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in out:
        print(json.dumps(r), flush=True)
    print('DONE', flush=True)


{'sender': sender, 'clients': clients}[cfg['mode']]()
