import { z } from 'zod';
import { workerRuntimeConfig, workerSettings } from './worker-settings';

describe('workerRuntimeConfig', () => {
  const config = z.object(workerSettings).parse({
    QUEUE_ID: 'wf-q1', SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', KAFKA_BOOTSTRAP_SERVERS: 'k:9092',
    KAFKA_USER: 'shared', KAFKA_PASSWORD: 'sp', KAFKA_USER_CONSUMER: 'cons', KAFKA_PASSWORD_CONSUMER: 'cp',
  });

  it('maps the worker environment, with the credentials of its role', () => {
    expect(workerRuntimeConfig('arango-candles', config, 'consumer')).toEqual({
      service: 'arango-candles', queueId: 'wf-q1', producerId: undefined, symbol: 'BTCUSDT', type: 'api_candles_1m',
      controlTopic: 'queue-control', eventsTopic: 'queue-events', metricsPort: 8000, logLevel: 'info', debug: false,
      kafka: { brokers: ['k:9092'], sasl: { username: 'cons', password: 'cp', caPath: undefined, caPem: undefined } },
    });
    expect(workerRuntimeConfig('dummy-service', config).kafka.sasl?.username).toBe('shared');
  });
});
