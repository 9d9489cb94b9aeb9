import { z } from 'zod';

/** Seconds since the epoch as a float, the unit every StreamForge timestamp uses on the wire. */
export const unixSeconds = z.number().nonnegative().describe('unix time in seconds (float)');

const queueId = z.string().min(1).describe('workflow id, e.g. wf-btcusdt-api_candles_1m-20240801-abc123');

/** `start`: tells one target of a queue what to do (the launcher passes the same values as env). */
export const startCommandSchema = z.looseObject({
  command: z.literal('start'),
  queue_id: queueId,
  target: z.string().min(1).optional(),
  symbol: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  time_range: z.string().min(1).optional(),
  kafka_topic: z.string().min(1).optional(),
  collection_name: z.string().min(1).optional(),
  telemetry_id: z.string().min(1).optional(),
  image: z.string().min(1).optional(),
  timestamp: unixSeconds.optional(),
});

/** `stop`: every worker of the queue finishes what it holds, reports `interrupted`, exits 0. */
export const stopCommandSchema = z.looseObject({
  command: z.literal('stop'),
  queue_id: queueId,
  target: z.string().min(1).optional(),
  timestamp: unixSeconds.optional(),
});

/** `ping`: a worker answers with a `pong` event carrying `sent_at` back as `ping_ts`. */
export const pingCommandSchema = z.looseObject({
  command: z.literal('ping'),
  queue_id: queueId,
  sent_at: unixSeconds,
  timestamp: unixSeconds.optional(),
});

/** A message on `queue-control`. */
export const controlCommandSchema = z
  .discriminatedUnion('command', [startCommandSchema, stopCommandSchema, pingCommandSchema])
  .describe('A command on the queue-control topic');

export type StartCommand = z.infer<typeof startCommandSchema>;
export type StopCommand = z.infer<typeof stopCommandSchema>;
export type PingCommand = z.infer<typeof pingCommandSchema>;
export type ControlCommand = z.infer<typeof controlCommandSchema>;
