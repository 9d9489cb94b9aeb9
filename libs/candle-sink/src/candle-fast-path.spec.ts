import fc from 'fast-check';
import { incomingCandleSchema } from '@streamforge/schemas';
import { fastIncomingCandle, isPlainCandleJson } from './candle-fast-path';

const NUMERIC_FIELDS = [
  'open_time', 'close_time', 'open', 'high', 'low', 'close', 'volume', 'quote_asset_volume', 'number_of_trades',
  'taker_buy_base_asset_volume', 'taker_buy_quote_asset_volume',
] as const;
const FIELDS = ['_key', 'symbol', 'interval', ...NUMERIC_FIELDS] as const;

/** Numbers as JSON may carry them, including the strings the sink must coerce or refuse. */
const numberLike = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: 0, max: 2_000_000_000_000 }),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((n) => n.toFixed(8)),
  fc.integer({ min: 0, max: 2_000_000_000_000 }).map(String),
  fc.constantFrom('-0', '0', '.5', '5.', '1e3', '1e999', '-1', '+1', ' 1', '0x10', '', 'abc', '1_000', 'NaN', 'Infinity', '9007199254740993', 2 ** 53, -0, 1.5, -1e-9),
);

const validCandle = fc
  .record({
    symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'X1', 'BTC-USD_1.X'),
    interval: fc.constantFrom('1m', '5m', '1h', '1M', '1s', '15m'),
    openTime: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    prices: fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 8, maxLength: 8 }),
    trades: fc.integer({ min: 0, max: 1_000_000 }),
    asStrings: fc.boolean(),
  })
  .map(({ symbol, interval, openTime, prices, trades, asStrings }) => {
    const amount = (n: number) => (asStrings ? n.toFixed(8) : n);
    const [open, high, low, close, volume, quote, takerBase, takerQuote] = prices;
    return {
      _key: `${symbol}_${interval}_${openTime}`, symbol, interval,
      open_time: openTime, close_time: openTime + 59_999,
      open: amount(open), high: amount(high), low: amount(low), close: amount(close), volume: amount(volume),
      quote_asset_volume: amount(quote), number_of_trades: trades,
      taker_buy_base_asset_volume: amount(takerBase), taker_buy_quote_asset_volume: amount(takerQuote),
    } as Record<string, unknown>;
  });

