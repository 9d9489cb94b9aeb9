export * from './binance-simulator';
