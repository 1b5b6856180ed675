/**
 * GeneralName (RFC 5280 §4.2.1.6) in every form. IA5String forms keep their
 * raw octets (`bytes`) next to the text, because embedded NULs and non-ASCII
 * octets matter for hostname matching and for Python's getpeercert output.
 */
import { DerReader, validateDer, type DerElement } from './der-reader.js';
import { CONSTRUCTED, TagClass, Tag } from './der-tags.js';
import { decodeOid } from './der-values.js';
import { X509Error } from './errors.js';
import { parseName, type Name } from './name.js';

/** Context tag numbers of the GeneralName CHOICE. */
export const GeneralNameTag = {
  otherName: 0,
  rfc822Name: 1,
  dNSName: 2,
  x400Address: 3,
  directoryName: 4,
  ediPartyName: 5,
  uniformResourceIdentifier: 6,
  iPAddress: 7,
  registeredID: 8,
} as const;

export type GeneralName =
  /** `typeId` OID and the complete encoding of the [0] EXPLICIT value's inner element. */
  | { readonly type: 'otherName'; readonly typeId: string; readonly value: Buffer; readonly raw: Buffer }
  | { readonly type: 'rfc822Name'; readonly value: string; readonly bytes: Buffer; readonly raw: Buffer }
  | { readonly type: 'dNSName'; readonly value: string; readonly bytes: Buffer; readonly raw: Buffer }
  | { readonly type: 'x400Address'; readonly raw: Buffer }
  | { readonly type: 'directoryName'; readonly name: Name; readonly raw: Buffer }
  | { readonly type: 'ediPartyName'; readonly raw: Buffer }
  | { readonly type: 'uniformResourceIdentifier'; readonly value: string; readonly bytes: Buffer; readonly raw: Buffer }
  /**
   * 4 or 16 octets in a SAN; 8 or 32 (address + mask) in name constraints.
   * Other lengths are kept (OpenSSL parses them; Python prints '<invalid>').
   */
  | { readonly type: 'iPAddress'; readonly bytes: Buffer; readonly raw: Buffer }
  | { readonly type: 'registeredID'; readonly oid: string; readonly raw: Buffer };

export type GeneralNameType = GeneralName['type'];

function ctx(n: number, constructed: boolean): number {
  return TagClass.CONTEXT | (constructed ? CONSTRUCTED : 0) | n;
}

/** Decodes one GeneralName element. */
export function parseGeneralName(el: DerElement): GeneralName {
  const bad = (detail: string): never => {
    throw new X509Error('bad_general_name', detail, el.path, el.offset);
  };
  switch (el.id) {
    case ctx(GeneralNameTag.otherName, true): {
      const r = DerReader.of(el);
      const typeId = r.oid('type-id');
      const v = r.explicit(0, 'value');
      if (v === null) bad('otherName without its [0] value');
      const value = v!.read('');
      v!.finish();
      validateDer(value); // ANY: OpenSSL's d2i checks it, so do we
      r.finish();
      return { type: 'otherName', typeId, value: value.raw, raw: el.raw };
    }
    case ctx(GeneralNameTag.rfc822Name, false):
      return { type: 'rfc822Name', value: el.contents.toString('latin1'), bytes: el.contents, raw: el.raw };
    case ctx(GeneralNameTag.dNSName, false):
      return { type: 'dNSName', value: el.contents.toString('latin1'), bytes: el.contents, raw: el.raw };
    case ctx(GeneralNameTag.x400Address, true):
      return { type: 'x400Address', raw: el.raw };
    case ctx(GeneralNameTag.directoryName, true): {
      const r = DerReader.of(el);
      const name = parseName(r.expect(Tag.SEQUENCE, ''));
      r.finish();
      return { type: 'directoryName', name, raw: el.raw };
    }
    case ctx(GeneralNameTag.ediPartyName, true):
      return { type: 'ediPartyName', raw: el.raw };
    case ctx(GeneralNameTag.uniformResourceIdentifier, false):
      return { type: 'uniformResourceIdentifier', value: el.contents.toString('latin1'), bytes: el.contents, raw: el.raw };
    case ctx(GeneralNameTag.iPAddress, false):
      return { type: 'iPAddress', bytes: el.contents, raw: el.raw };
    case ctx(GeneralNameTag.registeredID, false):
      return { type: 'registeredID', oid: decodeOid(el), raw: el.raw };
    default:
      return bad(`not a GeneralName: identifier 0x${el.id.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName. */
export function parseGeneralNames(el: DerElement): GeneralName[] {
  const r = DerReader.of(el);
  const out: GeneralName[] = [];
  for (let i = 0; !r.done; i++) out.push(parseGeneralName(r.read(`[${i}]`)));
  if (out.length === 0) throw new X509Error('bad_general_name', 'GeneralNames must not be empty', el.path, el.offset);
  return out;
}
