export * from './binance-simulator';
export { CandleFactory } from './simulated-candles';
export * from './binance-ws-simulator';
export * from './binance-market';
export * from './simulated-clock';
export { klineEvent, type KlineEvent } from './simulated-kline-event';
