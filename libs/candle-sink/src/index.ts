export * from './candle-sink';
export * from './candle-decoder';
export * from './dead-letter-queue';
export * from './end-of-stream-tracker';
export * from './errors';
export * from './progress-reporter';
export * from './sink-metrics';
export * from './store-write-retry';
