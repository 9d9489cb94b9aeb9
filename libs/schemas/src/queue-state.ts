import { z } from 'zod';
import { unixSeconds } from './control-command';
import { gapSchema } from './telemetry-event';

export const TARGET_STATUSES = ['pending', 'started', 'loading', 'finished', 'error', 'interrupted'] as const;
export const targetStatusSchema = z.enum(TARGET_STATUSES);
export type TargetStatus = z.infer<typeof targetStatusSchema>;

export const QUEUE_STATUSES = ['pending', 'started', 'loading', 'stopping', 'finished', 'error', 'interrupted'] as const;
export const queueStatusSchema = z.enum(QUEUE_STATUSES);
export type QueueStatus = z.infer<typeof queueStatusSchema>;

/** One instance of a target run as several (sink replicas, loader splits): its own Job, telemetry and progress. */
export const instanceStateSchema = z.object({
  instance: z.string().describe('"<k>/<n>", 1-based'),
  telemetry_id: z.string(),
  job_name: z.string(),
  time_range: z.string().describe("this instance's TIME_RANGE (a loader split's sub-range)"),
  status: targetStatusSchema,
  message: z.string().nullable().describe('message of the last applied event'),
  records_written: z.number().int().nonnegative(),
  expected_records: z.number().int().nonnegative().nullable(),
  last_loaded_timestamp: z.number().int().nullable(),
  error_message: z.string().nullable(),
  error_count: z.number().int().nonnegative(),
  started_at: unixSeconds.nullable(),
  finished_at: unixSeconds.nullable(),
  last_event_at: unixSeconds.nullable(),
});
export type InstanceState = z.infer<typeof instanceStateSchema>;

/** One worker of a queue and the progress its telemetry reported. */
export const targetStateSchema = z.object({
  target: z.string(),
  type: z.string(),
  interval: z.string().nullable(),
  args: z.array(z.string()),
  kafka_topic: z.string(),
  collection_name: z.string(),
  telemetry_id: z.string(),
  job_name: z.string(),
  status: targetStatusSchema,
  message: z.string().nullable().describe('message of the last applied event'),
  records_written: z.number().int().nonnegative(),
  expected_records: z.number().int().nonnegative().nullable(),
  last_loaded_timestamp: z.number().int().nullable().describe('open time (ms) of the newest candle handled'),
  error_message: z.string().nullable(),
  error_count: z.number().int().nonnegative(),
  gaps: z.array(gapSchema),
  live_lag_ms: z.number().int().nonnegative().optional().describe('live loads: the newest lag the worker reported (see the telemetry event)'),
  reconnects: z.number().int().nonnegative().optional().describe('live loads: stream reconnections the worker reported'),
  started_at: unixSeconds.nullable(),
  finished_at: unixSeconds.nullable(),
  last_event_at: unixSeconds.nullable().describe('timestamp of the newest event applied (older ones are ignored)'),
  instances: z
    .array(instanceStateSchema)
    .optional()
    .describe('only when replicas or splits > 1: one line per instance; the target line sums them up (a loader is finished when every split is, a sink when one instance reports finished)'),
});
export type TargetState = z.infer<typeof targetStateSchema>;

/** A queue (workflow) as queue-manager keeps it in the `queue_state` collection. */
export const queueStateSchema = z
  .object({
    queue_id: z.string(),
    status: queueStatusSchema,
    symbol: z.string(),
    type: z.string(),
    time_range: z.string(),
    flow_name: z.string().nullable(),
    request: z.record(z.string(), z.unknown()).describe('the start request as received'),
    created_at: unixSeconds,
    updated_at: unixSeconds,
    started_at: unixSeconds.nullable(),
    finished_at: unixSeconds.nullable(),
    stop_requested_at: unixSeconds.nullable(),
    targets: z.array(targetStateSchema),
  })
  .describe('The state of one queue');
export type QueueState = z.infer<typeof queueStateSchema>;
