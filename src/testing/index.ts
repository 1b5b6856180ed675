/**
 * `sslsock/testing`: a throwaway certificate authority for tests (Python's
 * `trustme`), plus the certificate builder it stands on for tests that need
 * certificates with exact properties.
 */
export { CA, Crl, LeafCert, KEY_TYPES, identityToGeneralName } from './ca.js';
export type { CAKeyType, CAOptions, CertConfigurable, CrlOptions, IssueOptions, RevocationSpec, TrustConfigurable } from './ca.js';
export { buildCertificate, buildCrl, encodeName, keyIdentifier, rsaPssSignature, signatureForKey, CRL_REASONS, KEY_USAGE_BITS } from '../x509/builder.js';
export type {
  BuiltCertificate,
  BuiltCrl,
  CertificateSpec,
  CrlReasonName,
  CrlSpec,
  ExtensionsSpec,
  GeneralNameSpec,
  KeyUsageName,
  NameAttributeSpec,
  NameSpec,
  RawExtension,
  RevokedEntrySpec,
  SignatureChoice,
} from '../x509/builder.js';
