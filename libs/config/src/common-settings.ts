import { z } from 'zod';

/** A TCP port; 0 lets the OS pick a free one (tests run many services side by side). */
export const portSetting = z.coerce.number().int().min(0).max(65535);

/** "true"/"1"/"yes" or a boolean flag. */
export const booleanSetting = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))]);

export const positiveInt = z.coerce.number().int().positive();

/** Topic names as Kafka accepts them (legal characters, at most 249). */
export const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name ([a-zA-Z0-9._-], at most 249 characters)');

/** Settings every StreamForge service shares. */
export const commonSettings = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('pino log level'),
  METRICS_PORT: portSetting.default(8000).describe('port of /metrics and /health/*'),
  QUEUE_CONTROL_TOPIC: topicName.default('queue-control').describe('commands from queue-manager'),
  QUEUE_EVENTS_TOPIC: topicName.default('queue-events').describe('telemetry to queue-manager'),
};
