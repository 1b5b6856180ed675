/**
 * CPython's ThreadedTests that apply to a TLS 1.3 engine, ported: client and
 * server are both our SSLSocket, over real loopback TCP, the server being
 * the echo server of test/ssl/echo-server.ts. Handshake, verification,
 * negotiation and connection-information tests; the I/O surface is in
 * sslsocket-api.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { pyBytesRepr } from './echo-server.js';
import {
  CERTFILE,
  CRLFILE,
  IDNSANSFILE,
  NOSANFILE,
  SIGNED_CERTFILE,
  SIGNED_CERTFILE2,
  certdataSkip,
  connectClient,
  testingContext,
  withEchoServer,
} from './echo-server-fixtures.js';

const skip = certdataSkip;
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** CPython's server_params_test: echo of bytes / Uint8Array / DataView, then 'over'; returns what the client saw. */
async function serverParamsTest(
  clientContext: ssl.SSLContext,
  serverContext: ssl.SSLContext,
  sniName: string | null = 'localhost',
): Promise<{ cipher: unknown; version: string | null; peercert: unknown; alpn: string | null; serverAlpn: (string | null)[]; compression: null }> {
  return withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: sniName });
    try {
      const indata = Buffer.from('FOO\n');
      for (const arg of [indata, new Uint8Array(indata), new DataView(indata.buffer, indata.byteOffset, indata.length)]) {
        await s.write(arg as Uint8Array);
        assert.deepEqual(await s.read(), Buffer.from('foo\n'));
      }
      const stats = {
        cipher: s.cipher(),
        version: s.version(),
        peercert: s.getpeercert(),
        alpn: s.selectedAlpnProtocol(),
        serverAlpn: server.selectedAlpnProtocols,
        compression: s.compression(),
      };
      await s.write(Buffer.from('over\n'));
      return stats;
    } finally {
      s.close();
    }
  });
}

test('test_echo: TLS_CLIENT against TLS_SERVER; contexts of the wrong role are refused', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  const stats = await serverParamsTest(clientContext, serverContext);
  assert.equal(stats.version, 'TLSv1.3');
  await assert.rejects(serverParamsTest(serverContext, serverContext), (e: unknown) => {
    assert.ok(e instanceof ssl.SSLError);
    assert.match(e.message, /Cannot create a client socket with a PROTOCOL_TLS_SERVER context/);
    return true;
  });
  clientContext.checkHostname = false;
  await withEchoServer(clientContext, async (server) => {
    const s = await connectClient(clientContext, server).catch((e: unknown) => e);
    if (s instanceof ssl.SSLSocket) s.close();
    await waitFor(() => server.connErrors.length > 0);
    assert.match(server.connErrors[0]!, /Cannot create a server socket with a PROTOCOL_TLS_CLIENT context/);
  });
});

test('test_getpeercert: ValueError before the handshake, the dict after', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname, doHandshakeOnConnect: false });
    try {
      assert.throws(() => s.getpeercert(), (e: unknown) => e instanceof ssl.ValueError && e.message === 'handshake not done yet');
      await s.doHandshake();
      const cert = s.getpeercert() as { subject: unknown[]; notBefore: string; notAfter: string };
      assert.deepEqual(cert.subject.find((rdn) => JSON.stringify(rdn).includes('organizationName')), [['organizationName', 'Python Software Foundation']]);
      assert.ok(ssl.certTimeToSeconds(cert.notBefore) < ssl.certTimeToSeconds(cert.notAfter));
      // A second call after completion is a no-op.
      await s.doHandshake();
    } finally {
      s.close();
    }
  });
});

test('test_crl_check: VERIFY_CRL_CHECK_LEAF needs a CRL (code 3), then passes', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  assert.equal(clientContext.verifyFlags, ssl.VERIFY_DEFAULT | ssl.VERIFY_X509_TRUSTED_FIRST);
  await withEchoServer(serverContext, async (server) => {
    (await connectClient(clientContext, server, { serverHostname: hostname })).close();
    clientContext.verifyFlags |= ssl.VERIFY_CRL_CHECK_LEAF;
    await assert.rejects(connectClient(clientContext, server, { serverHostname: hostname }), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLCertVerificationError);
      assert.match(e.message, /certificate verify failed/);
      assert.equal(e.verifyCode, 3);
      return true;
    });
    clientContext.loadVerifyLocations(CRLFILE);
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    assert.ok(s.getpeercert());
    s.close();
  });
});

