/**
 * CPython 3.11.7 Lib/test/test_ssl.py, class TestPostHandshakeAuth: our
 * client against our echo server (echo-server.ts answers PHA / HASCERT /
 * GETCERT / VERIFIEDCHAIN / UNVERIFIEDCHAIN as ThreadedEchoServer does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { SIGNED_CERTFILE, SIGNING_CA, certdataSkip, testingContext } from './port-fixtures.js';

const skip = certdataSkip;
const SIGNED_CERTFILE_HOSTNAME = 'localhost';

async function withServer(context: ssl.SSLContext, body: (server: EchoServer) => Promise<void>): Promise<void> {
  const server = await EchoServer.start({ context });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

async function connected(ctx: ssl.SSLContext, hostname: string, server: EchoServer, options: { suppressRaggedEofs?: boolean } = {}): Promise<ssl.SSLSocket> {
  const s = (await ctx.wrapSocket(new socket.socket(), { serverHostname: hostname, ...options })) as ssl.SSLSocket;
  try {
    await s.connect(server.address);
  } catch (e) {
    s.close();
    throw e;
  }
  return s;
}

/** `s.write(cmd)` then `s.recv(n)`, as the CPython tests do. */
async function ask(s: ssl.SSLSocket, cmd: string, n = 1024): Promise<Buffer> {
  await s.write(Buffer.from(cmd));
  return s.recv(n);
}

test('TestPostHandshakeAuth.test_pha_setter', () => {
  for (const protocol of [ssl.PROTOCOL_TLS_SERVER, ssl.PROTOCOL_TLS_CLIENT]) {
    const ctx = new ssl.SSLContext(protocol);
    assert.equal(ctx.postHandshakeAuth, false);

    ctx.postHandshakeAuth = true;
    assert.equal(ctx.postHandshakeAuth, true);

    ctx.verifyMode = ssl.CERT_REQUIRED;
    assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
    assert.equal(ctx.postHandshakeAuth, true);

    ctx.postHandshakeAuth = false;
    assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
    assert.equal(ctx.postHandshakeAuth, false);

    ctx.verifyMode = ssl.CERT_OPTIONAL;
    ctx.postHandshakeAuth = true;
    assert.equal(ctx.verifyMode, ssl.CERT_OPTIONAL);
    assert.equal(ctx.postHandshakeAuth, true);
  }
});

