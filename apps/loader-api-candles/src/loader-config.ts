import { z } from 'zod';
import { positiveInt, topicName } from '@streamforge/config';
import { KLINE_INTERVALS, type KlineInterval, isKlineInterval } from '@streamforge/binance';
import { COMPRESSIONS, type CompressionName, type TimeRange } from '@streamforge/loader';
import { LOAD_SPLIT_FORM, parseLoadSplit, parseTimeRange, TIME_RANGE_FORMS, WHOLE_LOAD, type LoadSplit } from '@streamforge/schemas';
import { workerFlags, workerSettings } from '@streamforge/worker';

const intervalList = KLINE_INTERVALS.join(' ');

/** loader-api-candles settings: the worker environment plus what to load and how hard to pull. */
export const loaderConfigSchema = z
  .object({
    ...workerSettings,
    SYMBOL: z.string().regex(/^[A-Z0-9\-_.]{1,20}$/, 'a Binance symbol in upper case, e.g. BTCUSDT').describe('symbol to load'),
    TYPE: z.string().min(1).describe('workflow type, e.g. api_candles_1m; its suffix is the interval'),
    INTERVAL: z.enum(KLINE_INTERVALS, { error: `one of ${intervalList}` }).optional().describe('kline interval; default: the suffix of TYPE'),
    TIME_RANGE: z
      .string()
      .transform((text, ctx): TimeRange => {
        // The queue-manager API accepted this very text with the same parser.
        const parsed = parseTimeRange(text);
        if (parsed.ok) return { from: parsed.value.fromMs, to: parsed.value.untilMs };
        ctx.addIssue({ code: 'custom', message: parsed.reason });
        return z.NEVER;
      })
      .describe(TIME_RANGE_FORMS),
    LOAD_SPLIT: z
      .string()
      .optional()
      .transform((text, ctx): LoadSplit => {
        if (text === undefined) return WHOLE_LOAD;
        const parsed = parseLoadSplit(text);
        if (parsed.ok) return parsed.value;
        ctx.addIssue({ code: 'custom', message: parsed.reason });
        return z.NEVER;
      })
      .describe(`which of the queue's loader splits this Job is, ${LOAD_SPLIT_FORM}; TIME_RANGE is then its own sub-range (default 1/1: the whole range)`),
    KAFKA_TOPIC: topicName.describe('data topic the candles go to'),
    BINANCE_BASE_URL: z.url().default('https://api.binance.com').describe('Binance spot REST API'),
    BINANCE_API_KEY: z.string().optional().describe('sent as X-MBX-APIKEY; klines are public'),
    BINANCE_API_SECRET: z.string().optional().describe('accepted for the shared Secret; public endpoints need no signature'),
    LOADER_CONCURRENCY: positiveInt.max(32).default(4).describe('klines requests in flight'),
    // Binance counts weight per IP: half of it leaves room for every other client behind the same
    // address (another loader Job on the node, a trading bot) so a backfill never gets them 429s.
    LOADER_WEIGHT_SHARE: z.coerce.number().gt(0).max(1).default(0.5).describe('share of the IP weight limit this run may fill'),
    LOADER_COMPRESSION: z.enum(Object.keys(COMPRESSIONS) as [CompressionName, ...CompressionName[]]).default('none').describe('producer compression'),
    LOADER_PARTITIONS: positiveInt.max(1000).default(1).describe('partitions when the topic is created'),
    LOADER_BATCH_SIZE: positiveInt.max(50_000).default(5000).describe('candles per producer send, at most'),
    LOADER_BATCH_BYTES: positiveInt.default(900_000).describe('bytes per producer send, at most (under the broker message.max.bytes)'),
    LOADER_PROGRESS_EVERY: positiveInt.default(50_000).describe('a loading event every N candles'),
    LOADER_PROGRESS_INTERVAL_S: z.coerce.number().positive().default(5).describe('and at least every T seconds'),
    LOADER_MAX_ATTEMPTS: positiveInt.max(100).default(5).describe('attempts per request on 5xx/timeouts/network errors'),
    LOADER_RETRY_BASE_MS: positiveInt.default(500).describe('first backoff step; doubles per attempt, with jitter'),
    LOADER_REQUEST_TIMEOUT_MS: positiveInt.default(10_000).describe('per HTTP request'),
    LOADER_CLOSE_GRACE_MS: z.coerce.number().int().nonnegative().default(2_000).describe('a candle is final this long after its close_time'),
  })
  .transform((config, ctx) => {
    const fromType = /_([0-9]+[smhdwM])$/.exec(config.TYPE)?.[1];
    if (config.INTERVAL !== undefined) {
      if (fromType !== undefined && fromType !== config.INTERVAL) {
        ctx.addIssue({ code: 'custom', path: ['INTERVAL'], message: `${config.INTERVAL} contradicts TYPE ${config.TYPE}; set one of them` });
        return z.NEVER;
      }
      return { ...config, interval: config.INTERVAL };
    }
    if (!isKlineInterval(fromType)) {
      ctx.addIssue({ code: 'custom', path: ['INTERVAL'], message: `not set, and TYPE ${config.TYPE} does not end in _<interval> with an interval of ${intervalList}` });
      return z.NEVER;
    }
    return { ...config, interval: fromType as KlineInterval };
  });

export const loaderFlags = workerFlags;

export type LoaderConfig = z.infer<typeof loaderConfigSchema>;
