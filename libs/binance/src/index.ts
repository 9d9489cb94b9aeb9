export * from './kline-intervals';
export * from './kline-row';
export * from './kline-page';
export * from './errors';
export * from './retry-policy';
export * from './weight-budget';
export * from './binance-klines-client';
export * from './range-split';
