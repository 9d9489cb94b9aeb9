/**
 * A klines page validated in place, as bytes. A year of 1m candles is 526 pages of ~170 kB;
 * JSON.parse would build ~9,000 JS strings and arrays per page only to turn them into numbers and
 * back into JSON text. This scanner checks the same rules as parseKlineRows while walking the
 * bytes once, and records where each field's text is, so the candle JSON can be written by copying
 * bytes. Anything it does not recognise goes through JSON.parse + parseKlineRows, which either
 * explains exactly what is wrong or yields the rows re-serialised in the compact form scanned here.
 */
import { type KlineInterval, alignOpenTime } from './kline-intervals';
import { type Kline, type KlinePageExpectation, KlineRowError, parseKlineRows } from './kline-row';

/** Fields of a row that carry data (the 12th, "ignore", is skipped). */
export const KLINE_FIELDS = 11;

export interface KlinePage {
  /** The bytes the spans point into. */
  body: Buffer;
  count: number;
  openTimes: Float64Array;
  closeTimes: Float64Array;
  /**
   * For row r and field f (0..10, the API's field order), `spans[(r * 11 + f) * 2]` and `+ 1` are
   * the start and end offsets in `body` of the field's text as a JSON number: integers as sent,
   * decimal strings without quotes and trailing zeros ("16541.23000000" → 16541.23).
   */
  spans: Int32Array;
}

/** Thrown when the body is not JSON at all (a cut-off transfer): retrying may help. */
export class KlineJsonError extends Error {
  override name = 'KlineJsonError';
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
/** Fields that are integers (open time, close time, number of trades); the rest are decimal strings. */
const INTEGER_FIELD = [true, false, false, false, false, false, true, false, true, false, false];

/** Scans `body`; undefined at the first byte or rule it does not accept (the slow path then explains). */
function tryScan(body: Buffer, expect: KlinePageExpectation): KlinePage | undefined {
  const interval: KlineInterval = expect.interval;
  const n = body.length;
  // A row is at least ~100 bytes; sizing from the body avoids growing arrays.
  const capacity = Math.ceil(n / 60) + 1;
  const openTimes = new Float64Array(capacity);
  const closeTimes = new Float64Array(capacity);
  const spans = new Int32Array(capacity * KLINE_FIELDS * 2);
  let p = 0;
  const skipSpace = () => {
    while (p < n) {
      const c = body[p] as number;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
  };
  skipSpace();
  if (body[p++] !== OPEN) return undefined;
  skipSpace();
  let count = 0;
  let previousOpen = -1;
  if (body[p] === CLOSE) p++;
  else {
    for (;;) {
      if (count >= capacity) return undefined;
      skipSpace();
      if (body[p++] !== OPEN) return undefined;
      const base = count * KLINE_FIELDS * 2;
      let openTime = 0;
      let closeTime = 0;
      for (let f = 0; f < 12; f++) {
        skipSpace();
        if (f === 11) {
          // "ignore": any plain string or number.
          if (body[p] === QUOTE) {
            p++;
            while (p < n && body[p] !== QUOTE) if (body[p++] === BACKSLASH) return undefined;
            p++;
          } else while (p < n && body[p] !== CLOSE && body[p] !== COMMA && body[p] !== 0x20) p++;
        } else if (INTEGER_FIELD[f]) {
          const start = p;
          let value = 0;
          while (p < n) {
            const c = body[p] as number;
            if (c < ZERO || c > NINE) break;
            value = value * 10 + (c - ZERO);
            p++;
          }
          if (p === start || p - start > 15 || (body[start] === ZERO && p - start > 1)) return undefined;
          spans[base + f * 2] = start;
          spans[base + f * 2 + 1] = p;
          if (f === 0) openTime = value;
          else if (f === 6) closeTime = value;
        } else {
          if (body[p++] !== QUOTE) return undefined;
          const start = p;
          while (p < n && (body[p] as number) >= ZERO && (body[p] as number) <= NINE) p++;
          const intEnd = p;
          if (intEnd === start || (body[start] === ZERO && intEnd - start > 1)) return undefined;
          let end = intEnd;
          if (body[p] === DOT) {
            p++;
            const fracStart = p;
            while (p < n && (body[p] as number) >= ZERO && (body[p] as number) <= NINE) p++;
            if (p === fracStart) return undefined;
            end = p;
            while (body[end - 1] === ZERO) end--;
            if (end === fracStart) end = intEnd; // "123.000" → 123
          }
          if (body[p++] !== QUOTE) return undefined;
          spans[base + f * 2] = start;
          spans[base + f * 2 + 1] = end;
        }
        skipSpace();
        if (body[p++] !== (f === 11 ? CLOSE : COMMA)) return undefined;
      }
      if (openTime < expect.startTime || openTime > expect.endTime || openTime <= previousOpen || closeTime <= openTime) return undefined;
      if (alignOpenTime(interval, openTime) !== openTime) return undefined;
      previousOpen = openTime;
      openTimes[count] = openTime;
      closeTimes[count] = closeTime;
      count++;
      skipSpace();
      const c = body[p++];
      if (c === CLOSE) break;
      if (c !== COMMA) return undefined;
    }
  }
  skipSpace();
  if (p !== n) return undefined;
  return { body, count, openTimes, closeTimes, spans };
}

/**
 * Validates a klines body (rules of parseKlineRows) and locates its fields. Throws KlineJsonError
 * for a body that is not JSON, KlineRowError naming the row and field for a wrong row.
 */
export function scanKlinePage(body: Buffer, expect: KlinePageExpectation): KlinePage {
  const fast = tryScan(body, expect);
  if (fast) return fast;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new KlineJsonError(`body is not JSON (${(error as Error).message})`);
  }
  parseKlineRows(parsed, expect);
  // Valid rows in a layout the scanner skipped (say, numbers with exponents): scan a compact copy.
  const page = tryScan(Buffer.from(JSON.stringify(parsed)), expect);
  if (!page) throw new KlineRowError('rows pass validation but not the byte scanner; please report this page');
  return page;
}

/** Row `i` of a page as numbers (for callers that want objects rather than bytes). */
export function klineAt(page: KlinePage, i: number): Kline {
  const text = (f: number) => page.body.toString('latin1', page.spans[(i * KLINE_FIELDS + f) * 2], page.spans[(i * KLINE_FIELDS + f) * 2 + 1]);
  return {
    openTime: page.openTimes[i] as number,
    open: Number(text(1)),
    high: Number(text(2)),
    low: Number(text(3)),
    close: Number(text(4)),
    volume: Number(text(5)),
    closeTime: page.closeTimes[i] as number,
    quoteAssetVolume: Number(text(7)),
    numberOfTrades: Number(text(8)),
    takerBuyBaseAssetVolume: Number(text(9)),
    takerBuyQuoteAssetVolume: Number(text(10)),
  };
}

/** Every row of a page as numbers. */
export function klinesOf(page: KlinePage): Kline[] {
  return Array.from({ length: page.count }, (_, i) => klineAt(page, i));
}
