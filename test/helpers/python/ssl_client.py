"""A Python ssl client driving our SSLSocket server (test/ssl/echo-server.ts).

argv[1] is a JSON object: port, cafile, server_hostname, certfile (optional),
alpn (optional), starttls (bool), steps (list). Prints one JSON object with
what happened. Steps:
  ["echo", text]        write text, record the reply
  ["cb"]                send 'CB tls-unique'; record whether the reply is repr() of our binding
  ["sha", n]            send 'SHA n' and n payload bytes; record whether the reply is their SHA-256
  ["get", n]            send 'SEND n'; record whether n payload bytes arrived intact
  ["starttls"] / ["endtls"]  the STARTTLS / ENDTLS dance (starttls servers)
  ["unwrap"]            unwrap() (close_notify both ways); the connection is plain afterwards
  ["close"]             close without close_notify (ragged EOF for the server)
"""
import hashlib
import json
import socket
import ssl
import sys

cfg = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=cfg['cafile'])
if cfg.get('certfile'):
    ctx.load_cert_chain(cfg['certfile'])
if cfg.get('alpn'):
    ctx.set_alpn_protocols(cfg['alpn'])


def payload(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


def read_exactly(conn, n):
    buf = bytearray()
    while len(buf) < n:
        d = conn.recv(min(65536, n - len(buf)))
        if not d:
            break
        buf += d
    return bytes(buf)


def read_line(conn):
    buf = b''
    while not buf.endswith(b'\n'):
        d = conn.recv(1)
        if not d:
            break
        buf += d
    return buf


out = {'steps': [], 'error': None}
raw = socket.create_connection(('127.0.0.1', cfg['port']))
conn = raw
tls = None


def wrap(sock):
    return ctx.wrap_socket(sock, server_hostname=cfg['server_hostname'])


try:
    if not cfg.get('starttls'):
        tls = conn = wrap(raw)
        out.update(version=tls.version(), cipher=tls.cipher()[0], alpn=tls.selected_alpn_protocol())
    for step in cfg['steps']:
        kind = step[0]
        if kind == 'echo':
            conn.sendall(step[1].encode())
            out['steps'].append(conn.recv(1024).decode('latin1'))
        elif kind == 'cb':
            cb = tls.get_channel_binding('tls-unique')
            conn.sendall(b'CB tls-unique\n')
            out['steps'].append(read_line(conn) == repr(cb).encode() + b'\n' and len(cb))
        elif kind == 'sha':
            n = step[1]
            data = payload(n)
            conn.sendall(f'SHA {n}\n'.encode())
            conn.sendall(data)
            out['steps'].append(read_line(conn).strip().decode() == hashlib.sha256(data).hexdigest())
        elif kind == 'get':
            n = step[1]
            conn.sendall(f'SEND {n}\n'.encode())
            got = read_exactly(conn, n)
            out['steps'].append(hashlib.sha256(got).hexdigest() == hashlib.sha256(payload(n)).hexdigest())
        elif kind == 'starttls':
            conn.sendall(b'STARTTLS\n')
            out['steps'].append(conn.recv(1024).decode())
            tls = conn = wrap(conn)
            out.update(version=tls.version(), cipher=tls.cipher()[0], alpn=tls.selected_alpn_protocol())
        elif kind == 'endtls':
            conn.sendall(b'ENDTLS\n')
            out['steps'].append(conn.recv(1024).decode())
            conn = tls.unwrap()
            tls = None
        elif kind == 'unwrap':
            conn = tls.unwrap()
            tls = None
            out['steps'].append('unwrapped')
        elif kind == 'close':
            conn.close()
            out['steps'].append('closed')
            break
    conn.close()
except OSError as e:
    out['error'] = f'{type(e).__name__}: {e}'
    out['reason'] = getattr(e, 'reason', None)
print(json.dumps(out), flush=True)
