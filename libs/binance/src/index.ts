export * from './kline-intervals';
