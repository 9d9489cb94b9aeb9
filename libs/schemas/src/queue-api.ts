import { z } from 'zod';
import { DEFAULT_INDICATORS, indicatorSettingTextSchema } from './indicator-list';
import { timeRangeSchema } from './time-range';
import { QUEUE_STATUSES, type QueueStatus } from './queue-state';

/** Binance spot symbols as the exchange writes them. */
export const symbolSchema = z
  .string()
  .max(40, 'at most 40 characters')
  .trim()
  .regex(/^[A-Z0-9]{2,20}$/, 'uppercase letters and digits only, 2 to 20 characters (e.g. BTCUSDT)')
  .describe('exchange symbol: uppercase letters and digits, 2-20 characters, e.g. BTCUSDT');

/** The data type of a load, e.g. `api_candles_1m` (candle targets read the interval from it). */
export const dataTypeSchema = z
  .string()
  .max(60, 'at most 60 characters')
  .trim()
  .regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'letters, digits and _, starting with a lowercase letter, at most 40 characters (e.g. api_candles_1m)')
  .describe('data type, e.g. api_candles_1m');

const workerArgs = z.array(z.string().max(100)).max(20).describe("the worker's command-line flags, only those on its allow-list (e.g. dummy-service's --simulate-loading, --loading-interval 5)");

/** One worker of a multi-target start request. */
export const targetRequestSchema = z.strictObject({
  target: z.string().max(100, 'at most 100 characters').trim().min(1).describe('worker: loader-api-candles | loader-ws-candles | arango-candles | dummy-service'),
  type: dataTypeSchema.optional().describe('data type of this target; default: the request type'),
  interval: z.string().max(10, 'at most 10 characters').trim().min(1).optional().describe('kline interval; default: taken from the type (api_candles_<interval>)'),
  args: workerArgs.optional(),
  indicators: indicatorSettingTextSchema.optional().describe(`arango-candles only: INDICATORS, the indicators stored on every candle (default ${DEFAULT_INDICATORS}; "none" for none)`),
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
    requests: z.array(targetRequestSchema).min(1).max(10).optional().describe('alias of targets'),
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
  .describe('Start a queue: simple shape {symbol, type, time_range} or multi-target shape {symbol, time_range, targets|requests}');

/** `extra_params` of a test flow: what a flow lets the caller change (never the image: queue-manager's configuration picks it). */
export const flowParamsSchema = z.strictObject({
  interval: z.string().max(10, 'at most 10 characters').trim().min(1).optional().describe('kline interval; sets type to api_candles_<interval>'),
  type: dataTypeSchema.optional().describe('data type; default: the flow type'),
  args: workerArgs.optional().describe('extra command-line arguments appended for every target'),
  indicators: indicatorSettingTextSchema.optional().describe(`indicators the flow's arango-candles targets store on every candle, e.g. EMA_21,RSI_7,ATR_14 (default ${DEFAULT_INDICATORS}; "none" for none)`),
});

/** `POST /queues/start-test-flow`: a named flow from the flows file shipped with queue-manager. */
export const startFlowRequestSchema = z
  .strictObject({
    flow_name: z.string().max(100, 'at most 100 characters').trim().min(1).describe('e.g. default_candles_flow or dummy_flow'),
    symbol: symbolSchema,
    time_range: timeRangeSchema,
    extra_params: flowParamsSchema.optional(),
  })
  .describe('Start a named flow');

const queueIdField = z.string().max(200, 'at most 200 characters').trim().min(1).describe('queue id, e.g. wf-btcusdt-api_candles_1m-20240801-abc123');

/** `POST /queues/stop`: the queue id in a JSON body (JSON only, so a foreign page's form cannot stop a queue). */
export const stopQueueRequestSchema = z.strictObject({ queue_id: queueIdField }).describe('Stop a queue');
export const queueIdParamsSchema = z.strictObject({ queue_id: queueIdField });

/** What a start answers per target: where its data goes and how to find its worker. */
export const startedTargetSchema = z.object({
  target: z.string(),
  type: z.string(),
  kafka_topic: z.string(),
  collection_name: z.string(),
  telemetry_id: z.string(),
  job_name: z.string(),
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
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `a whole number from 1 to ${QUEUE_PAGE_MAX_LIMIT}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(QUEUE_PAGE_MAX_LIMIT))
    .optional()
    .describe(`queues per page, 1-${QUEUE_PAGE_MAX_LIMIT} (default ${QUEUE_PAGE_DEFAULT_LIMIT})`),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, 'the next_cursor of the previous page')
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
