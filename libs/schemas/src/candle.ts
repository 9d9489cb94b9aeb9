import { z } from 'zod';

/** Header of the end-of-stream record the loader writes to every partition when its range is done. */
export const EOS_HEADER = 'streamforge-eos';
/** Kafka key of end-of-stream records (never a valid candle key: candle keys end in a number). */
export const EOS_KEY = '__eos__';
/**
 * Header naming the loader split that wrote an end-of-stream record, `<k>/<n>` (1-based): a queue may
 * split its range over n loader Jobs, and its load is complete once every partition has a marker from
 * each of the n splits. Absent on a record written by an unsplit loader (read as `1/1`).
 */
export const EOS_SPLIT_HEADER = 'streamforge-eos-split';

/** `<SYMBOL>_<interval>_<open_time>`: the Kafka key and the document `_key` of one candle. */
export function candleKey(symbol: string, interval: string, openTime: number): string {
  return `${symbol}_${interval}_${openTime}`;
}

const symbol = z.string().regex(/^[A-Z0-9\-_.]{1,20}$/, 'a Binance symbol (A-Z, 0-9, -_., at most 20)').describe('e.g. BTCUSDT');
const interval = z
  .string()
  .regex(/^\d+[smhdwM]$/, 'a Binance kline interval such as 1m, 4h, 1M')
  .describe('Binance kline interval, e.g. 1m');
const time = z.number().int().nonnegative();

// Decimal strings exactly as Binance writes them ("16541.23000000", "-0.5", "1e-8"); no blanks,
// hex or Infinity, which Number() would otherwise accept.
const NUMERIC_STRING = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const numericString = z
  .string()
  .regex(NUMERIC_STRING)
  .transform(Number);
const numberOrNumericString = z.union([z.number(), numericString], { error: 'a number or a numeric string such as "16541.23"' });

function candleShape<N extends z.ZodType<number>, I extends z.ZodType<number>>(decimal: N, count: I) {
  return {
    _key: z.string().describe('<SYMBOL>_<interval>_<open_time>'),
    symbol,
    interval,
    open_time: time.describe('open time (ms since the epoch, UTC)'),
    close_time: time.describe('close time (ms), open_time of the next candle - 1'),
    open: decimal,
    high: decimal,
    low: decimal,
    close: decimal,
    volume: decimal.describe('base asset volume'),
    quote_asset_volume: decimal,
    number_of_trades: count,
    taker_buy_base_asset_volume: decimal,
    taker_buy_quote_asset_volume: decimal,
  };
}

function checkKey(value: { _key: string; symbol: string; interval: string; open_time: number; close_time: number }, ctx: z.RefinementCtx): void {
  const expected = candleKey(value.symbol, value.interval, value.open_time);
  if (value._key !== expected) ctx.addIssue({ code: 'custom', path: ['_key'], message: `must be ${expected} (<SYMBOL>_<interval>_<open_time>)` });
  if (value.close_time <= value.open_time) ctx.addIssue({ code: 'custom', path: ['close_time'], message: `must be after open_time (${value.open_time})` });
}

/** One kline as the loader publishes it on a data topic: prices and volumes as JSON numbers. */
export const candleSchema = z
  .object(candleShape(z.number().nonnegative(), z.number().int().nonnegative()))
  .superRefine(checkKey)
  .describe('One Binance kline on a data topic (key = _key)');

/**
 * What consumers accept: the same candle, but numbers may also arrive as numeric strings (as
 * Binance writes them); they are converted to numbers, anything non-numeric is an error.
 */
export const incomingCandleSchema = z
  .object(
    candleShape(
      numberOrNumericString.pipe(z.number().nonnegative()),
      numberOrNumericString.pipe(z.number().int().nonnegative()),
    ),
  )
  .superRefine(checkKey)
  .describe('A candle as consumers accept it: numbers or numeric strings');

export type Candle = z.infer<typeof candleSchema>;
