import type { AddressInfo } from 'node:net';
import { CONFIG_EXIT_CODE, loadConfigOrExit } from '@streamforge/config';
import { createIdempotentProducer, createKafkaClient, describeKafkaError, kafkaConnectionSettings, KafkaConnectionError } from '@streamforge/kafka';
import { createLocalLauncher, type WorkerLauncher } from '@streamforge/launchers';
import { createKubernetesLauncher } from '@streamforge/launchers/kubernetes';
import { createLogger } from '@streamforge/logging';
import { createMetricsRegistry } from '@streamforge/metrics';
import {
  countQueueEnds, createCommandPublisher, createQueueManagerMetrics, createTelemetryFollower, FlowFileError, loadFlowCatalog, QueueRetention, QueueService, QueueStateRepository,
} from '@streamforge/orchestrator';
import { ApiTokenFileError, createApiServer, createAuthenticator, WsHub, type Authenticator } from '@streamforge/queue-api';
import { createDocumentStore } from '@streamforge/storage';
import { awaitKafkaReady, onShutdownSignal } from '@streamforge/worker';
// The app's own version is its image tag (tools/ci/app-version.sh); esbuild inlines it.
import { version } from '../package.json';
import { authConfigOf } from './auth-settings';
import { imageOverrides, queueManagerConfigSchema } from './queue-manager-config';

