import { loadConfig } from '@streamforge/config';
import { liveConfigSchema } from './live-config';

const base = { KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092', QUEUE_ID: 'wf-live', SYMBOL: 'BTCUSDT', TYPE: 'live_candles_1m', KAFKA_TOPIC: 'wf-live-data' };
const load = (env: Record<string, string>) => loadConfig(liveConfigSchema, { env: { ...base, ...env }, argv: [] });

describe('loader-ws-candles configuration', () => {
  it('defaults to the real Binance endpoints, the interval of TYPE and no start', () => {
    const config = load({});
    expect(config).toMatchObject({ interval: '1m', BINANCE_WS_BASE_URL: 'wss://stream.binance.com:9443', BINANCE_BASE_URL: 'https://api.binance.com', LIVE_MAX_CONNECTS_PER_5MIN: 30 });
    expect(config.TIME_RANGE).toBeUndefined();
  });

  it.each([
    ['2024-08-01:', Date.UTC(2024, 7, 1)],
    ['2024-08-01/', Date.UTC(2024, 7, 1)],
    ['2024-08-01T10:30:00Z:', Date.UTC(2024, 7, 1, 10, 30)],
    ['2024-08-01T12:30:00+02:00:', Date.UTC(2024, 7, 1, 10, 30)],
  ])('reads the open-ended TIME_RANGE %s as its start', (text, start) => {
    expect(load({ TIME_RANGE: text }).TIME_RANGE).toBe(start);
  });

  it.each(['2024-08-01:2024-08-02', '2024-08-01', 'yesterday:', '2024-13-01:'])('refuses TIME_RANGE %s, naming the variable and the expected form', (text) => {
    expect(() => load({ TIME_RANGE: text })).toThrow(/TIME_RANGE.*open-ended range <start>:/);
  });

  it('refuses an INTERVAL that contradicts TYPE, and a WebSocket URL with a path', () => {
    expect(() => load({ INTERVAL: '5m' })).toThrow(/INTERVAL.*5m contradicts TYPE live_candles_1m/);
    expect(() => load({ BINANCE_WS_BASE_URL: 'wss://stream.binance.com:9443/ws' })).toThrow(/BINANCE_WS_BASE_URL/);
  });

  it('caps connection attempts at Binance’s 300 per 5 minutes', () => {
    expect(() => load({ LIVE_MAX_CONNECTS_PER_5MIN: '301' })).toThrow(/LIVE_MAX_CONNECTS_PER_5MIN/);
  });
});
