/**
 * Peers built from small programs in the repo (test/peers/go/peer.go with Go
 * crypto/tls, test/peers/java/Peer.java with JSSE), driven the same way: as a
 * server they print {"port":N}, echo one connection and print its facts as
 * JSON; as a client they send N bytes, read them back, close with
 * close_notify and print the facts. Builds are cached under build/peers by
 * a hash of the source, so a run builds each peer once.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultProvider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import type { ConnectionConfig } from '../../src/tls/config.js';
import { TcpPump } from '../helpers/pump.js';
import { connectWhenListening, havePeer, listenOnce, Peer, sha256 } from './interop-peers.js';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import { TLS12_SUITES, TLS13_SUITES, type CipherSuite } from '../../src/tls/registry/suites.js';
import type { VersionName } from '../../src/tls/registry/versions.js';
import { LEAF_KINDS, testPki, type LeafKind } from './connection-certs.js';

const MiB = 1 << 20;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BUILD = join(ROOT, 'build', 'peers');

/** What a peer program prints about its connection. */
export interface PeerFacts {
  version: string;
  suite: string;
  alpn: string;
  peerSubject: string;
  received: number;
  receivedSha256: string;
  sentSha256?: string;
}

export interface JsonPeer {
  readonly name: string;
  /** Null when the toolchain is present, else the reason (named skip; a failure under CI). */
  readonly missing: string | null;
  /** The command line that runs the peer with `args`, building it first if needed. */
  command(args: readonly string[], env?: Record<string, string>): { cmd: string; args: string[]; env: NodeJS.ProcessEnv };
}

function sourceHash(dir: string): string {
  const h = defaultProvider.createHash('SHA-256');
  for (const f of readdirSync(dir).sort()) h.update(readFileSync(join(dir, f)));
  return h.digest().toString('hex').slice(0, 16);
}

