import { createLogger } from '@streamforge/logging';
import { createMetricsRegistry } from '@streamforge/metrics';
import { createQueueManagerMetrics, type QueueService } from '@streamforge/orchestrator';
import { createApiServer } from './api-server';
import type { CandleReader } from './candle-page';
import { WsHub } from './ws-hub';

/**
 * The OpenAPI document queue-manager serves at /openapi.json, rendered without Kafka or a store
 * (building the document never calls the routes), as the text committed in docs/openapi.json.
 */
export async function renderOpenApiDocument(version: string): Promise<string> {
  const logger = createLogger({ service: 'queue-manager', level: 'silent' });
  const registry = createMetricsRegistry();
  const hub = new WsHub({ heartbeatMs: 60_000, maxBufferedBytes: 1 }, { logger, metrics: createQueueManagerMetrics(registry) });
  const app = await createApiServer({
    service: {} as QueueService, hub, registry, logger, version, readinessChecks: {}, isStarted: () => true,
    // queue-manager always serves GET /candles: the document carries it.
    candles: { store: {} as CandleReader, isKnownCollection: async () => false },
  });
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    hub.close();
    await app.close();
  }
}
