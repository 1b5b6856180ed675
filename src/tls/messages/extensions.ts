import { Reader, type Writer } from '../codec.js';
import { TLSError } from '../errors.js';
import {
  CertificateStatusType,
  ExtensionType,
  MIN_RECORD_SIZE_LIMIT,
  ServerNameType,
  TLS12_SERVER_HELLO_EXTENSIONS,
  TLS13_EXTENSION_MESSAGES,
  describeExtension,
  extensionName,
  type ExtensionName,
} from '../registry/extensions.js';
import type {
  Extension,
  ExtensionContext,
  ExtensionsByContext,
  KeyShareEntry,
  PskIdentity,
} from './extension-types.js';

export * from './extension-types.js';

/**
 * The extension codec (RFC 8446 §4.2 and the RFCs of each extension). Every
 * decoder checks its exact grammar (lengths, minimums, no trailing bytes) and
 * throws decode_error otherwise; a recognised extension in a message it does
 * not belong to, or a duplicate, is illegal_parameter (RFC 8446 §4.2).
 */

type Decoder = (r: Reader, context: ExtensionContext) => Extension;

const isServerAck = (c: ExtensionContext) => c !== 'client_hello';

function empty<T extends Extension>(ext: T): Decoder {
  return () => ext;
}

function keyShareEntry(r: Reader): KeyShareEntry {
  const group = r.u16('group');
  const keyExchange = r.opaque16('key_exchange', 1);
  return { group, keyExchange };
}

function decodeServerName(r: Reader, context: ExtensionContext): Extension {
  if (isServerAck(context)) return { type: 'server_name', hostName: null }; // body already checked empty
  // RFC 6066 §3: ServerNameList server_name_list<1..2^16-1>; we accept exactly one host_name,
  // as OpenSSL does (a list may not hold two names of one type, and host_name is the only type).
  const list = r.vec16('server_name_list', 1);
  const nameType = list.u8('name_type');
  if (nameType !== ServerNameType.host_name) throw new TLSError('decode_error', `server_name: unsupported name_type ${nameType}`);
  const host = list.opaque16('host_name', 1);
  list.expectEnd('server_name_list (one host_name only)');
  for (const b of host) {
    // RFC 6066 §3: "HostName" is ASCII; a NUL would truncate the name in C code downstream.
    if (b === 0 || b > 0x7e) throw new TLSError('unrecognized_name', `server_name: host_name contains byte 0x${b.toString(16).padStart(2, '0')}`);
  }
  return { type: 'server_name', hostName: host.toString('latin1') };
}

function decodeSupportedVersions(r: Reader, context: ExtensionContext): Extension {
  if (context === 'client_hello') {
    // ProtocolVersion versions<2..254>
    const body = r.opaque8('versions', 2, 254);
    if (body.length % 2 !== 0) throw new TLSError('decode_error', `supported_versions: odd length ${body.length}`);
    const versions: number[] = [];
    for (let i = 0; i < body.length; i += 2) versions.push(body.readUInt16BE(i));
    return { type: 'supported_versions', versions };
  }
  return { type: 'supported_versions', selectedVersion: r.u16('selected_version') };
}

function decodeKeyShare(r: Reader, context: ExtensionContext): Extension {
  if (context === 'client_hello') {
    const list = r.vec16('client_shares');
    const clientShares: KeyShareEntry[] = [];
    const seen = new Set<number>();
    while (!list.atEnd) {
      const entry = keyShareEntry(list);
      // RFC 8446 §4.2.8: clients MUST NOT offer two shares for one group; servers MAY abort with illegal_parameter.
      if (seen.has(entry.group)) throw new TLSError('illegal_parameter', `key_share: two shares for group 0x${entry.group.toString(16)}`);
      seen.add(entry.group);
      clientShares.push(entry);
    }
    return { type: 'key_share', clientShares };
  }
  if (context === 'hello_retry_request') return { type: 'key_share', selectedGroup: r.u16('selected_group') };
  return { type: 'key_share', serverShare: keyShareEntry(r) };
}

function decodePreSharedKey(r: Reader, context: ExtensionContext): Extension {
  if (context !== 'client_hello') return { type: 'pre_shared_key', selectedIdentity: r.u16('selected_identity') };
  const ids = r.vec16('identities', 7);
  const identities: PskIdentity[] = [];
  while (!ids.atEnd) {
    const identity = ids.opaque16('identity', 1);
    identities.push({ identity, obfuscatedTicketAge: ids.u32('obfuscated_ticket_age') });
  }
  const bl = r.vec16('binders', 33);
  const binders: Buffer[] = [];
  while (!bl.atEnd) binders.push(bl.opaque8('binder', 32, 255));
  // RFC 8446 §4.2.11: one binder per identity.
  if (binders.length !== identities.length) {
    throw new TLSError('illegal_parameter', `pre_shared_key: ${identities.length} identities but ${binders.length} binders`);
  }
  return { type: 'pre_shared_key', identities, binders };
}

