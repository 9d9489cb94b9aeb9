export * from './worker-process';
