/**
 * The TLS options `sslsock connect` and `sslsock serve` share (what
 * `openssl s_client` and `s_server` both take): trust, own certificate,
 * ALPN, protocol version, key log. One table, one place that applies them
 * to an SSLContext, so the two commands cannot drift apart.
 */
import * as ssl from '../ssl/index.js';
import { flag, listOption, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args.js';

export const TLS_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  cafile: { value: true, metavar: 'FILE', help: 'trust the CA certificates in this PEM file' },
  cert: { value: true, metavar: 'FILE', help: 'own certificate chain (PEM; may hold the key too)' },
  key: { value: true, metavar: 'FILE', help: 'private key of --cert (PEM), if not in the --cert file' },
  alpn: { value: true, metavar: 'LIST', help: 'ALPN protocols, comma-separated (e.g. h2,http/1.1)' },
  tls1_2: { value: false, help: 'TLS 1.2 only' },
  tls1_3: { value: false, help: 'TLS 1.3 only' },
  keylog: { value: true, metavar: 'FILE', help: 'append the secrets to FILE in NSS key log format (for Wireshark)' },
};

/** Applies the shared options to a context. Files are read here, so a missing one fails before any connection. */
export function applyTlsOptions(ctx: ssl.SSLContext, args: ParsedArgs): void {
  const only12 = flag(args, 'tls1_2');
  const only13 = flag(args, 'tls1_3');
  if (only12 && only13) throw new UsageError('--tls1_2 and --tls1_3 exclude each other');
  if (only12 || only13) {
    const v = only12 ? ssl.TLSVersion.TLSv1_2 : ssl.TLSVersion.TLSv1_3;
    ctx.minimumVersion = v;
    ctx.maximumVersion = v;
  }
  const alpn = listOption(args, 'alpn');
  if (alpn !== undefined) ctx.setAlpnProtocols(alpn);
  const cert = stringOption(args, 'cert');
  const key = stringOption(args, 'key');
  if (key !== undefined && cert === undefined) throw new UsageError('--key needs --cert');
  if (cert !== undefined) ctx.loadCertChain(cert, key ?? null);
  const cafile = stringOption(args, 'cafile');
  if (cafile !== undefined) ctx.loadVerifyLocations(cafile);
  const keylog = stringOption(args, 'keylog');
  if (keylog !== undefined) ctx.keylogFilename = keylog;
}
