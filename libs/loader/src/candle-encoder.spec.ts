import { parseKlineRows } from '@streamforge/binance';
import { candleSchema, incomingCandleSchema } from '@streamforge/schemas';
import { candleEncoder } from './candle-encoder';

const kline = {
  openTime: 1722470400000, open: 64628, high: 64700.5, low: 64600.01, close: 64650, volume: 0.00000001, closeTime: 1722470459999,
  quoteAssetVolume: 798000.12345678, numberOfTrades: 1200, takerBuyBaseAssetVolume: 6.1, takerBuyQuoteAssetVolume: 394000.5,
};

describe('candleEncoder', () => {
  const encode = candleEncoder('BTCUSDT', '1m');

  it('writes the candle schema with the key as _key, parsable as JSON', () => {
    const { key, value } = encode(kline);
    expect(key).toBe('BTCUSDT_1m_1722470400000');
    const json = JSON.parse(value);
    expect(candleSchema.parse(json)).toEqual(json);
    expect(json).toEqual({
      _key: key, symbol: 'BTCUSDT', interval: '1m', open_time: 1722470400000, close_time: 1722470459999, open: 64628, high: 64700.5,
      low: 64600.01, close: 64650, volume: 1e-8, quote_asset_volume: 798000.12345678, number_of_trades: 1200,
      taker_buy_base_asset_volume: 6.1, taker_buy_quote_asset_volume: 394000.5,
    });
  });

  it('prints every number exactly as JSON.stringify would', () => {
    const { value } = encode(kline);
    const json = JSON.parse(value) as Record<string, unknown>;
    expect(value).toBe(JSON.stringify(json));
  });

  it('round-trips Binance decimal strings through the consumer schema', () => {
    const row = [1722470400000, '16541.23000000', '16600.00000000', '16500.10000000', '16550.00000000', '123.45678900', 1722470459999, '2043210.12345678', 4567, '60.00000001', '993000.99000000', '0'];
    const [parsed] = parseKlineRows([row], { interval: '1m', startTime: 1722470400000, endTime: 1722470400000 });
    const json = JSON.parse(encode(parsed as typeof kline).value);
    expect(json.open).toBe(16541.23);
    expect(json.taker_buy_base_asset_volume).toBe(60.00000001);
    expect(incomingCandleSchema.parse({ ...json, open: row[1] })).toEqual(json);
  });
});