test('TestPostHandshakeAuth.test_pha_required', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.postHandshakeAuth = true;
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('FALSE\n'));
      assert.deepEqual(await ask(s, 'PHA'), Buffer.from('OK\n'));
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('TRUE\n'));
      // PHA method just returns true when cert is already available
      assert.deepEqual(await ask(s, 'PHA'), Buffer.from('OK\n'));
      const certText = (await ask(s, 'GETCERT', 4096)).toString('ascii');
      assert.ok(certText.includes('Python Software Foundation CA'), certText);
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_pha_required_nocert', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.postHandshakeAuth = true;
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  clientContext.postHandshakeAuth = true;
  // (CPython sets _msg_callback only to print alerts when verbose.)

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server, { suppressRaggedEofs: false });
    try {
      await s.write(Buffer.from('PHA'));
      // test sometimes fails with EOF error. Test passes as long as
      // server aborts connection with an error.
      await assert.rejects(
        (async () => {
          // receive CertificateRequest
          const data = await s.recv(1024);
          assert.deepEqual(data, Buffer.from('OK\n'));
          // send empty Certificate + Finish
          await s.write(Buffer.from('HASCERT'));
          // receive alert
          await s.recv(1024);
        })(),
        (e: unknown) => e instanceof ssl.SSLError && /(certificate required|EOF occurred)/.test(e.message),
      );
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_pha_optional', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.postHandshakeAuth = true;
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);

  // check CERT_OPTIONAL
  serverContext.verifyMode = ssl.CERT_OPTIONAL;
  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('FALSE\n'));
      assert.deepEqual(await ask(s, 'PHA'), Buffer.from('OK\n'));
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('TRUE\n'));
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_pha_optional_nocert', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.postHandshakeAuth = true;
  serverContext.verifyMode = ssl.CERT_OPTIONAL;
  clientContext.postHandshakeAuth = true;

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('FALSE\n'));
      assert.deepEqual(await ask(s, 'PHA'), Buffer.from('OK\n'));
      // optional doesn't fail when client does not have a cert
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('FALSE\n'));
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_pha_no_pha_client', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.postHandshakeAuth = true;
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  clientContext.loadCertChain(SIGNED_CERTFILE);

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.throws(() => s.verifyClientPostHandshake(), (e: unknown) => e instanceof ssl.SSLError && /not server/.test(e.message));
      const answer = await ask(s, 'PHA');
      assert.ok(answer.includes(Buffer.from('extension not received')), answer.toString());
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_pha_no_pha_server', { skip }, async () => {
  // server doesn't have PHA enabled, cert is requested in handshake
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('TRUE\n'));
      // PHA doesn't fail if there is already a cert
      assert.deepEqual(await ask(s, 'PHA'), Buffer.from('OK\n'));
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('TRUE\n'));
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_pha_not_tls13', { skip }, async () => {
  // TLS 1.2
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  clientContext.maximumVersion = ssl.TLSVersion.TLSv1_2;
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      // PHA fails for TLS != 1.3
      const answer = await ask(s, 'PHA');
      assert.ok(answer.includes(Buffer.from('WRONG_SSL_VERSION')), answer.toString());
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_bpo37428_pha_cert_none', { skip }, async () => {
  // verify that post_handshake_auth does not implicitly enable cert
  // validation.
  const hostname = SIGNED_CERTFILE_HOSTNAME;
  const clientContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  clientContext.postHandshakeAuth = true;
  clientContext.loadCertChain(SIGNED_CERTFILE);
  // no cert validation and CA on client side
  clientContext.checkHostname = false;
  clientContext.verifyMode = ssl.CERT_NONE;

  const serverContext = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  serverContext.loadCertChain(SIGNED_CERTFILE);
  serverContext.loadVerifyLocations(SIGNING_CA);
  serverContext.postHandshakeAuth = true;
  serverContext.verifyMode = ssl.CERT_REQUIRED;

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('FALSE\n'));
      assert.deepEqual(await ask(s, 'PHA'), Buffer.from('OK\n'));
      assert.deepEqual(await ask(s, 'HASCERT'), Buffer.from('TRUE\n'));
      // server cert has not been validated
      assert.deepEqual(s.getpeercert(), {});
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_internal_chain_client', { skip }, async () => {
  // Our chains are lists of DER Buffers (Python 3.13's public get_verified_chain()), not
  // _ssl.Certificate objects: equality, hash and repr become byte comparison and parsing.
  const [clientContext, serverContext, hostname] = testingContext(SIGNED_CERTFILE, false);
  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      const vc = s.getVerifiedChain();
      assert.equal(vc.length, 2);
      const [ee, ca] = vc as [Buffer, Buffer];
      const uvc = s.getUnverifiedChain();
      assert.equal(uvc.length, 1);

      assert.deepEqual(ee, uvc[0]);
      assert.notDeepEqual(ee, ca);
      const pem = ssl.DERCertToPEMCert(ee);
      assert.ok(pem.includes('-----BEGIN CERTIFICATE-----'));
      assert.deepEqual(ssl.PEMCertToDERCert(pem), ee);
      assert.ok(pem !== ssl.DERCertToPEMCert(ca));
    } finally {
      s.close();
    }
  });
});

test('TestPostHandshakeAuth.test_internal_chain_server', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.loadCertChain(SIGNED_CERTFILE);
  serverContext.verifyMode = ssl.CERT_REQUIRED;
  serverContext.maximumVersion = ssl.TLSVersion.TLSv1_2;

  await withServer(serverContext, async (server) => {
    const s = await connected(clientContext, hostname, server);
    try {
      assert.deepEqual(await ask(s, 'VERIFIEDCHAIN\n'), Buffer.from([0x02, 0x0a]));
      assert.deepEqual(await ask(s, 'UNVERIFIEDCHAIN\n'), Buffer.from([0x02, 0x0a]));
    } finally {
      s.close();
    }
  });
});
