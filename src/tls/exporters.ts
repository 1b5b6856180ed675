/**
 * What a finished connection derives from its secrets for the application:
 * keying material exporters (RFC 8446 §7.5, RFC 5705), channel bindings
 * (RFC 5929 tls-unique, RFC 9266 tls-exporter), and the compact copy of the
 * TLS 1.3 secrets a connection keeps for them. Split out of ./connection.ts.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { TLSError } from './errors.js';
import type { Negotiated, Secrets12, TrafficSecrets } from './handshake-common.js';
import type { PostHandshake13 } from './post-handshake13.js';
import { exportKeyingMaterial12 } from './prf12.js';

export type ChannelBindingType = 'tls-unique' | 'tls-exporter';

/** The exporter label of RFC 9266 (tls-exporter channel binding). */
const TLS_EXPORTER_CB_LABEL = 'EXPORTER-Channel-Binding';
const TLS_EXPORTER_CB_LENGTH = 32;

/** RFC 8446 §7.5 exporter. TLS 1.3 makes no difference between an absent and an empty context. */
export function exportKeyingMaterial(
  provider: CryptoProvider,
  negotiated: Negotiated,
  s12: Secrets12 | null,
  post: PostHandshake13 | null,
  label: string,
  context: Uint8Array | null,
  length: number,
): Buffer {
  // RFC 5705 §4 for TLS 1.2: an absent and an empty context differ there.
  if (s12) return exportKeyingMaterial12(provider, negotiated.suite!.hash, s12.master, s12.clientRandom, s12.serverRandom, label, context, length);
  if (!post) throw new TLSError('internal_error', 'keying material requested before the handshake completed');
  return post.schedule.exportKeyingMaterial(post.secrets.exporterMaster, label, context, length);
}

/**
 * Channel binding data (RFC 5929 / RFC 9266). 'tls-unique' for TLS 1.3 is
 * the client's Finished verify_data, which is what OpenSSL (and so Python's
 * get_channel_binding) returns on both sides. Null before the handshake.
 */
export function channelBinding(provider: CryptoProvider, negotiated: Negotiated, s12: Secrets12 | null, post: PostHandshake13 | null, type: ChannelBindingType): Buffer | null {
  if (s12) {
    // RFC 5929 §3.1: the first Finished of the handshake, the client's in a full handshake.
    if (type === 'tls-unique') return Buffer.from(s12.clientFinished);
    // RFC 9266 §3: tls-exporter over TLS 1.2 only with the extended master secret.
    if (!s12.extendedMasterSecret) throw new TLSError('internal_error', 'tls-exporter channel binding needs the extended master secret in TLS 1.2 (RFC 9266 §3)');
  } else if (!post) {
    return null;
  } else if (type === 'tls-unique') {
    return Buffer.from(post.secrets.clientFinished);
  }
  return exportKeyingMaterial(provider, negotiated, s12, post, TLS_EXPORTER_CB_LABEL, null, TLS_EXPORTER_CB_LENGTH);
}

/**
 * The secrets a TLS 1.3 connection keeps after its handshake, copied into
 * one buffer of their own: five small ArrayBuffers less per connection, and
 * nothing of the handshake's memory pinned.
 */
export function keepSecrets(s: TrafficSecrets): TrafficSecrets {
  const parts = [s.clientApplication, s.serverApplication, s.exporterMaster, s.resumptionMaster, s.clientFinished];
  const all = Buffer.allocUnsafeSlow(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  const [clientApplication, serverApplication, exporterMaster, resumptionMaster, clientFinished] = parts.map((p) => {
    all.set(p, at);
    return all.subarray(at, (at += p.length));
  });
  return { clientApplication: clientApplication!, serverApplication: serverApplication!, exporterMaster: exporterMaster!, resumptionMaster: resumptionMaster!, clientFinished: clientFinished! };
}
