import type { z } from 'zod';
import { candleSchema } from './candle';
import { controlCommandSchema } from './control-command';
import { telemetryEventSchema } from './telemetry-event';

/** Every message that crosses Kafka or HTTP, by the file name its JSON Schema is written to. */
export const messageCatalog: Record<string, z.ZodType> = {
  'control-command': controlCommandSchema,
  'telemetry-event': telemetryEventSchema,
  candle: candleSchema,
};
