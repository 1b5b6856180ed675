/**
 * The public surface of `src/x509/`: DER, the certificate/CRL model, PEM,
 * names, extensions, getpeercert() shaping, and (from the other x509
 * modules) hostname matching, verification codes, the builder.
 */
export * from './der.js';
export * from './oids.js';
export * from './name.js';
export * from './general-name.js';
export * from './algorithm.js';
export * from './extensions.js';
export * from './certificate.js';
export * from './crl.js';
export * from './pem.js';
export * from './time.js';
export * from './peercert.js';
export * from './hostname.js';
export * from './verify-codes.js';
export * from './builder.js';
export * from './cert-facts.js';
export * from './chain.js';
export * from './name-canon.js';
export * from './name-constraints.js';
export * from './revocation.js';
export * from './security-level.js';
export * from './store.js';
export * from './verify.js';
// builder.ts also exports a type named CrlReason (= CrlReasonName); the registry object wins here.
export { CrlReason } from './extensions.js';
