/**
 * The server's hello step, shared by both versions (rustls' server/hs.rs):
 * read the ClientHello, settle the version (RFC 8446 §4.2.1, RFC 5246
 * Appendix E.1), run the ClientHello hook (Python's SNI callback), then hand
 * off to the TLS 1.3 states (server13.ts) or the TLS 1.2 states
 * (server12.ts).
 */
import type { HandshakeContext } from './handshake-common.js';
import { fatal } from './handshake-common.js';
import type { ClientHello } from './messages/client-hello.js';
import { findExtension } from './messages/extensions.js';
import { HandshakeType } from './registry/handshake-types.js';
import { SignalingSuite } from './registry/suites.js';
import { ProtocolVersion, versionCode, versionsBetween, type VersionName } from './registry/versions.js';
import { respond13 } from './server13.js';
import { respond12 } from './server12.js';
import type { HandshakeState, IncomingMessage } from './states.js';
import { decodeAs, expectType } from './states.js';
import { Transcript } from './transcript.js';

export function startServer(ctx: HandshakeContext): HandshakeState {
  return new ExpectClientHello(ctx);
}

/** The versions a ClientHello offers: supported_versions if present, else what legacy_version implies (RFC 8446 §4.2.1). */
function clientVersions(ch: ClientHello): number[] {
  const sv = findExtension(ch.extensions, 'supported_versions');
  if (sv) return [...sv.versions];
  return ch.legacyVersion >= ProtocolVersion.TLSv1_2 ? [ProtocolVersion.TLSv1_2] : [];
}

/** The highest version both sides enable; protocol_version when there is none. */
function selectVersion(ctx: HandshakeContext, ch: ClientHello): VersionName {
  const ours = versionsBetween(ctx.config.minVersion, ctx.config.maxVersion);
  const theirs = clientVersions(ch);
  const version = ours.find((v) => theirs.includes(versionCode(v)));
  if (!version) {
    const offered = theirs.length > 0 ? theirs.map((v) => `0x${v.toString(16).padStart(4, '0')}`).join(', ') : `legacy 0x${ch.legacyVersion.toString(16).padStart(4, '0')}`;
    fatal('protocol_version', `unsupported protocol: client offers ${offered}, we enable ${ours.join(', ') || 'nothing'}`);
  }
  // RFC 7507 §3: a client that fell back below our best version on purpose tells us; that is an attack or a bug.
  if (ch.cipherSuites.includes(SignalingSuite.TLS_FALLBACK_SCSV) && version !== ours[0]) {
    fatal('inappropriate_fallback', `inappropriate fallback: client signals a fallback to ${version}, we support ${ours[0]}`);
  }
  return version;
}

/**
 * RFC 8446 Appendix D.5: a hello saying SSL 3.0 or older is refused, whatever
 * it offers; RFC 9846 §4.1.2 / D.5: a ClientHello that negotiates through
 * supported_versions must say 0x0303 in legacy_version (protocol_version
 * otherwise). A hello without supported_versions is a pre-1.3 client's, for
 * which legacy_version is the version it asks for.
 */
function checkLegacyVersion(ch: ClientHello): void {
  const v = ch.legacyVersion;
  const hex = `0x${v.toString(16).padStart(4, '0')}`;
  if (v <= ProtocolVersion.SSLv3) fatal('protocol_version', `unsupported protocol: ClientHello legacy_version is ${hex} (SSL 3.0 or older)`);
  if (v !== ProtocolVersion.TLSv1_2 && findExtension(ch.extensions, 'supported_versions')) {
    fatal('protocol_version', `unsupported protocol: ClientHello with supported_versions says legacy_version ${hex}, not 0x0303`);
  }
}

class ExpectClientHello implements HandshakeState {
  readonly name = 'ExpectClientHello';
  constructor(private readonly ctx: HandshakeContext) {}

  handle(msg: IncomingMessage): HandshakeState {
    const { ctx } = this;
    expectType(msg, HandshakeType.client_hello, this.name);
    const ch = decodeAs(msg, 'client_hello');
    checkLegacyVersion(ch);
    const version = selectVersion(ctx, ch);
    const cfg = ctx.config;
    const sni = findExtension(ch.extensions, 'server_name');
    ctx.negotiated.serverName = sni ? sni.hostName : null;
    const alpnOffer = findExtension(ch.extensions, 'application_layer_protocol_negotiation');
    const sigOffer = findExtension(ch.extensions, 'signature_algorithms');
    const overrides = cfg.onClientHello?.({
      serverName: ctx.negotiated.serverName,
      alpnProtocols: alpnOffer ? alpnOffer.protocols.map((p) => p.toString('latin1')) : [],
      signatureSchemes: sigOffer ? sigOffer.schemes : [],
      suites: ch.cipherSuites,
    });
    if (overrides) {
      if (overrides.certificates) cfg.certificates = overrides.certificates;
      if (overrides.alpnProtocols) cfg.alpnProtocols = overrides.alpnProtocols;
      if (overrides.clientAuth) cfg.clientAuth = overrides.clientAuth;
      if (overrides.verifyPeer !== undefined) cfg.verifyPeer = overrides.verifyPeer;
    }
    const transcript = new Transcript(ctx.provider);
    return version === 'TLSv1.3' ? respond13(ctx, transcript, ch, msg.raw, null) : respond12(ctx, transcript, ch, msg.raw);
  }
}

/** RFC 7301 §3.2: the server's preference; no overlap means no ALPN (what OpenSSL's callback in Python does), not an alert. */
export function chooseAlpn(ctx: HandshakeContext, ch: ClientHello): string | null {
  const offer = findExtension(ch.extensions, 'application_layer_protocol_negotiation');
  if (!offer || ctx.config.alpnProtocols.length === 0) return null;
  const theirs = offer.protocols.map((p) => p.toString('latin1'));
  return ctx.config.alpnProtocols.find((p) => theirs.includes(p)) ?? null;
}
