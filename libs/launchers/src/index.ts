export * from './worker-launcher';
export * from './errors';
export * from './kubernetes-names';
export * from './kubernetes-job';
export * from './local-launcher';
export * from './worker-node-args';
