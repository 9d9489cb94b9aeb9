export * from './test-kafka';
export * from './topic-recorder';
export * from './wait-for';