test('test_check_hostname: right name passes, "invalid" fails with code 62, no name is a ValueError', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    assert.ok(s.getpeercert());
    s.close();
    await assert.rejects(connectClient(clientContext, server, { serverHostname: 'invalid' }), (e: unknown) => {
      assert.ok(e instanceof ssl.CertificateError);
      assert.equal(e.message, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'invalid'.");
      assert.equal(e.verifyCode, 62);
      return true;
    });
    await waitFor(() => server.connErrors.length > 0);
    assert.match(server.connErrors[0]!, /SSLV3_ALERT_BAD_CERTIFICATE/);
    const raw = new socket.socket(socket.AF_INET);
    await assert.rejects(clientContext.wrapSocket(raw), (e: unknown) => e instanceof ssl.ValueError && e.message === 'check_hostname requires server_hostname');
    raw.close();
  });
});

test('an IP server_hostname is matched against iPAddress SANs (code 64) and sends no SNI', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  const names: (string | null)[] = [];
  serverContext.sniCallback = (_s, name) => {
    names.push(name);
  };
  await withEchoServer(serverContext, async (server) => {
    await assert.rejects(connectClient(clientContext, server, { serverHostname: '127.0.0.1' }), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLCertVerificationError);
      assert.equal(e.verifyCode, 64);
      assert.equal(e.verifyMessage, "IP address mismatch, certificate is not valid for '127.0.0.1'.");
      return true;
    });
    assert.deepEqual(names, [null]);
  });
});

test('test_ssl_cert_verify_error: leaf-only server and no CA give code 20 and its message', { skip }, async () => {
  const [, serverContext] = testingContext(SIGNED_CERTFILE, false);
  const clientContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  await withEchoServer(serverContext, async (server) => {
    await assert.rejects(connectClient(clientContext, server), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLCertVerificationError);
      assert.equal(e.verifyCode, 20);
      assert.equal(e.verifyMessage, 'unable to get local issuer certificate');
      assert.match(e.message, /certificate verify failed: unable to get local issuer certificate/);
      return true;
    });
  });
});

test('test_hostname_checks_common_name: without CN fallback a SAN-less certificate fails', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.hostnameChecksCommonName = false;
  await withEchoServer(serverContext, async (server) => {
    (await connectClient(clientContext, server, { serverHostname: hostname })).close();
  });
  const [, nosanContext] = testingContext(NOSANFILE);
  await withEchoServer(nosanContext, async (server) => {
    await assert.rejects(connectClient(clientContext, server, { serverHostname: 'localhost' }), ssl.SSLCertVerificationError);
  });
});

test('test_check_hostname_idn: U-label, A-label and bytes all become the A-label; a wrong name fails', { skip }, async () => {
  const [clientContext, serverContext] = testingContext(IDNSANSFILE);
  const idn = 'xn--knig-5qa.idn.pythontest.net';
  await withEchoServer(serverContext, async (server) => {
    for (const name of ['könig.idn.pythontest.net', idn, Buffer.from(idn)]) {
      const s = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: name })) as ssl.SSLSocket;
      assert.equal(s.serverHostname, idn);
      await s.connect(server.address);
      assert.equal(s.serverHostname, idn);
      assert.ok(s.getpeercert());
      s.close();
    }
    const s = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: 'python.example.org' })) as ssl.SSLSocket;
    await assert.rejects(s.connect(server.address), ssl.CertificateError);
    s.close();
  });
});

test('test_wrong_cert_tls13: the client learns of its rejected certificate on its first read', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.loadCertChain(CERTFILE);
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname, suppressRaggedEofs: false });
    try {
      await assert.rejects(
        (async () => {
          await s.write(Buffer.from('data'));
          await s.read(1000);
          await s.write(Buffer.from('should have failed already'));
          await s.read(1000);
        })(),
        (e: unknown) => {
          assert.ok(e instanceof ssl.OSError);
          assert.match(e.message, /alert unknown ca|EOF occurred/);
          return true;
        },
      );
      await waitFor(() => server.connErrors.length > 0);
      assert.match(server.connErrors[0]!, /certificate verify failed: self-signed certificate/);
    } finally {
      s.close();
    }
  });
});

