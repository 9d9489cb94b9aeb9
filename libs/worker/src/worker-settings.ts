import { z } from 'zod';
import { booleanSetting, commonSettings } from '@streamforge/config';
import { kafkaEnvSettings } from '@streamforge/kafka';

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
