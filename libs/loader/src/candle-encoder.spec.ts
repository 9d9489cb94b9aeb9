import { klinesOf, scanKlinePage } from '@streamforge/binance';
import { CandleFactory } from '@streamforge/binance/testing';
import { candleSchema, incomingCandleSchema } from '@streamforge/schemas';
import { candleEncoder } from './candle-encoder';
import { partitionForKey } from './key-partition';

const T = 1722470400000;
const M = 60_000;
const row = [T, '16541.23000000', '16600.00000000', '16500.10000000', '16550.00000000', '0.00000001', T + 59_999, '2043210.12345678', 4567, '60.00000001', '993000.99000000', '0'];
const pageOf = (rows: unknown[], startTime = T) => scanKlinePage(Buffer.from(JSON.stringify(rows)), { interval: '1m', startTime, endTime: startTime + 999 * M });

describe('candleEncoder', () => {
  const encode = candleEncoder('BTCUSDT', '1m');

  it('writes the candle schema, key = _key, numbers from Binance decimal strings', () => {
    const [message] = encode(pageOf([row]));
    expect(message?.key.toString()).toBe(`BTCUSDT_1m_${T}`);
    const json = JSON.parse(message?.value.toString() ?? '');
    expect(candleSchema.parse(json)).toEqual(json);
    expect(json).toEqual({
      _key: `BTCUSDT_1m_${T}`, symbol: 'BTCUSDT', interval: '1m', open_time: T, close_time: T + 59_999, open: 16541.23, high: 16600,
      low: 16500.1, close: 16550, volume: 1e-8, quote_asset_volume: 2043210.12345678, number_of_trades: 4567,
      taker_buy_base_asset_volume: 60.00000001, taker_buy_quote_asset_volume: 993000.99,
    });
    expect(incomingCandleSchema.parse({ ...json, open: row[1] })).toEqual(json);
  });

  it('gives the same numbers as parsing each decimal string, on a simulated page of 1000', () => {
    const opens = Array.from({ length: 1000 }, (_, i) => T + i * M);
    const page = scanKlinePage(new CandleFactory(3).pageBody('ETHUSDT', '1m', opens, Date.UTC(2030, 0, 1)), { interval: '1m', startTime: T, endTime: T + 999 * M });
    const messages = candleEncoder('ETHUSDT', '1m')(page);
    const klines = klinesOf(page);
    expect(messages).toHaveLength(1000);
    messages.forEach((m, i) => {
      const k = klines[i];
      const json = JSON.parse(m.value.toString());
      expect(json).toEqual({
        _key: `ETHUSDT_1m_${k?.openTime}`, symbol: 'ETHUSDT', interval: '1m', open_time: k?.openTime, close_time: k?.closeTime, open: k?.open, high: k?.high, low: k?.low,
        close: k?.close, volume: k?.volume, quote_asset_volume: k?.quoteAssetVolume, number_of_trades: k?.numberOfTrades,
        taker_buy_base_asset_volume: k?.takerBuyBaseAssetVolume, taker_buy_quote_asset_volume: k?.takerBuyQuoteAssetVolume,
      });
    });
  });

  it('puts each message on the partition Kafka would choose for its key', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [T + i * M, ...row.slice(1, 6), T + i * M + 59_999, ...row.slice(7)]);
    for (const m of candleEncoder('BTCUSDT', '1m', 5)(pageOf(rows))) expect(m.partition).toBe(partitionForKey(m.key.toString(), 5));
  });
});
