import { z } from 'zod';

/**
 * Header of the loader's end-of-stream record (key `__eos__`), written to every partition of a data
 * topic when a run has published its range; the value is the decimal count of candles that run published.
 */
export const EOS_HEADER = 'streamforge-eos';

// Binance's interval names (libs/binance owns their arithmetic; schemas may import zod only).
const intervalSchema = z.enum(['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);
const symbolSchema = z.string().regex(/^[A-Z0-9]{1,32}$/, 'an upper-case Binance symbol such as BTCUSDT');
const epochMs = z.number().int().nonnegative().describe('unix time in milliseconds');
const quantity = z.number().nonnegative();
const tradeCount = z.number().int().nonnegative();

/** `<SYMBOL>_<interval>_<open_time>`: the Kafka key and the document `_key` of a candle. */
function expectedKey(candle: { symbol: string; interval: string; open_time: number }): string {
  return `${candle.symbol}_${candle.interval}_${candle.open_time}`;
}

function shape<N extends z.ZodType<number>, I extends z.ZodType<number>, T extends z.ZodType<number>>(number: N, integer: I, time: T) {
  return {
    _key: z.string().describe('<SYMBOL>_<interval>_<open_time>'),
    symbol: symbolSchema,
    interval: intervalSchema,
    open_time: time.describe('open time (ms)'),
    close_time: time.describe('close time (ms): the next open time - 1'),
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    quote_asset_volume: number,
    number_of_trades: integer,
    taker_buy_base_asset_volume: number,
    taker_buy_quote_asset_volume: number,
  };
}

function keyMatches(candle: { _key: string; symbol: string; interval: string; open_time: number }, ctx: z.RefinementCtx): void {
  const expected = expectedKey(candle);
  if (candle._key !== expected) ctx.addIssue({ code: 'custom', path: ['_key'], message: `must be "${expected}" (<symbol>_<interval>_<open_time>)` });
}

/** One kline as the loader publishes it: prices and volumes are JSON numbers. */
export const candleSchema = z.object(shape(quantity, tradeCount, epochMs)).superRefine(keyMatches).describe('A candle (Binance kline) on a data topic');

export type Candle = z.infer<typeof candleSchema>;

/** A decimal as Binance writes them ("16541.23000000"); anything else stays a string and fails the number check. */
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const NUMBER_OR_DECIMAL = 'a number, or a decimal string such as "16541.23000000"';

function lenient<T extends z.ZodType<number>>(target: T) {
  return z.preprocess((value) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value), target);
}

/**
 * What the sink accepts: `candleSchema`, except that every numeric field may also be a decimal
 * string (the seed's sink docs show Binance's strings), coerced to a number. Unknown fields are dropped.
 */
export const incomingCandleSchema = z
  .object(
    shape(
      lenient(z.number({ error: NUMBER_OR_DECIMAL }).nonnegative()),
      lenient(z.number({ error: NUMBER_OR_DECIMAL }).int().nonnegative()),
      lenient(z.number({ error: NUMBER_OR_DECIMAL }).int().nonnegative().describe('unix time in milliseconds')),
    ),
  )
  .superRefine(keyMatches);
