// Separate entry: @kubernetes/client-node is ESM-only, so only code that launches Jobs loads it.
export * from './kubernetes-launcher';
