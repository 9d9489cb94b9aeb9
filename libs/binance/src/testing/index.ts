export * from './binance-simulator';
export { CandleFactory } from './simulated-candles';