async function main(): Promise<void> {
  const config = loadConfigOrExit(queueManagerConfigSchema, { flags: { debug: { type: 'boolean' } } });
  const logger = createLogger({ service: 'queue-manager', level: config.LOG_LEVEL, debug: config.debug });
  let flows;
  try {
    flows = loadFlowCatalog(config.FLOWS_FILE);
  } catch (error) {
    if (!(error instanceof FlowFileError)) throw error;
    process.stderr.write(`configuration error: FLOWS_FILE: ${error.message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const authConfig = authConfigOf(config);
  let auth: Authenticator | undefined;
  try {
    auth = authConfig && createAuthenticator(authConfig);
  } catch (error) {
    if (!(error instanceof ApiTokenFileError)) throw error;
    process.stderr.write(`configuration error: API_TOKENS_FILE: ${error.message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }

  const store = createDocumentStore(config, { logger: logger.child({ component: 'store' }) });
  const registry = createMetricsRegistry();
  const repository = new QueueStateRepository(store, logger);
  await repository.init();
  const metrics = createQueueManagerMetrics(registry, { liveQueues: () => repository.listLive() });
  countQueueEnds(repository, metrics);

  const kafkaSettings = kafkaConnectionSettings(config);
  const kafka = createKafkaClient(kafkaSettings, { clientId: 'queue-manager', logger });
  const producer = createIdempotentProducer(kafka);
  const admin = kafka.admin();
  try {
    // queue-manager may be the first client of a new broker: queue topics, the telemetry group's
    // coordinator and producer ids first (one quiet wait, as the workers do), then its own clients.
    await awaitKafkaReady(
      { kafka: kafkaSettings, topics: [config.QUEUE_CONTROL_TOPIC, config.QUEUE_EVENTS_TOPIC], groupId: config.QM_CONSUMER_GROUP, clientId: 'queue-manager' },
      { logger },
    );
    await producer.connect();
    await admin.connect();
  } catch (error) {
    throw new KafkaConnectionError(kafkaSettings.brokers, error);
  }

  const launcher: WorkerLauncher =
    config.LAUNCHER === 'kubernetes'
      ? createKubernetesLauncher(
          {
            namespace: config.K8S_NAMESPACE, workerConfigMap: config.K8S_WORKER_CONFIGMAP, workerSecrets: { loader: config.K8S_LOADER_SECRET, sink: config.K8S_SINK_SECRET, 'dummy-service': config.K8S_DUMMY_SERVICE_SECRET },
            kafkaCaSecret: config.K8S_KAFKA_CA_SECRET, arangoCaSecret: config.K8S_ARANGO_CA_SECRET, nodeSelector: config.K8S_NODE_SELECTOR ?? {}, imageRegistry: config.IMAGE_REGISTRY,
            imageTag: config.IMAGE_TAG ?? `v${version}`, images: imageOverrides(config), backoffLimit: config.WORKER_BACKOFF_LIMIT,
            ttlSecondsAfterFinished: config.K8S_TTL_SECONDS_AFTER_FINISHED, activeDeadlineSeconds: config.K8S_ACTIVE_DEADLINE_SECONDS, jobPollMs: config.K8S_JOB_POLL_MS,
          },
          { logger, onExit: (info) => queues.handleWorkerExit(info) },
        )
      : createLocalLauncher(
          {
            bundleRoot: config.WORKER_BUNDLE_ROOT, backoffLimit: config.WORKER_BACKOFF_LIMIT, stopGraceMs: config.WORKER_STOP_GRACE_MS,
            // Workers share queue-manager's Kafka, store and Binance settings, as the ConfigMap gives them in a cluster.
            baseEnv: { ...process.env, QUEUE_CONTROL_TOPIC: config.QUEUE_CONTROL_TOPIC, QUEUE_EVENTS_TOPIC: config.QUEUE_EVENTS_TOPIC, PORT: undefined },
          },
          { logger, onExit: (info) => queues.handleWorkerExit(info) },
        );

  const queues: QueueService = new QueueService(
    { dataTopicPartitions: config.DATA_TOPIC_PARTITIONS, stopRepeatMs: config.STOP_REPEAT_MS, stopGraceMs: config.STOP_GRACE_MS, exitEventGraceMs: config.EXIT_EVENT_GRACE_MS,
      maxRunningQueues: config.MAX_RUNNING_QUEUES, maxConcurrentStarts: config.MAX_CONCURRENT_STARTS, maxRunningWorkers: config.MAX_RUNNING_WORKERS, startKafkaTimeoutMs: config.START_KAFKA_TIMEOUT_MS, maxRangeCandles: config.MAX_RANGE_CANDLES },
    { kafka, commands: createCommandPublisher({ topic: config.QUEUE_CONTROL_TOPIC }, { producer, metrics }), launcher, repository, flows, logger, metrics },
  );
  const hub = new WsHub({ heartbeatMs: config.WS_HEARTBEAT_MS, maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES }, { logger, metrics });
  repository.onChange((state) => hub.broadcast({ type: 'queue', data: state }));
  const follower = createTelemetryFollower({ topic: config.QUEUE_EVENTS_TOPIC, groupId: config.QM_CONSUMER_GROUP }, { kafka, logger, metrics });
  await follower.start(async (event) => {
    hub.broadcast({ type: 'event', data: event });
    await queues.handleEvent(event);
  });
  await queues.resume();
  const retention = new QueueRetention(
    { retentionMs: config.QUEUE_RETENTION_DAYS * 86_400_000, sweepIntervalMs: config.RETENTION_SWEEP_MS, deleteDlqWithLetters: config.RETENTION_DELETE_DLQ_WITH_LETTERS },
    { kafka, repository, launcher, logger, metrics },
  );
  retention.start();

  let started = false;
  const app = await createApiServer({
    service: queues, hub, registry, logger, version, isStarted: () => started,
    // GET /candles reads the store the sink writes to (same STORE settings); / serves the dashboard.
    // Known = written by a queue, live or ended (ended queues are read from the store, not memory).
    candles: { store, isKnownCollection: (name) => repository.hasCollection(name) },
    dashboardDir: config.DASHBOARD_DIR, auth, maxWsConnections: config.WS_MAX_CONNECTIONS,
    dashboardBanner: config.DATA_SOURCE === 'simulator' ? 'SIMULATOR: simulated candles, not market data' : undefined,
    readinessChecks: {
      kafka: async () => void (await admin.describeCluster()),
      store: () => store.ping(),
    },
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  started = true;
  const port = (app.server.address() as AddressInfo).port;
  if (!auth) logger.warn({ host: config.HOST }, 'authentication is off: anyone who can reach this loopback address may start and stop queues');
  logger.info({ port, auth: auth?.methods ?? 'off', launcher: launcher.kind, store: `${store.kind} ${store.location}`, docs: `http://127.0.0.1:${port}/docs` }, 'queue-manager listening');

  onShutdownSignal((signal) => {
    logger.info({ signal }, 'shutting down');
    void (async () => {
      // Reverse order of start: stop taking requests, then workers (local), then Kafka, then the store.
      await app.close();
      hub.close();
      await retention.close();
      queues.close();
      await launcher.close();
      await follower.close();
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await store.close();
      logger.info('queue-manager stopped');
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  });
}

main().catch((error) => {
  process.stderr.write(`queue-manager failed: ${describeKafkaError(error)}\n`);
  process.exit(1);
});
