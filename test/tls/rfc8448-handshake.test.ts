/**
 * RFC 8448 §3 (simple 1-RTT handshake) reproduced with pinned randomness and
 * ephemeral keys. Client side: our ClientHello record, client Finished,
 * application data and close_notify records are byte-for-byte the trace's,
 * and every derived secret matches. Server side: ServerHello record,
 * EncryptedExtensions and Certificate bytes and the handshake secrets match;
 * the CertificateVerify differs because RSA-PSS signatures are randomized,
 * so it is checked by a client verifying it (and everything after it).
 * §5 (HelloRetryRequest) is reproduced on the client side the same way.
 * Hex values are copied from RFC 8448 (draft-ietf-tls-tls13-vectors-07).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import type { CryptoProvider, KeyExchangeGroup } from '../../src/crypto/provider.js';
import { Connection } from '../../src/tls/connection.js';
import { KeySchedule } from '../../src/tls/keyschedule.js';
import { decodeClientHello } from '../../src/tls/messages/client-hello.js';
import { RecordLayer } from '../../src/tls/record.js';
import { NamedGroup } from '../../src/tls/registry/groups.js';
import { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } from '../../src/tls/registry/suites.js';

const V = {
  clientPriv:
    '70a1a8f491e82d530542c6d7a8dcd8cfa9e31f59bb336b550b13bfe199f542c5',
  serverPriv:
    '5aa93ea18f4c5e4a39856f573af4ec1503bad0d5cdabaffc26c1ab4c361f86c8',
  chRecord:
    '16030100c4010000c003036660261ff947cea49cce6cfad687f457cf1b14531ba14131a0e8f309a1d0b9c40000061301' +
    '13031302010000910000000b0009000006736572766572ff01000100000a00140012001d001700180019010001010102' +
    '0103010400230000003300260024001d00204cfdfcd178b784bf328cae793b136f2aedce005ff183d7bb149520723664' +
    '7037002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00' +
    '020101001c00024001',
  shRecord:
    '160303005a0200005603031274991495cf425857262dde2299342c315afba9b64a87d552515614e01b045d0013010000' +
    '2e00330024001d0020c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a002b00020304',
  serverFlightRecord:
    '17030302a2d86231e399eee4544f58e5c9ff1d0def3baa470ae2ed0b127c5dd471715673cef74b51fecac0d9d347ce9f' +
    '43efe772ad20efddfa5b9a3911760311279599832e856ceba25bdc8071f97228277985b96f4e2b520f48b129bd3f9bb8' +
    'e0ba5ad5cb2513b7d9157fab22fbd5862a8631a194b4ece8e31dade9e6d019d5714833de181192b427a10fe4e929f637' +
    'd55c3ecf0182191dee94df0cdeed15dcc6f114c5abdcc0626356cfe4dcf011022c0e6a2431d688bbc829fa495bcb0e74' +
    '56636b153c9c79a4f8cb083164c5f555ac78b8844a25d8c7b3f40d7226f53e6b6f0976989c70a327b6e7bf5316a20b8d' +
    'e99e25ab7d5e2faba2f53ef8f3713995023e678859cde121cf548625d61fe840f0c5749fc65c984c543a139a3185091a' +
    'eb9eaca24d269a31501cc506bdf9b620994c8dc4bdc977afd9e971fad42eb1c9d05545fc37164a123233e370bb6afef2' +
    'cbf7df710c95a4e20982cca1ebfc67a6ebb82e8ee5910a69ec085598ab497365c408aca90d13feea1d773af9899f9e37' +
    'b74189f711ea08a960810c449c141ab4ee2d4958021050e1bc4347fbfddb90e924752f1df76ed1ce7c0038ce1193b0e7' +
    '2e056c3e330914cbe656b80bbebf0359bf301e06901974baad55765f186c7b1c1304e1101181629351682a0a96e2a844' +
    '2cd65234d55f4dcdc585c3a729aab205590a53a9ce9e4b0e1218f0952cc2806b5f46c59d88a172dac37c9f37afb91cea' +
    '61665324b06d3ce79d7465d323ca9cb4ccd8d8adf21eefde6a24f36fe7e022139285de95dd6283e106773d11d07d9bf2' +
    '7ca9e9953a0c23730b159ff8aa0086d74e0ba5557257c2f308a55ff54c9c48547886f979fa841b8c2d6cd7a14ef642dd' +
    'a832badba34a3554fcd4092d8de04e432ccbdaa4eac28f922a29bd00a7d26f5072a3fa2da1a228394a26a805dee09042' +
    '2794fb1476cff0',
  serverFlightPayload:
    '080000240022000a00140012001d00170018001901000101010201030104001c00024001000000000b0001b9000001b5' +
    '0001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a0603550403130372' +
    '7361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372' +
    '736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c' +
    '0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0cc' +
    'b0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a' +
    '8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0' +
    '300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594' +
    '365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1' +
    'fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4' +
    '2b4de100000f00008408040080ace0af8e87d7c63cc9dbe7dcc12ff83bd55df0ccda9bf4e5a0f70100d9bc4d25aa684f' +
    'd9d347642c942222526e163e3b0fba312b10e9b67eb0ac9c2be5fef490f81d7827e3bc12fa027ab439e71cc8459c14b9' +
    '4a8f3506ec44547d6c23e19cc7f9d5e0d1f595108fc240f5b0842c485a321487c4950377a52e917294715567cd140000' +
    '204c92b1b256d861a1830167827d3e288d1a76f03484e9ec886d4ff66149cbec2f',
  clientFinishedRecord:
    '1703030035ed2b5675d3a8b0d0cedd0519d5e7573c4aa061f42daeecca1c5498e1f063a9c6c5f594e3859f568a0bc5ee' +
    '9ee49db23a0999f0aede',
  nstRecord:
    '17030300dec047d7b25ebbc316ebeef66485649f1a3a6c1918b035c183ebde6bd30c2b97f4935e329714bb08af9c6d96' +
    'da3c604443c0dbbeab8beecd90af0c3dbc53ea1c49deeb688f45f0f9e8cceec68ebbadd3a4425938acd99dca9ead9b6f' +
    '6a297a9aa0d9ab910745f6732527817fd4134ac5e99cd6255e2388c89f83646e0e5fbe4044aa5a55a3530ca98ff56eb6' +
    'b1dc685e5660a75a822efae533daed34745608aa9829ba84de3e7c4acfc8094e39d2af817421e55c3aa5d0e1de43c408' +
    'bac9322599ef4e57dfd08a7af0d1186c96e6ac299bd07f5ee5b056831964cb80768ce5',
  clientAppRecord:
    '17030300436f75483d5af74e8419fadfd21404a9b5eba36b5170c504366f2da8ddc2bd7bfcaf3cbee33d8c0172f0f848' +
    '5a1fa52d1364257cf5c509eaf35c39189b5278b5861b019f',
  serverAppRecord:
    '1703030043cc8a45078c6c81b7461ff5624f6312aa44c3c101eb700e6248042f40baca0d988fefd11e945d27c7c364b5' +
    '068580571908646e59a85e12690df143671095b3c93d705c',
  clientAlertRecord:
    '170303001391e43d71d625149c7e221ca954b6a8958f12c0',
  serverAlertRecord:
    '1703030013487b8fbbf30c49dd4817e394fa6c6f95816846',
  cHsTraffic:
    'd7c28b57a857e961b5bf3e1d7b18d02757c4f97acb66a23372e5a7f3d0a71e07',
  sHsTraffic:
    '3031e9c2c26ecc154bc36826e87feeff8f4547df52596747b2dcabf92b18fb59',
  cApTraffic:
    '2dca43b0ae13af89e9533d39b65dd25cc22df9e7afcaf082a76895a4da353b50',
  sApTraffic:
    '49033ff303eef5739d1376cb6d27ebd695733f3c3f617e7fc76d02a6fac6277f',
  expMaster:
    '319b2e433f189fc5a1d81ea369e3af838cbecb0db8fffd5b9ab205afcdb999d9',
  resMaster:
    'a34be53b07ab35b8503d7626a7cad4966873ebdea135c4b2e4cd28e4b812ac54',
  serverFinished:
    '4c92b1b256d861a1830167827d3e288d1a76f03484e9ec886d4ff66149cbec2f',
  rsa_n:
    'b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af1' +
    '9eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8c' +
    'a9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f',
  rsa_e:
    '010001',
  rsa_d:
    '04dea705d43a6ea7209dd8072111a83c81e322a59278b33480641eaf7c0a6985b8e31c44f6de62e1b4c2309f6126e77b' +
    '7c41e923314bbfa3881305dc1217f16c819ce538e922f369828d0e57195d8c8488460207b2faa726bcf708bbd7db7f67' +
    '9f893492fc2a622e08970aac441ce4e0c3088df25ae679233df8a3bda2ff9941',
  rsa_p:
    'e435fb7cc83737756dacea96ab7f59a2cc1069db7deb190e17e33a532b273f30a327aa0aaabc58cd67466af9845fadc6' +
    '75fe094af92c4bd1f2c1bc33dd2e0515',
  rsa_q:
    'cabd3bc0e0438664c8d4cc9f99977a94d9bbfead8e43870abae3f7eb8b4e0eee8af1d9b4719ba6196cf2cbbaeeebf8b3' +
    '490afe9e9ffa74a88aa51fc645629303',
  rsa_dp:
    '3f57345c27fe1b687e6e761627b78b1b826433dd760fa0bea6a6acf39490aa1b47cda4869d68f584dd5b5029bd32093b' +
    '8258661fe715025e5d70a45a08d3d319',
  rsa_dq:
    '183da01363bd2f2885cacbdc9964bf4764f1517636f86401286f71893c52ccfe40a6c23d0d086b47c6fb10d8fd1041e0' +
    '4def7e9a40ce957c417794e10412d139',
  rsa_qi:
    '839ca9a085e4286b2c90e466997a2c681f21339aa3477814e4dec11833050ed50dd13cc038048a43c59b2acc416889c0' +
    '37665fe5afa605969f8c01dfa5ca969d',
} as const;

const h = (s: string) => Buffer.from(s, 'hex');
const SUITES = [TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384];
const RECORD_HEADER = 5;
const HS_HEADER = 4;

/** The provider with the trace's randomness and ephemeral key pinned. */
function pinned(random: Buffer | null, x25519Private: Buffer): CryptoProvider {
  return new Proxy(defaultProvider, {
    get(target, key) {
      if (key === 'randomBytes' && random) return (n: number) => (n === random.length ? Buffer.from(random) : target.randomBytes(n));
      if (key === 'generateKeyExchange') return (g: KeyExchangeGroup) => target.importKeyExchange(g, x25519Private);
      // The server's side: the pinned key pair answers the client's share.
      if (key === 'respondKeyExchange') {
        return (g: KeyExchangeGroup, peer: Uint8Array) => {
          const mine = target.importKeyExchange(g, x25519Private);
          return { publicKey: mine.publicKey, sharedSecret: mine.deriveSharedSecret(peer) };
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

// ---- a minimal DER writer for the trace's RSA key (PKCS#8 from n, e, d, p, q, dp, dq, qinv) ----
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
const derInt = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const RSA_ENCRYPTION_OID = h('06092a864886f70d010101');
function traceRsaKeyDer(): Buffer {
  const rsaKey = tlv(0x30, Buffer.concat([derInt(Buffer.from([0])), ...[V.rsa_n, V.rsa_e, V.rsa_d, V.rsa_p, V.rsa_q, V.rsa_dp, V.rsa_dq, V.rsa_qi].map((x) => derInt(h(x)))]));
  const alg = tlv(0x30, Buffer.concat([RSA_ENCRYPTION_OID, h('0500')]));
  return tlv(0x30, Buffer.concat([derInt(Buffer.from([0])), alg, tlv(0x04, rsaKey)]));
}

/** The ClientHello message of the trace (record header stripped). */
const traceClientHello = () => decodeClientHello(h(V.chRecord).subarray(RECORD_HEADER + HS_HEADER));

function traceClient(keyLog?: Map<string, Buffer>): Connection {
  return Connection.client({
    provider: pinned(null, h(V.clientPriv)),
    serverName: 'server',
    cipherSuites: SUITES,
    groups: ['X25519'],
    middleboxCompat: false,
    clientHelloHook: () => traceClientHello(),
    keyLog: keyLog ? (label, _random, secret) => keyLog.set(label, secret) : null,
  });
}

/** The server's certificate from the trace's Certificate message (first entry). */
function traceCertificate(): Buffer {
  const payload = h(V.serverFlightPayload);
  const eeLength = HS_HEADER + payload.readUIntBE(1, 3);
  const cert = payload.subarray(eeLength);
  // Certificate: header(4) context(1: 00) list length(3) cert length(3) cert...
  const certLength = cert.readUIntBE(HS_HEADER + 1 + 3, 3);
  const start = HS_HEADER + 1 + 3 + 3;
  return cert.subarray(start, start + certLength);
}

test('RFC 8448 §3 client: ClientHello record is byte-exact', () => {
  const c = traceClient();
  assert.equal(c.takeOutgoing().toString('hex'), V.chRecord);
});

test('RFC 8448 §3 client: secrets, client Finished, application data and close_notify are byte-exact', () => {
  const secrets = new Map<string, Buffer>();
  const c = traceClient(secrets);
  c.takeOutgoing();
  c.receive(Buffer.concat([h(V.shRecord), h(V.serverFlightRecord)]));
  assert.equal(c.handshakeDone, true);
  assert.equal(c.negotiated.suite, TLS_AES_128_GCM_SHA256);
  assert.equal(c.negotiated.peerSignatureScheme, 0x0804);
  assert.deepEqual(c.negotiated.peerCertificates, [traceCertificate()]);
  assert.equal(secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')?.toString('hex'), V.cHsTraffic);
  assert.equal(secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')?.toString('hex'), V.sHsTraffic);
  assert.equal(secrets.get('CLIENT_TRAFFIC_SECRET_0')?.toString('hex'), V.cApTraffic);
  assert.equal(secrets.get('SERVER_TRAFFIC_SECRET_0')?.toString('hex'), V.sApTraffic);
  assert.equal(secrets.get('EXPORTER_SECRET')?.toString('hex'), V.expMaster);
  assert.equal(c.takeOutgoing().toString('hex'), V.clientFinishedRecord);
  // tls-unique for TLS 1.3 is the client Finished verify_data.
  assert.equal(c.channelBinding('tls-unique')?.toString('hex'), clientVerifyData());
  // The server's NewSessionTicket is accepted and ignored.
  c.receive(h(V.nstRecord));
  const payload = Buffer.from(Array.from({ length: 50 }, (_, i) => i));
  c.write(payload);
  assert.equal(c.takeOutgoing().toString('hex'), V.clientAppRecord);
  c.receive(h(V.serverAppRecord));
  assert.ok(c.read().equals(payload));
  c.close();
  assert.equal(c.takeOutgoing().toString('hex'), V.clientAlertRecord);
  c.receive(h(V.serverAlertRecord));
  assert.equal(c.peerClosed, true);
});

/** verify_data of the client Finished, from the trace's Finished record decrypted with the trace's client handshake key. */
function clientVerifyData(): string {
  const keys = KeySchedule.forSuite(defaultProvider, TLS_AES_128_GCM_SHA256).trafficKeys(h(V.cHsTraffic));
  const rl = new RecordLayer({ provider: defaultProvider });
  rl.setReadKey(TLS_AES_128_GCM_SHA256, keys.key, keys.iv);
  rl.feed(h(V.clientFinishedRecord));
  return rl.nextRecord()!.payload.subarray(HS_HEADER).toString('hex');
}

test('RFC 8448 §3 server: ServerHello record, EncryptedExtensions, Certificate and handshake secrets are byte-exact', () => {
  const serverRandom = h(V.shRecord).subarray(RECORD_HEADER + HS_HEADER + 2, RECORD_HEADER + HS_HEADER + 2 + 32);
  const secrets = new Map<string, Buffer>();
  const key = defaultProvider.importPrivateKey(traceRsaKeyDer());
  const s = Connection.server({
    provider: pinned(serverRandom, h(V.serverPriv)),
    cipherSuites: SUITES,
    certificates: [{ chain: [traceCertificate()], key }],
    keyLog: (label, _r, secret) => secrets.set(label, secret),
    // The trace's server (NSS) also sends supported_groups and record_size_limit.
    encryptedExtensionsHook: () => [
      { type: 'supported_groups', groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096, NamedGroup.ffdhe6144, NamedGroup.ffdhe8192] },
      { type: 'record_size_limit', limit: 0x4001 },
      { type: 'server_name', hostName: null },
    ],
  });
  s.receive(h(V.chRecord));
  const out = s.takeOutgoing();
  const shLength = h(V.shRecord).length;
  assert.equal(out.subarray(0, shLength).toString('hex'), V.shRecord);
  assert.equal(secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')?.toString('hex'), V.cHsTraffic);
  assert.equal(secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')?.toString('hex'), V.sHsTraffic);

  // Open our protected flight with the trace's server handshake key.
  const keys = KeySchedule.forSuite(defaultProvider, TLS_AES_128_GCM_SHA256).trafficKeys(h(V.sHsTraffic));
  const rl = new RecordLayer({ provider: defaultProvider });
  rl.setReadKey(TLS_AES_128_GCM_SHA256, keys.key, keys.iv);
  rl.feed(out.subarray(shLength));
  const flight = rl.nextRecord()!.payload;
  const trace = h(V.serverFlightPayload);
  const certEnd = HS_HEADER + trace.readUIntBE(1, 3);
  const eeAndCertEnd = certEnd + HS_HEADER + trace.readUIntBE(certEnd + 1, 3);
  assert.equal(flight.subarray(0, eeAndCertEnd).toString('hex'), trace.subarray(0, eeAndCertEnd).toString('hex'));

  // The rest (our randomized RSA-PSS CertificateVerify and our Finished) must satisfy the trace's client.
  const c = traceClient();
  c.takeOutgoing();
  c.receive(out);
  assert.equal(c.handshakeDone, true);
  s.receive(c.takeOutgoing());
  assert.equal(s.handshakeDone, true);
  c.write(Buffer.from('ping'));
  s.receive(c.takeOutgoing());
  assert.equal(s.read().toString(), 'ping');
});

const V5 = {
  x25519Priv:
    'cc5aa2f76f528752837cc51e60390e2d6d977a0183776fb7743a8d06786e7ab8',
  p256Priv:
    '137b20ef0ca19c55dc62fcb087dbdcde1503cbea087e99f6894c85efad647e4d',
  ch1Record:
    '16030100b4010000b00303c05333f1e168f732427e91815a093c990115f161130c68e9be3e563610ee94870000061301' +
    '13031302010000810000000b0009000006736572766572ff01000100000a00080006001d00170018003300260024001d' +
    '0020f7dead1d79f3fd2379002489bbe689b3b16bbc419c812fa617a6fb0a99a17117002b0003020304000d0020001e04' +
    '0305030603020308040805080604010501060102010402050206020202002d00020101001c00024001',
  hrrRecord:
    '16030300b0020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c0013010000' +
    '84003300020017002c00740072c8a457e4f6d9b8f485a6fbb2000000000944e8ada9c6414d2412d66659d64678003023' +
    'f9de457f1f09e31dd322cfe0dc9147b7dc3ec0c577b010a0b0a8f28784226e0f061797aa37e95da2c006d12af13e0745' +
    'b0d04918d14d429a0d50808857736687baff6d07c4682a007c62c3cb4afcb3002b00020304',
  ch2Record:
    '1603030200010001fc0303c05333f1e168f732427e91815a093c990115f161130c68e9be3e563610ee94870000061301' +
    '13031302010001cd0000000b0009000006736572766572ff01000100000a00080006001d001700180033004700450017' +
    '004104a8d6b4fc93bfb595d867814c45689f74708a33714a9340fe795d7958ef47fd56039baa382032f78d4c4bca4f24' +
    'f65560b53b1c076be41bcc099856758545a898002b0003020304000d0020001e04030503060302030804080508060401' +
    '0501060102010402050206020202002c00740072c8a457e4f6d9b8f485a6fbb2000000000944e8ada9c6414d2412d666' +
    '59d64678003023f9de457f1f09e31dd322cfe0dc9147b7dc3ec0c577b010a0b0a8f28784226e0f061797aa37e95da2c0' +
    '06d12af13e0745b0d04918d14d429a0d50808857736687baff6d07c4682a007c62c3cb4afcb3002d00020101001c0002' +
    '4001001500af000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000000000000000000000',
  shRecord:
    '160303007b020000770303609dd3f4138c66761c3727cd0f34f183b3b9cf192a803901f6daebd0d6f3a00e0013010000' +
    '4f0033004500170041045d8b37a392a9a1ffc6edddd6a17292dd97e65d56585f78ee7ee926c59e00eae233d108a2779f' +
    'b1f09c29c47709da29592e13054f9d53c1d58d806b36da0a2337002b00020304',
  serverFlightRecord:
    '1703030296600da4860f2ee137f0fd4d12412b33e57c44be81466e6a3424008d14be7a3386403bfef354a92f19d986dd' +
    '4d49c068f923f2b0738b7ede774b71fefcf840355d805cde32cd1146190af359f6a2d4e5b38da486f6af1221ab395d86' +
    'c8f9053f6eb014f871ae46857d7afbccc0facc4e203c908c2677834fc2ae07002a3c6d2de7f9d3690796c0c6ea43e2d6' +
    'f2e95e503ca6f08ee42cbb4e0d3511bddc68d6a6f4322e4b767295c4f77c3c22788554504a0b32c43a31ee643b786f5e' +
    'abb0d29b613ade67063b7736fc93a97df8910dc7a29f9e33043c69ef7b6510e26a77655d34c0776d9459dcdd3d7e958f' +
    'e1fc5793f1a2b5a1ba7e5328192bbd5bb3a50b3aef2cc632e6c5fdf4a6700da221505b00e6a9ad269590fae29ac067cc' +
    '375789cef3b291bca710fbdd954c8cd7ef81c20942f16bd0eb1a7ecff9c81bee122ec40b6399e70c929bed3f474f4a0f' +
    'a0bbf27d384d1caf6df93576a60064ef4446291f65ffb1806f72197de7775aca9dce57b7f629d0799722717f199e01bf' +
    '717deb8cfeeb555090ddcf37542ada0f7a92727b04c0c9f98f9846ec42a61bc5226954cec4a6d86c73d9d75c31f4549a' +
    'c37c1f1cb85c8cc0376b36d39b0545540d4d05f8842bcf88c38e3bf72762f9b08524f48781a72ddff9e93543d29b4619' +
    'd5df8be66159e2634e92b78692677af588d7cf4210e74b625afb333f3c37c48d95852eb0071c2b3a387db5118f48a850' +
    '199d5be16b0c660f3970f535c3f777f78dd7040fda6824e52e86c64a81cb9703038a416ed267ac149439cc1b52a77d24' +
    '99209d3baa272e57d29a4eead44bf2111c47ef95d363c8bd0209d314516a6aa54a437421232f82bf2af78200e54669f6' +
    '1038c1dca38003ad51c58c2f0847ee3581618601e5d1756d529296de73eaff5403f8dbf1843f78e7edc27c',
  clientFinishedRecord:
    '17030300356789a8b91485f56bdf308087d3b4130efb1bbb6aa62c8947d991c7b1fea6ea7dd03b104ea0b0526ee2b3a8' +
    '84b39fe03d1fd2e58635',
  cHsTraffic:
    '283b461617de926092bef1ff41848243da408623c79b3a445f200a3131070da3',
  sHsTraffic:
    'da33aa635f66b569e821593a7d77c9aac9643f53af8a77f8c5f74d9194596009',
  cApTraffic:
    '3c7a21912047af944c1668a9e31953af4bfb32685aca3c4a34769041c3978084',
  sApTraffic:
    '0d0f550ce40f648a1fee8977f6954eaffa58f1cdd02093bb2418441b52628913',
  clientAlertRecord:
    '1703030013e42cc34c179097d68cd689fd1a8de7176dc494',
} as const;

test('RFC 8448 §5 HelloRetryRequest client: second ClientHello, secrets and Finished are byte-exact', () => {
  const hellos = [V5.ch1Record, V5.ch2Record].map((r) => decodeClientHello(h(r).subarray(RECORD_HEADER + HS_HEADER)));
  let n = 0;
  const secrets = new Map<string, Buffer>();
  const provider = new Proxy(defaultProvider, {
    get(target, key) {
      if (key === 'generateKeyExchange') return (g: KeyExchangeGroup) => target.importKeyExchange(g, h(g === 'X25519' ? V5.x25519Priv : V5.p256Priv));
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const c = Connection.client({
    provider,
    serverName: 'server',
    cipherSuites: SUITES,
    groups: ['X25519', 'P-256'],
    middleboxCompat: false,
    clientHelloHook: () => hellos[n++]!,
    keyLog: (label, _r, secret) => secrets.set(label, secret),
  });
  assert.equal(c.takeOutgoing().toString('hex'), V5.ch1Record);
  c.receive(h(V5.hrrRecord));
  assert.equal(c.takeOutgoing().toString('hex'), V5.ch2Record);
  c.receive(Buffer.concat([h(V5.shRecord), h(V5.serverFlightRecord)]));
  assert.equal(c.handshakeDone, true);
  assert.equal(c.negotiated.helloRetry, true);
  assert.equal(c.negotiated.group, 'P-256');
  assert.equal(secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')?.toString('hex'), V5.cHsTraffic);
  assert.equal(secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')?.toString('hex'), V5.sHsTraffic);
  assert.equal(secrets.get('CLIENT_TRAFFIC_SECRET_0')?.toString('hex'), V5.cApTraffic);
  assert.equal(secrets.get('SERVER_TRAFFIC_SECRET_0')?.toString('hex'), V5.sApTraffic);
  assert.equal(c.takeOutgoing().toString('hex'), V5.clientFinishedRecord);
  c.close();
  assert.equal(c.takeOutgoing().toString('hex'), V5.clientAlertRecord);
});
