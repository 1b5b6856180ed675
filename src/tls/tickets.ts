/**
 * Stateless session tickets (RFC 8446 §4.6.1, RFC 5077 §4): the server keeps
 * no per-session state; what it needs to resume is sealed with an AEAD under
 * a ticket key it alone holds, and handed to the client as the ticket.
 *
 * `TicketKeys` is owned by whoever configures servers (Python's SSLContext):
 * a key per rotation period, the previous one kept for one more period so
 * tickets issued just before a rotation stay usable; older ones are
 * forgotten, and a ticket under a forgotten (or foreign) key is simply not
 * opened — the handshake falls back to a full one.
 *
 * Ticket = key_name(16) || nonce(12) || AES-256-GCM(state, aad = key_name).
 */
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import { Reader, Writer } from './codec.js';
import { TLSError } from './errors.js';
import type { CipherSuite } from './registry/suites.js';
import { suiteById } from './registry/suites.js';

const KEY_NAME_LENGTH = 16;
const NONCE_LENGTH = 12;
const KEY_LENGTH = 32;
/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)". */
export const MAX_TICKET_LIFETIME_SECONDS = 604800;
/** OpenSSL's (and so Python's) default session timeout. */
export const DEFAULT_TICKET_LIFETIME_SECONDS = 7200;
/** Format of the sealed state; a ticket of another format is not ours. */
const STATE_FORMAT_TLS13 = 1;
const STATE_FORMAT_TLS12 = 2;

interface TicketKey {
  readonly period: number;
  readonly name: Buffer;
  readonly aead: AeadKey;
}

export interface TicketKeysOptions {
  /** Seconds one key is used to seal; it keeps opening tickets for one more period. Default 7200. */
  readonly rotationSeconds?: number;
  /** Milliseconds since the epoch (the engine reads no clock of its own). */
  readonly now: () => number;
}

/** The rotating keys that seal and open tickets. */
export class TicketKeys {
  readonly rotationMs: number;
  private current: TicketKey | null = null;
  private previous: TicketKey | null = null;
  /** Periods skipped by rotate() (tests and operators forcing a rotation). */
  private shift = 0;

  constructor(
    private readonly provider: CryptoProvider,
    private readonly options: TicketKeysOptions,
  ) {
    const s = options.rotationSeconds ?? DEFAULT_TICKET_LIFETIME_SECONDS;
    if (!(s > 0)) throw new TLSError('internal_error', `ticket key rotation period must be positive, not ${s}`);
    this.rotationMs = s * 1000;
  }

  now(): number {
    return this.options.now();
  }

  /** Moves to a new key at once; the one in use becomes the previous one. */
  rotate(): void {
    this.shift++;
    this.keyForNow();
  }

  private keyForNow(): TicketKey {
    const period = Math.floor(this.options.now() / this.rotationMs) + this.shift;
    const cur = this.current;
    if (cur === null || period > cur.period) {
      this.previous = cur !== null && cur.period === period - 1 ? cur : null;
      const name = this.provider.randomBytes(KEY_NAME_LENGTH);
      this.current = { period, name, aead: this.provider.createAead('AES-256-GCM', this.provider.randomBytes(KEY_LENGTH)) };
    }
    return this.current!;
  }

  seal(state: Uint8Array): Buffer {
    const key = this.keyForNow();
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    return Buffer.concat([key.name, nonce, key.aead.seal(nonce, key.name, state)]);
  }

  /** The sealed state, or null when the ticket is not one of ours or its key has rotated out. */
  open(ticket: Uint8Array): Buffer | null {
    if (ticket.length <= KEY_NAME_LENGTH + NONCE_LENGTH) return null;
    this.keyForNow();
    const name = ticket.subarray(0, KEY_NAME_LENGTH);
    const key = [this.current, this.previous].find((k) => k !== null && this.provider.constantTimeEqual(k.name, name));
    if (!key) return null;
    try {
      return key.aead.open(ticket.subarray(KEY_NAME_LENGTH, KEY_NAME_LENGTH + NONCE_LENGTH), key.name, ticket.subarray(KEY_NAME_LENGTH + NONCE_LENGTH));
    } catch {
      return null;
    }
  }
}

/** The peer's chain inside a sealed state: a uint24-prefixed list of uint24-prefixed DER certificates. */
function writeCertificates(w: Writer, certs: readonly Buffer[]): void {
  w.u24Prefixed(() => {
    for (const c of certs) w.opaque24(c);
  });
}

function readCertificates(r: Reader): Buffer[] {
  const certs = r.vec24('certificates');
  const out: Buffer[] = [];
  while (!certs.atEnd) out.push(certs.opaque24('certificate', 1));
  return out;
}

/** A string or null inside a sealed state (ALPN protocol, server name): a presence byte, then latin1 bytes. */
function writeOptional(w: Writer, s: string | null): void {
  w.u8(s === null ? 0 : 1).opaque16(Buffer.from(s ?? '', 'latin1'));
}

function readOptional(r: Reader, field: string): string | null {
  const present = r.u8() === 1;
  const bytes = r.opaque16(field);
  return present ? bytes.toString('latin1') : null;
}

