import { z } from 'zod';
import { queueStateSchema } from './queue-state';
import { telemetryEventSchema } from './telemetry-event';

/** What `/ws/topic` pushes: every telemetry event, and every queue-state change. */
export const wsMessageSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('event'), data: telemetryEventSchema }),
    z.object({ type: z.literal('queue'), data: queueStateSchema }),
  ])
  .describe('A message on the queue-manager WebSocket /ws/topic');
export type WsMessage = z.infer<typeof wsMessageSchema>;
