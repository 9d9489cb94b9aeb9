export * from './worker-settings';
export * from './shutdown-signal';
export * from './worker-runtime';
export * from './kafka-readiness';
export * from './listen-for-stop';
