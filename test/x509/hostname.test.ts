import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  X509_CHECK_FLAG,
  checkHost,
  checkIp,
  dnsPatternMatches,
  idnaEncodeHostname,
  inetPaton,
  isIpAddress,
  parseIpAddress,
  peerIdentity,
  type HostnameSubject,
} from '../../src/x509/hostname.js';
import { LIBCRYPTO_PRELUDE, libcryptoSkipReason, openssl, opensslSkipReason, pythonJson, pythonSkipReason, tempDir } from '../helpers/openssl.js';

const NPW = X509_CHECK_FLAG.NO_PARTIAL_WILDCARDS;
const NEVER_CN = X509_CHECK_FLAG.NEVER_CHECK_SUBJECT;

interface HostCase {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  readonly cn?: string;
  readonly host: string;
  readonly flags: number;
  readonly expected: boolean;
}

/** Expected values are OpenSSL 3.0's (checked against libcrypto's X509_check_host below). */
const HOST_CASES: readonly HostCase[] = [
  { dns: ['example.com'], host: 'example.com', flags: NPW, expected: true },
  { dns: ['example.com'], host: 'EXAMPLE.COM', flags: NPW, expected: true },
  { dns: ['Example.COM'], host: 'example.com', flags: NPW, expected: true },
  { dns: ['example.com'], host: 'www.example.com', flags: NPW, expected: false },
  { dns: ['example.com'], host: 'example.com.', flags: NPW, expected: false },
  { dns: ['example.org', 'example.com'], host: 'example.com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: 'www.example.com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: 'WWW.Example.Com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: 'example.com', flags: NPW, expected: false },
  { dns: ['*.example.com'], host: 'a.b.example.com', flags: NPW, expected: false },
  { dns: ['*.example.com'], host: 'a_b.example.com', flags: NPW, expected: false },
  { dns: ['*.example.com'], host: '*.example.com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: 'xn--knig-5qa.example.com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: 'a.b.example.com', flags: X509_CHECK_FLAG.MULTI_LABEL_WILDCARDS, expected: true },
  { dns: ['*.example.com'], host: 'www.example.com', flags: X509_CHECK_FLAG.NO_WILDCARDS, expected: false },
  { dns: ['f*.example.com'], host: 'foo.example.com', flags: NPW, expected: false },
  { dns: ['f*.example.com'], host: 'foo.example.com', flags: 0, expected: true },
  { dns: ['*oo.example.com'], host: 'foo.example.com', flags: 0, expected: true },
  { dns: ['f*o.example.com'], host: 'foo.example.com', flags: 0, expected: false },
  { dns: ['x*.example.com'], host: 'xn--knig-5qa.example.com', flags: 0, expected: false },
  { dns: ['xn--*.example.com'], host: 'xn--knig-5qa.example.com', flags: 0, expected: false },
  { dns: ['*.com'], host: 'example.com', flags: NPW, expected: false },
  { dns: ['*.a.b'], host: 'x.a.b', flags: NPW, expected: true },
  { dns: ['*.*.example.com'], host: 'a.b.example.com', flags: NPW, expected: false },
  { dns: ['www.*.example.com'], host: 'www.foo.example.com', flags: NPW, expected: false },
  { dns: ['*'], host: 'localhost', flags: NPW, expected: false },
  { dns: ['*.localhost'], host: 'www.localhost', flags: NPW, expected: false },
  { dns: ['localhost'], host: 'localhost', flags: NPW, expected: true },
  { dns: ['a_b.example.com'], host: 'a_b.example.com', flags: NPW, expected: true },
  { dns: ['xn--knig-5qa.idn.example'], host: 'xn--knig-5qa.idn.example', flags: NPW, expected: true },
  // A leading dot asks for any sub-domain (X509_check_host's _X509_CHECK_FLAG_DOT_SUBDOMAINS).
  { dns: ['www.example.com'], host: '.example.com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: '.example.com', flags: NPW, expected: true },
  { dns: ['*.example.com'], host: '.www.example.com', flags: NPW, expected: false },
  { dns: ['example.com'], host: '.example.com', flags: NPW, expected: false },
  { dns: ['a.b.example.com'], host: '.example.com', flags: NPW | X509_CHECK_FLAG.SINGLE_LABEL_SUBDOMAINS, expected: false },
  { dns: ['b.example.com'], host: '.example.com', flags: NPW | X509_CHECK_FLAG.SINGLE_LABEL_SUBDOMAINS, expected: true },
  // Common name: only without DNS SANs, and not with NEVER_CHECK_SUBJECT (hostname_checks_common_name = False).
  { cn: 'example.com', host: 'example.com', flags: NPW, expected: true },
  { cn: 'example.com', host: 'example.com', flags: NPW | NEVER_CN, expected: false },
  { cn: '*.example.com', host: 'www.example.com', flags: NPW, expected: true },
  { dns: ['other.example'], cn: 'example.com', host: 'example.com', flags: NPW, expected: false },
  { dns: ['other.example'], cn: 'example.com', host: 'example.com', flags: NPW | X509_CHECK_FLAG.ALWAYS_CHECK_SUBJECT, expected: true },
  { ip: ['127.0.0.1'], cn: 'example.com', host: 'example.com', flags: NPW, expected: true },
  { ip: ['127.0.0.1'], host: '127.0.0.1', flags: NPW, expected: false },
];

function subjectOf(c: { dns?: readonly string[]; ip?: readonly string[]; cn?: string }): HostnameSubject {
  const altNames =
    c.dns === undefined && c.ip === undefined
      ? null
      : [
          ...(c.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
          ...(c.ip ?? []).map((value) => ({ type: 'ip' as const, value: parseIpAddress(value) as Buffer })),
        ];
  return { altNames, commonNames: c.cn === undefined ? [] : [c.cn] };
}

function describeCase(c: HostCase): string {
  return `SAN ${JSON.stringify([...(c.dns ?? []), ...(c.ip ?? []).map((i) => `IP:${i}`)])} CN ${c.cn ?? '-'} host ${c.host} flags ${c.flags}`;
}

test('host names match DNS SANs and the common name as OpenSSL does (table)', () => {
  for (const c of HOST_CASES) {
    assert.equal(checkHost(subjectOf(c), c.host, c.flags), c.expected, describeCase(c));
  }
});

test('a host name with a leading dot is a sub-domain query matched by suffix, not by wildcard', () => {
  assert.equal(dnsPatternMatches('www.example.com', '.example.com'), true);
  assert.equal(dnsPatternMatches('*.example.com', '.example.com'), true, "the '*' is skipped as a prefix, not expanded");
  assert.equal(dnsPatternMatches('*.example.com', '.www.example.com'), false);
  assert.equal(dnsPatternMatches('a.b.example.com', '.example.com', X509_CHECK_FLAG.SINGLE_LABEL_SUBDOMAINS), false);
});

test('an embedded NUL never matches', () => {
  assert.equal(checkHost(subjectOf({ dns: ['example.com'] }), 'example.com\0.evil.com'), false);
  assert.equal(dnsPatternMatches('example.com\0.evil.com', 'example.com\0.evil.com'), false);
});

interface IpCase {
  readonly san: readonly string[];
  readonly cn?: string;
  readonly ip: string;
  readonly expected: boolean;
}
const IP_CASES: readonly IpCase[] = [
  { san: ['127.0.0.1'], ip: '127.0.0.1', expected: true },
  { san: ['127.0.0.2'], ip: '127.0.0.1', expected: false },
  { san: ['::1'], ip: '0:0:0:0:0:0:0:1', expected: true },
  { san: ['::1'], ip: '::0001', expected: true },
  { san: ['2001:db8::1'], ip: '2001:DB8:0:0::1', expected: true },
  { san: ['::ffff:127.0.0.1'], ip: '::ffff:7f00:1', expected: true },
  { san: ['::ffff:127.0.0.1'], ip: '127.0.0.1', expected: false },
  { san: [], cn: '127.0.0.1', ip: '127.0.0.1', expected: false },
];

test('IP addresses match only iPAddress SANs, in any textual form', () => {
  for (const c of IP_CASES) {
    const subject: HostnameSubject = {
      altNames: c.san.map((s) => ({ type: 'ip' as const, value: parseIpAddress(s) as Buffer })),
      commonNames: c.cn === undefined ? [] : [c.cn],
    };
    assert.equal(checkIp(subject, parseIpAddress(c.ip) as Buffer), c.expected, `${JSON.stringify(c.san)} vs ${c.ip}`);
  }
});

const IP_LITERALS: readonly [string, string | null][] = [
  ['127.0.0.1', '7f000001'],
  ['0.0.0.0', '00000000'],
  ['255.255.255.255', 'ffffffff'],
  ['1.2.3.256', null],
  ['127.1', null],
  ['1.2.3.4.5', null],
  ['1.2.3', null],
  ['example.com', null],
  ['', null],
  ['::1', '00000000000000000000000000000001'],
  ['::', '00000000000000000000000000000000'],
  ['1::', '00010000000000000000000000000000'],
  ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ['1:2:3:4:5:6:7:8:9', null],
  ['1::2::3', null],
  [':::', null],
  ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
  ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
  ['2001:DB8::1', '20010db8000000000000000000000001'],
  ['12345::1', null],
  ['fe80::1%eth0', null],
  ['[::1]', null],
  ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
  ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
];

test('IP literal detection follows OpenSSL a2i_IPADDRESS (what CPython uses for server_hostname)', () => {
  for (const [text, hex] of IP_LITERALS) {
    const got = parseIpAddress(text);
    assert.equal(got === null ? null : got.toString('hex'), hex, JSON.stringify(text));
    assert.equal(isIpAddress(text), hex !== null);
  }
});

test('IP literal detection agrees with libcrypto a2i_IPADDRESS, lenient inputs included', { skip: libcryptoSkipReason() ?? false }, () => {
  const inputs = [
    ...IP_LITERALS.map(([t]) => t),
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4 junk',
    '1.2.3.4junk',
    '01.02.03.004',
    '+1.2.3.4',
    '-0.1.2.3',
    '1. 2.3.4',
    '0x1.2.3.4',
    '::1.2.3.4',
    '1::1.2.3.4',
    '1.2.3.4::',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    'a:b:c:d:e:f:0:1',
    'g::1',
    '00000::1',
    '::1 ',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
  ];
  const oracle = pythonJson<(string | null)[]>(`${LIBCRYPTO_PRELUDE}\nprint(json.dumps([a2i(t) for t in json.load(sys.stdin)]))`, inputs);
  inputs.forEach((text, i) => {
    const got = parseIpAddress(text);
    assert.equal(got === null ? null : got.toString('hex'), oracle[i], `a2i_IPADDRESS(${JSON.stringify(text)})`);
  });
});

const PATON_INPUTS = ['127.0.0.1', '127.1', '127.0.0.1 whatever', '010.0.0.1', '0x7f.1', '::1', '1:2:3:4:5:6:7:8', '::ffff:1.2.3.4', 'example.com', '1.2.3.256', '::1%lo', '1::2::3', '', '::ffff:01.2.3.4'];

test('inetPaton follows Python ssl._inet_paton, error texts included', { skip: pythonSkipReason() ?? false }, () => {
  const expected = pythonJson<[string, string][]>(
    `import json, sys, ssl
out = []
for t in json.load(sys.stdin):
    try: out.append(['ok', ssl._inet_paton(t).hex()])
    except ValueError as e: out.append(['ValueError', str(e)])
print(json.dumps(out))`,
    PATON_INPUTS,
  );
  PATON_INPUTS.forEach((text, i) => {
    let got: [string, string];
    try {
      got = ['ok', inetPaton(text).toString('hex')];
    } catch (e) {
      got = [(e as { pythonType?: string }).pythonType ?? 'other', (e as Error).message];
    }
    assert.deepEqual(got, expected[i], JSON.stringify(text));
  });
});

const IDNA_INPUTS = ['example.com', 'ExAmple.COM', 'localhost.', 'пример.рф', 'könig.idn.pythontest.net', 'KÖNIG.de', 'straße.de', 'faß.de', 'Ⅻ.com', 'a\u200db.de', 'bücher。example', 'www.bücher.de.'];

test('server_hostname IDNA encoding matches Python str.encode("idna")', { skip: pythonSkipReason() ?? false }, () => {
  const expected = pythonJson<string[]>(`import json, sys\nprint(json.dumps([t.encode('idna').decode('ascii') for t in json.load(sys.stdin)]))`, IDNA_INPUTS);
  IDNA_INPUTS.forEach((text, i) => assert.equal(idnaEncodeHostname(text), expected[i], JSON.stringify(text)));
});

test('IDNA encoding rejects empty and over-long labels', () => {
  assert.throws(() => idnaEncodeHostname('a..b'), /label empty or too long/);
  assert.throws(() => idnaEncodeHostname(`${'a'.repeat(64)}.com`), /label empty or too long/);
  assert.throws(() => idnaEncodeHostname('a'.repeat(64)), /label too long/);
  assert.throws(() => idnaEncodeHostname('ü..de'), /label empty or too long/);
});

test('the host table agrees with libcrypto X509_check_host on real certificates', { skip: opensslSkipReason() ?? libcryptoSkipReason() ?? false }, () => {
  const { dir, cleanup } = tempDir('sslsock-host-');
  try {
    const key = join(dir, 'k.pem');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    const ders: string[] = [];
    HOST_CASES.forEach((c, i) => {
      const out = join(dir, `c${i}.der`);
      const args = ['req', '-x509', '-new', '-key', key, '-days', '1', '-outform', 'DER', '-out', out, '-subj', c.cn === undefined ? '/O=test' : `/CN=${c.cn}`];
      const san = [...(c.dns ?? []).map((d) => `DNS:${d}`), ...(c.ip ?? []).map((d) => `IP:${d}`)];
      if (san.length > 0) args.push('-addext', `subjectAltName=${san.join(',')}`);
      openssl(args);
      ders.push(readFileSync(out).toString('hex'));
    });
    const oracle = pythonJson<number[]>(
      `${LIBCRYPTO_PRELUDE}
out = []
for der, host, flags in json.load(sys.stdin):
    x = load_der(bytes.fromhex(der))
    h = host.encode('utf-8')
    out.append(lib.X509_check_host(x, h, len(h), flags, None))
    lib.X509_free(x)
print(json.dumps(out))`,
      HOST_CASES.map((c, i) => [ders[i], c.host, c.flags]),
    );
    HOST_CASES.forEach((c, i) => assert.equal(oracle[i] === 1, c.expected, `libcrypto disagrees with the table: ${describeCase(c)}`));
  } finally {
    cleanup();
  }
});

test('a server_hostname is an IP identity when a2i_IPADDRESS parses it, else a DNS identity', () => {
  assert.deepEqual(peerIdentity('127.0.0.1'), { hostname: null, ip: Buffer.from([127, 0, 0, 1]) });
  assert.equal(peerIdentity('::1').ip?.toString('hex'), '00000000000000000000000000000001');
  assert.deepEqual(peerIdentity('localhost'), { hostname: 'localhost', ip: null });
  assert.deepEqual(peerIdentity('127.1'), { hostname: '127.1', ip: null });
});
