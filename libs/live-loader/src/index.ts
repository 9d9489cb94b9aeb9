export * from './errors';
export * from './kline-stream-message';
export * from './closed-kline-messages';
export * from './kline-stream-connection';
export * from './reconnect-policy';
export * from './series-follower';
export * from './live-candle-loader';
