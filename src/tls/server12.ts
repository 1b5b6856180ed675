/**
 * The TLS 1.2 server handshake (RFC 5246 §7.3, RFC 8422), after the hello step.
 */
import type { HandshakeContext } from './handshake-common.js';
import { fatal } from './handshake-common.js';
import type { ClientHello } from './messages/client-hello.js';
import type { HandshakeState } from './states.js';
import type { Transcript } from './transcript.js';

export function respond12(_ctx: HandshakeContext, _transcript: Transcript, _ch: ClientHello, _raw: Buffer): HandshakeState {
  fatal('protocol_version', 'client does not offer TLS 1.3, and TLS 1.2 is not implemented yet');
}
