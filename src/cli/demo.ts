/**
 * `sslsock demo`: issue 3's demo — what sslsock does today, for real, with
 * no OpenSSL code path involved beyond node:crypto's primitives:
 *
 *   1. a throwaway CA and intermediate (sslsock/testing) issue a server
 *      certificate for localhost and 127.0.0.1;
 *   2. our X.509 path validation accepts it for those names;
 *   3. the getpeercert() dictionary Python would show for it;
 *   4. the failures users meet, with Python's verify_code / verify_message;
 *   5. a TLS 1.3 handshake between our client and our server engines, in
 *      memory, validating the chain with the same code, then a failing one.
 */
import { defaultProvider, type CryptoProvider } from '../crypto/index.js';
import { CA, type LeafCert } from '../testing/index.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { parseCrl } from '../x509/crl.js';
import { peerCertDict, type PeerCertDict } from '../x509/peercert.js';
import { pemToDerCert } from '../x509/pem.js';
import { TrustStore } from '../x509/store.js';
import { pythonVerifyMessage } from '../x509/verify-codes.js';
import { verifyCertificateChain, X509_V_FLAG, type VerifyOptions } from '../x509/verify.js';
import { Connection } from '../tls/connection.js';
import type { PeerVerifyFailure, VerifyPeer } from '../tls/config.js';
import { TLSError } from '../tls/errors.js';
import { flag, formatOptions, parseArgs, type OptionSpec } from './args.js';

export const DEMO_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { value: false, help: 'print the results as one JSON document' },
};

export const DEMO_USAGE = `usage: sslsock demo [--json]

Creates a test CA, issues a server certificate for localhost and 127.0.0.1,
validates it with sslsock's own X.509 path validation, prints Python's
getpeercert() dictionary for it, shows the failures (wrong host name, expired,
untrusted, revoked, …) with Python's verify codes and messages, and runs a TLS
1.3 handshake between sslsock's client and server engines in memory.

options:
${formatOptions(DEMO_OPTIONS)}`;

const MS_PER_DAY = 86_400_000;
/** Python's `check_hostname` flow calls the verification with the server name given to wrap_socket. */
const SERVER_NAMES = ['localhost', '127.0.0.1'] as const;
const WRONG_HOST = 'example.com';
const WRONG_IP = '127.0.0.2';
const APP_MESSAGE = 'hello from the sslsock client';
/** Bounded: a handshake takes a few flights; more means a bug, reported rather than looping. */
const MAX_PUMP_ROUNDS = 50;

export interface CheckResult {
  readonly case: string;
  readonly ok: boolean;
  /** X509_V_ERR code, 0 when ok. */
  readonly verifyCode: number;
  /** Python's `verify_message`. */
  readonly verifyMessage: string;
  readonly chain?: string[];
}

export interface TlsResult {
  readonly case: string;
  readonly ok: boolean;
  readonly version?: string | null;
  readonly cipher?: string | null;
  readonly group?: string | null;
  readonly echoed?: string;
  readonly alert?: string;
  readonly verifyCode?: number;
  readonly verifyMessage?: string;
}

export interface DemoReport {
  readonly ca: { root: string; intermediate: string; keyType: string };
  readonly server: { identities: readonly string[]; serialNumber: string; certPem: string };
  readonly validations: CheckResult[];
  readonly peercert: PeerCertDict;
  readonly failures: CheckResult[];
  readonly tls: TlsResult[];
}

function hostOrIp(name: string): Pick<VerifyOptions, 'hostname' | 'ip'> {
  return /^[0-9.]+$/.test(name) || name.includes(':') ? { ip: name } : { hostname: name };
}

function check(label: string, name: string | null, options: Omit<VerifyOptions, 'provider'>, provider: CryptoProvider): CheckResult {
  const r = verifyCertificateChain({ ...options, provider });
  if (r.ok) return { case: label, ok: true, verifyCode: 0, verifyMessage: 'ok', chain: r.chain.map((c) => c.subject.commonNames[0] ?? c.subject.toString()) };
  return { case: label, ok: false, verifyCode: r.code, verifyMessage: pythonVerifyMessage(r.code, name) };
}

