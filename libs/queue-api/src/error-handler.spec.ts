import Fastify from 'fastify';
import { createLogger } from '@streamforge/logging';
import { DependencyUnavailableError } from '@streamforge/orchestrator';
import { createErrorHandler } from './error-handler';

describe('error handler', () => {
  it('a 503 says what was and was not done, with the request id, never the dependency details', async () => {
    const app = Fastify();
    app.setErrorHandler(createErrorHandler(createLogger({ service: 'test', level: 'silent' })));
    app.get('/start', async () => {
      throw new DependencyUnavailableError('Kafka failed: KafkaJSConnectionError: Connection error: connect ECONNREFUSED 10.0.0.7:9093; nothing was started', undefined, 'Kafka is unavailable; nothing was started');
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/start' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'error', message: 'Kafka is unavailable; nothing was started (request req-1)', data: null });
    } finally {
      await app.close();
    }
  });
});
