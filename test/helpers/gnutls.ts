/**
 * GnuTLS as an interop peer: `gnutls-serv --echo` for our client and
 * `gnutls-cli` for our server, with priority strings built from our
 * registry names so each case forces one suite / group.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import type { CipherSuite } from '../../src/tls/registry/suites.js';
import { Peer, freePort, havePeer } from '../tls/interop-peers.js';
import { processTempDir } from './tmp.js';

/** Every peer started here, until it exits: a failing test must not leave a gnutls-serv (a daemon) behind. */
const live = new Set<Peer>();

function started(peer: Peer): Peer {
  live.add(peer);
  peer.proc.on('close', () => live.delete(peer));
  return peer;
}

/** Kills every GnuTLS peer still running and waits for each to exit (for `afterEach`). */
export async function killGnutlsPeers(): Promise<void> {
  const peers = [...live];
  for (const p of peers) p.kill();
  await Promise.all(peers.map((p) => p.exit()));
}

// Last resort if the test process ends with peers still running.
process.once('exit', () => {
  for (const p of live) p.kill();
});

export const HAVE_GNUTLS_SERV = havePeer('gnutls-serv', ['--version']);
export const HAVE_GNUTLS_CLI = havePeer('gnutls-cli', ['--version']);

/** GnuTLS priority-string cipher names for our suites' AEADs (gnutls-cli --list), both versions. */
const GNUTLS_CIPHER: Record<CipherSuite['aead'], string> = {
  'AES-128-GCM': 'AES-128-GCM',
  'AES-256-GCM': 'AES-256-GCM',
  'CHACHA20-POLY1305': 'CHACHA20-POLY1305',
};

/** GnuTLS group names (as in `+GROUP-…` and in its "Description" line). */
export const GNUTLS_GROUP: Record<KeyExchangeGroup, string> = {
  X25519: 'X25519',
  'P-256': 'SECP256R1',
  'P-384': 'SECP384R1',
  'P-521': 'SECP521R1',
  X448: 'X448',
  X25519MLKEM768: 'X25519-MLKEM768',
};

export function gnutlsCipher(suite: CipherSuite): string {
  const name = GNUTLS_CIPHER[suite.aead];
  if (name === undefined) throw new Error(`no GnuTLS cipher name for ${suite.ianaName}`);
  return name;
}

export interface PriorityOpts {
  suites?: readonly CipherSuite[];
  groups?: readonly KeyExchangeGroup[];
}

/** A TLS 1.3-only priority string, optionally restricted to the given suites and groups (in that order). */
export function tls13Priority(o: PriorityOpts = {}): string {
  let p = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
  if (o.suites) p += ':-CIPHER-ALL' + o.suites.map((s) => `:+${gnutlsCipher(s)}`).join('');
  if (o.groups) p += ':-GROUP-ALL' + o.groups.map((g) => `:+GROUP-${GNUTLS_GROUP[g]}`).join('');
  return p;
}

/** A TLS 1.2-only priority string, optionally forcing one of our TLS 1.2 suites (cipher + ECDHE key exchange with its authentication). */
export function tls12Priority(suite?: CipherSuite): string {
  let p = 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
  if (suite) p += `:-CIPHER-ALL:+${gnutlsCipher(suite)}:-KX-ALL:+ECDHE-${suite.auth}`;
  return p;
}

export interface ServOpts {
  certFile: string;
  keyFile: string;
  priority?: string;
  /** Require a client certificate verified against this CA. */
  clientCa?: string;
  alpn?: readonly string[];
}

/** Starts `gnutls-serv --echo` and waits until it reports listening on IPv4. */
export async function startGnutlsServ(o: ServOpts): Promise<{ peer: Peer; port: number }> {
  const port = await freePort();
  const args = ['--echo', '-p', String(port), '--x509certfile', o.certFile, '--x509keyfile', o.keyFile, '--priority', o.priority ?? tls13Priority()];
  if (o.clientCa) args.push('--require-client-cert', '--verify-client-cert', '--x509cafile', o.clientCa);
  else args.push('--disable-client-cert');
  for (const a of o.alpn ?? []) args.push('--alpn', a);
  const peer = started(Peer.start('gnutls-serv', args));
  if (!(await peer.waitFor(/Echo Server listening on IPv4 .* port \d+\.\.\.done/))) {
    peer.kill();
    throw new Error(`gnutls-serv did not start listening on port ${port}:\n${peer.out.toString()}\n${peer.err}`);
  }
  return { peer, port };
}

export interface CliOpts {
  caFile: string;
  priority?: string;
  certFile?: string;
  keyFile?: string;
  alpn?: readonly string[];
  /** Send a key share for the first group only (to provoke a HelloRetryRequest). */
  singleKeyShare?: boolean;
  /** The name gnutls-cli checks our certificate against (default: localhost, which it carries). */
  verifyHostname?: string;
  /** Interpret `^rekey^` (KeyUpdate) and `^rekey1^` (KeyUpdate, update_requested) lines on stdin. */
  inlineCommands?: boolean;
}

/** A running gnutls-cli: stdout carries only application data; its informational messages go to `log()`. */
export interface GnutlsCli {
  peer: Peer;
  log(): string;
}

let logDir: string | null = null;
let logSeq = 0;

export function startGnutlsCli(port: number, o: CliOpts): GnutlsCli {
  logDir ??= processTempDir('sslsock-gnutls-');
  const logfile = join(logDir, `cli-${process.pid}-${logSeq++}.log`);
  const args = ['-p', String(port), '--sni-hostname', 'localhost', '--verify-hostname', o.verifyHostname ?? 'localhost', '--x509cafile', o.caFile, '--priority', o.priority ?? tls13Priority(), '--logfile', logfile];
  if (o.certFile && o.keyFile) args.push('--x509certfile', o.certFile, '--x509keyfile', o.keyFile);
  for (const a of o.alpn ?? []) args.push('--alpn', a);
  if (o.singleKeyShare) args.push('--single-key-share');
  if (o.inlineCommands) args.push('--inline-commands');
  args.push('127.0.0.1');
  const peer = started(Peer.start('gnutls-cli', args));
  return {
    peer,
    log: () => {
      try {
        return readFileSync(logfile, 'utf8');
      } catch {
        return '';
      }
    },
  };
}

/** The "- Description: (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)" line GnuTLS prints after a handshake. */
export function description(text: string): string | null {
  return /- Description: (\S+)/.exec(text)?.[1] ?? null;
}
