import { Reader, Writer } from '../codec.js';
import { decodeExtensions, writeExtensions, type NewSessionTicketExtension } from './extensions.js';

/** TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1). */
export interface NewSessionTicket13 {
  readonly type: 'new_session_ticket';
  readonly version: 'TLSv1.3';
  /** Seconds; servers never send more than MAX_TICKET_LIFETIME_SECONDS (clients enforce it when storing). */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Buffer;
  /** At least one byte. */
  readonly ticket: Buffer;
  readonly extensions: readonly NewSessionTicketExtension[];
}

/** TLS 1.2 NewSessionTicket (RFC 5077 §3.3). */
export interface NewSessionTicket12 {
  readonly type: 'new_session_ticket';
  readonly version: 'TLSv1.2';
  readonly lifetimeHint: number;
  /** Empty means "no ticket this time" (RFC 5077 §3.3). */
  readonly ticket: Buffer;
}

export type NewSessionTicket = NewSessionTicket13 | NewSessionTicket12;

export function decodeNewSessionTicket13(body: Uint8Array): NewSessionTicket13 {
  const r = new Reader(body, 'NewSessionTicket');
  const lifetime = r.u32('ticket_lifetime');
  const ageAdd = r.u32('ticket_age_add');
  const nonce = r.opaque8('ticket_nonce');
  const ticket = r.opaque16('ticket', 1);
  const extensions = decodeExtensions(r, 'new_session_ticket');
  r.expectEnd();
  return { type: 'new_session_ticket', version: 'TLSv1.3', lifetime, ageAdd, nonce, ticket, extensions };
}

export function decodeNewSessionTicket12(body: Uint8Array): NewSessionTicket12 {
  const r = new Reader(body, 'NewSessionTicket');
  const lifetimeHint = r.u32('ticket_lifetime_hint');
  const ticket = r.opaque16('ticket');
  r.expectEnd();
  return { type: 'new_session_ticket', version: 'TLSv1.2', lifetimeHint, ticket };
}

export function writeNewSessionTicket(w: Writer, m: NewSessionTicket): void {
  if (m.version === 'TLSv1.3') {
    w.u32(m.lifetime).u32(m.ageAdd).opaque8(m.nonce, 'ticket_nonce').opaque16(m.ticket, 'ticket');
    writeExtensions(w, m.extensions);
    return;
  }
  w.u32(m.lifetimeHint).opaque16(m.ticket, 'ticket');
}

export function encodeNewSessionTicket(m: NewSessionTicket): Buffer {
  const w = new Writer();
  writeNewSessionTicket(w, m);
  return w.finish();
}
