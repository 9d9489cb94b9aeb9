import { z } from 'zod';
import { booleanSetting, commonSettings } from '@streamforge/config';
import { kafkaConnectionSettings, kafkaEnvSettings, type KafkaEnv, type KafkaRole } from '@streamforge/kafka';
import type { WorkerRuntimeConfig } from './worker-runtime';

/** Variables every worker Job receives from the launcher (and the shared ConfigMap/Secret). */
export const workerSettings = {
  ...commonSettings,
  ...kafkaEnvSettings,
  QUEUE_ID: z.string().min(1).describe('the workflow this run belongs to'),
  SYMBOL: z.string().default('').describe('e.g. BTCUSDT'),
  TYPE: z.string().default('').describe('e.g. api_candles_1m'),
  TELEMETRY_PRODUCER_ID: z.string().min(1).optional().describe('producer field of telemetry events; default <service>__<QUEUE_ID>'),
  debug: booleanSetting.default(false).describe('--debug: debug logging'),
};

export const workerFlags = { debug: { type: 'boolean' } } as const;

type WorkerEnv = Pick<z.infer<z.ZodObject<typeof workerSettings>>, 'QUEUE_ID' | 'SYMBOL' | 'TYPE' | 'TELEMETRY_PRODUCER_ID' | 'QUEUE_CONTROL_TOPIC' | 'QUEUE_EVENTS_TOPIC' | 'METRICS_PORT' | 'LOG_LEVEL' | 'debug'> &
  Partial<KafkaEnv> & Pick<KafkaEnv, 'KAFKA_BOOTSTRAP_SERVERS'>;

/** The runtime settings of a worker, from its parsed environment (Kafka credentials of its role). */
export function workerRuntimeConfig(service: string, config: WorkerEnv, role: KafkaRole = 'shared'): WorkerRuntimeConfig {
  return {
    service, queueId: config.QUEUE_ID, producerId: config.TELEMETRY_PRODUCER_ID, symbol: config.SYMBOL, type: config.TYPE,
    controlTopic: config.QUEUE_CONTROL_TOPIC, eventsTopic: config.QUEUE_EVENTS_TOPIC, metricsPort: config.METRICS_PORT,
    logLevel: config.LOG_LEVEL, debug: config.debug, kafka: kafkaConnectionSettings(config, role),
  };
}
