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
