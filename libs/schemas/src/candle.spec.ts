import { candleSchema, incomingCandleSchema } from './candle';
import { describeIssues } from './validation-error';

const candle = {
  _key: 'BTCUSDT_1m_1722470400000', symbol: 'BTCUSDT', interval: '1m', open_time: 1722470400000, close_time: 1722470459999,
  open: 64000.1, high: 64010, low: 63990.5, close: 64005.25, volume: 12.5, quote_asset_volume: 800000.75, number_of_trades: 321,
  taker_buy_base_asset_volume: 6.25, taker_buy_quote_asset_volume: 400000.5,
};

describe('candleSchema', () => {
  it('accepts a candle with numeric prices', () => {
    expect(candleSchema.parse(candle)).toEqual(candle);
  });

  it('refuses decimal strings (the loader publishes numbers)', () => {
    expect(candleSchema.safeParse({ ...candle, open: '64000.10000000' }).success).toBe(false);
  });

  it('requires _key to be <symbol>_<interval>_<open_time>', () => {
    const input = { ...candle, _key: 'BTCUSDT_5m_1722470400000' };
    const result = candleSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error, input)).toBe('_key: must be "BTCUSDT_1m_1722470400000" (<symbol>_<interval>_<open_time>) (got "BTCUSDT_5m_1722470400000")');
  });

  it('refuses an unknown interval and a lower-case symbol', () => {
    expect(candleSchema.safeParse({ ...candle, interval: '2m', _key: 'BTCUSDT_2m_1722470400000' }).success).toBe(false);
    expect(candleSchema.safeParse({ ...candle, symbol: 'btcusdt', _key: 'btcusdt_1m_1722470400000' }).success).toBe(false);
  });
});

describe('incomingCandleSchema', () => {
  it('coerces Binance decimal strings to numbers', () => {
    const parsed = incomingCandleSchema.parse({ ...candle, open: '16541.23000000', open_time: '1722470400000', number_of_trades: '321' });
    expect(parsed).toEqual({ ...candle, open: 16541.23 });
  });

  it('refuses a string that is not a decimal, naming the field', () => {
    const input = { ...candle, high: 'abc' };
    const result = incomingCandleSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error, input)).toBe('high: a number, or a decimal string such as "16541.23000000" (got "abc")');
  });

  it('refuses negative prices and fractional trade counts', () => {
    expect(incomingCandleSchema.safeParse({ ...candle, low: '-1' }).success).toBe(false);
    expect(incomingCandleSchema.safeParse({ ...candle, number_of_trades: 1.5 }).success).toBe(false);
  });
});
