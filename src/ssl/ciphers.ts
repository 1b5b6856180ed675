/**
 * The OpenSSL cipher-string language that `SSLContext.set_ciphers()` takes,
 * over the suites our engine implements, and the dicts `get_ciphers()`
 * returns (python-ssl-api.md §5.3, §11).
 *
 * As in OpenSSL, a cipher string selects TLS 1.2 suites only; TLS 1.3 suites
 * are configured separately (`set_ciphersuites`) and always listed first.
 *
 * The language (OpenSSL `ssl_create_cipher_list` / `ssl_cipher_process_rulestr`):
 * items separated by `:`, `,`, `;` or spaces; an item is a cipher name or an
 * alias, or several joined by `+` (intersection). A prefix changes the action:
 *   (none) add matching suites not yet enabled to the end of the list
 *   `-`    disable matching suites (they may be added again later)
 *   `!`    remove matching suites for good
 *   `+`    move matching enabled suites to the end
 * plus the commands `@STRENGTH` (stable sort by strength) and `@SECLEVEL=n`.
 * Unknown words match nothing (OpenSSL ignores them); the result must not be
 * empty (`SSLError('No cipher can be selected.')`).
 */
import type { CipherSuite } from '../tls/registry/suites.js';
import { TLS12_SUITES, TLS13_SUITES } from '../tls/registry/suites.js';
import { SSLError } from './errors.js';

/** Python's `_DEFAULT_CIPHERS` (3.10+): what every new SSLContext applies. */
export const DEFAULT_CIPHER_STRING = '@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM';
/** Python's default security level (from `@SECLEVEL=2` in the default cipher string). */
export const DEFAULT_SECURITY_LEVEL = 2;
/** OpenSSL's highest security level. */
export const MAX_SECURITY_LEVEL = 5;

/** Separators between items (OpenSSL `ITEM_SEP`). */
const ITEM_SEPARATORS = /[:, ;]+/;

type Predicate = (s: CipherSuite) => boolean;

const ANY: Predicate = () => true;
const NONE: Predicate = () => false;
const isAesGcm: Predicate = (s) => s.aead === 'AES-128-GCM' || s.aead === 'AES-256-GCM';

/**
 * OpenSSL's aliases, as they apply to the suites we implement (all of which
 * are ECDHE key exchange with an AEAD). Aliases for algorithms we do not
 * implement (RSA key exchange, DHE, CBC, SHA1 MACs, PSK, …) match nothing.
 */
const ALIASES: ReadonlyMap<string, Predicate> = new Map<string, Predicate>([
  ['ALL', ANY],
  ['DEFAULT', ANY],
  ['HIGH', ANY],
  ['FIPS', ANY],
  ['TLSv1.2', ANY],
  ['ECDH', ANY],
  ['ECDHE', ANY],
  ['EECDH', ANY],
  ['kECDHE', ANY],
  ['kEECDH', ANY],
  ['AEAD', ANY],
  ['aRSA', (s) => s.auth === 'RSA'],
  ['aECDSA', (s) => s.auth === 'ECDSA'],
  ['ECDSA', (s) => s.auth === 'ECDSA'],
  ['AESGCM', isAesGcm],
  ['AES', isAesGcm],
  ['AES128', (s) => s.aead === 'AES-128-GCM'],
  ['AES256', (s) => s.aead === 'AES-256-GCM'],
  ['CHACHA20', (s) => s.aead === 'CHACHA20-POLY1305'],
  ['COMPLEMENTOFDEFAULT', NONE],
  ['COMPLEMENTOFALL', NONE],
]);

function itemPredicate(item: string): Predicate {
  const parts = item.split('+');
  const preds = parts.map((word): Predicate => {
    const alias = ALIASES.get(word);
    if (alias) return alias;
    return (s) => s.opensslName === word;
  });
  return (s) => preds.every((p) => p(s));
}

export interface CipherSelection {
  /** Enabled TLS 1.2 suites, in preference order. */
  readonly tls12: readonly CipherSuite[];
  readonly securityLevel: number;
}

