import type { z } from 'zod';
import { candleSchema } from './candle';
import { controlCommandSchema } from './control-command';
import { errorEnvelopeSchema, startFlowRequestSchema, startQueueRequestSchema, startQueueResultSchema, stopQueueRequestSchema } from './queue-api';
import { queueStateSchema } from './queue-state';
import { telemetryEventSchema } from './telemetry-event';
import { wsMessageSchema } from './ws-message';

/** Every message that crosses Kafka or HTTP, by the file name its JSON Schema is written to. */
export const messageCatalog: Record<string, z.ZodType> = {
  'control-command': controlCommandSchema,
  'telemetry-event': telemetryEventSchema,
  candle: candleSchema,
  'start-queue-request': startQueueRequestSchema,
  'start-flow-request': startFlowRequestSchema,
  'stop-queue-request': stopQueueRequestSchema,
  'start-queue-result': startQueueResultSchema,
  'queue-state': queueStateSchema,
  'error-envelope': errorEnvelopeSchema,
  'ws-message': wsMessageSchema,
};
