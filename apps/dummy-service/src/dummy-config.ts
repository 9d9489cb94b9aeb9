import { z } from 'zod';
import { positiveInt } from '@streamforge/config';
import { topicName } from '@streamforge/config';
import { workerFlags, workerSettings } from '@streamforge/worker';

/** dummy-service settings: the worker environment plus the simulation flags of the testing appendix. */
export const dummyConfigSchema = z.object({
  ...workerSettings,
  TIME_RANGE: z.string().optional(),
  KAFKA_TOPIC: topicName.optional(),
  noop: z.boolean().default(false).describe('--noop: send started only, no consumer'),
  exitOnPing: z.boolean().default(false).describe('--exit-on-ping: answer the first ping, then finish'),
  exitAfter: positiveInt.optional().describe('--exit-after N: send finished and exit 0 after N seconds'),
  simulateLoading: z.boolean().default(false).describe('--simulate-loading: a loading event every interval'),
  loadingInterval: z.coerce.number().positive().default(10).describe('--loading-interval S'),
  failAfter: positiveInt.optional().describe('--fail-after N: send error and exit 1 after N seconds'),
  startDelay: z.coerce.number().nonnegative().default(0).describe('--start-delay S: wait S seconds before joining Kafka (commands sent meanwhile are missed)'),
});

export const dummyFlags = {
  ...workerFlags,
  noop: { type: 'boolean' },
  'exit-on-ping': { type: 'boolean' },
  'exit-after': { type: 'string' },
  'simulate-loading': { type: 'boolean' },
  'loading-interval': { type: 'string' },
  'fail-after': { type: 'string' },
  'start-delay': { type: 'string' },
} as const;

export type DummyConfig = z.infer<typeof dummyConfigSchema>;