/** Parses an OpenSSL cipher string. Throws `SSLError('No cipher can be selected.')` when nothing is left. */
export function parseCipherString(text: string, securityLevel = DEFAULT_SECURITY_LEVEL): CipherSelection {
  // The working list starts in OpenSSL's base order (strongest first, AES-GCM before ChaCha20, ECDSA before RSA).
  let order: CipherSuite[] = [...TLS12_SUITES];
  const active = new Set<CipherSuite>();
  const killed = new Set<CipherSuite>();
  let level = securityLevel;
  for (const raw of text.split(ITEM_SEPARATORS)) {
    if (raw === '') continue;
    if (raw.startsWith('@')) {
      const m = /^@SECLEVEL=(\d)$/.exec(raw);
      if (m) level = Math.min(Number(m[1]), MAX_SECURITY_LEVEL);
      else if (raw === '@STRENGTH') order = stableSortByStrength(order);
      // Other commands: OpenSSL fails the whole string.
      else throw new SSLError('No cipher can be selected.');
      continue;
    }
    const op = raw[0] === '!' || raw[0] === '-' || raw[0] === '+' ? raw[0] : '';
    const match = itemPredicate(op === '' ? raw : raw.slice(1));
    const hits = order.filter((s) => match(s) && !killed.has(s));
    switch (op) {
      case '': {
        const added = hits.filter((s) => !active.has(s));
        order = [...order.filter((s) => !added.includes(s)), ...added];
        for (const s of added) active.add(s);
        break;
      }
      case '+': {
        const moved = hits.filter((s) => active.has(s));
        order = [...order.filter((s) => !moved.includes(s)), ...moved];
        break;
      }
      case '-': {
        // Deleted suites go to the front, so adding them back puts them at the end in base order.
        const removed = hits.filter((s) => active.has(s));
        for (const s of removed) active.delete(s);
        order = [...removed, ...order.filter((s) => !removed.includes(s))];
        break;
      }
      case '!':
        for (const s of hits) {
          killed.add(s);
          active.delete(s);
        }
        break;
    }
  }
  // The security level does not prune the list (OpenSSL applies it per handshake; get_ciphers() shows them all).
  const tls12 = order.filter((s) => active.has(s));
  if (tls12.length === 0) throw new SSLError('No cipher can be selected.');
  return { tls12, securityLevel: level };
}

function stableSortByStrength(list: CipherSuite[]): CipherSuite[] {
  return list
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0].bits - a[0].bits || a[1] - b[1])
    .map(([s]) => s);
}

/**
 * `set_ciphersuites()` (3.15): colon-separated TLS 1.3 suite names, in
 * preference order. Unknown names are ignored, as OpenSSL does; an empty
 * string disables TLS 1.3 suites.
 */
export function parseCiphersuites(text: string): CipherSuite[] {
  if (text === '') return [];
  const out: CipherSuite[] = [];
  for (const name of text.split(':')) {
    const s = TLS13_SUITES.find((x) => x.ianaName === name);
    if (s && !out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw new SSLError('No cipher suite can be selected.');
  return out;
}

/** One entry of `SSLContext.get_ciphers()`, with Python's keys. */
export interface CipherDict {
  id: number;
  name: string;
  protocol: string;
  description: string;
  strength_bits: number;
  alg_bits: number;
  aead: boolean;
  symmetric: string;
  digest: string | null;
  kea: string;
  auth: string;
}

/** OpenSSL `SSL_CIPHER_get_id`: 0x03000000 | the two-byte code point. */
const OPENSSL_CIPHER_ID_BASE = 0x03000000;

const SYMMETRIC: Readonly<Record<CipherSuite['aead'], [nid: string, desc: string]>> = {
  'AES-128-GCM': ['aes-128-gcm', 'AESGCM(128)'],
  'AES-256-GCM': ['aes-256-gcm', 'AESGCM(256)'],
  'CHACHA20-POLY1305': ['chacha20-poly1305', 'CHACHA20/POLY1305(256)'],
};

/** `SSL_CIPHER_description` layout: "%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s". */
function description(s: CipherSuite): string {
  const kx = s.version === 'TLSv1.3' ? 'any' : 'ECDH';
  const au = s.auth ?? 'any';
  return `${s.opensslName.padEnd(30)} ${s.version.padEnd(7)} Kx=${kx.padEnd(8)} Au=${au.padEnd(5)} Enc=${SYMMETRIC[s.aead][1].padEnd(22)} Mac=AEAD`;
}

export function cipherDict(s: CipherSuite): CipherDict {
  return {
    id: OPENSSL_CIPHER_ID_BASE | s.id,
    name: s.opensslName,
    protocol: s.version,
    description: description(s),
    strength_bits: s.bits,
    alg_bits: s.bits,
    aead: true,
    symmetric: SYMMETRIC[s.aead][0],
    digest: null,
    kea: s.version === 'TLSv1.3' ? 'kx-any' : 'kx-ecdhe',
    auth: s.auth === null ? 'auth-any' : s.auth === 'RSA' ? 'auth-rsa' : 'auth-ecdsa',
  };
}

/** `cipher()`'s triple: [name, protocol that defines the suite, secret bits]. */
export function cipherTuple(s: CipherSuite): [string, string, number] {
  return [s.opensslName, s.version, s.bits];
}