function decodeAlpn(r: Reader, context: ExtensionContext): Extension {
  const list = r.vec16('protocol_name_list', 2);
  const protocols: Buffer[] = [];
  while (!list.atEnd) protocols.push(list.opaque8('protocol_name', 1));
  // RFC 7301 §3.1: the server's ProtocolNameList MUST contain exactly one name.
  if (isServerAck(context) && protocols.length !== 1) {
    throw new TLSError('decode_error', `application_layer_protocol_negotiation: server sent ${protocols.length} protocols`);
  }
  return { type: 'application_layer_protocol_negotiation', protocols };
}

function decodeStatusRequest(r: Reader, context: ExtensionContext): Extension {
  if (context === 'certificate') {
    const statusType = r.u8('status_type');
    if (statusType !== CertificateStatusType.ocsp) throw new TLSError('decode_error', `status_request: unknown status_type ${statusType}`);
    return { type: 'status_request', ocspResponse: r.opaque24('OCSPResponse', 1) };
  }
  if (context !== 'client_hello') return { type: 'status_request' }; // empty ack, body checked empty
  if (r.atEnd) throw new TLSError('decode_error', 'status_request: empty in ClientHello');
  const data = r.rest();
  const inner = new Reader(data, 'status_request');
  const statusType = inner.u8('status_type');
  // RFC 6066 §8: only ocsp is defined; another type is kept raw, like any extension we do not interpret.
  if (statusType !== CertificateStatusType.ocsp) return { type: 'unknown', code: ExtensionType.status_request, data };
  const ids = inner.vec16('responder_id_list');
  const responderIds: Buffer[] = [];
  while (!ids.atEnd) responderIds.push(ids.opaque16('ResponderID', 1));
  const requestExtensions = inner.opaque16('request_extensions');
  inner.expectEnd();
  return { type: 'status_request', responderIds, requestExtensions };
}

function decodeRecordSizeLimit(r: Reader): Extension {
  const limit = r.u16('record_size_limit');
  // RFC 8449 §4: a value below 64 is a fatal illegal_parameter.
  if (limit < MIN_RECORD_SIZE_LIMIT) throw new TLSError('illegal_parameter', `record_size_limit ${limit} below ${MIN_RECORD_SIZE_LIMIT}`);
  return { type: 'record_size_limit', limit };
}

function decodeSessionTicket(r: Reader, context: ExtensionContext): Extension {
  const ticket = r.rest();
  // RFC 5077 §3.2: the server acknowledges with an empty extension.
  if (context === 'server_hello' && ticket.length !== 0) throw new TLSError('decode_error', 'session_ticket: non-empty in ServerHello');
  return { type: 'session_ticket', ticket };
}

function decodeCertificateAuthorities(r: Reader): Extension {
  const list = r.vec16('authorities', 3);
  const authorities: Buffer[] = [];
  while (!list.atEnd) authorities.push(list.opaque16('DistinguishedName', 1));
  return { type: 'certificate_authorities', authorities };
}

interface Rule {
  readonly decode: Decoder;
  /** Contexts in which the body must be empty. */
  readonly emptyIn?: readonly ExtensionContext[];
}

const CH: ExtensionContext = 'client_hello';
const SH: ExtensionContext = 'server_hello';
const EE: ExtensionContext = 'encrypted_extensions';
const CR: ExtensionContext = 'certificate_request';
const NST: ExtensionContext = 'new_session_ticket';

/**
 * Where a recognised extension may appear: the RFC 8446 §4.2 table, and a
 * ServerHello also for the TLS 1.2 answers (the version is not known while
 * the ServerHello is decoded; the state machine rejects the wrong version's).
 */
function allowedIn(name: ExtensionName, context: ExtensionContext): boolean {
  if (context === 'client_hello') return true;
  if (context === 'server_hello' && TLS12_SERVER_HELLO_EXTENSIONS.has(name)) return true;
  return TLS13_EXTENSION_MESSAGES[name]?.includes(context) ?? false;
}

