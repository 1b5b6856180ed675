"""A Python ssl echo server speaking CPython's ThreadedEchoServer protocol.

Used by test/ssl/python-peer.test.ts as the *server* our SSLSocket client
talks to. argv[1] is a JSON object:
  certfile, cafile (optional), verify ('none' | 'optional' | 'required'),
  alpn (list or null), sni_certfile (optional: the SNI callback switches to a
  context with this certificate), starttls (bool), connections (int).
Prints "PORT <n>", then one JSON line per connection when it ends.

Commands (after strip()): empty → unwrap and close; over → close;
STARTTLS / ENDTLS (starttls mode); CB tls-unique; HASCERT; GETCERT (JSON);
RAGGED → send b'ragged data' and close without close_notify;
SHA <n> → read n bytes, reply their SHA-256 hex + newline;
SEND <n> → send n bytes of payload(i) = (i * 7 + 3) % 256;
anything else → echoed lower-cased.
"""
import hashlib
import json
import socket
import ssl
import sys

cfg = json.loads(sys.argv[1])


def make_context(certfile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile)
    if cfg.get('cafile'):
        ctx.load_verify_locations(cfg['cafile'])
    ctx.verify_mode = {'none': ssl.CERT_NONE, 'optional': ssl.CERT_OPTIONAL, 'required': ssl.CERT_REQUIRED}[cfg.get('verify', 'none')]
    if cfg.get('alpn'):
        ctx.set_alpn_protocols(cfg['alpn'])
    return ctx


context = make_context(cfg['certfile'])
sni_names = []
if cfg.get('sni_certfile'):
    other = make_context(cfg['sni_certfile'])

    def sni_callback(sslobj, name, ctx):
        sni_names.append(name)
        sslobj.context = other

    context.sni_callback = sni_callback


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


def serve(sock):
    info = {'error': None}
    conn = sock
    tls = None
    if not cfg.get('starttls'):
        tls = conn = context.wrap_socket(sock, server_side=True)
    try:
        while True:
            msg = conn.recv(1024)
            stripped = msg.strip()
            if tls is not None:
                info.update(version=tls.version(), cipher=tls.cipher()[0], alpn=tls.selected_alpn_protocol(),
                            peer=tls.getpeercert() and tls.getpeercert().get('subject'))
            if not stripped:
                info['eof'] = 'clean' if tls is None or tls.pending() == 0 else 'pending'
                if tls is not None:
                    try:
                        conn = tls.unwrap()
                        info['unwrapped'] = True
                    except OSError as e:
                        info['unwrap_error'] = str(e)
                conn.close()
                return info
            if stripped == b'over':
                conn.close()
                return info
            if cfg.get('starttls') and stripped == b'STARTTLS':
                conn.sendall(b'OK\n')
                tls = conn = context.wrap_socket(conn, server_side=True)
            elif cfg.get('starttls') and tls is not None and stripped == b'ENDTLS':
                conn.sendall(b'OK\n')
                conn = tls.unwrap()
                tls = None
            elif stripped == b'CB tls-unique':
                conn.sendall(repr(tls.get_channel_binding('tls-unique')).encode('ascii') + b'\n')
            elif stripped == b'HASCERT':
                conn.sendall(b'TRUE\n' if tls.getpeercert() is not None else b'FALSE\n')
            elif stripped == b'GETCERT':
                conn.sendall(json.dumps(tls.getpeercert()).encode() + b'\n')
            elif stripped == b'RAGGED':
                conn.sendall(b'ragged data')
                conn.close()
                return info
            elif stripped.startswith(b'SHA '):
                n = int(stripped[4:])
                data = read_exactly(conn, n)
                conn.sendall(hashlib.sha256(data).hexdigest().encode() + b'\n')
            elif stripped.startswith(b'SEND '):
                conn.sendall(payload(int(stripped[5:])))
            else:
                conn.sendall(msg.lower())
    except OSError as e:
        info['error'] = f'{type(e).__name__}: {e}'
        conn.close()
        return info


listener = socket.create_server(('127.0.0.1', 0))
print('PORT', listener.getsockname()[1], flush=True)
for _ in range(cfg.get('connections', 1)):
    try:
        sock, _ = listener.accept()
    except OSError:
        break
    try:
        info = serve(sock)
    except OSError as e:
        info = {'error': f'{type(e).__name__}: {e}'}
    info['sni'] = sni_names
    print(json.dumps(info), flush=True)
listener.close()