/** What a TLS 1.3 server seals into a ticket: enough to resume without remembering anything. */
export interface TicketState13 {
  readonly suite: CipherSuite;
  /** Milliseconds since the epoch, by the TicketKeys clock. */
  readonly issuedAt: number;
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly psk: Buffer;
  readonly alpn: string | null;
  /** The client's certificate chain as it sent it (empty when it sent none). */
  readonly peerCertificates: readonly Buffer[];
}

export function encodeTicketState13(s: TicketState13): Buffer {
  const w = new Writer(256);
  w.u8(STATE_FORMAT_TLS13).u16(s.suite.id);
  w.u32(Math.floor(s.issuedAt / 2 ** 32)).u32(s.issuedAt >>> 0);
  w.u32(s.lifetime).u32(s.ageAdd).opaque8(s.psk);
  writeOptional(w, s.alpn);
  writeCertificates(w, s.peerCertificates);
  return w.finish();
}

/** Null when the plaintext is not a TLS 1.3 ticket state we wrote. */
export function decodeTicketState13(data: Uint8Array): TicketState13 | null {
  try {
    const r = new Reader(data, 'ticket state');
    if (r.u8() !== STATE_FORMAT_TLS13) return null;
    const suite = suiteById(r.u16());
    const issuedAt = r.u32() * 2 ** 32 + r.u32();
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const psk = r.opaque8('psk', 1);
    const alpn = readOptional(r, 'alpn');
    const peerCertificates = readCertificates(r);
    r.expectEnd();
    if (!suite || suite.version !== 'TLSv1.3') return null;
    return { suite, issuedAt, lifetime, ageAdd, psk, alpn, peerCertificates };
  } catch {
    return null;
  }
}

/**
 * A TLS 1.2 server's session: what it seals into a ticket (RFC 5077 §4) or
 * keeps in its session cache (session-cache.ts): the master secret and what
 * the session negotiated.
 */
export interface TicketState12 {
  readonly suite: CipherSuite;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  /** Seconds. */
  readonly lifetime: number;
  readonly master: Buffer;
  /** RFC 7627 §5.3: resumption only with the same extended_master_secret state. */
  readonly ems: boolean;
  /** RFC 6066 §3: the SNI the session was made for; another name means a full handshake. */
  readonly serverName: string | null;
  readonly peerCertificates: readonly Buffer[];
}

export function encodeTicketState12(s: TicketState12): Buffer {
  const w = new Writer(256);
  w.u8(STATE_FORMAT_TLS12).u16(s.suite.id);
  w.u32(Math.floor(s.issuedAt / 2 ** 32)).u32(s.issuedAt >>> 0);
  w.u32(s.lifetime).opaque8(s.master).u8(s.ems ? 1 : 0);
  writeOptional(w, s.serverName);
  writeCertificates(w, s.peerCertificates);
  return w.finish();
}

export function decodeTicketState12(data: Uint8Array): TicketState12 | null {
  try {
    const r = new Reader(data, 'ticket state');
    if (r.u8() !== STATE_FORMAT_TLS12) return null;
    const suite = suiteById(r.u16());
    const issuedAt = r.u32() * 2 ** 32 + r.u32();
    const lifetime = r.u32();
    const master = r.opaque8('master', 48, 48);
    const ems = r.u8() === 1;
    const serverName = readOptional(r, 'server name');
    const peerCertificates = readCertificates(r);
    r.expectEnd();
    if (!suite || suite.version !== 'TLSv1.2') return null;
    return { suite, issuedAt, lifetime, master, ems, serverName, peerCertificates };
  } catch {
    return null;
  }
}

/** A TLS 1.2 session the client can resume (RFC 5077 ticket, or the server's session id alone). */
export interface ClientTicket12 {
  readonly version: 'TLSv1.2';
  readonly suite: CipherSuite;
  /** Empty when the server gave only a session id. */
  readonly ticket: Buffer;
  readonly sessionId: Buffer;
  readonly master: Buffer;
  readonly ems: boolean;
  /** Seconds (the ticket_lifetime_hint; 0: unspecified). */
  readonly lifetime: number;
  readonly receivedAt: number;
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly peerCertificates: readonly Buffer[];
}

/** A resumable session of either version, as the client keeps it. */
export type AnyClientTicket = ClientTicket | ClientTicket12;

/**
 * What a client keeps from a NewSessionTicket to resume later (RFC 8446
 * §4.6.1): the ticket as an opaque identity, the PSK derived from it, and
 * what the resumed connection reports without a server certificate message.
 */
export interface ClientTicket {
  readonly version: 'TLSv1.3';
  readonly suite: CipherSuite;
  readonly ticket: Buffer;
  readonly psk: Buffer;
  readonly ageAdd: number;
  /** Seconds. */
  readonly lifetime: number;
  /** Milliseconds since the epoch, by the client's clock (0 without a clock). */
  readonly receivedAt: number;
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly peerCertificates: readonly Buffer[];
}
