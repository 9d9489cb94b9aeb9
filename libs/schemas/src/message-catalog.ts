import type { z } from 'zod';
import { candlePageSchema, candlesQuerySchema } from './candles-api';
import { controlCommandSchema } from './control-command';
import { telemetryEventSchema } from './telemetry-event';

/** Every message that crosses Kafka or HTTP, by the file name its JSON Schema is written to. */
export const messageCatalog: Record<string, z.ZodType> = {
  'control-command': controlCommandSchema,
  'telemetry-event': telemetryEventSchema,
  'candles-query': candlesQuerySchema,
  'candle-page': candlePageSchema,
};
