import { loadConfig } from '@streamforge/config';
import { arangoCandlesConfigSchema, arangoCandlesFlags, candleSinkConfig } from './arango-candles-config';

const base = { KAFKA_BOOTSTRAP_SERVERS: 'localhost:9092', QUEUE_ID: 'q1', KAFKA_TOPIC: 'candles', COLLECTION_NAME: 'day', STORE: 'sqlite' };
const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(arangoCandlesConfigSchema, { env: { ...base, ...env }, argv, flags: arangoCandlesFlags });

describe('arango-candles INDICATORS and --recompute-indicators', () => {
  it('defaults to the five indicators of the design; an empty value is the default; "none" stores none', () => {
    expect(candleSinkConfig({ ...load({}), KAFKA_TOPIC: 'candles' }).indicators.map((spec) => spec.field)).toEqual(['EMA_50', 'EMA_200', 'RSI_14', 'VWAP_D', 'ATR_30']);
    expect(load({ INDICATORS: '' }).INDICATORS).toHaveLength(5);
    expect(load({ INDICATORS: 'none' }).INDICATORS).toEqual([]);
    expect(load({ INDICATORS: ' EMA_21, RSI_7 ,ATR_14' }).INDICATORS.map((spec) => spec.field)).toEqual(['EMA_21', 'RSI_7', 'ATR_14']);
  });

  it('refuses a bad entry naming it', () => {
    expect(() => load({ INDICATORS: 'EMA_21,EMA_21' })).toThrow(/^INDICATORS: entry 2: "EMA_21" is listed twice \(or "none"\) \(got "EMA_21,EMA_21"\)$/);
    expect(() => load({ INDICATORS: 'RSI_1' })).toThrow(/INDICATORS: entry 1: "RSI_1": RSI length must be an integer from 2 to 100000/);
  });

  it('--recompute-indicators needs no KAFKA_TOPIC but a list; a load needs KAFKA_TOPIC', () => {
    const recompute = load({ KAFKA_TOPIC: '' }, ['--recompute-indicators']);
    expect(recompute.recomputeIndicators).toBe(true);
    expect(recompute.KAFKA_TOPIC).toBeUndefined();
    expect(() => load({ INDICATORS: 'none' }, ['--recompute-indicators'])).toThrow(/INDICATORS: must list the indicators to recompute/);
    expect(() => load({ KAFKA_TOPIC: '' })).toThrow(/^KAFKA_TOPIC: required \(unless --recompute-indicators\)/);
  });
});

describe('arango-candles live loads', () => {
  it('is live for an open-ended TIME_RANGE only, with the max wait and the stop drain bound', () => {
    expect(candleSinkConfig({ ...load({ TIME_RANGE: '2024-08-01:' }), KAFKA_TOPIC: 'candles' }).live).toEqual({ maxWaitMs: 100, stopDrainMs: 20_000 });
    expect(candleSinkConfig({ ...load({ TIME_RANGE: '2024-08-01T00:00Z/', LIVE_MAX_WAIT_MS: '250' }), KAFKA_TOPIC: 'candles' }).live?.maxWaitMs).toBe(250);
    expect(candleSinkConfig({ ...load({ TIME_RANGE: '2024-08-01:2024-08-02' }), KAFKA_TOPIC: 'candles' }).live).toBeUndefined();
    expect(candleSinkConfig({ ...load({}), KAFKA_TOPIC: 'candles' }).live).toBeUndefined();
  });

  it('refuses a TIME_RANGE it cannot read, saying what it expected', () => {
    expect(() => load({ TIME_RANGE: 'soon:' })).toThrow(/^TIME_RANGE: expected YYYY-MM-DD:YYYY-MM-DD .*open-ended <start>: for a live load/);
    expect(() => load({ TIME_RANGE: '2024-08-01:', LIVE_MAX_WAIT_MS: '0' })).toThrow(/^LIVE_MAX_WAIT_MS: /);
  });
});
