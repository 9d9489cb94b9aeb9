import { z } from 'zod';
import { queryInteger, withServerRules } from './documented-text';

export const CANDLE_PAGE_DEFAULT_LIMIT = 1_000;
export const CANDLE_PAGE_MAX_LIMIT = 5_000;

// The document states these shapes (months 01-12, days 01-31, hours 00-23); whether the day exists is checked on parsing.
const DAY_SHAPE = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
const INSTANT = new RegExp(`^${DAY_SHAPE}(?:T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,3})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d))?$`);
const MILLIS = /^\d{1,15}$/;
const BOUND_PATTERN = new RegExp(`${MILLIS.source}|${INSTANT.source}`);
const BOUND_FORMS = 'an open time in ms since the epoch (e.g. 1722470400000), a UTC day (2024-08-01) or an ISO-8601 instant with a zone (2024-08-01T06:00:00Z)';

const DAY_MS = 86_400_000;

/**
 * A range bound in a query string → ms: epoch milliseconds, an ISO-8601 instant, or a UTC day,
 * which as `to` means the whole day (end day included, as in TIME_RANGE).
 */
function openTimeBound(side: 'from' | 'to') {
  const bound = z
    .string()
    .regex(BOUND_PATTERN, `expected ${BOUND_FORMS}`)
    .transform((text, ctx) => {
      const ms = MILLIS.test(text) ? Number(text) : parseInstant(text, side);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: `${text} is not a calendar date; expected ${BOUND_FORMS}` });
        return z.NEVER;
      }
      return ms;
    });
  return withServerRules(bound, side === 'to' ? 'a real calendar date; not before from' : 'a real calendar date')
    .describe(`inclusive bound on open_time: ${BOUND_FORMS}${side === 'to' ? '; a day includes the whole day' : ''}`);
}

function parseInstant(text: string, side: 'from' | 'to'): number {
  const day = text.slice(0, 10);
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls 2024-02-30 over to March: a day is valid only if it prints back the same.
  if (Number.isNaN(dayMs) || new Date(dayMs).toISOString().slice(0, 10) !== day) return Number.NaN;
  if (text.length === 10) return side === 'to' ? dayMs + DAY_MS - 1 : dayMs;
  return Date.parse(text);
}

/** ArangoDB's collection name rules (user collections: no leading underscore), which SQLite tables follow too. */
export const collectionNameSchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,255}$/, 'a collection name: a letter, then letters, digits, _ or -, at most 256 characters (e.g. btcusdt_api_candles_1m_2024_08_01)')
  .describe('candle collection, e.g. btcusdt_api_candles_1m_2024_08_01 (a queue target’s collection_name)');

/** `GET /candles`: one page of a collection's candles by open time. */
export const candlesQuerySchema = z
  .strictObject({
    collection: collectionNameSchema,
    from: openTimeBound('from').optional(),
    to: openTimeBound('to').optional(),
    limit: queryInteger(1, CANDLE_PAGE_MAX_LIMIT)
      .optional()
      .describe(`candles per page, 1-${CANDLE_PAGE_MAX_LIMIT} (default ${CANDLE_PAGE_DEFAULT_LIMIT})`),
  })
  .superRefine((query, ctx) => {
    // zod runs this refinement even when a bound failed its own check (then still the text): compare read bounds only.
    if (typeof query.from === 'number' && typeof query.to === 'number' && query.from > query.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${new Date(query.from).toISOString()}); got ${new Date(query.to).toISOString()}` });
    }
  })
  .describe('Query of GET /candles: a collection, an optional inclusive open-time range, a page size');

const indicatorField = (what: string) =>
  z.number().nullable().optional().describe(`${what}; null during its warm-up; absent while the load that wrote the candle has not finished, or when the sink ran with INDICATORS=none`);

/**
 * A candle as the sink stores it; fields beyond these (trades, quote volume…) pass through, and so
 * do the indicators of any other INDICATORS list (`EMA_<n>`, `RSI_<n>`, `ATR_<n>`).
 */
export const storedCandleSchema = z.looseObject({
  _key: z.string(),
  open_time: z.number().int().describe('open time (ms since the epoch, UTC)'),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  EMA_50: indicatorField('exponential moving average of the close over 50 candles (TA-Lib EMA)'),
  EMA_200: indicatorField('exponential moving average of the close over 200 candles'),
  RSI_14: indicatorField('relative strength index over 14 candles, 0-100 (TA-Lib RSI, Wilder smoothing)'),
  VWAP_D: indicatorField('volume-weighted average typical price since 00:00 UTC of the candle\'s day; null while the day\'s volume is 0'),
  ATR_30: indicatorField('average true range over 30 candles (TA-Lib ATR, Wilder smoothing)'),
});

/** One page of `GET /candles`, oldest first. */
export const candlePageSchema = z
  .object({
    collection: z.string(),
    from: z.number().int().nullable().describe('the from bound applied (ms), null when open'),
    to: z.number().int().nullable().describe('the to bound applied (ms), null when open'),
    limit: z.number().int(),
    candles: z.array(storedCandleSchema),
    next_from: z.number().int().nullable().describe('pass as from to read the next page; null on the last page'),
  })
  .describe('One page of stored candles (data of the GET /candles response)');

export type CandlesQuery = z.infer<typeof candlesQuerySchema>;
export type StoredCandle = z.infer<typeof storedCandleSchema>;
export type CandlePage = z.infer<typeof candlePageSchema>;
