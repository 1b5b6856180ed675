/**
 * Locating the private key inside PEM text (RFC 7468 framing). A key file may
 * also hold certificates or `EC PARAMETERS` (as `openssl ecparam -genkey`
 * writes); we pick the key block ourselves so that we know whether it is
 * encrypted before OpenSSL sees it, and can tell "wrong password" from
 * "not a key".
 */

/** PEM labels of private keys we accept, and whether the label itself means "encrypted". */
const PRIVATE_KEY_LABELS: ReadonlyMap<string, { readonly encrypted: boolean; readonly form: string }> = new Map([
  ['PRIVATE KEY', { encrypted: false, form: 'PKCS#8' }],
  ['ENCRYPTED PRIVATE KEY', { encrypted: true, form: 'encrypted PKCS#8' }],
  ['RSA PRIVATE KEY', { encrypted: false, form: 'traditional RSA (PKCS#1)' }],
  ['EC PRIVATE KEY', { encrypted: false, form: 'traditional EC (SEC 1)' }],
]);

/** RFC 1421 §4.6.1.1: a traditional key encrypted with a password carries `Proc-Type: 4,ENCRYPTED`. */
const PROC_TYPE_ENCRYPTED = /^Proc-Type:\s*4\s*,\s*ENCRYPTED\s*$/m;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

export interface PemPrivateKey {
  readonly label: string;
  readonly form: string;
  /** The whole block, BEGIN to END line, to hand to OpenSSL. */
  readonly text: string;
  readonly encrypted: boolean;
}

export type PemSearchResult =
  | { readonly kind: 'found'; readonly key: PemPrivateKey }
  | { readonly kind: 'unsupported'; readonly label: string }
  | { readonly kind: 'none'; readonly labels: readonly string[] };

export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/** The first private-key block in `text`. */
export function findPrivateKeyBlock(text: string): PemSearchResult {
  const labels: string[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1]!;
    const known = PRIVATE_KEY_LABELS.get(label);
    if (known !== undefined) {
      const encrypted = known.encrypted || PROC_TYPE_ENCRYPTED.test(match[2]!);
      return { kind: 'found', key: { label, form: known.form, text: `${match[0]}\n`, encrypted } };
    }
    if (label.endsWith('PRIVATE KEY')) return { kind: 'unsupported', label };
    labels.push(label);
  }
  return { kind: 'none', labels };
}
