/**
 * The sans-IO door: SSLObject + MemoryBIO, synchronous, no socket at all.
 * The demo moves each flight between two in-memory SSLObjects by hand, as a
 * user plugging sslsock into their own event loop would, and records what
 * each call did and how many bytes `outgoing.read()` gave.
 */
import * as ssl from '../ssl/index.js';
import type { CA, LeafCert } from '../testing/index.js';
import { clientContext, serverContext } from './demo-loopback.js';
import { hexPrefix } from './pretty.js';

/** TLS record header (RFC 8446 §5.1): type, legacy version, length. */
const RECORD_HEADER_BYTES = 5;
const SANSIO_MESSAGE = 'hello through two MemoryBIOs';

export interface Flight {
  /** Which side's call, e.g. `client.doHandshake()`. */
  readonly call: string;
  /** 'done' when the call returned, else the exception class it raised (SSLWantReadError). */
  readonly outcome: string;
  /** `outgoing.read()` after the call: bytes to hand to the peer. */
  readonly bytesOut: number;
  /** Hex of the first record header of those bytes ('' when none). */
  readonly recordHeader: string;
}

export interface SansIoReport {
  readonly flights: Flight[];
  readonly clientHelloBytes: number;
  readonly version: string | null;
  readonly cipher: [string, string, number] | null;
  readonly alpn: string | null;
  readonly appData: { readonly plaintext: number; readonly ciphertext: number; readonly received: string };
}

interface Side {
  readonly obj: ssl.SSLObject;
  readonly incoming: ssl.MemoryBIO;
  readonly outgoing: ssl.MemoryBIO;
}

/** Runs one call; SSLWantReadError is an outcome here (Python's non-blocking contract), anything else propagates. */
function call(name: string, side: Side, fn: () => unknown, flights: Flight[]): Buffer {
  let outcome = 'done';
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ssl.SSLWantReadError)) throw e;
    outcome = e.name;
  }
  const out = side.outgoing.read();
  flights.push({ call: name, outcome, bytesOut: out.length, recordHeader: hexPrefix(out, RECORD_HEADER_BYTES) });
  return out;
}

export function runSansIo(ca: CA, leaf: LeafCert): SansIoReport {
  const mk = (ctx: ssl.SSLContext, serverSide: boolean): Side => {
    const incoming = new ssl.MemoryBIO();
    const outgoing = new ssl.MemoryBIO();
    const obj = serverSide ? ctx.wrapBio(incoming, outgoing, { serverSide: true }) : ctx.wrapBio(incoming, outgoing, { serverHostname: 'localhost' });
    return { obj, incoming, outgoing };
  };
  const client = mk(clientContext(ca), false);
  const server = mk(serverContext(leaf), true);
  const flights: Flight[] = [];

  const clientHello = call('client.doHandshake()', client, () => client.obj.doHandshake(), flights);
  server.incoming.write(clientHello);
  const serverFlight = call('server.doHandshake()', server, () => server.obj.doHandshake(), flights);
  client.incoming.write(serverFlight);
  const clientFinished = call('client.doHandshake()', client, () => client.obj.doHandshake(), flights);
  server.incoming.write(clientFinished);
  const afterServer = call('server.doHandshake()', server, () => server.obj.doHandshake(), flights);
  client.incoming.write(afterServer);

  const message = Buffer.from(SANSIO_MESSAGE);
  const record = call(`client.write(${message.length} bytes)`, client, () => client.obj.write(message), flights);
  server.incoming.write(record);
  const received = server.obj.read() as Buffer;

  return {
    flights,
    clientHelloBytes: clientHello.length,
    version: client.obj.version(),
    cipher: client.obj.cipher(),
    alpn: client.obj.selectedAlpnProtocol(),
    appData: { plaintext: message.length, ciphertext: record.length, received: received.toString('latin1') },
  };
}
