import { z } from 'zod';
import { unixSeconds } from './control-command';

export const TELEMETRY_STATUSES = ['started', 'loading', 'finished', 'error', 'interrupted', 'pong'] as const;
export const telemetryStatusSchema = z.enum(TELEMETRY_STATUSES);
export type TelemetryStatus = z.infer<typeof telemetryStatusSchema>;

/** A span of open times [from, to] (ms) the exchange had no candles for. */
export const gapSchema = z.object({
  from: z.number().int().describe('first missing open time (ms)'),
  to: z.number().int().describe('last missing open time (ms)'),
});
export type Gap = z.infer<typeof gapSchema>;

/** A message on `queue-events`: business-level tracing of one worker of one queue. */
export const telemetryEventSchema = z
  .looseObject({
    queue_id: z.string().min(1),
    producer: z.string().min(1).describe('telemetry id of the sending worker, e.g. loader-producer__a1b2c3'),
    symbol: z.string(),
    type: z.string(),
    status: telemetryStatusSchema,
    event: telemetryStatusSchema.describe('same value as status; kept because existing tools read it'),
    message: z.string(),
    records_written: z.number().int().nonnegative(),
    finished: z.boolean(),
    timestamp: unixSeconds,
    error_message: z.string().optional(),
    error_count: z.number().int().nonnegative().optional().describe('messages this worker could not process'),
    last_loaded_timestamp: z.number().int().optional().describe('open time (ms) of the newest candle handled'),
    expected_records: z.number().int().nonnegative().optional().describe('candles the range should hold'),
    gaps: z.array(gapSchema).optional(),
    live_lag_ms: z.number().int().nonnegative().optional().describe('live loads: ms from the newest candle close to its publication (loader-ws-candles) or its write to the store (arango-candles)'),
    reconnects: z.number().int().nonnegative().optional().describe('live loads: stream reconnections so far'),
    ping_ts: unixSeconds.optional().describe('the ping sent_at this pong answers'),
    ponged_at: unixSeconds.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.event !== value.status) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: `must equal status (${value.status})` });
    }
    if (value.status === 'pong' && (value.ping_ts === undefined || value.ponged_at === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ping_ts'], message: 'a pong carries ping_ts and ponged_at' });
    }
  })
  .describe('A telemetry event on the queue-events topic');

export type TelemetryEvent = z.infer<typeof telemetryEventSchema>;

/**
 * What queue-manager accepts on `queue-events`: our shape, and the design documents' shape (no
 * `event`, `sent_at` instead of `timestamp`). The missing field is derived from its twin before
 * the strict schema runs, so a message that is malformed otherwise is still rejected; a message
 * whose twin fields disagree (event ≠ status, sent_at ≠ timestamp) is rejected too.
 */
export const incomingTelemetryEventSchema = z.preprocess((raw) => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const fields = raw as Record<string, unknown>;
  const derived: Record<string, unknown> = {};
  if (fields['event'] === undefined && fields['status'] !== undefined) derived['event'] = fields['status'];
  if (fields['timestamp'] === undefined && fields['sent_at'] !== undefined) derived['timestamp'] = fields['sent_at'];
  return { ...fields, ...derived };
}, telemetryEventSchema.superRefine((value, ctx) => {
  const sentAt = (value as Record<string, unknown>)['sent_at'];
  if (sentAt !== undefined && sentAt !== value.timestamp) {
    ctx.addIssue({ code: 'custom', path: ['sent_at'], message: `must equal timestamp (${value.timestamp}) when both are given` });
  }
}));
