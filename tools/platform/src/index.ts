export * from './local-platform';
export * from './queue-manager-client';
