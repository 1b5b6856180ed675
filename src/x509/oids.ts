/**
 * OID registry: dotted form ↔ names. `OID.<name>` gives the dotted string of
 * every OID sslsock knows; `oidLongName(oid)` gives OpenSSL's long name
 * (`OBJ_obj2txt(…, 0)`: what Python's getpeercert prints), or the dotted
 * form when the OID is unknown.
 */

/** [identifier, dotted, OpenSSL long name]. The identifier is the RFC's name. */
const REGISTRY = [
  // X.520 / PKCS#9 / RFC 4519 attribute types in distinguished names.
  ['commonName', '2.5.4.3', 'commonName'],
  ['surname', '2.5.4.4', 'surname'],
  ['serialNumber', '2.5.4.5', 'serialNumber'],
  ['countryName', '2.5.4.6', 'countryName'],
  ['localityName', '2.5.4.7', 'localityName'],
  ['stateOrProvinceName', '2.5.4.8', 'stateOrProvinceName'],
  ['streetAddress', '2.5.4.9', 'streetAddress'],
  ['organizationName', '2.5.4.10', 'organizationName'],
  ['organizationalUnitName', '2.5.4.11', 'organizationalUnitName'],
  ['title', '2.5.4.12', 'title'],
  ['description', '2.5.4.13', 'description'],
  ['businessCategory', '2.5.4.15', 'businessCategory'],
  ['postalAddress', '2.5.4.16', 'postalAddress'],
  ['postalCode', '2.5.4.17', 'postalCode'],
  ['postOfficeBox', '2.5.4.18', 'postOfficeBox'],
  ['telephoneNumber', '2.5.4.20', 'telephoneNumber'],
  ['name', '2.5.4.41', 'name'],
  ['givenName', '2.5.4.42', 'givenName'],
  ['initials', '2.5.4.43', 'initials'],
  ['generationQualifier', '2.5.4.44', 'generationQualifier'],
  ['x500UniqueIdentifier', '2.5.4.45', 'x500UniqueIdentifier'],
  ['dnQualifier', '2.5.4.46', 'dnQualifier'],
  ['houseIdentifier', '2.5.4.51', 'houseIdentifier'],
  ['pseudonym', '2.5.4.65', 'pseudonym'],
  ['role', '2.5.4.72', 'role'],
  ['organizationIdentifier', '2.5.4.97', 'organizationIdentifier'],
  ['emailAddress', '1.2.840.113549.1.9.1', 'emailAddress'],
  ['unstructuredName', '1.2.840.113549.1.9.2', 'unstructuredName'],
  ['domainComponent', '0.9.2342.19200300.100.1.25', 'domainComponent'],
  ['userId', '0.9.2342.19200300.100.1.1', 'userId'],
  ['jurisdictionLocalityName', '1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionLocalityName'],
  ['jurisdictionStateOrProvinceName', '1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionStateOrProvinceName'],
  ['jurisdictionCountryName', '1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionCountryName'],

  // RFC 5280 §4.2 certificate and §5.2/§5.3 CRL extensions.
  ['subjectDirectoryAttributes', '2.5.29.9', 'X509v3 Subject Directory Attributes'],
  ['subjectKeyIdentifier', '2.5.29.14', 'X509v3 Subject Key Identifier'],
  ['keyUsage', '2.5.29.15', 'X509v3 Key Usage'],
  ['subjectAltName', '2.5.29.17', 'X509v3 Subject Alternative Name'],
  ['issuerAltName', '2.5.29.18', 'X509v3 Issuer Alternative Name'],
  ['basicConstraints', '2.5.29.19', 'X509v3 Basic Constraints'],
  ['cRLNumber', '2.5.29.20', 'X509v3 CRL Number'],
  ['cRLReason', '2.5.29.21', 'X509v3 CRL Reason Code'],
  ['invalidityDate', '2.5.29.24', 'Invalidity Date'],
  ['deltaCRLIndicator', '2.5.29.27', 'X509v3 Delta CRL Indicator'],
  ['issuingDistributionPoint', '2.5.29.28', 'X509v3 Issuing Distribution Point'],
  ['certificateIssuer', '2.5.29.29', 'X509v3 Certificate Issuer'],
  ['nameConstraints', '2.5.29.30', 'X509v3 Name Constraints'],
  ['cRLDistributionPoints', '2.5.29.31', 'X509v3 CRL Distribution Points'],
  ['certificatePolicies', '2.5.29.32', 'X509v3 Certificate Policies'],
  ['anyPolicy', '2.5.29.32.0', 'X509v3 Any Policy'],
  ['policyMappings', '2.5.29.33', 'X509v3 Policy Mappings'],
  ['authorityKeyIdentifier', '2.5.29.35', 'X509v3 Authority Key Identifier'],
  ['policyConstraints', '2.5.29.36', 'X509v3 Policy Constraints'],
  ['extKeyUsage', '2.5.29.37', 'X509v3 Extended Key Usage'],
  ['freshestCRL', '2.5.29.46', 'X509v3 Freshest CRL'],
  ['inhibitAnyPolicy', '2.5.29.54', 'X509v3 Inhibit Any Policy'],
  ['authorityInfoAccess', '1.3.6.1.5.5.7.1.1', 'Authority Information Access'],
  ['subjectInfoAccess', '1.3.6.1.5.5.7.1.11', 'Subject Information Access'],
  ['tlsFeature', '1.3.6.1.5.5.7.1.24', 'TLS Feature'],
  ['ctPrecertificateScts', '1.3.6.1.4.1.11129.2.4.2', 'CT Precertificate SCTs'],
  ['ocspNoCheck', '1.3.6.1.5.5.7.48.1.5', 'OCSP No Check'],

  // RFC 5280 §4.2.2.1 access methods.
  ['ocsp', '1.3.6.1.5.5.7.48.1', 'OCSP'],
  ['caIssuers', '1.3.6.1.5.5.7.48.2', 'CA Issuers'],

  // RFC 5280 §4.2.1.4 policy qualifiers.
  ['cpsQualifier', '1.3.6.1.5.5.7.2.1', 'Policy Qualifier CPS'],
  ['userNoticeQualifier', '1.3.6.1.5.5.7.2.2', 'Policy Qualifier User Notice'],

  // RFC 5280 §4.2.1.12 extended key usages.
  ['anyExtendedKeyUsage', '2.5.29.37.0', 'Any Extended Key Usage'],
  ['serverAuth', '1.3.6.1.5.5.7.3.1', 'TLS Web Server Authentication'],
  ['clientAuth', '1.3.6.1.5.5.7.3.2', 'TLS Web Client Authentication'],
  ['codeSigning', '1.3.6.1.5.5.7.3.3', 'Code Signing'],
  ['emailProtection', '1.3.6.1.5.5.7.3.4', 'E-mail Protection'],
  ['timeStamping', '1.3.6.1.5.5.7.3.8', 'Time Stamping'],
  ['ocspSigning', '1.3.6.1.5.5.7.3.9', 'OCSP Signing'],

  // otherName type-ids that OpenSSL prints (RFC 8398, RFC 6120, RFC 4985, RFC 7585, Microsoft UPN).
  ['smtpUtf8Mailbox', '1.3.6.1.5.5.7.8.9', 'Smtp UTF8 Mailbox'],
  ['xmppAddr', '1.3.6.1.5.5.7.8.5', 'XmppAddr'],
  ['srvName', '1.3.6.1.5.5.7.8.7', 'SRVName'],
  ['naiRealm', '1.3.6.1.5.5.7.8.8', 'NAIRealm'],
  ['msUpn', '1.3.6.1.4.1.311.20.2.3', 'Microsoft User Principal Name'],

  // Public-key algorithms (RFC 3279, RFC 4055, RFC 5480, RFC 8410).
  ['rsaEncryption', '1.2.840.113549.1.1.1', 'rsaEncryption'],
  ['rsassaPss', '1.2.840.113549.1.1.10', 'rsassaPss'],
  ['ecPublicKey', '1.2.840.10045.2.1', 'id-ecPublicKey'],
  ['ed25519', '1.3.101.112', 'ED25519'],
  ['x25519', '1.3.101.110', 'X25519'],
  ['ed448', '1.3.101.113', 'ED448'],
  ['dsa', '1.2.840.10040.4.1', 'dsaEncryption'],

  // Named curves (RFC 5480 §2.1.1.1).
  ['prime256v1', '1.2.840.10045.3.1.7', 'prime256v1'],
  ['secp384r1', '1.3.132.0.34', 'secp384r1'],
  ['secp521r1', '1.3.132.0.35', 'secp521r1'],

  // Hashes and MGF (RFC 4055 §2.1).
  ['sha1', '1.3.14.3.2.26', 'sha1'],
  ['sha256', '2.16.840.1.101.3.4.2.1', 'sha256'],
  ['sha384', '2.16.840.1.101.3.4.2.2', 'sha384'],
  ['sha512', '2.16.840.1.101.3.4.2.3', 'sha512'],
  ['mgf1', '1.2.840.113549.1.1.8', 'mgf1'],

  // Signature algorithms (RFC 4055 §5, RFC 5758 §3.2, RFC 8410 §3).
  ['md5WithRSAEncryption', '1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['sha1WithRSAEncryption', '1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['sha224WithRSAEncryption', '1.2.840.113549.1.1.14', 'sha224WithRSAEncryption'],
  ['sha256WithRSAEncryption', '1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['sha384WithRSAEncryption', '1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['sha512WithRSAEncryption', '1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['ecdsaWithSHA1', '1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['ecdsaWithSHA256', '1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['ecdsaWithSHA384', '1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['ecdsaWithSHA512', '1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
] as const;

type Registry = typeof REGISTRY;
export type OidName = Registry[number][0];

/** `OID.commonName === '2.5.4.3'`, `OID.serverAuth === '1.3.6.1.5.5.7.3.1'`, … */
export const OID: { readonly [K in OidName]: string } = Object.freeze(
  Object.fromEntries(REGISTRY.map(([name, dotted]) => [name, dotted])) as { [K in OidName]: string },
);

const LONG_NAMES: ReadonlyMap<string, string> = new Map(REGISTRY.map(([, dotted, ln]) => [dotted, ln]));
const NAMES: ReadonlyMap<string, OidName> = new Map(REGISTRY.map(([name, dotted]) => [dotted, name]));
const BY_NAME: ReadonlyMap<string, string> = new Map(REGISTRY.flatMap(([name, dotted, ln]) => [[name, dotted], [ln, dotted]]));

/** OpenSSL's long name for an OID (what Python prints), or the dotted form when unknown. */
export function oidLongName(dotted: string): string {
  return LONG_NAMES.get(dotted) ?? dotted;
}

/** Our identifier for an OID (`'commonName'`, `'serverAuth'`, …), or null when unknown. */
export function oidName(dotted: string): OidName | null {
  return NAMES.get(dotted) ?? null;
}

/** Dotted form for an identifier or OpenSSL long name; dotted input passes through; null when unknown. */
export function oidFromName(name: string): string | null {
  if (/^[0-2](\.[0-9]+)+$/.test(name)) return name;
  return BY_NAME.get(name) ?? null;
}