/** A valid candle with some fields replaced, removed or added. */
const mutatedCandle = fc
  .tuple(
    validCandle,
    fc.array(
      fc.oneof(
        fc.record({ field: fc.constantFrom(...NUMERIC_FIELDS), value: numberLike as fc.Arbitrary<unknown> }),
        fc.record({ field: fc.constantFrom(...FIELDS), value: fc.jsonValue() as fc.Arbitrary<unknown> }),
        fc.record({ field: fc.constantFrom('symbol', 'interval', '_key'), value: fc.constantFrom('btcusdt', '1x', '', 'BTCUSDT_1m_0', 'BTC USDT', '1m ', 'm1', '10m', 'ABCDEFGHIJKLMNOPQRSTU') as fc.Arbitrary<unknown> }),
        fc.record({ field: fc.constantFrom('close_time', 'open_time'), value: fc.integer({ min: 0, max: 4_000_000_000_000 }) as fc.Arbitrary<unknown> }),
        fc.record({ field: fc.constantFrom(...FIELDS), value: fc.constant(undefined) }),
        fc.record({ field: fc.string(), value: fc.jsonValue() as fc.Arbitrary<unknown> }),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([candle, changes]) => {
    const copy: Record<string, unknown> = { ...candle };
    for (const { field, value } of changes) {
      if (value === undefined) delete copy[field];
      else copy[field] = value;
    }
    // What arrives is always the result of JSON.parse.
    return JSON.parse(JSON.stringify(copy)) as unknown;
  });

describe('fastIncomingCandle', () => {
  it('accepts only what incomingCandleSchema accepts, with the same output', () => {
    fc.assert(
      fc.property(fc.oneof(validCandle, mutatedCandle, fc.jsonValue()), (input) => {
        const fast = fastIncomingCandle(input);
        if (fast === undefined) return;
        const zod = incomingCandleSchema.safeParse(input);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      { numRuns: 4_000 },
    );
  });

  it('takes every valid candle itself (the fast path is the common path)', () => {
    fc.assert(
      fc.property(validCandle, (input) => {
        expect(incomingCandleSchema.safeParse(input).success).toBe(true);
        expect(fastIncomingCandle(input)).toBeDefined();
      }),
      { numRuns: 1_000 },
    );
  });

  it('agrees with the schema on the edge cases of numeric strings', () => {
    const base = { _key: 'BTCUSDT_1m_60000', symbol: 'BTCUSDT', interval: '1m', open_time: 60000, close_time: 119999, open: 1, high: 1, low: 1, close: 1, volume: 1, quote_asset_volume: 1, number_of_trades: 1, taker_buy_base_asset_volume: 1, taker_buy_quote_asset_volume: 1 };
    for (const value of ['-0', '.5', '5.', '1e3', '1e999', '+1', ' 1', '0x10', '', 'abc', '16541.23000000', -0, 1e308, 2 ** 53]) {
      for (const field of ['open', 'number_of_trades', 'close_time'] as const) {
        const input = { ...base, [field]: value };
        const zod = incomingCandleSchema.safeParse(input);
        const fast = fastIncomingCandle(input);
        if (fast !== undefined) expect({ field, value, data: zod.data }).toStrictEqual({ field, value, data: fast });
      }
    }
  });
});

/** JSON texts of (mostly valid) candles, written the ways producers write them: spaced, reordered, with repeated keys. */
const candleText = fc
  .tuple(
    fc.oneof(validCandle, mutatedCandle),
    fc.constantFrom('plain', 'spaced', 'reordered', 'repeated-key', 'decimal-zeros'),
    fc.constantFrom(...FIELDS),
  )
  .map(([candle, style, field]) => {
    const plain = JSON.stringify(candle);
    if (style === 'spaced') return JSON.stringify(candle, null, 1);
    if (style === 'reordered') return JSON.stringify(Object.fromEntries(Object.entries(candle as object).reverse()));
    // The first occurrence differs from the one JSON.parse keeps.
    if (style === 'repeated-key') return plain.replace('{', `{"${field}":${JSON.stringify(field.endsWith('time') ? 1 : 'x')},`);
    return plain.replace(/(:\d+\.\d+)([,}])/g, '$1000$2');
  });

describe('isPlainCandleJson', () => {
  it('accepts only text that parses to exactly the candle fastIncomingCandle makes of it', () => {
    let accepted = 0;
    fc.assert(
      fc.property(candleText, (text) => {
        const candle = fastIncomingCandle(JSON.parse(text));
        if (candle === undefined || !isPlainCandleJson(text)) return;
        accepted += 1;
        expect(JSON.parse(text)).toStrictEqual({ ...candle });
      }),
      { numRuns: 4_000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('accepts the loader\'s form and refuses spacing, reordering, repeated keys and decimal strings', () => {
    const candle = { _key: 'BTCUSDT_1m_60000', symbol: 'BTCUSDT', interval: '1m', open_time: 60000, close_time: 119999, open: 1.5, high: 2, low: 1, close: 1.5, volume: 10, quote_asset_volume: 15, number_of_trades: 3, taker_buy_base_asset_volume: 5, taker_buy_quote_asset_volume: 7.5 };
    const plain = JSON.stringify(candle);
    expect(isPlainCandleJson(plain)).toBe(true);
    expect(isPlainCandleJson(plain.replace('"open":1.5', '"open":1.50000000'))).toBe(true);
    expect(isPlainCandleJson(JSON.stringify(candle, null, 1))).toBe(false);
    expect(isPlainCandleJson(plain.replace('{', '{"open_time":1,'))).toBe(false);
    expect(isPlainCandleJson(plain.replace('"open":1.5', '"open":"1.5"'))).toBe(false);
    expect(isPlainCandleJson(plain.replace('"symbol":"BTCUSDT"', '"symbol":"BTC\\u0055SDT"'))).toBe(false);
    expect(isPlainCandleJson(plain.replace('}', ',"extra":1}'))).toBe(false);
  });
});
