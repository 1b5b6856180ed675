/**
 * `sslsock cert`: issue a certificate from a throwaway test CA into files,
 * for trying servers and clients by hand (never for production).
 *
 *   sslsock cert --out ./certs localhost 127.0.0.1
 *   sslsock cert --client --key-type rsa2048 alice@example.org
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA, KEY_TYPES, type CAKeyType } from '../testing/index.js';
import { flag, formatOptions, integerOption, parseArgs, stringOption, UsageError, type OptionSpec } from './args.js';

const MS_PER_DAY = 86_400_000;

export const CERT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  out: { value: true, metavar: 'DIR', help: 'directory for the files (default: current directory)' },
  'key-type': { value: true, metavar: 'TYPE', help: `key type: ${KEY_TYPES.join(', ')} (default ecdsa-p256)` },
  'common-name': { value: true, metavar: 'CN', help: 'subject commonName of the issued certificate' },
  days: { value: true, metavar: 'N', help: 'validity in days from now (negative: already expired)' },
  client: { value: false, help: 'issue a client certificate (clientAuth only) instead of a server certificate' },
  intermediate: { value: false, help: 'issue from an intermediate CA (the chain file then holds two certificates)' },
  name: { value: true, metavar: 'NAME', help: "base name of the certificate files (default 'server' or 'client')" },
  ca: { value: true, metavar: 'FILE', help: 'issue from this existing CA certificate (with --ca-key) instead of a new CA' },
  'ca-key': { value: true, metavar: 'FILE', help: 'private key of --ca' },
};

export const CERT_USAGE = `usage: sslsock cert [options] IDENTITY...

Creates a test CA (or loads one with --ca/--ca-key) and issues a certificate
for the identities (DNS names, IP addresses, user@host e-mail addresses) into
files:
  ca.pem, ca.key                     the root CA certificate and key (new CA only)
  NAME.pem, NAME.key                 the certificate chain and its key
  NAME-combined.pem                  key + chain in one file

options:
${formatOptions(CERT_OPTIONS)}`;

function keyType(v: string | undefined): CAKeyType | undefined {
  if (v === undefined) return undefined;
  if (!(KEY_TYPES as readonly string[]).includes(v)) throw new UsageError(`unknown key type '${v}' (known: ${KEY_TYPES.join(', ')})`);
  return v as CAKeyType;
}

export function runCert(argv: readonly string[], out: (line: string) => void): number {
  const args = parseArgs(argv, CERT_OPTIONS);
  if (args.positionals.length === 0 && stringOption(args, 'common-name') === undefined) throw new UsageError('give at least one identity (or --common-name)');
  const kt = keyType(stringOption(args, 'key-type'));
  const dir = stringOption(args, 'out') ?? '.';
  const days = integerOption(args, 'days');
  const client = flag(args, 'client');
  const caFile = stringOption(args, 'ca');
  const caKeyFile = stringOption(args, 'ca-key');
  if ((caFile === undefined) !== (caKeyFile === undefined)) throw new UsageError('--ca and --ca-key go together');
  const loaded = caFile !== undefined && caKeyFile !== undefined;
  const root = loaded ? CA.fromPem(readFileSync(caFile, 'utf8'), readFileSync(caKeyFile), kt !== undefined ? { keyType: kt } : {}) : CA.create(kt !== undefined ? { keyType: kt } : {});
  const issuer = flag(args, 'intermediate') ? root.createChildCA() : root;
  const commonName = stringOption(args, 'common-name');
  const now = Date.now();
  const options = {
    ...(commonName !== undefined ? { commonName } : {}),
    ...(kt !== undefined ? { keyType: kt } : {}),
    ...(days !== undefined ? { notAfter: new Date(now + days * MS_PER_DAY) } : {}),
  };
  const leaf = client ? issuer.issueClientCert(...args.positionals, options) : issuer.issueCert(...args.positionals, options);
  const caCertFile = loaded ? caFile : root.writeFiles(dir, 'ca').certFile;
  const leafFiles = leaf.writeFiles(dir, stringOption(args, 'name') ?? (client ? 'client' : 'server'));
  out(`CA certificate:      ${caCertFile}`);
  if (!loaded) out(`CA key:              ${join(dir, 'ca.key')}`);
  out(`${client ? 'client' : 'server'} chain:        ${leafFiles.certFile}`);
  out(`${client ? 'client' : 'server'} key:          ${leafFiles.keyFile}`);
  out(`key + chain:         ${leafFiles.combinedFile}`);
  out('');
  out(`try: openssl verify -CAfile ${caCertFile}${flag(args, 'intermediate') ? ` -untrusted ${leafFiles.certFile}` : ''} ${leafFiles.certFile}`);
  return 0;
}
