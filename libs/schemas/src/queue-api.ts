import { z } from 'zod';
import { nonBlankText, queryInteger, trimmedText, withServerRules } from './documented-text';
import { DEFAULT_INDICATORS, indicatorSettingTextSchema } from './indicator-list';
import { timeRangeSchema } from './time-range';
import { QUEUE_STATUSES, type QueueStatus } from './queue-state';

/** Binance spot symbols as the exchange writes them. */
export const symbolSchema = trimmedText({ maxLength: 40, core: /[A-Z0-9]{2,20}/, message: 'uppercase letters and digits only, 2 to 20 characters (e.g. BTCUSDT)' })
  .describe('exchange symbol: uppercase letters and digits, 2-20 characters, e.g. BTCUSDT');

/** The data type of a load, e.g. `api_candles_1m` (candle targets read the interval from it). */
export const dataTypeSchema = withServerRules(
  trimmedText({ maxLength: 60, core: /[a-z][a-zA-Z0-9_]{0,39}/, message: 'letters, digits and _, starting with a lowercase letter, at most 40 characters (e.g. api_candles_1m)' }),
  'a type its targets load (api_candles_<interval> for the candle workers); required when no targets are given or a target has none',
).describe('data type, e.g. api_candles_1m');

const INDICATOR_RULES = 'entries EMA_<n>, RSI_<n> (n 2..100000), ATR_<n> (n 1..100000) or VWAP_D, each once, or "none"; arango-candles only';

const workerArgs = withServerRules(z.array(z.string().max(100)).max(20), "each flag on the target's allow-list, with a value in its range").describe("the worker's command-line flags, only those on its allow-list (e.g. dummy-service's --simulate-loading, --loading-interval 5)");

/**
 * Most instances of one target: 8 sinks or loader splits already outrun one Binance IP's request
 * weight and one ArangoDB coordinator; more would mostly take Job slots from others on a shared cluster.
 */
export const MAX_TARGET_INSTANCES = 8;
const instanceCount = (what: string) => {
  const message = `a whole number from 1 to ${MAX_TARGET_INSTANCES}`;
  return z.int({ error: message }).min(1, message).max(MAX_TARGET_INSTANCES, message).describe(what);
};
/** arango-candles' `replicas`: sink instances sharing the data topic's partitions (one consumer group). */
export const replicasSchema = withServerRules(instanceCount(`arango-candles only: sink instances, each its own Job, sharing the data topic's partitions (default 1, at most ${MAX_TARGET_INSTANCES}; bounded ranges only)`), 'arango-candles only; a bounded time_range');
/** loader-api-candles' `splits`: loader instances, each loading one contiguous sub-range. */
export const splitsSchema = withServerRules(instanceCount(`loader-api-candles only: loader instances, each its own Job loading one contiguous sub-range (default 1, at most ${MAX_TARGET_INSTANCES}; bounded ranges only)`), 'loader-api-candles only; a bounded time_range');

/** One worker of a multi-target start request. */
export const targetRequestSchema = z.strictObject({
  target: withServerRules(nonBlankText(100), 'a worker queue-manager knows').describe('worker: loader-api-candles | loader-ws-candles | arango-candles | dummy-service'),
  type: dataTypeSchema.optional().describe('data type of this target; default: the request type'),
  interval: withServerRules(nonBlankText(10), 'a Binance kline interval (1s, 1m, 3m, ... 1M)').optional().describe('kline interval; default: taken from the type (api_candles_<interval>)'),
  args: workerArgs.optional(),
  indicators: withServerRules(indicatorSettingTextSchema, INDICATOR_RULES).optional().describe(`arango-candles only: INDICATORS, the indicators stored on every candle (default ${DEFAULT_INDICATORS}; "none" for none)`),
  replicas: replicasSchema.optional(),
  splits: splitsSchema.optional(),
});

/**
 * `POST /queues/start`: the simple shape `{symbol, type, time_range}` starts the type's default
 * targets; the multi-target shape lists them in `targets` (or its alias `requests`).
 */
