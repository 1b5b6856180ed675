/**
 * `node --cpu-prof build/bench/profile.js <bulk-socket|bulk-memory|handshake-memory|handshake-socket> [seconds=5]`:
 * runs one of the bench workloads (sslsock side only) for a while, so a CPU
 * or heap profile shows where its time goes without the baseline mixed in.
 */
import * as ssl from '../src/ssl/index.js';
import { CA } from '../src/testing/index.js';
import { connectedPair } from './tls-bulk.js';
import { handshakeContexts, handshakeInMemory } from './tls-handshake.js';
import { certs, oursConnect, oursEchoOnce, oursEndpoint } from './tls-socket.js';

const CHUNK = 64 * 1024;

async function main(): Promise<void> {
  const [what = 'bulk-socket', secs = '5'] = process.argv.slice(2);
  const until = Date.now() + Number(secs) * 1000;
  const cpu0 = process.cpuUsage();
  let units = 0;
  if (what === 'bulk-socket') {
    const e = await oursEndpoint(certs());
    const [c, s] = await oursConnect(e);
    const chunk = Buffer.alloc(CHUNK, 1);
    let done = false;
    const send = (async () => {
      while (Date.now() < until) await c.sendall(chunk);
      done = true;
      c.close();
    })();
    for (;;) {
      const d = await s.recv(CHUNK);
      if (d.length === 0) break;
      units += d.length;
      if (done && units % CHUNK === 0 && s.pending() === 0) break;
    }
    await send;
    s.close();
    e.listener.close();
    units /= 1e6;
  } else if (what === 'bulk-memory') {
    const { client, server } = connectedPair(CA.create({ keyType: 'ecdsa-p256' }));
    const chunk = Buffer.alloc(CHUNK, 1);
    while (Date.now() < until) {
      client.obj.write(chunk);
      server.incoming.write(client.outgoing.read());
      while (server.obj.pending() > 0 || server.incoming.pending > 0) units += (server.obj.read(CHUNK) as Buffer).length;
    }
    units /= 1e6;
  } else if (what === 'handshake-memory') {
    const { cctx, sctx } = handshakeContexts();
    while (Date.now() < until) {
      handshakeInMemory(cctx, sctx);
      units++;
    }
  } else if (what === 'handshake-socket') {
    const e = await oursEndpoint(certs());
    while (Date.now() < until) {
      await oursEchoOnce(...(await oursConnect(e)));
      units++;
    }
    e.listener.close();
  } else {
    throw new Error(`unknown workload ${what}`);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${what}: ${units.toFixed(1)} units in ${secs} s wall, ${cpuS.toFixed(2)} CPU-s → ${(units / cpuS).toFixed(1)} per CPU-s\n`);
  void ssl;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