function chainDer(leaf: LeafCert): Buffer[] {
  return leaf.certChainPems.map((pem) => pemToDerCert(pem));
}

/** Shuttles records between two in-memory engines until both are quiet. */
function pump(a: Connection, b: Connection): void {
  for (let i = 0; i < MAX_PUMP_ROUNDS; i++) {
    const ab = a.takeOutgoing();
    const ba = b.takeOutgoing();
    if (ab.length === 0 && ba.length === 0) return;
    if (ab.length > 0) b.receive(ab);
    if (ba.length > 0) a.receive(ba);
  }
  throw new Error(`TLS engines still exchanging records after ${MAX_PUMP_ROUNDS} rounds`);
}

/**
 * The client's certificate check, as SSLContext(PROTOCOL_TLS_CLIENT) will do
 * it: path validation against the trust store, host name from server_hostname.
 * OpenSSL (ssl_x509err2alert) answers a host name mismatch with bad_certificate,
 * the only failure this demo provokes over TLS; the full code→alert table
 * belongs to the ssl layer.
 */
function clientVerifier(store: TrustStore, provider: CryptoProvider): VerifyPeer {
  return (chain, info): PeerVerifyFailure | null => {
    const name = info.serverName;
    const r = verifyCertificateChain({ chain, store, provider, ...(name === null ? {} : hostOrIp(name)) });
    if (r.ok) return null;
    const verifyMessage = pythonVerifyMessage(r.code, name);
    return { alert: 'bad_certificate', reason: `certificate verify failed: ${verifyMessage}`, verifyCode: r.code, verifyMessage };
  };
}

function tlsCase(label: string, serverName: string, leaf: LeafCert, store: TrustStore, provider: CryptoProvider): TlsResult {
  const client = Connection.client({ provider, serverName, verifyPeer: clientVerifier(store, provider) });
  const server = Connection.server({ provider, certificates: [{ chain: chainDer(leaf), key: leaf.privateKey }] });
  try {
    pump(client, server);
    client.write(Buffer.from(APP_MESSAGE));
    pump(client, server);
    const received = server.read();
    server.write(received);
    pump(client, server);
    const n = client.negotiated;
    return { case: label, ok: true, version: n.version, cipher: n.suite?.ianaName ?? null, group: n.group, echoed: client.read().toString() };
  } catch (e) {
    if (!(e instanceof TLSError)) throw e;
    return {
      case: label,
      ok: false,
      alert: e.alert,
      ...(e.detail?.verifyCode !== undefined ? { verifyCode: e.detail.verifyCode } : {}),
      ...(e.detail?.verifyMessage !== undefined ? { verifyMessage: e.detail.verifyMessage } : {}),
    };
  }
}