/** Builds once per source version: `build/peers/<name>-<hash>/` holds the output. */
function cachedBuild(name: string, srcDir: string, build: (out: string) => void): string {
  const out = join(BUILD, `${name}-${sourceHash(srcDir)}`);
  if (!existsSync(join(out, '.ok'))) {
    mkdirSync(out, { recursive: true });
    build(out);
    mkdirSync(join(out, '.ok'), { recursive: true });
  }
  return out;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): void {
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.error ? String(r.error) : ''}`);
}

const GO_SRC = join(ROOT, 'test', 'peers', 'go');
let goBinary: string | null = null;

export const GO: JsonPeer = {
  name: 'Go crypto/tls',
  missing: havePeer('go', ['version']) ? null : 'go not installed (apt-get install golang-go): skipping Go crypto/tls interop',
  command(args) {
    goBinary ??= join(
      cachedBuild('go', GO_SRC, (out) =>
        run('go', ['build', '-o', join(out, 'peer'), '.'], {
          cwd: GO_SRC,
          // Offline, with the Debian toolchain as is, and a build cache of our own.
          env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOPROXY: 'off', GOCACHE: join(BUILD, 'gocache') },
        }),
      ),
      'peer',
    );
    return { cmd: goBinary, args: [...args], env: process.env };
  },
};

const JAVA_SRC = join(ROOT, 'test', 'peers', 'java');
let javaClasses: string | null = null;

export const JAVA: JsonPeer = {
  name: 'Java JSSE',
  missing: havePeer('javac', ['-version']) && havePeer('java', ['-version']) ? null : 'java/javac not installed (apt-get install default-jdk-headless): skipping Java JSSE interop',
  command(args, env = {}) {
    javaClasses ??= cachedBuild('java', JAVA_SRC, (out) => run('javac', ['-d', out, 'Peer.java'], { cwd: JAVA_SRC }));
    const props = Object.entries(env).map(([k, v]) => `-D${k}=${v}`);
    // -XX:TieredStopAtLevel=1 and a small heap: these peers live for one connection.
    return { cmd: 'java', args: ['-XX:TieredStopAtLevel=1', '-Xshare:auto', ...props, '-cp', javaClasses, 'Peer', ...args], env: process.env };
  },
};

/** `skip` option for a peer's tests: its reason locally, never under CI (the test then fails on the missing peer). */
export function skipFor(peer: JsonPeer): string | false {
  return peer.missing !== null && !process.env['CI'] ? peer.missing : false;
}

function lastJson(peer: Peer): PeerFacts {
  const lines = peer.out.toString().trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as PeerFacts;
}

async function finished(peer: Peer, what: string): Promise<PeerFacts> {
  const code = await peer.exit(60_000);
  if (code !== 0) throw new Error(`${what} exited with ${code}:\n${peer.err}`);
  return lastJson(peer);
}

/**
 * Our client against the peer as a server: `bytes` sent and echoed back
 * (checked by SHA-256), close_notify both ways. Returns our connection and the peer's facts.
 */
export async function ourClientAgainst(
  jp: JsonPeer,
  peerArgs: readonly string[],
  config: Partial<ConnectionConfig>,
  bytes: number,
  env?: Record<string, string>,
): Promise<{ conn: Connection; facts: PeerFacts }> {
  assert.equal(jp.missing, null, jp.missing ?? '');
  const { cmd, args, env: penv } = jp.command(['--mode', 'server', ...peerArgs], env);
  const peer = new Peer(spawnPeer(cmd, args, penv));
  try {
    await peer.waitFor(/"port":\d+/, 30_000);
    const port = Number(/"port":(\d+)/.exec(peer.out.toString())?.[1]);
    const pump = TcpPump.fromSocket(Connection.client({ provider: defaultProvider, serverName: 'localhost', ...config }), await connectWhenListening(port));
    await pump.handshake();
    const payload = defaultProvider.randomBytes(bytes);
    await pump.write(payload);
    const echo = await pump.readExactly(bytes);
    assert.equal(sha256(echo), sha256(payload), `${jp.name} echoed what we sent`);
    pump.conn.close();
    await pump.flush();
    assert.equal((await pump.readToClose()).length, 0);
    assert.equal(pump.conn.peerClosed, true, `${jp.name} answered our close_notify with its own`);
    pump.destroy();
    const facts = await finished(peer, jp.name);
    assert.equal(facts.received, bytes);
    assert.equal(facts.receivedSha256, sha256(payload));
    return { conn: pump.conn, facts };
  } catch (e) {
    peer.kill();
    throw new Error(`${(e as Error).message}\n--- ${jp.name} stderr:\n${peer.err}`, { cause: e });
  }
}

/** The peer as a client against our server, which echoes `bytes` and closes with close_notify after the peer's. */
export async function peerClientAgainstUs(
  jp: JsonPeer,
  peerArgs: readonly string[],
  config: Partial<ConnectionConfig>,
  bytes: number,
  env?: Record<string, string>,
): Promise<{ conn: Connection; facts: PeerFacts }> {
  assert.equal(jp.missing, null, jp.missing ?? '');
  const listener = await listenOnce();
  const { cmd, args, env: penv } = jp.command(['--mode', 'client', ...portArgs(jp, listener.port), '--bytes', String(bytes), ...peerArgs], env);
  const peer = new Peer(spawnPeer(cmd, args, penv));
  try {
    const pump = TcpPump.fromSocket(Connection.server({ provider: defaultProvider, ...config }), await listener.accepted);
    await pump.handshake();
    const got = await pump.readExactly(bytes);
    await pump.write(got);
    assert.equal((await pump.readToClose()).length, 0);
    assert.equal(pump.conn.peerClosed, true, `${jp.name} closed with close_notify`);
    await pump.close();
    const facts = await finished(peer, jp.name);
    assert.equal(facts.sentSha256, sha256(got), `we received what ${jp.name} sent`);
    assert.equal(facts.receivedSha256, facts.sentSha256, `${jp.name} received its bytes back`);
    return { conn: pump.conn, facts };
  } catch (e) {
    peer.kill();
    throw new Error(`${(e as Error).message}\n--- ${jp.name} stderr:\n${peer.err}`, { cause: e });
  } finally {
    listener.close();
  }
}

function portArgs(jp: JsonPeer, port: number): string[] {
  return jp === GO ? ['--addr', `127.0.0.1:${port}`] : ['--port', String(port)];
}

function spawnPeer(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** How to ask one peer program for a setting. */
export interface PeerDialect {
  readonly peer: JsonPeer;
  /** Groups the peer implements (and so the cells to run). */
  readonly groups: readonly KeyExchangeGroup[];
  /** Arguments / JVM properties that limit the peer to one group. */
  group(g: KeyExchangeGroup): { args: string[]; env?: Record<string, string> };
  /** Arguments that pin the peer to one version. */
  version(v: VersionName): readonly string[];
  /** Arguments that limit the peer to one TLS 1.2 suite (TLS 1.3 suites are pinned on our side). */
  suite12(s: CipherSuite): readonly string[];
  /** How the peer prints our client certificate's subject. */
  readonly clientSubject: RegExp;
}

/** One interop cell: which of our settings and the peer's to pin. */
interface Cell {
  version: VersionName;
  suite?: CipherSuite;
  group?: KeyExchangeGroup;
  /** The server's key type. */
  kind: LeafKind;
  clientCert?: boolean;
  alpn?: boolean;
  bytes: number;
}

function cellName(c: Cell): string {
  const parts = [c.suite?.ianaName, c.group && `group ${c.group} only on both sides`, `${c.kind} server key`, c.clientCert && 'client certificate required', c.alpn && 'ALPN', c.bytes >= MiB && '1 MiB each way'];
  return parts.filter(Boolean).join(', ');
}

/**
 * The cells of the TLS 1.3 matrix: every suite, every group the peer has,
 * every key type, client certificates, ALPN and 1 MiB each way. `compact`
 * folds the axes into as few cells as cover every value (for peers that are
 * slow to start, such as a JVM); otherwise each value gets its own cell.
 */
function tls13Cells(groups: readonly KeyExchangeGroup[], compact: boolean): Cell[] {
  const version = 'TLSv1.3' as const;
  if (compact) {
    const n = Math.max(groups.length, TLS13_SUITES.length, LEAF_KINDS.length);
    return Array.from({ length: n }, (_, i) => ({
      version,
      suite: TLS13_SUITES[i % TLS13_SUITES.length],
      group: groups[i % groups.length],
      kind: LEAF_KINDS[i % LEAF_KINDS.length]!,
      clientCert: i === 1,
      alpn: i === 2,
      bytes: i === 0 ? MiB : 4096,
    }));
  }
  return [
    { version, kind: 'p256', bytes: MiB },
    ...TLS13_SUITES.map((suite) => ({ version, suite, kind: 'p256' as const, bytes: 4096 })),
    ...groups.map((group) => ({ version, group, kind: 'p256' as const, bytes: 4096 })),
    ...LEAF_KINDS.map((kind) => ({ version, kind, bytes: 1024 })),
    { version, kind: 'p256', clientCert: true, bytes: 4096 },
    { version, kind: 'p256', alpn: true, bytes: 1024 },
  ];
}

/**
 * The TLS 1.2 cells: every suite (with a server key its authentication
 * needs), with and without a client certificate (`compact`: alternately), one
 * with 1 MiB each way and ALPN.
 */
function tls12Cells(compact: boolean): Cell[] {
  const version = 'TLSv1.2' as const;
  const kind = (s: CipherSuite): LeafKind => (s.auth === 'RSA' ? 'rsa2048' : 'p256');
  return TLS12_SUITES.flatMap((suite, i) => {
    const base = { version, suite, kind: kind(suite), alpn: i === 0, bytes: i === 0 ? MiB : 4096 };
    return compact ? [{ ...base, clientCert: i % 2 === 1 }] : [base, { ...base, alpn: false, bytes: 4096, clientCert: true }];
  });
}

/**
 * The interop matrix with one peer program, both directions, for TLS 1.3
 * (tls13Cells) and TLS 1.2 (tls12Cells); each cell with close_notify both ways
 * and the data checked by SHA-256; version and suite asserted from both
 * sides, the group from ours (neither Go 1.19 nor JDK 17 reports it),
 * certificates and ALPN from both.
 */
export function interopMatrix(d: PeerDialect, test: typeof import('node:test').test, compact = false): void {
  const opts = { skip: skipFor(d.peer), timeout: 180_000 };
  const pki = () => testPki();
  for (const c of [...tls13Cells(d.groups, compact), ...tls12Cells(compact)]) {
    const g = c.group ? d.group(c.group) : { args: [] };
    const pinned = [...d.version(c.version), ...(c.suite?.version === 'TLSv1.2' ? d.suite12(c.suite) : []), ...g.args];
    const ours: Partial<ConnectionConfig> = {
      ...(c.version === 'TLSv1.2' && { maxVersion: 'TLSv1.2' as const }),
      ...(c.suite && { cipherSuites: [c.suite] }),
      ...(c.group && { groups: [c.group] }),
    };
    const check = (conn: Connection, facts: PeerFacts) => {
      assert.equal(facts.version, c.version);
      assert.equal(conn.negotiated.version, c.version);
      assert.equal(facts.suite, conn.negotiated.suite?.ianaName);
      if (c.suite) assert.equal(facts.suite, c.suite.ianaName);
      if (c.group) assert.equal(conn.negotiated.group, c.group);
    };
    const v = c.version === 'TLSv1.2' ? '1.2' : '1.3';
    test(`${d.peer.name} ${v}, our client: ${cellName(c)}`, opts, async () => {
      const leaf = pki().servers[c.kind];
      const args = ['--cert', leaf.certFile, '--key', leaf.keyFile, ...pinned];
      if (c.clientCert) args.push('--ca', pki().caFile, '--client-auth', 'true');
      if (c.alpn) args.push('--alpn', 'h2,http/1.1');
      const config = { ...ours, ...(c.clientCert && { certificates: [pki().client.certified] }), ...(c.alpn && { alpnProtocols: ['http/1.1', 'h2'] }) };
      const { conn, facts } = await ourClientAgainst(d.peer, args, config, c.bytes, g.env);
      check(conn, facts);
      assert.deepEqual(conn.negotiated.peerCertificates[0], leaf.chain[0], 'we got the certificate it was given');
      if (c.clientCert) {
        assert.match(facts.peerSubject, d.clientSubject);
        assert.deepEqual(conn.negotiated.ourCertificates, pki().client.chain);
      }
      if (c.alpn) {
        assert.equal(facts.alpn, conn.negotiated.alpn);
        assert.ok(conn.negotiated.alpn === 'h2' || conn.negotiated.alpn === 'http/1.1');
      }
    });
    test(`${d.peer.name} ${v}, our server: ${cellName(c)}`, opts, async () => {
      const leaf = pki().servers[c.kind];
      const args = ['--ca', pki().caFile, ...pinned];
      if (c.clientCert) args.push('--cert', pki().client.certFile, '--key', pki().client.keyFile);
      if (c.alpn) args.push('--alpn', 'http/1.1,h2');
      const config: Partial<ConnectionConfig> = {
        ...ours,
        certificates: [leaf.certified],
        ...(c.clientCert && { clientAuth: 'required' as const }),
        ...(c.alpn && { alpnProtocols: ['h2', 'http/1.1'] }),
      };
      const { conn, facts } = await peerClientAgainstUs(d.peer, args, config, c.bytes, g.env);
      check(conn, facts);
      assert.deepEqual(conn.negotiated.ourCertificates[0], leaf.chain[0], 'it verified our certificate');
      if (c.clientCert) assert.deepEqual(conn.negotiated.peerCertificates[0], pki().client.chain[0]);
      if (c.alpn) {
        assert.equal(conn.negotiated.alpn, 'h2');
        assert.equal(facts.alpn, 'h2');
      }
    });
  }
}
