import { candleKey, candleSchema, incomingCandleSchema } from './candle';
import { describeIssues } from './validation-error';

const candle = {
  _key: 'BTCUSDT_1m_1722470400000',
  symbol: 'BTCUSDT',
  interval: '1m',
  open_time: 1722470400000,
  close_time: 1722470459999,
  open: 64628,
  high: 64700.5,
  low: 64600.01,
  close: 64650,
  volume: 12.345,
  quote_asset_volume: 798000.12,
  number_of_trades: 1200,
  taker_buy_base_asset_volume: 6.1,
  taker_buy_quote_asset_volume: 394000.5,
};

describe('candleSchema', () => {
  it('accepts the candle the loader publishes', () => {
    expect(candleSchema.parse(candle)).toEqual(candle);
    expect(candleKey('BTCUSDT', '1m', 1722470400000)).toBe(candle._key);
  });

  it('rejects a _key that does not match symbol, interval and open_time', () => {
    const input = { ...candle, _key: 'BTCUSDT_5m_1722470400000' };
    const result = candleSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error, input)).toBe('_key: must be BTCUSDT_1m_1722470400000 (<SYMBOL>_<interval>_<open_time>) (got "BTCUSDT_5m_1722470400000")');
  });

  it('rejects numeric strings: the loader sends numbers', () => {
    expect(candleSchema.safeParse({ ...candle, open: '64628.00000000' }).success).toBe(false);
  });

  it('rejects a close_time that is not after open_time', () => {
    expect(candleSchema.safeParse({ ...candle, close_time: candle.open_time }).success).toBe(false);
  });
});

describe('incomingCandleSchema', () => {
  it('turns Binance decimal strings into numbers', () => {
    const parsed = incomingCandleSchema.parse({ ...candle, open: '16541.23000000', number_of_trades: '1200', volume: '1e-8' });
    expect(parsed.open).toBe(16541.23);
    expect(parsed.number_of_trades).toBe(1200);
    expect(parsed.volume).toBe(0.00000001);
  });

  it('accepts plain numbers too', () => {
    expect(incomingCandleSchema.parse(candle)).toEqual(candle);
  });

  it.each(['abc', '', ' 1', '0x10', 'Infinity', '1.'])('rejects the non-numeric string %j, naming the field', (bad) => {
    const input = { ...candle, high: bad };
    const result = incomingCandleSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error, input)).toMatch(/^high: a number or a numeric string such as "16541.23" \(got /);
  });

  it('rejects a fractional trade count given as a string', () => {
    expect(incomingCandleSchema.safeParse({ ...candle, number_of_trades: '12.5' }).success).toBe(false);
  });

  it('checks the _key like the outgoing schema', () => {
    expect(incomingCandleSchema.safeParse({ ...candle, _key: 'x' }).success).toBe(false);
  });
});