/** Runs every step and returns the results; rendering is separate so tests can read JSON. */
export function buildDemoReport(provider: CryptoProvider = defaultProvider): DemoReport {
  const root = CA.create({ commonName: 'sslsock demo root' });
  const intermediate = root.createChildCA({ commonName: 'sslsock demo intermediate' });
  const server = intermediate.issueCert(...SERVER_NAMES, { commonName: 'localhost' });
  const store = new TrustStore(provider);
  store.addCertificate(root.certDer);
  const chain: Certificate[] = chainDer(server).map((d) => parseCertificate(d));

  const validations = SERVER_NAMES.map((name) => check(name, name, { chain, store, ...hostOrIp(name) }, provider));

  const now = Date.now();
  const expired = intermediate.issueCert('localhost', { notBefore: new Date(now - 30 * MS_PER_DAY), notAfter: new Date(now - MS_PER_DAY) });
  const future = intermediate.issueCert('localhost', { notBefore: new Date(now + MS_PER_DAY) });
  const clientOnly = intermediate.issueClientCert('alice@example.org');
  const otherStore = new TrustStore(provider);
  otherStore.addCertificate(CA.create().certDer);
  const revoked = intermediate.issueCert('localhost');
  const crls = [parseCrl(intermediate.createCrl({ revoked: [revoked] }).der), parseCrl(root.createCrl().der)];

  const failures = [
    check(`host name '${WRONG_HOST}'`, WRONG_HOST, { chain, store, hostname: WRONG_HOST }, provider),
    check(`IP address ${WRONG_IP}`, WRONG_IP, { chain, store, ip: WRONG_IP }, provider),
    check('expired certificate', 'localhost', { chain: chainDer(expired), store, hostname: 'localhost' }, provider),
    check('certificate not yet valid', 'localhost', { chain: chainDer(future), store, hostname: 'localhost' }, provider),
    check('issuer not trusted', 'localhost', { chain, store: otherStore, hostname: 'localhost' }, provider),
    check('intermediate not sent', 'localhost', { chain: chain.slice(0, 1), store, hostname: 'localhost' }, provider),
    check('revoked (VERIFY_CRL_CHECK_LEAF)', 'localhost', { chain: chainDer(revoked), store, crls, flags: X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK, hostname: 'localhost' }, provider),
    check('client-only certificate on a server', null, { chain: chainDer(clientOnly), store }, provider),
  ];

  const tls = [tlsCase("TLS 1.3 to 'localhost'", 'localhost', server, store, provider), tlsCase(`TLS 1.3 to '${WRONG_HOST}'`, WRONG_HOST, server, store, provider)];

  return {
    ca: { root: parseCertificate(root.certDer).subject.toString(), intermediate: chain[1]!.subject.toString(), keyType: root.keyType },
    server: { identities: server.identities, serialNumber: server.serialNumber.toString(16).toUpperCase(), certPem: server.certPem },
    validations,
    peercert: peerCertDict(chain[0]!),
    failures,
    tls,
  };
}

const COMPACT_WIDTH = 72;

/** Pretty JSON that keeps short arrays on one line, so a getpeercert() dict reads like Python's repr. */
function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= COMPACT_WIDTH || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function renderText(r: DemoReport, out: (line: string) => void): void {
  const mark = (ok: boolean): string => (ok ? 'OK  ' : 'FAIL');
  out('sslsock demo: X.509 and TLS 1.3 as they work today (node:crypto supplies only the primitives)');
  out('');
  out(`1. A throwaway CA (sslsock/testing, ${r.ca.keyType})`);
  out(`   root          ${r.ca.root}`);
  out(`   intermediate  ${r.ca.intermediate}`);
  out(`   server cert   for ${r.server.identities.join(', ')} (serial ${r.server.serialNumber})`);
  out('');
  out('2. Path validation with a host name (sslsock X.509, OpenSSL 3.0 rules)');
  for (const v of r.validations) out(`   ${mark(v.ok)} ${v.case.padEnd(12)} chain: ${(v.chain ?? []).join('  <-  ')}`);
  out('');
  out("3. getpeercert() for the server certificate (Python's dict)");
  for (const line of compactJson(r.peercert).split('\n')) out(`   ${line}`);
  out('');
  out("4. What fails, with Python's verify_code and verify_message");
  const width = Math.max(...r.failures.map((f) => f.case.length));
  for (const f of r.failures) out(`   ${mark(f.ok)} ${f.case.padEnd(width)}  ${String(f.verifyCode).padStart(2)}  ${f.verifyMessage}`);
  out('');
  out('5. TLS 1.3 in memory: sslsock client <-> sslsock server, chain checked as above');
  for (const t of r.tls) {
    if (t.ok) out(`   ${mark(true)} ${t.case}: ${t.version} ${t.cipher} (${t.group}), echoed ${JSON.stringify(t.echoed)}`);
    else out(`   ${mark(false)} ${t.case}: client sent ${t.alert} alert; verify_code ${t.verifyCode}: ${t.verifyMessage}`);
  }
}

export function runDemo(argv: readonly string[], out: (line: string) => void): number {
  const args = parseArgs(argv, DEMO_OPTIONS);
  const report = buildDemoReport();
  if (flag(args, 'json')) out(JSON.stringify(report, null, 2));
  else renderText(report, out);
  return 0;
}
