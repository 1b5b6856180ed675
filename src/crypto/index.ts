/** The crypto layer's entry point: the provider interface and the default (node:crypto) provider. */
import { NodeCryptoProvider } from './node.js';
import type { CryptoProvider } from './provider.js';

export * from './provider.js';
export { NodeCryptoProvider } from './node.js';

export const defaultProvider: CryptoProvider = new NodeCryptoProvider();
