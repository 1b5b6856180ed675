/**
 * node:net's `onread` (reads land in a buffer we give, ./receive-ring.ts):
 * the option's shape, and how a socket net.Server accepted (which takes no
 * options) is given one. The only use of node's private socket state in
 * src/socket, with a fallback to 'data' events where it is missing.
 */
import type * as net from 'node:net';

/** What node:net's `onread` option takes (net.connect, new net.Socket). */
export interface OnRead {
  buffer: () => Uint8Array;
  callback: (n: number, buf: Uint8Array) => boolean;
}

/** An `onread` from Transport.onread() (./transport.ts), and the stream made with it once attached (until then its reads are dropped). */
export interface TransportOnRead extends OnRead {
  stream: net.Socket | null;
}

/** node:net's private per-socket `onread` state, and the TCP handle method that points reads at a buffer. */
type OnReadInternals = Record<symbol, unknown> & { _handle?: { reading?: boolean; useUserBuffer?: (b: Uint8Array) => void } | null };

/** node:net's symbols for a socket's onread state (module constants of node: the same for every socket), or false where it has none. */
let onReadKeys: [symbol, symbol, symbol] | false | undefined;

function findOnReadKeys(stream: net.Socket): [symbol, symbol, symbol] | false {
  const symbols = new Map(Object.getOwnPropertySymbols(stream).map((k) => [k.description, k]));
  const keys = [symbols.get('kBuffer'), symbols.get('kBufferCb'), symbols.get('kBufferGen')];
  return keys.every((k) => k !== undefined) ? (keys as [symbol, symbol, symbol]) : false;
}

/**
 * Give `onread` to a socket node:net created (net.Server's accepted
 * connections take no options): the state its constructor would have set
 * from the option, found by the names node gives its symbols. False, and
 * the socket left as it was, where this node does not have them or the
 * socket is already reading (its data then comes as 'data').
 */
export function adoptOnRead(stream: net.Socket, onread: OnRead): boolean {
  const o = stream as unknown as OnReadInternals;
  const keys = (onReadKeys ??= findOnReadKeys(stream));
  if (keys === false) return false;
  const [kBuffer, kBufferCb, kBufferGen] = keys;
  const handle = o._handle;
  if (!(kBuffer in o) || o[kBuffer] !== null) return false;
  if (handle === null || handle === undefined || handle.reading === true || typeof handle.useUserBuffer !== 'function') return false;
  if (stream.readableLength > 0 || stream.readableEnded) return false;
  const first = onread.buffer();
  o[kBufferGen] = onread.buffer;
  o[kBufferCb] = onread.callback;
  o[kBuffer] = first;
  handle.useUserBuffer(first);
  return true;
}