test('client authentication: CERT_REQUIRED with a client certificate — the server sees it (HASCERT, GETCERT, chains)', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.loadCertChain(SIGNED_CERTFILE);
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      await s.write(Buffer.from('HASCERT'));
      assert.deepEqual(await s.read(), Buffer.from('TRUE\n'));
      await s.write(Buffer.from('GETCERT'));
      const cert = JSON.parse((await s.read(8192)).toString()) as { issuer: unknown };
      assert.match(JSON.stringify(cert.issuer), /Python Software Foundation CA/);
      await s.write(Buffer.from('VERIFIEDCHAIN'));
      assert.deepEqual(await s.read(), Buffer.from([2, 0x0a]));
      // The client's file holds the leaf only; like OpenSSL it sends the chain completed from its own
      // trust store (CPython's test_internal_chain_server expects b'\x02\n' here too).
      await s.write(Buffer.from('UNVERIFIEDCHAIN'));
      assert.deepEqual(await s.read(), Buffer.from([2, 0x0a]));
    } finally {
      s.close();
    }
  });
});

test('client authentication: CERT_REQUIRED without a certificate — TLS 1.3 connect succeeds, the first read fails "certificate required"', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      await s.write(Buffer.from('HASCERT'));
      await assert.rejects(s.read(), (e: unknown) => {
        assert.ok(e instanceof ssl.SSLError);
        assert.equal(e.reason, 'TLSV13_ALERT_CERTIFICATE_REQUIRED');
        assert.match(e.message, /tlsv13 alert certificate required/);
        return true;
      });
      await waitFor(() => server.connErrors.length > 0);
      assert.match(server.connErrors[0]!, /PEER_DID_NOT_RETURN_A_CERTIFICATE/);
    } finally {
      s.close();
    }
  });
});

test('client authentication: CERT_OPTIONAL without a certificate — connection works, no peer certificate', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.verifyMode = ssl.CERT_OPTIONAL;
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      await s.write(Buffer.from('HASCERT'));
      assert.deepEqual(await s.read(), Buffer.from('FALSE\n'));
      await s.write(Buffer.from('ECHO'));
      assert.deepEqual(await s.read(), Buffer.from('echo'));
    } finally {
      s.close();
    }
  });
});

test('test_rude_shutdown: wrapping a connection the server already closed fails with OSError', { skip }, async () => {
  const [clientContext] = testingContext();
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const c = new socket.socket(socket.AF_INET);
  const [, [conn]] = await Promise.all([c.connect(listener.getsockname()), listener.accept()]);
  conn.close();
  listener.close();
  await assert.rejects(clientContext.wrapSocket(c, { serverHostname: 'localhost' }), (e: unknown) => {
    assert.ok(e instanceof ssl.OSError);
    return true;
  });
  assert.equal(c.fileno(), -1);
});

test('test_version_basic / test_tls1_3: None before connect, TLSv1.3 and a TLS 1.3 suite after, None after close', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: hostname })) as ssl.SSLSocket;
    assert.equal(s.version(), null);
    assert.equal(s.cipher(), null);
    await s.connect(server.address);
    assert.equal(s.version(), 'TLSv1.3');
    const [name, proto, bits] = s.cipher()!;
    assert.ok(TLS13_SUITES.includes(name));
    assert.equal(proto, 'TLSv1.3');
    assert.ok(bits === 256 || bits === 128);
    assert.deepEqual(s.cipher(), ['TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256]);
    s.close();
    assert.equal(s.version(), null);
    assert.equal(s.cipher(), null);
  });
});

test('test_tls_unique_channel_binding: 48 bytes, equal on both sides, different per connection', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const values: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await connectClient(clientContext, server, { serverHostname: hostname });
      try {
        const cb = s.getChannelBinding('tls-unique')!;
        assert.equal(cb.length, 48);
        await s.write(Buffer.from('CB tls-unique\n'));
        assert.equal((await s.read()).toString('latin1'), `${pyBytesRepr(cb)}\n`);
        values.push(cb);
      } finally {
        s.close();
      }
    }
    assert.notDeepEqual(values[0], values[1]);
    const unconnected = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: hostname })) as ssl.SSLSocket;
    assert.equal(unconnected.getChannelBinding('tls-unique'), null);
    assert.throws(() => unconnected.getChannelBinding('unknown-type'), /^ValueError: unknown-type channel binding type not implemented$/);
    unconnected.close();
  });
});

