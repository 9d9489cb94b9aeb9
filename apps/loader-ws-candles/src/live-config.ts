import { z } from 'zod';
import { positiveInt, topicName } from '@streamforge/config';
import { KLINE_INTERVALS, type KlineInterval, isKlineInterval } from '@streamforge/binance';
import { workerFlags, workerSettings } from '@streamforge/worker';

const intervalList = KLINE_INTERVALS.join(' ');
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** loader-ws-candles settings: the worker environment plus what to follow and how politely. */
export const liveConfigSchema = z
  .object({
    ...workerSettings,
    SYMBOL: z.string().regex(/^[A-Z0-9\-_.]{1,20}$/, 'a Binance symbol in upper case, e.g. BTCUSDT').describe('symbol to follow'),
    TYPE: z.string().min(1).describe('workflow type, e.g. ws_candles_1m; its suffix is the interval'),
    INTERVAL: z.enum(KLINE_INTERVALS, { error: `one of ${intervalList}` }).optional().describe('kline interval; default: the suffix of TYPE'),
    // The launcher's per-run TIME_RANGE, open-ended for a live load: `<start>:` (a live load has no end).
    TIME_RANGE: z
      .string()
      .transform((text, ctx) => {
        const start = /^(.+)[:/]$/.exec(text.trim())?.[1];
        if (start !== undefined && (DAY.test(start) || INSTANT.test(start)) && Number.isFinite(Date.parse(start))) return Date.parse(start);
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not an open-ended range <start>: with start a UTC day YYYY-MM-DD or an ISO-8601 instant with Z or an offset` });
        return z.NEVER;
      })
      .optional()
      .describe('open-ended <start>: — the first candle wanted when the topic holds none of the series; none = the first one the stream closes'),
    KAFKA_TOPIC: topicName.describe('data topic the candles go to'),
    BINANCE_WS_BASE_URL: z.string().regex(/^wss?:\/\/[^\s/]+$/, 'ws[s]://host[:port] without a path').default('wss://stream.binance.com:9443').describe('Binance spot WebSocket streams'),
    BINANCE_BASE_URL: z.url().default('https://api.binance.com').describe('Binance spot REST API, for backfills'),
    BINANCE_API_KEY: z.string().optional().describe('sent as X-MBX-APIKEY; klines are public'),
    BINANCE_API_SECRET: z.string().optional().describe('accepted for the shared Secret; nothing is signed'),
    LIVE_SILENCE_TIMEOUT_MS: positiveInt.default(10_000).describe('no message and no ping for this long → reconnect (pushes come every 1-2 s, pings every 20 s)'),
    LIVE_HANDSHAKE_TIMEOUT_MS: positiveInt.default(10_000).describe('WebSocket connect timeout'),
    LIVE_RECONNECT_BASE_MS: positiveInt.default(500).describe('first backoff step after a failed connection; doubles, full jitter'),
    LIVE_RECONNECT_MAX_MS: positiveInt.default(30_000).describe('backoff cap'),
    // Binance allows 300 connection attempts per 5 minutes per IP; a tenth leaves room for every other client behind it.
    LIVE_MAX_CONNECTS_PER_5MIN: positiveInt.max(300).default(30).describe('connection attempts per 5 minutes, at most'),
    LOADER_CLOSE_GRACE_MS: z.coerce.number().int().nonnegative().default(2_000).describe('a candle is final on REST this long after its close_time'),
    LOADER_WEIGHT_SHARE: z.coerce.number().gt(0).max(1).default(0.5).describe('share of the IP weight limit backfills may fill'),
    LOADER_PARTITIONS: positiveInt.max(1000).default(1).describe('partitions when the topic is created'),
    LOADER_PROGRESS_EVERY: positiveInt.default(1_000).describe('a loading event every N candles'),
    LOADER_PROGRESS_INTERVAL_S: z.coerce.number().positive().default(5).describe('and at least every T seconds'),
    LOADER_MAX_ATTEMPTS: positiveInt.max(100).default(5).describe('attempts per REST request on 5xx/timeouts/network errors'),
    LOADER_RETRY_BASE_MS: positiveInt.default(500).describe('first REST backoff step; doubles per attempt, with jitter'),
    LOADER_REQUEST_TIMEOUT_MS: positiveInt.default(10_000).describe('per HTTP request'),
  })
  .transform((config, ctx) => {
    const fromType = /_([0-9]+[smhdwM])$/.exec(config.TYPE)?.[1];
    const interval = config.INTERVAL ?? fromType;
    if (config.INTERVAL !== undefined && fromType !== undefined && fromType !== config.INTERVAL) {
      ctx.addIssue({ code: 'custom', path: ['INTERVAL'], message: `${config.INTERVAL} contradicts TYPE ${config.TYPE}; set one of them` });
      return z.NEVER;
    }
    if (!isKlineInterval(interval)) {
      ctx.addIssue({ code: 'custom', path: ['INTERVAL'], message: `not set, and TYPE ${config.TYPE} does not end in _<interval> with an interval of ${intervalList}` });
      return z.NEVER;
    }
    return { ...config, interval: interval as KlineInterval };
  });

export const liveFlags = workerFlags;

export type LiveConfig = z.infer<typeof liveConfigSchema>;
