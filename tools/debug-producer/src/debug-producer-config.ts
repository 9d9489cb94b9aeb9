import { z } from 'zod';
import { commonSettings, positiveInt } from '@streamforge/config';
import { kafkaEnvSettings } from '@streamforge/kafka';

export const debugProducerConfigSchema = z.object({
  ...kafkaEnvSettings,
  QUEUE_CONTROL_TOPIC: commonSettings.QUEUE_CONTROL_TOPIC,
  QUEUE_EVENTS_TOPIC: commonSettings.QUEUE_EVENTS_TOPIC,
  LOG_LEVEL: z.string().default('warn'),
  queueId: z.string({ error: 'the queue id to address' }).min(1).describe('--queue-id'),
  command: z.enum(['ping', 'stop'], { error: 'ping or stop' }).default('ping').describe('--command ping|stop'),
  expectPong: z.boolean().default(false).describe('--expect-pong: wait for each pong'),
  repeat: positiveInt.default(1).describe('--repeat N'),
  interval: z.coerce.number().nonnegative().default(1).describe('--interval S between commands'),
  timeout: z.coerce.number().positive().default(10).describe('--timeout S to wait for each pong'),
});

export const debugProducerFlags = {
  'queue-id': { type: 'string' },
  command: { type: 'string' },
  'expect-pong': { type: 'boolean' },
  repeat: { type: 'string' },
  interval: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export type DebugProducerConfig = z.infer<typeof debugProducerConfigSchema>;
