export { candlesFingerprint, candlesToCsv, scenarioYearCandles, SCENARIO_DAYS, SCENARIO_EVENTS, SCENARIO_START_MS } from './scenario-candles';
export { readGoldenFixture, relativeError, type GoldenFixture } from './golden-fixture';
export { closesToCandles, DAY_MS } from './candle-builders';