const RULES: Partial<Record<ExtensionName, Rule>> = {
  server_name: { decode: decodeServerName, emptyIn: [SH, EE] },
  supported_groups: { decode: (r) => ({ type: 'supported_groups', groups: r.u16List('named_group_list', 2) }) },
  signature_algorithms: { decode: (r) => ({ type: 'signature_algorithms', schemes: r.u16List('supported_signature_algorithms', 2, 0xfffe) }) },
  signature_algorithms_cert: {
    decode: (r) => ({ type: 'signature_algorithms_cert', schemes: r.u16List('supported_signature_algorithms', 2, 0xfffe) }),
  },
  supported_versions: { decode: decodeSupportedVersions },
  key_share: { decode: decodeKeyShare },
  pre_shared_key: { decode: decodePreSharedKey },
  psk_key_exchange_modes: { decode: (r) => ({ type: 'psk_key_exchange_modes', modes: r.u8List('ke_modes', 1) }) },
  early_data: {
    decode: (r, c) => (c === NST ? { type: 'early_data', maxEarlyDataSize: r.u32('max_early_data_size') } : { type: 'early_data' }),
    emptyIn: [CH, EE],
  },
  cookie: { decode: (r) => ({ type: 'cookie', cookie: r.opaque16('cookie', 1) }) },
  application_layer_protocol_negotiation: { decode: decodeAlpn },
  status_request: { decode: decodeStatusRequest, emptyIn: [SH, CR] },
  extended_master_secret: { decode: empty({ type: 'extended_master_secret' }), emptyIn: [CH, SH] },
  renegotiation_info: { decode: (r) => ({ type: 'renegotiation_info', renegotiatedConnection: r.opaque8('renegotiated_connection') }) },
  ec_point_formats: { decode: (r) => ({ type: 'ec_point_formats', formats: r.u8List('ec_point_format_list', 1) }) },
  session_ticket: { decode: decodeSessionTicket },
  record_size_limit: { decode: decodeRecordSizeLimit },
  padding: { decode: (r) => ({ type: 'padding', padding: r.rest() }) },
  post_handshake_auth: { decode: empty({ type: 'post_handshake_auth' }), emptyIn: [CH] },
  certificate_authorities: { decode: decodeCertificateAuthorities },
};

const CONTEXT_NAME: Record<ExtensionContext, string> = {
  client_hello: 'ClientHello',
  server_hello: 'ServerHello',
  hello_retry_request: 'HelloRetryRequest',
  encrypted_extensions: 'EncryptedExtensions',
  certificate: 'CertificateEntry',
  certificate_request: 'CertificateRequest',
  new_session_ticket: 'NewSessionTicket',
};

/** Decodes one extension's body (the bytes after extension_type and length). */
export function decodeExtension<C extends ExtensionContext>(code: number, data: Buffer, context: C): ExtensionsByContext[C] {
  const name = extensionName(code);
  if (name === null) return { type: 'unknown', code, data } as ExtensionsByContext[C];
  if (!allowedIn(name, context)) {
    // RFC 8446 §4.2: a recognised extension in a message it is not specified for.
    throw new TLSError('illegal_parameter', `${name} extension is not allowed in ${CONTEXT_NAME[context]}`);
  }
  const rule = RULES[name];
  // Registered but not interpreted here (e.g. signed_certificate_timestamp): kept raw.
  if (rule === undefined) return { type: 'unknown', code, data } as ExtensionsByContext[C];
  const r = new Reader(data, name);
  if (rule.emptyIn?.includes(context) && data.length !== 0) {
    throw new TLSError('decode_error', `${name} extension must be empty in ${CONTEXT_NAME[context]}`);
  }
  const ext = rule.decode(r, context);
  r.expectEnd();
  return ext as ExtensionsByContext[C];
}

/**
 * Decodes an extensions block `Extension extensions<0..2^16-1>` (the length
 * prefix included) from `r`. Duplicates are illegal_parameter (RFC 8446
 * §4.2); in a ClientHello, pre_shared_key must come last (RFC 8446 §4.2.11).
 */
export function decodeExtensions<C extends ExtensionContext>(r: Reader, context: C): ExtensionsByContext[C][] {
  const block = r.vec16('extensions');
  const out: ExtensionsByContext[C][] = [];
  const seen = new Set<number>();
  while (!block.atEnd) {
    const code = block.u16('extension_type');
    const length = block.u16('extension_data length');
    if (length > block.remaining) {
      throw new TLSError('decode_error', `${block.what}: truncated ${describeExtension(code)} extension_data (need ${length} bytes, have ${block.remaining})`);
    }
    const data = block.bytes(length);
    if (seen.has(code)) throw new TLSError('illegal_parameter', `duplicate ${describeExtension(code)} extension in ${CONTEXT_NAME[context]}`);
    seen.add(code);
    if (context === 'client_hello' && seen.has(ExtensionType.pre_shared_key) && code !== ExtensionType.pre_shared_key) {
      throw new TLSError('illegal_parameter', 'pre_shared_key is not the last extension in ClientHello');
    }
    out.push(decodeExtension(code, data, context));
  }
  return out;
}

