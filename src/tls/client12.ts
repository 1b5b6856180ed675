/**
 * The TLS 1.2 client handshake (RFC 5246 §7.3, RFC 8422), after the hello step.
 */
import type { ClientHelloState } from './client-hs.js';
import type { HandshakeContext } from './handshake-common.js';
import { fatal } from './handshake-common.js';
import type { ServerHello } from './messages/server-hello.js';
import type { CipherSuite } from './registry/suites.js';
import type { HandshakeState } from './states.js';

export function processServerHello12(_ctx: HandshakeContext, _st: ClientHelloState, _sh: ServerHello, _raw: Buffer, _suite: CipherSuite): HandshakeState {
  fatal('protocol_version', 'server selected TLS 1.2, which is not implemented yet');
}
