/**
 * Child of seal-offload.test.ts: one SSLSocket pair in this process moves
 * 2 MiB each way through the seal worker, then closes everything and does
 * nothing else. The process must then exit by itself (the worker is unref'd
 * when idle); it prints the worker slices it used and the digest it saw.
 */
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';
import { sealOffloadSlices, setSealOffloadThreshold } from '../../src/ssl/seal-offload.js';
import { payload, recvExactly, sha256 } from '../helpers/data.js';

const N = 2 << 20;
setSealOffloadThreshold(64 * 1024);
const ca = CA.create({ keyType: 'ecdsa-p256' });
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
ca.issueCert('localhost').configureCert(sctx);
const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
ca.configureTrust(cctx);
const listener = await socket.createServer(['127.0.0.1', 0]);
const port = (listener.getsockname() as [string, number])[1];
const [client, [conn]] = await Promise.all([socket.createConnection(['127.0.0.1', port]), listener.accept()]);
listener.close();
const [c, s] = (await Promise.all([cctx.wrapSocket(client, { serverHostname: 'localhost' }), sctx.wrapSocket(conn, { serverSide: true })])) as [ssl.SSLSocket, ssl.SSLSocket];
const data = payload(N, 7);
const [, got, , back] = await Promise.all([c.sendall(data), recvExactly(s, N), s.sendall(data), recvExactly(c, N)]);
c.close();
s.close();
process.stdout.write(`slices=${sealOffloadSlices()} ok=${sha256(got) === sha256(data) && sha256(back) === sha256(data)}\n`);