test('test_compression / test_compression_disabled: never compressed', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  clientContext.options |= ssl.OP_NO_COMPRESSION;
  const stats = await serverParamsTest(clientContext, serverContext);
  assert.equal(stats.compression, null);
});

test('test_selected_alpn_protocol(_if_server_uses_alpn): None without client ALPN', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  let stats = await serverParamsTest(clientContext, serverContext);
  assert.equal(stats.alpn, null);
  serverContext.setAlpnProtocols(['foo', 'bar']);
  stats = await serverParamsTest(clientContext, serverContext);
  assert.equal(stats.alpn, null);
  assert.deepEqual(stats.serverAlpn, [null]);
});

test('test_alpn_protocols: the server picks by its own preference; no overlap is not an error', { skip }, async () => {
  const serverProtocols = ['foo', 'bar', 'milkshake'];
  const cases: [string[], string | null][] = [
    [['foo', 'bar'], 'foo'],
    [['bar', 'foo'], 'foo'],
    [['milkshake'], 'milkshake'],
    [['http/3.0', 'http/4.0'], null],
  ];
  for (const [clientProtocols, expected] of cases) {
    const [clientContext, serverContext] = testingContext();
    serverContext.setAlpnProtocols(serverProtocols);
    clientContext.setAlpnProtocols(clientProtocols);
    const stats = await serverParamsTest(clientContext, serverContext);
    assert.equal(stats.alpn, expected, `client ${clientProtocols}`);
    assert.deepEqual(stats.serverAlpn, [expected]);
  }
});

test('test_sni_callback: called with the SSLSocket, the name and the context; switching context switches the certificate', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  clientContext.checkHostname = false;
  const [, otherContext] = testingContext(SIGNED_CERTFILE2);
  const calls: [string | null, ssl.SSLContext][] = [];
  serverContext.sniCallback = (sock: ssl.SSLSocket, name: string | null, ctx: ssl.SSLContext) => {
    assert.ok(sock instanceof ssl.SSLSocket);
    assert.equal(sock.serverSide, true);
    calls.push([name, ctx]);
    sock.context = otherContext;
  };
  let stats = await serverParamsTest(clientContext, serverContext, 'supermessage');
  assert.deepEqual(calls, [['supermessage', serverContext]]);
  assert.match(JSON.stringify((stats.peercert as { subject: unknown }).subject), /"commonName","fakehostname"/);
  calls.length = 0;
  stats = await serverParamsTest(clientContext, serverContext, null);
  assert.deepEqual(calls, [[null, serverContext]]);
  calls.length = 0;
  serverContext.setServernameCallback(null);
  stats = await serverParamsTest(clientContext, serverContext, 'notfunny');
  assert.deepEqual(calls, []);
  assert.match(JSON.stringify((stats.peercert as { subject: unknown }).subject), /"commonName","localhost"/);
});

test('test_sni_callback_alert / _raising / _wrong_return_type: the client sees the alert OpenSSL would send', { skip }, async () => {
  const cases: [() => unknown, string][] = [
    [() => ssl.ALERT_DESCRIPTION_ACCESS_DENIED, 'TLSV1_ALERT_ACCESS_DENIED'],
    [
      () => {
        throw new Error('division by zero');
      },
      'SSLV3_ALERT_HANDSHAKE_FAILURE',
    ],
    [() => 'foo', 'TLSV1_ALERT_INTERNAL_ERROR'],
  ];
  // Python's support.catch_unraisable_exception(): the raising and wrong-type cases report there.
  const unraisable: [string, string][] = [];
  ssl.setUnraisableHook((u) => unraisable.push([(u.excType as { name: string }).name, (u.excValue as Error).message]));
  try {
    for (const [cb, reason] of cases) {
      const [clientContext, serverContext, hostname] = testingContext();
      serverContext.sniCallback = cb;
      await withEchoServer(serverContext, async (server) => {
        await assert.rejects(connectClient(clientContext, server, { serverHostname: hostname }), (e: unknown) => {
          assert.ok(e instanceof ssl.SSLError);
          assert.equal(e.reason, reason);
          return true;
        });
        await waitFor(() => server.connErrors.length > 0);
        assert.match(server.connErrors[0]!, /CALLBACK_FAILED|callback failed/i);
      });
    }
  } finally {
    ssl.setUnraisableHook(null);
  }
  assert.deepEqual(unraisable, [
    ['Error', 'division by zero'],
    ['TypeError', "'str' object cannot be interpreted as an integer"],
  ]);
});

