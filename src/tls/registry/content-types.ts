/** TLS record content types (RFC 8446 §5.1). */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;
export type ContentTypeName = keyof typeof ContentType;

const NAMES: ReadonlyMap<number, ContentTypeName> = new Map(Object.entries(ContentType).map(([name, code]) => [code, name as ContentTypeName]));

/** True for the content types TLS defines. */
export function isContentType(type: number): boolean {
  return NAMES.has(type);
}

/** The RFC 8446 name of a content type; undefined for one TLS does not define. */
export function contentTypeName(type: number): ContentTypeName | undefined {
  return NAMES.get(type);
}
