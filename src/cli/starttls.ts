/**
 * `sslsock connect --starttls smtp`: the plain-text part of SMTP before TLS
 * (RFC 3207): greeting, EHLO, STARTTLS, then the handshake on the same socket.
 */
import { hostname } from 'node:os';
import type * as socket from '../socket/index.js';
import { UsageError } from './args.js';

export const STARTTLS_PROTOCOLS = ['smtp'] as const;
export type StarttlsProtocol = (typeof STARTTLS_PROTOCOLS)[number];

const RECV_SIZE = 4096;
/** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; allow generous multi-line EHLO replies. */
const MAX_REPLY_BYTES = 64 * 1024;
const SMTP_READY = 220;
const SMTP_OK = 250;

/** A failure in the plain-text dialogue (exit status 1, like a TLS failure). */
export class StarttlsError extends Error {
  override readonly name = 'StarttlsError';
}

export function starttlsProtocol(v: string | undefined): StarttlsProtocol | undefined {
  if (v === undefined) return undefined;
  if (!(STARTTLS_PROTOCOLS as readonly string[]).includes(v)) throw new UsageError(`unknown --starttls protocol '${v}' (known: ${STARTTLS_PROTOCOLS.join(', ')})`);
  return v as StarttlsProtocol;
}

interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
}

/** Reads SMTP replies without reading past the last one: the TLS handshake follows on this socket. */
class ReplyReader {
  private buffered = Buffer.alloc(0);
  constructor(
    private readonly sock: socket.socket,
    private readonly trace: (line: string) => void,
  ) {}

  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      this.trace(`S: ${line}`);
      lines.push(line);
      const m = /^(\d{3})([ -])/.exec(line) ?? /^(\d{3})()$/.exec(line);
      if (m === null) throw new StarttlsError(`not an SMTP reply line: ${JSON.stringify(line)}`);
      if (m[2] !== '-') return { code: Number(m[1]), lines };
    }
  }

  /** Bytes that arrived after the last reply; must be none before the handshake (no command injection, CVE-2011-0411). */
  get leftover(): number {
    return this.buffered.length;
  }

  private async line(): Promise<string> {
    for (;;) {
      const eol = this.buffered.indexOf('\n');
      if (eol >= 0) {
        const text = this.buffered.subarray(0, eol).toString('latin1').replace(/\r$/, '');
        this.buffered = this.buffered.subarray(eol + 1);
        return text;
      }
      if (this.buffered.length > MAX_REPLY_BYTES) throw new StarttlsError('SMTP reply too long');
      const d = await this.sock.recv(RECV_SIZE);
      if (d.length === 0) throw new StarttlsError('the server closed the connection during the SMTP dialogue');
      this.buffered = Buffer.concat([this.buffered, d]);
    }
  }
}

/**
 * RFC 3207 §4: greeting (220), EHLO (250, must list STARTTLS), STARTTLS
 * (220). Afterwards the socket is ready for the ClientHello.
 */
export async function smtpStarttls(sock: socket.socket, trace: (line: string) => void): Promise<void> {
  const reader = new ReplyReader(sock, trace);
  const send = async (command: string): Promise<void> => {
    trace(`C: ${command}`);
    await sock.sendall(Buffer.from(`${command}\r\n`, 'latin1'));
  };
  const expect = (r: Reply, code: number, what: string): void => {
    if (r.code !== code) throw new StarttlsError(`${what}: the server answered ${r.lines.at(-1)}`);
  };
  expect(await reader.reply(), SMTP_READY, 'SMTP greeting');
  await send(`EHLO ${hostname() || 'localhost'}`);
  const ehlo = await reader.reply();
  expect(ehlo, SMTP_OK, 'EHLO');
  if (!ehlo.lines.some((l) => /^\d{3}[ -]STARTTLS\s*$/i.test(l))) throw new StarttlsError('the server does not offer STARTTLS');
  await send('STARTTLS');
  expect(await reader.reply(), SMTP_READY, 'STARTTLS');
  if (reader.leftover > 0) throw new StarttlsError('the server sent data after its STARTTLS reply (before the TLS handshake)');
}