export const startQueueRequestSchema = z
  .strictObject({
    symbol: symbolSchema,
    time_range: timeRangeSchema,
    type: dataTypeSchema.optional().describe('simple shape: the data type (default targets: loader-api-candles + arango-candles)'),
    targets: z.array(targetRequestSchema).min(1).max(10).optional().describe('multi-target shape: the workers to start'),
    requests: withServerRules(z.array(targetRequestSchema).min(1).max(10), 'not together with targets').optional().describe('alias of targets'),
  })
  .superRefine((request, ctx) => {
    if (request.targets && request.requests) {
      ctx.addIssue({ code: 'custom', path: ['requests'], message: 'give targets or requests (its alias), not both' });
      return;
    }
    const targets = request.targets ?? request.requests;
    if (!targets && !request.type) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'give type (simple shape) or targets (multi-target shape)' });
      return;
    }
    const field = request.targets ? 'targets' : 'requests';
    targets?.forEach((target, index) => {
      if (!target.type && !request.type) ctx.addIssue({ code: 'custom', path: [field, index, 'type'], message: 'required when the request has no top-level type' });
    });
  })
  .meta({
    examples: [
      { symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' },
      { symbol: 'BTCUSDT', time_range: '2024-08-01T00:00Z/2024-08-01T06:00Z', targets: [{ target: 'dummy-service', type: 'dummy', args: ['--simulate-loading'] }] },
    ],
  })
  .describe('Start a queue: simple shape {symbol, type, time_range} or multi-target shape {symbol, time_range, targets|requests}');

/** `extra_params` of a test flow: what a flow lets the caller change (never the image: queue-manager's configuration picks it). */
export const flowParamsSchema = z.strictObject({
  interval: withServerRules(nonBlankText(10), 'a Binance kline interval (1s, 1m, 3m, ... 1M)').optional().describe('kline interval; sets type to api_candles_<interval>'),
  type: dataTypeSchema.optional().describe('data type; default: the flow type'),
  args: workerArgs.optional().describe('extra command-line arguments appended for every target'),
  indicators: withServerRules(indicatorSettingTextSchema, INDICATOR_RULES).optional().describe(`indicators the flow's arango-candles targets store on every candle, e.g. EMA_21,RSI_7,ATR_14 (default ${DEFAULT_INDICATORS}; "none" for none)`),
  replicas: withServerRules(instanceCount(`sink instances of each arango-candles target of the flow (default 1, at most ${MAX_TARGET_INSTANCES}; bounded ranges only)`), 'the flow has an arango-candles target; a bounded time_range').optional(),
  splits: withServerRules(instanceCount(`loader splits of each loader-api-candles target of the flow (default 1, at most ${MAX_TARGET_INSTANCES}; bounded ranges only)`), 'the flow has a loader-api-candles target; a bounded time_range').optional(),
});

/** `POST /queues/start-test-flow`: a named flow from the flows file shipped with queue-manager. */
export const startFlowRequestSchema = z
  .strictObject({
    flow_name: withServerRules(nonBlankText(100), 'a flow of the flows file (400 lists the known ones)').describe('e.g. default_candles_flow or dummy_flow'),
    symbol: symbolSchema,
    time_range: timeRangeSchema,
    extra_params: flowParamsSchema.optional(),
  })
  .meta({ examples: [{ flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01' }] })
  .describe('Start a named flow');

/** The characters of every queue id queue-manager makes (wf-<symbol>-<type>-<yyyymmdd>-<suffix>). */
const QUEUE_ID_CORE = /[A-Za-z0-9_-]{1,200}/;
export const QUEUE_ID_MAX_LENGTH = 200;
const QUEUE_ID_MESSAGE = 'a queue id: letters, digits, _ and -, 1 to 200 characters (e.g. wf-btcusdt-api_candles_1m-20240801-abc123)';
const queueIdDescription = 'queue id, e.g. wf-btcusdt-api_candles_1m-20240801-abc123';

/** `POST /queues/stop`: the queue id in a JSON body (JSON only, so a foreign page's form cannot stop a queue). */
export const stopQueueRequestSchema = z
  .strictObject({ queue_id: trimmedText({ maxLength: QUEUE_ID_MAX_LENGTH, core: QUEUE_ID_CORE, message: QUEUE_ID_MESSAGE }).describe(queueIdDescription) })
  .describe('Stop a queue');
/** `/queues/{queue_id}`: a path segment has no surrounding whitespace to trim. */
export const queueIdParamsSchema = z.strictObject({
  queue_id: z.string().max(QUEUE_ID_MAX_LENGTH, `at most ${QUEUE_ID_MAX_LENGTH} characters`).regex(new RegExp(`^${QUEUE_ID_CORE.source}$`), QUEUE_ID_MESSAGE).describe(queueIdDescription),
});

/** One of several instances of a target: its own Job and telemetry id (and its sub-range for a loader split). */
export const startedInstanceSchema = z.object({
  instance: z.string().describe('"<k>/<n>", 1-based'),
  telemetry_id: z.string(),
  job_name: z.string(),
  time_range: z.string(),
});

/** What a start answers per target: where its data goes and how to find its worker(s). */
export const startedTargetSchema = z.object({
  target: z.string(),
  type: z.string(),
  kafka_topic: z.string(),
  collection_name: z.string(),
  telemetry_id: z.string().describe('the worker\'s telemetry id; with instances, the prefix of theirs'),
  job_name: z.string().describe('the worker\'s Job; with instances, the prefix of theirs'),
  instances: z.array(startedInstanceSchema).optional().describe('only when replicas or splits > 1: one entry per instance'),
});

export const startQueueResultSchema = z.object({
  queue_id: z.string(),
  status: z.string(),
  targets: z.array(startedTargetSchema),
});

export const QUEUE_PAGE_DEFAULT_LIMIT = 100;
export const QUEUE_PAGE_MAX_LIMIT = 500;

/** `GET /queues`: one page of queues, newest first, optionally of some statuses and one symbol. */
export const listQueuesQuerySchema = z.strictObject({
  limit: queryInteger(1, QUEUE_PAGE_MAX_LIMIT)
    .optional()
    .describe(`queues per page, 1-${QUEUE_PAGE_MAX_LIMIT} (default ${QUEUE_PAGE_DEFAULT_LIMIT})`),
  cursor: withServerRules(z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'the next_cursor of the previous page'), 'a next_cursor this API issued')
    .optional()
    .describe('next_cursor of the previous page'),
  status: z
    .string()
    .regex(new RegExp(`^(${QUEUE_STATUSES.join('|')})(,(${QUEUE_STATUSES.join('|')}))*$`), `one or more of ${QUEUE_STATUSES.join(', ')}, separated by commas`)
    .transform((text) => text.split(',') as QueueStatus[])
    .optional()
    .describe(`only queues in these statuses, comma-separated: ${QUEUE_STATUSES.join(', ')}`),
  symbol: symbolSchema.optional(),
});

/** One bad field of a request: `path` as dotted field names, `message` with the value received. */
export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });

/** The error envelope every non-2xx answer uses. */
export const errorEnvelopeSchema = z
  .object({
    status: z.literal('error'),
    message: z.string(),
    data: z
      .object({
        errors: z.array(fieldErrorSchema).optional(),
        known: z.array(z.string()).optional().describe('the accepted names, when a name was unknown'),
      })
      .nullable(),
  })
  .describe('Error response envelope');

/** `{status: "success", message, data}` around a payload schema. */
export function successEnvelope<S extends z.ZodType>(data: S) {
  return z.object({ status: z.literal('success'), message: z.string(), data });
}

export type ListQueuesQuery = z.infer<typeof listQueuesQuerySchema>;
export type StartQueueRequest = z.infer<typeof startQueueRequestSchema>;
export type TargetRequest = z.infer<typeof targetRequestSchema>;
export type StartFlowRequest = z.infer<typeof startFlowRequestSchema>;
export type FlowParams = z.infer<typeof flowParamsSchema>;
export type StartQueueResult = z.infer<typeof startQueueResultSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
