export * from './test-kafka';
export * from './topic-recorder';
