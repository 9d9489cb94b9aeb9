import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { createIdempotentProducer, createKafkaClient, kafkaConnectionSettings } from '@streamforge/kafka';
import { createTestKafka, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createLocalLauncher, type WorkerExitListener, type WorkerLauncher } from '@streamforge/launchers';
import { createLogger } from '@streamforge/logging';
import { createMetricsRegistry } from '@streamforge/metrics';
import type { QueueState, TelemetryEvent, TelemetryStatus } from '@streamforge/schemas';
import { createCommandPublisher, type CommandPublisher } from '../command-publisher';
import { createQueueManagerMetrics } from '../queue-manager-metrics';
import { QueueService, type QueueServiceConfig } from '../queue-service';
import { QueueStateRepository } from '../queue-state-repository';
import { FlakyDocumentStore } from '../testing';

export const logger = createLogger({ service: 'test', level: 'silent' });

/**
 * Stand-in worker bundles for the local launcher: they run until SIGTERM (or exit with
 * FAKE_EXIT_CODE at once), so a test controls exactly when a worker ends.
 */
export function fakeBundleRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'fake-workers-'));
  for (const target of ['loader-api-candles', 'arango-candles', 'dummy-service']) {
    mkdirSync(join(root, 'apps', target), { recursive: true });
    writeFileSync(
      join(root, 'apps', target, 'main.js'),
      [
        "process.on('SIGTERM', () => process.exit(0));",
        'if (process.env.FAKE_EXIT_CODE) setTimeout(() => process.exit(Number(process.env.FAKE_EXIT_CODE)), 20);',
        'else setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
  }
  return root;
}

/** A command publisher whose next `n` sends throw, as a Kafka that is briefly unreachable does. */
export class FlakyCommands implements CommandPublisher {
  private failuresLeft = 0;
  constructor(private readonly inner: CommandPublisher) {}
  failNextSends(count: number): void {
    this.failuresLeft = count;
  }
  async send(commands: Parameters<CommandPublisher['send']>[0]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('Kafka unavailable (injected failure of a send)');
    }
    return this.inner.send(commands);
  }
}

export interface Harness {
  service: QueueService;
  repository: QueueStateRepository;
  store: FlakyDocumentStore;
  commands: FlakyCommands;
  launcher: WorkerLauncher;
  controlTopic: string;
  control: TopicRecorder;
  close(): Promise<void>;
}

export const baseConfig: QueueServiceConfig = {
  dataTopicPartitions: 1, stopRepeatMs: 300, stopGraceMs: 1_500, exitEventGraceMs: 100,
  maxRunningQueues: 20, maxConcurrentStarts: 4, startKafkaTimeoutMs: 5_000, exitRecordAttempts: 4,
};

const sharedKafka: { kafka?: Kafka; producer?: Producer } = {};

/** The test broker's client and one connected producer, shared by the suites' harnesses. */
export async function testKafka(): Promise<{ kafka: Kafka; producer: Producer }> {
  sharedKafka.kafka ??= createTestKafka('lifecycle-test');
  if (!sharedKafka.producer) {
    sharedKafka.producer = createIdempotentProducer(sharedKafka.kafka);
    await sharedKafka.producer.connect();
  }
  return { kafka: sharedKafka.kafka, producer: sharedKafka.producer };
}

export async function closeTestKafka(): Promise<void> {
  await sharedKafka.producer?.disconnect();
  sharedKafka.producer = undefined;
}

/** A kafkajs client whose broker address accepts no connection (a port just released). */
export async function deadKafka(): Promise<Kafka> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  return createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` }), { clientId: 'dead-kafka-test', logger });
}

/** QueueService on the real test broker, an in-memory store that can fail, and a launcher (local fake workers by default). */
export async function createHarness(
  options: { config?: Partial<QueueServiceConfig>; workerEnv?: Record<string, string>; kafka?: Kafka; launcher?: (onExit: WorkerExitListener) => WorkerLauncher } = {},
): Promise<Harness> {
  const { kafka: brokerKafka, producer } = await testKafka();
  const controlTopic = uniqueName('control');
  const control = await new TopicRecorder(brokerKafka, controlTopic).start();
  const metrics = createQueueManagerMetrics(createMetricsRegistry());
  const store = new FlakyDocumentStore();
  const repository = new QueueStateRepository(store, logger);
  await repository.init();
  const commands = new FlakyCommands(createCommandPublisher({ topic: controlTopic }, { producer, metrics }));
  const onExit: WorkerExitListener = (info) => service.handleWorkerExit(info);
  const launcher =
    options.launcher?.(onExit) ??
    createLocalLauncher({ bundleRoot: fakeBundleRoot(), backoffLimit: 0, stopGraceMs: 2_000, baseEnv: { PATH: process.env.PATH, ...options.workerEnv } }, { logger, output: () => undefined, onExit });
  const service: QueueService = new QueueService({ ...baseConfig, ...options.config }, {
    kafka: options.kafka ?? brokerKafka, commands, launcher, repository, logger, metrics,
    flows: {},
  });
  return {
    service, repository, store, commands, launcher, controlTopic, control,
    async close() {
      service.close();
      await launcher.close();
      await control.close();
    },
  };
}

/** A telemetry event of one target, as a worker sends it. */
export function eventOf(state: QueueState, targetIndex: number, status: TelemetryStatus, extra: Partial<TelemetryEvent> = {}): TelemetryEvent {
  const target = state.targets[targetIndex];
  return {
    queue_id: state.queue_id, producer: target.telemetry_id, symbol: state.symbol, type: target.type, status, event: status,
    message: status, records_written: 0, finished: status === 'finished', timestamp: Date.now() / 1000, ...extra,
  };
}

/** Polls `read` until `check` accepts its value; fails naming what was awaited and the last value. */
export async function eventually<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value).slice(0, 1500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const loadRequest = (symbol = 'BTCUSDT') => ({ symbol, type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' });