test('test_shared_ciphers: the server lists the suites both sides enable; the client gets None', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      assert.equal(s.sharedCiphers(), null);
      await waitFor(() => server.sharedCiphers.length > 0);
      const shared = server.sharedCiphers[0]!;
      assert.ok(shared.length >= TLS13_SUITES.length);
      for (const name of TLS13_SUITES) assert.ok(shared.some(([n]) => n === name), name);
      for (const entry of shared) assert.equal(entry.length, 3);
    } finally {
      s.close();
    }
  });
});

test('getpeercert rules on the server: None without a client certificate, {} when not verifying, binary form regardless', { skip }, async () => {
  const { tlsPair } = await import('./echo-server-fixtures.js');
  const [clientContext, serverContext, hostname] = testingContext();
  let p = await tlsPair(clientContext, serverContext, { serverHostname: hostname });
  try {
    assert.equal(p.server.getpeercert(), null);
    assert.equal(p.server.getpeercert(true), null);
  } finally {
    p.close();
  }
  // The client sends a certificate the CERT_OPTIONAL server verifies: a dict.
  const [clientContext2, optionalServer] = testingContext();
  clientContext2.loadCertChain(SIGNED_CERTFILE);
  optionalServer.verifyMode = ssl.CERT_OPTIONAL;
  p = await tlsPair(clientContext2, optionalServer, { serverHostname: hostname });
  try {
    assert.match(JSON.stringify((p.server.getpeercert() as { subject: unknown }).subject), /localhost/);
    // Switching to a context that does not verify makes it {} (Python reads the current context's verify_mode).
    const [, noVerify] = testingContext();
    p.server.context = noVerify;
    assert.deepEqual(p.server.getpeercert(), {});
    assert.ok(Buffer.isBuffer(p.server.getpeercert(true)));
  } finally {
    p.close();
  }
});

test('session and chain information: a session without ticket right after a TLS 1.3 handshake, sessionReused False, verified chain leaf+CA, unverified leaf only', { skip }, async () => {
  const { tlsPair } = await import('./echo-server-fixtures.js');
  const [clientContext, serverContext, hostname] = testingContext(SIGNED_CERTFILE, false);
  const p = await tlsPair(clientContext, serverContext, { serverHostname: hostname });
  try {
    // As Python on TLS 1.3: a session object at once, its id empty until a NewSessionTicket is read.
    const session = p.client.session as ssl.SSLSession;
    assert.ok(session instanceof ssl.SSLSession);
    assert.equal(session.id.length, 0);
    assert.equal(session.hasTicket, false);
    assert.equal(p.client.sessionReused, false);
    const verified = p.client.getVerifiedChain();
    const unverified = p.client.getUnverifiedChain();
    assert.equal(verified.length, 2);
    assert.equal(unverified.length, 1);
    assert.deepEqual(verified[0], p.client.getpeercert(true));
    assert.deepEqual(p.server.getVerifiedChain(), []);
    assert.equal(p.client.selectedNpnProtocol(), null);
    assert.equal(p.client.serverHostname, hostname);
    assert.equal(p.server.serverHostname, null);
  } finally {
    p.close();
  }
  const lone = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: hostname })) as ssl.SSLSocket;
  assert.deepEqual(lone.getVerifiedChain(), []);
  assert.equal(lone.session, null);
  lone.close();
});

test('server_hostname checks: IDNA errors at wrap time, empty or leading-dot names when the TLS layer is created', { skip }, async () => {
  const clientContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  clientContext.checkHostname = false;
  const raw = new socket.socket(socket.AF_INET);
  await assert.rejects(clientContext.wrapSocket(raw, { serverHostname: '.example.org' }), ssl.ValueError);
  // Python detaches the original before encoding the name.
  assert.equal(raw.fileno(), -1);
  const s = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: 'пример.рф' })) as ssl.SSLSocket;
  assert.equal(s.serverHostname, 'xn--e1afmkfd.xn--p1ai');
  s.close();
  const [, serverContext] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const empty = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: '' })) as ssl.SSLSocket;
    await assert.rejects(empty.connect(server.address), (e: unknown) => e instanceof ssl.ValueError && e.message === 'server_hostname cannot be an empty string or start with a leading dot.');
    empty.close();
  });
});