function writeBody(w: Writer, ext: Extension): void {
  switch (ext.type) {
    case 'unknown':
      w.bytes(ext.data);
      return;
    case 'server_name':
      if (ext.hostName === null) return;
      w.u16Prefixed(() => {
        w.u8(ServerNameType.host_name);
        w.opaque16(Buffer.from(ext.hostName, 'latin1'), 'host_name');
      });
      return;
    case 'supported_groups':
      w.u16List(ext.groups, 'named_group_list');
      return;
    case 'signature_algorithms':
    case 'signature_algorithms_cert':
      w.u16List(ext.schemes, 'supported_signature_algorithms');
      return;
    case 'supported_versions':
      if ('versions' in ext) {
        w.u8Prefixed(() => {
          for (const v of ext.versions) w.u16(v);
        }, 'versions');
      } else {
        w.u16(ext.selectedVersion);
      }
      return;
    case 'key_share':
      if ('clientShares' in ext) {
        w.u16Prefixed(() => {
          for (const s of ext.clientShares) w.u16(s.group).opaque16(s.keyExchange, 'key_exchange');
        }, 'client_shares');
      } else if ('serverShare' in ext) {
        w.u16(ext.serverShare.group).opaque16(ext.serverShare.keyExchange, 'key_exchange');
      } else {
        w.u16(ext.selectedGroup);
      }
      return;
    case 'pre_shared_key':
      if ('identities' in ext) {
        w.u16Prefixed(() => {
          for (const id of ext.identities) w.opaque16(id.identity, 'identity').u32(id.obfuscatedTicketAge);
        }, 'identities');
        w.u16Prefixed(() => {
          for (const b of ext.binders) w.opaque8(b, 'binder');
        }, 'binders');
      } else {
        w.u16(ext.selectedIdentity);
      }
      return;
    case 'psk_key_exchange_modes':
      w.u8List(ext.modes, 'ke_modes');
      return;
    case 'early_data':
      if ('maxEarlyDataSize' in ext) w.u32(ext.maxEarlyDataSize);
      return;
    case 'cookie':
      w.opaque16(ext.cookie, 'cookie');
      return;
    case 'application_layer_protocol_negotiation':
      w.u16Prefixed(() => {
        for (const p of ext.protocols) w.opaque8(p, 'protocol_name');
      }, 'protocol_name_list');
      return;
    case 'status_request':
      if ('ocspResponse' in ext) {
        w.u8(CertificateStatusType.ocsp).opaque24(ext.ocspResponse, 'OCSPResponse');
      } else if ('responderIds' in ext) {
        w.u8(CertificateStatusType.ocsp);
        w.u16Prefixed(() => {
          for (const id of ext.responderIds) w.opaque16(id, 'ResponderID');
        }, 'responder_id_list');
        w.opaque16(ext.requestExtensions, 'request_extensions');
      }
      return;
    case 'extended_master_secret':
    case 'post_handshake_auth':
      return;
    case 'renegotiation_info':
      w.opaque8(ext.renegotiatedConnection, 'renegotiated_connection');
      return;
    case 'ec_point_formats':
      w.u8List(ext.formats, 'ec_point_format_list');
      return;
    case 'session_ticket':
      w.bytes(ext.ticket);
      return;
    case 'record_size_limit':
      w.u16(ext.limit);
      return;
    case 'padding':
      w.bytes(ext.padding);
      return;
    case 'certificate_authorities':
      w.u16Prefixed(() => {
        for (const dn of ext.authorities) w.opaque16(dn, 'DistinguishedName');
      }, 'authorities');
      return;
  }
}

/** The extension_type code point of an extension. */
export function extensionCode(ext: Extension): number {
  return ext.type === 'unknown' ? ext.code : ExtensionType[ext.type];
}

/** Writes one extension: type, length, body. */
export function writeExtension(w: Writer, ext: Extension): void {
  w.u16(extensionCode(ext));
  w.u16Prefixed(() => writeBody(w, ext), ext.type);
}

/** Writes an extensions block with its 2-byte length prefix, in the given order. */
export function writeExtensions(w: Writer, exts: readonly Extension[]): void {
  w.u16Prefixed(() => {
    for (const e of exts) writeExtension(w, e);
  }, 'extensions');
}

/**
 * The encoded length of a ClientHello pre_shared_key binders list (its
 * 2-byte prefix included). A PSK binder is computed over the ClientHello up
 * to but not including this list (RFC 8446 §4.2.11.2), i.e. over the
 * encoded handshake message minus its last `pskBindersLength(binders)` bytes
 * (pre_shared_key is always the last extension).
 */
export function pskBindersLength(binders: readonly Uint8Array[]): number {
  let n = 2;
  for (const b of binders) n += 1 + b.length;
  return n;
}
