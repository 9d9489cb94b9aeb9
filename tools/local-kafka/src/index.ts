export * from './kafka-broker';
export { getFreePorts } from './free-port';
export { findRepoRoot } from './repo-root';
