/**
 * What a strict TypeScript user can lean on: lines that must compile, and
 * lines marked `@ts-expect-error` that must not (tsc reports an unused
 * directive if one of them starts compiling). Checked by
 * test/types/types.test.ts with `tsc --noEmit --strict`; never run.
 */
import type { Duplex } from 'node:stream';
import * as ssl from 'sslsock';
import * as socket from 'sslsock/socket';
import { CA } from 'sslsock/testing';

declare const s: ssl.SSLSocket;
declare const obj: ssl.SSLObject;
declare const raw: socket.socket;
declare const transport: Duplex;
const ctx = ssl.createDefaultContext();

// getpeercert() follows Python's binary_form.
export const subject: ssl.PeerCertDict['subject'] | undefined = s.getpeercert()?.subject;
export const notAfter: string | undefined = obj.getpeercert()?.notAfter;
export const der: Buffer | null = s.getpeercert(true);
export const derObj: Buffer | null = obj.getpeercert(true);
// @ts-expect-error the binary form is a Buffer, not a dict
s.getpeercert(true)?.subject;
// @ts-expect-error the dict form is not a Buffer
export const notDer: Buffer | null = s.getpeercert();
// @ts-expect-error null before a peer certificate: must be checked
s.getpeercert().subject;

// cipher() is a tuple; recv() a Buffer; version() a string or null.
export const cipher: [string, string, number] | null = s.cipher();
export const bits: number | undefined = s.cipher()?.[2];
// @ts-expect-error cipher() is not a string
export const cipherName: string = s.cipher();
export const data: Promise<Buffer> = s.recv(1024);
// @ts-expect-error recv() resolves to a Buffer, not a string
export const text: Promise<string> = s.recv(1024);
// @ts-expect-error version() may be null
export const v: string = s.version();

// Options are Python's keyword arguments in camelCase.
export const wrapped: Promise<ssl.SSLSocket> = ctx.wrapSocket(raw, { serverHostname: 'example.com' });
// @ts-expect-error Python's spelling is not an option name
ctx.wrapSocket(raw, { server_hostname: 'example.com' });
// @ts-expect-error sendall() takes bytes, not text
s.sendall('text');
// @ts-expect-error wrapBio() needs two MemoryBIOs
ctx.wrapBio(new ssl.MemoryBIO());
ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cadata: new CA().certPem });
// @ts-expect-error Purpose members are _ASN1Objects, not strings
ssl.createDefaultContext('SERVER_AUTH');

// The SNI callback's first argument is the SSLSocket or SSLObject being handshaken.
ctx.sniCallback = (sock, serverName, c) => {
  const side: boolean = sock.serverSide;
  const name: string | null = serverName;
  sock.context = c;
  void side;
  void name;
  return null;
};
ctx.sniCallback = (sock: ssl.SSLSocket) => void sock.getpeername();
// @ts-expect-error the server name is a string or null, never a number
ctx.sniCallback = (_sock, serverName: number) => serverName;

// Streams (beyond Python).
export const stream: ssl.SSLStream = ssl.wrapStream(transport, ctx, { serverHostname: 'example.com' });
export const alpn: string | false = stream.alpnProtocol;
export const duplex: ssl.SSLSocketDuplex = s.toDuplex();
// @ts-expect-error wrapStream() needs a context
ssl.wrapStream(transport);
export async function iterate(): Promise<number> {
  let n = 0;
  for await (const chunk of s) n += chunk.length;
  return n;
}

// Exceptions carry Python's attributes.
export function describe(e: unknown): string {
  if (e instanceof ssl.SSLCertVerificationError) return `${e.verifyCode} ${e.verifyMessage}`;
  if (e instanceof ssl.SSLError) return `${e.library} ${e.reason}`;
  return String(e);
}

// getsockname() / getpeername() / accept() follow the address family where the code says which (Python:
// (host, port) for AF_INET, (host, port, flowinfo, scope_id) for AF_INET6).
export async function addresses(): Promise<void> {
  const v4 = new socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  const [host, port] = v4.getsockname();
  const pair: [string, number] = v4.getpeername();
  void host;
  void port;
  void pair;
  // @ts-expect-error an AF_INET address has no flowinfo
  v4.getsockname()[2];
  // @ts-expect-error nor is it the AF_INET6 4-tuple
  const four: [string, number, number, number] = v4.getsockname();
  void four;
  const v6 = new socket.socket(socket.AF_INET6);
  const [, , flowinfo, scopeId]: [string, number, number, number] = v6.getsockname();
  const n: number = flowinfo + scopeId;
  void n;
  // @ts-expect-error the AF_INET6 address is a 4-tuple, not a pair
  const notPair: [string, number] = v6.getpeername();
  void notPair;
  const [conn, peer] = await v6.accept();
  const peerScope: number = peer[3];
  const connScope: number = conn.getsockname()[3];
  void peerScope;
  void connScope;
  // Wrapping keeps the family.
  const tls4 = await ctx.wrapSocket(v4, { serverHostname: 'example.com' });
  const [tlsHost, tlsPort] = tls4.getpeername();
  void tlsHost;
  void tlsPort;
  // @ts-expect-error an AF_INET SSLSocket's peer has no scope id
  tls4.getpeername()[3];
  const tls6: ssl.SSLSocket<typeof socket.AF_INET6> = await ctx.wrapSocket(v6);
  const [tlsConn, tlsPeer] = await tls6.accept();
  const tlsConnSide: boolean = tlsConn.serverSide;
  const tlsPeerScope: number = tlsPeer[3];
  void tlsConnSide;
  void tlsPeerScope;
  // create_server() is AF_INET unless told otherwise.
  const server = await socket.createServer(['127.0.0.1', 0]);
  const [, serverPort] = server.getsockname();
  void serverPort;
  // @ts-expect-error AF_INET by default
  server.getsockname()[2];
  const server6 = await socket.createServer(['::1', 0], { family: socket.AF_INET6 });
  const server6Scope: number = server6.getsockname()[3];
  void server6Scope;
  // A socket whose family is not known at compile time may have either address.
  const either = raw.getsockname();
  const [eitherHost, eitherPort] = either;
  void eitherHost;
  void eitherPort;
  // @ts-expect-error may be the AF_INET6 4-tuple
  const onlyPair: [string, number] = either;
  void onlyPair;
  // A socket of a known family is still a socket.
  const plain: socket.socket = v6;
  const plainTls: ssl.SSLSocket = tls6;
  void plain;
  void plainTls;
}
