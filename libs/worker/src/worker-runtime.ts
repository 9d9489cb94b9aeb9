import type { Kafka, Producer } from 'kafkajs';
import type { ControlCommand, PingCommand, TelemetryEvent } from '@streamforge/schemas';
import { createLogger, type Logger } from '@streamforge/logging';
import { createMetricsRegistry, startMetricsServer, type MetricsServer, type Registry } from '@streamforge/metrics';
import {
  createControlListener, createIdempotentProducer, createKafkaClient, createTelemetryPublisher, describeKafkaError,
  KafkaConnectionError, type ControlListener, type KafkaConnectionSettings, type TelemetryPublisher,
} from '@streamforge/kafka';
import { awaitKafkaReady } from './kafka-readiness';

export interface WorkerRuntimeConfig {
  service: string;
  queueId: string;
  producerId?: string;
  symbol: string;
  type: string;
  controlTopic: string;
  eventsTopic: string;
  metricsPort: number;
  logLevel: string;
  debug: boolean;
  kafka: KafkaConnectionSettings;
}

/** What every worker has: logs, metrics, Kafka, telemetry, and the control commands of its queue. */
export interface WorkerRuntime {
  logger: Logger;
  registry: Registry;
  kafka: Kafka;
  producer: Producer;
  telemetry: TelemetryPublisher;
  metricsServer: MetricsServer;
  /** Listens for commands of this queue (a command addressed to another `target` is ignored); pings are answered with a pong here. */
  listen(handler: (command: Exclude<ControlCommand, PingCommand>) => void | Promise<void>, hooks?: { onPing?: () => void; onPong?: (event: TelemetryEvent) => void; onMalformed?: () => void }): Promise<void>;
  /** Stops listening, disconnects Kafka and the metrics server; safe to call twice. */
  close(): Promise<void>;
}

/** Connects a worker's shared components, failing fast with one clear error when Kafka refuses. */
export async function startWorkerRuntime(config: WorkerRuntimeConfig, deps: { registry?: Registry; isReady?: () => boolean } = {}): Promise<WorkerRuntime> {
  // Commands sent from this moment on are for this run, even if they arrive while the group joins.
  const startedAt = Date.now();
  const logger = createLogger({ service: config.service, level: config.logLevel, debug: config.debug }).child({ queue_id: config.queueId });
  const registry = deps.registry ?? createMetricsRegistry();
  const metricsServer = await startMetricsServer({ port: config.metricsPort }, { registry, isReady: deps.isReady });
  logger.info({ port: metricsServer.port }, 'metrics server listening');
  const producerId = config.producerId ?? `${config.service}__${config.queueId}`;
  const kafka = createKafkaClient(config.kafka, { clientId: producerId, logger });
  const producer = createIdempotentProducer(kafka);
  try {
    // A worker may be the first client of a new broker: its queue topics and group coordinator first.
    await awaitKafkaReady(
      { kafka: config.kafka, topics: [config.controlTopic, config.eventsTopic], groupId: `${config.service}-control-${config.queueId}`, clientId: producerId },
      { logger },
    );
    await producer.connect();
  } catch (error) {
    await metricsServer.close();
    throw new KafkaConnectionError(config.kafka.brokers, error);
  }
  const telemetry = createTelemetryPublisher(
    { topic: config.eventsTopic, queueId: config.queueId, producerId, symbol: config.symbol, type: config.type },
    { producer, logger },
  );
  let listener: ControlListener | undefined;
  let closing: Promise<void> | undefined;

  return {
    logger, registry, kafka, producer, telemetry, metricsServer,
    async listen(handler, hooks = {}) {
      listener = createControlListener(
        { topic: config.controlTopic, queueId: config.queueId, service: config.service, since: startedAt },
        { kafka, logger, onMalformed: hooks.onMalformed },
      );
      await listener.start(async (command) => {
        if (command.command !== 'ping') {
          // A live queue stops its loaders before its sink: a stop naming another target is not for us.
          if (command.command === 'stop' && command.target !== undefined && command.target !== config.service) return;
          return handler(command);
        }
        hooks.onPing?.();
        const pong = await telemetry.send('pong', { message: 'pong', ping_ts: command.sent_at, ponged_at: Date.now() / 1000 });
        hooks.onPong?.(pong);
      });
    },
    close() {
      closing ??= (async () => {
        await listener?.close();
        await producer.disconnect().catch((error) => logger.warn({ err: describeKafkaError(error) }, 'producer disconnect failed'));
        await metricsServer.close();
      })();
      return closing;
    },
  };
}
