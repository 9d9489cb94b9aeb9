import { z } from 'zod';
import { booleanSetting, positiveInt, topicName } from '@streamforge/config';
import { DEFAULT_INDICATORS, indicatorListSchema, isNoIndicators, isOpenEnded, OPEN_TIME_RANGE_FORMS, parseTimeRange, type IndicatorSpec } from '@streamforge/schemas';
import type { CandleSinkConfig } from '@streamforge/candle-sink';
import { collectionNameSetting, refineStoreSettings, storeSettings } from '@streamforge/storage';
import { workerFlags, workerSettings } from '@streamforge/worker';
import { MEMORY_MODES } from './gc-tuning';

/**
 * arango-candles settings: the worker environment, the store, and the sink's batching. Batching
 * defaults from `npm run bench:sink -- --try ...` (SQLite write thread, two slices in flight):
 * 3,000 candles per write with 1 MiB fetches (about one write and one commit per fetch) drained
 * 84,000 candles/s at 242 MB peak RSS; 4 MiB fetches gave 63,000/s at 317 MB, 1,000 per write
 * 55,000/s, 10,000 per write with 4 MiB fetches 69,000/s at 448 MB.
 */
/** `INDICATORS`: the list (default DEFAULT_INDICATORS), or `none` for candles without indicators. */
const indicatorsSetting = z
  .string()
  .default(DEFAULT_INDICATORS)
  .transform((text, ctx): IndicatorSpec[] => {
    if (isNoIndicators(text)) return [];
    const parsed = indicatorListSchema.safeParse(text);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `${parsed.error.issues.map((issue) => issue.message).join('; ')} (or "none")` });
    return z.NEVER;
  })
  .describe(`indicators stored on every candle, comma-separated (default ${DEFAULT_INDICATORS}); "none" stores none`);

/** `TIME_RANGE` as the launcher passes it; only whether it is open-ended (a live load) matters to the sink. */
const liveSetting = z
  .string()
  .optional()
  .transform((text, ctx): { fromMs: number } | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    const parsed = parseTimeRange(text, { openEnd: true });
    if (parsed.ok) return isOpenEnded(parsed.value) ? { fromMs: parsed.value.fromMs } : undefined;
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  })
  .describe(`the queue's range (${OPEN_TIME_RANGE_FORMS}); open-ended = a live load: runs until stopped`);

export const arangoCandlesConfigSchema = z
  .object({
    ...workerSettings,
    ...storeSettings,
    KAFKA_TOPIC: topicName.optional().describe('data topic the loader fills (required unless --recompute-indicators)'),
    INDICATORS: indicatorsSetting,
    recomputeIndicators: booleanSetting
      .default(false)
      .describe('--recompute-indicators: no Kafka load; compute INDICATORS over the stored COLLECTION_NAME in open_time order, write them, exit'),
    COLLECTION_NAME: collectionNameSetting.describe('collection the candles are written to (ArangoDB naming rules)'),
    DLQ_TOPIC: topicName.optional().describe('dead-letter topic; default <KAFKA_TOPIC>-dlq'),
    BATCH_SIZE: positiveInt.default(3_000).describe('most candles per store write'),
    LINGER_MS: z.coerce.number().int().nonnegative().default(250).describe('how long a fetch may wait for a batch to fill (ms)'),
    FETCH_MAX_BYTES_PER_PARTITION: positiveInt.default(1024 * 1024).describe('most bytes one fetch returns per partition'),
    KAFKA_SESSION_TIMEOUT_MS: positiveInt.default(10_000).describe('consumer session timeout: how soon a killed sink\'s partitions go to its successor'),
    STORE_RETRY_TIMEOUT_S: z.coerce.number().positive().default(60).describe('give up (error event, exit 1) once the store has failed this long (s)'),
    STORE_RETRY_MAX_DELAY_MS: positiveInt.default(5_000).describe('longest pause between two write attempts (ms)'),
    TIME_RANGE: liveSetting,
    // A live candle waits for no batch: the broker answers a fetch after this long at most, then the write and commit follow.
    LIVE_MAX_WAIT_MS: positiveInt.max(5_000).default(100).describe('live loads: how long a fetch may wait for a batch to fill (ms), at most; caps LINGER_MS'),
    LIVE_STOP_DRAIN_S: z.coerce.number().positive().default(20).describe('live loads: on stop, how long to wait for the topic to be stored up to its end (s)'),
    MEMORY_MODE: z
      .enum(MEMORY_MODES)
      .default('throughput')
      .describe('throughput | small: small has V8 collect early (peak RSS on a year ~157 MB instead of ~242 MB, ~75 % more CPU)'),
    PROGRESS_EVERY_RECORDS: positiveInt.default(50_000).describe('a loading event after this many more records'),
    PROGRESS_INTERVAL_S: z.coerce.number().positive().default(5).describe('a loading event at least this often while records arrive (s)'),
  })
  .superRefine((config, ctx) => {
    refineStoreSettings(config, ctx);
    if (!config.recomputeIndicators && config.KAFKA_TOPIC === undefined) ctx.addIssue({ code: 'custom', path: ['KAFKA_TOPIC'], message: 'required (unless --recompute-indicators)' });
    if (config.recomputeIndicators && config.INDICATORS.length === 0) ctx.addIssue({ code: 'custom', path: ['INDICATORS'], message: 'must list the indicators to recompute, not "none"' });
  });

export const arangoCandlesFlags = { ...workerFlags, 'recompute-indicators': { type: 'boolean' } } as const;

export type ArangoCandlesConfig = z.infer<typeof arangoCandlesConfigSchema>;

/** The sink's view of the configuration. */
export function candleSinkConfig(config: ArangoCandlesConfig & { KAFKA_TOPIC: string }): CandleSinkConfig {
  return {
    queueId: config.QUEUE_ID,
    topic: config.KAFKA_TOPIC,
    collection: config.COLLECTION_NAME,
    deadLetterTopic: config.DLQ_TOPIC ?? `${config.KAFKA_TOPIC}-dlq`,
    groupId: `arango-candles-${config.QUEUE_ID}`,
    batchSize: config.BATCH_SIZE,
    lingerMs: config.LINGER_MS,
    maxBytesPerPartition: config.FETCH_MAX_BYTES_PER_PARTITION,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    storeRetry: { initialDelayMs: 200, maxDelayMs: config.STORE_RETRY_MAX_DELAY_MS, giveUpAfterMs: config.STORE_RETRY_TIMEOUT_S * 1000 },
    progress: { everyRecords: config.PROGRESS_EVERY_RECORDS, everyMs: config.PROGRESS_INTERVAL_S * 1000 },
    indicators: config.INDICATORS,
    ...(config.TIME_RANGE ? { live: { maxWaitMs: config.LIVE_MAX_WAIT_MS, stopDrainMs: config.LIVE_STOP_DRAIN_S * 1000 } } : {}),
  };
}
