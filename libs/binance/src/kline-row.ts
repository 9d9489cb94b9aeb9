/**
 * Strict reading of GET /api/v3/klines rows: a row that is not exactly what the API documents is
 * an error naming the row and field, never skipped (a skipped row would be a silent gap).
 */
import { type KlineInterval, alignOpenTime } from './kline-intervals';

/** One kline with Binance's decimal strings already turned into numbers. */
export interface Kline {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  closeTime: number;
  quoteAssetVolume: number;
  numberOfTrades: number;
  takerBuyBaseAssetVolume: number;
  takerBuyQuoteAssetVolume: number;
}

/** Where the rows of one page must lie, and which interval grid they sit on. */
export interface KlinePageExpectation {
  interval: KlineInterval;
  /** First open time the page may contain. */
  startTime: number;
  /** Last open time the page may contain (inclusive, like the API's endTime). */
  endTime: number;
}

// No leading zeros ("007.5"): the text is copied into JSON as a number, where they are invalid.
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const FIELD_NAMES = [
  'open time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'close time',
  'quote asset volume',
  'number of trades',
  'taker buy base asset volume',
  'taker buy quote asset volume',
  'ignore',
];

/** Thrown with the exact row and field; the client wraps it into a BinanceMalformedResponseError. */
export class KlineRowError extends Error {
  override name = 'KlineRowError';
}

function fail(index: number, field: number, expected: string, got: unknown): never {
  const shown = JSON.stringify(got)?.slice(0, 60) ?? String(got);
  throw new KlineRowError(`row ${index}: field ${field} (${FIELD_NAMES[field] ?? '?'}) must be ${expected}, got ${shown}`);
}

function decimal(row: readonly unknown[], index: number, field: number): number {
  const value = row[field];
  if (typeof value !== 'string' || !DECIMAL.test(value)) fail(index, field, 'a decimal string like "16541.23000000"', value);
  return Number(value);
}

function integer(row: readonly unknown[], index: number, field: number): number {
  const value = row[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(index, field, 'a non-negative integer', value);
  return value;
}

/**
 * Validates a decoded klines body and converts it. Rows must have 12 fields, numeric values,
 * ascending open times on the interval grid inside the requested span, and close > open.
 */
export function parseKlineRows(body: unknown, expect: KlinePageExpectation): Kline[] {
  if (!Array.isArray(body)) throw new KlineRowError(`expected a JSON array of rows, got ${typeof body}`);
  const klines: Kline[] = new Array(body.length);
  let previousOpen = -1;
  for (let i = 0; i < body.length; i++) {
    const row: unknown = body[i];
    if (!Array.isArray(row) || row.length !== 12) {
      throw new KlineRowError(`row ${i}: expected an array of 12 fields, got ${Array.isArray(row) ? `${row.length} fields` : typeof row}`);
    }
    const openTime = integer(row, i, 0);
    const closeTime = integer(row, i, 6);
    if (openTime < expect.startTime || openTime > expect.endTime) {
      fail(i, 0, `within the requested ${expect.startTime}..${expect.endTime}`, openTime);
    }
    if (openTime <= previousOpen) fail(i, 0, `after the previous row's ${previousOpen}`, openTime);
    if (alignOpenTime(expect.interval, openTime) !== openTime) fail(i, 0, `on the ${expect.interval} grid`, openTime);
    if (closeTime <= openTime) fail(i, 6, `after the open time ${openTime}`, closeTime);
    previousOpen = openTime;
    klines[i] = {
      openTime,
      open: decimal(row, i, 1),
      high: decimal(row, i, 2),
      low: decimal(row, i, 3),
      close: decimal(row, i, 4),
      volume: decimal(row, i, 5),
      closeTime,
      quoteAssetVolume: decimal(row, i, 7),
      numberOfTrades: integer(row, i, 8),
      takerBuyBaseAssetVolume: decimal(row, i, 9),
      takerBuyQuoteAssetVolume: decimal(row, i, 10),
    };
  }
  return klines;
}
