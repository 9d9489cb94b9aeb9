export * from './candle-fixtures';
export * from './candle-publisher';
