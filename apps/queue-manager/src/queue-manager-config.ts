import { join } from 'node:path';
import { z } from 'zod';
import { booleanSetting, commonSettings, portSetting, positiveInt } from '@streamforge/config';
import { kafkaEnvSettings } from '@streamforge/kafka';
import { refineStoreSettings, storeSettings } from '@streamforge/storage';
import { authSettings, refineAuthSettings } from './auth-settings';

const nodeSelector = z
  .string()
  .regex(/^([A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)(,[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)*$/, 'k=v pairs separated by commas (e.g. streamforge-worker=true)')
  .transform((text) => Object.fromEntries(text.split(',').map((pair) => pair.split('=') as [string, string])));

/** queue-manager settings: one zod schema, read once from the environment. */
export const queueManagerConfigSchema = z
  .object({
    ...kafkaEnvSettings,
    LOG_LEVEL: commonSettings.LOG_LEVEL,
    QUEUE_CONTROL_TOPIC: commonSettings.QUEUE_CONTROL_TOPIC,
    QUEUE_EVENTS_TOPIC: commonSettings.QUEUE_EVENTS_TOPIC,
    PORT: portSetting.default(8000).describe('HTTP port of the API, /ws/topic, /metrics and /health/*'),
    HOST: z.string().default('127.0.0.1').describe('address to listen on; anything but loopback needs authentication (the Deployment sets 0.0.0.0)'),
    ...authSettings,
    ...storeSettings,
    LAUNCHER: z.enum(['kubernetes', 'local'], { error: 'kubernetes or local' }).default('local').describe('how workers run: Kubernetes Jobs or local child processes'),
    QM_CONSUMER_GROUP: z.string().min(1).default('queue-manager').describe('consumer group on queue-events; keep it stable so a restart resumes'),
    FLOWS_FILE: z.string().default(join(__dirname, 'flows.yaml')).describe('flows for /queues/start-test-flow'),
    DASHBOARD_DIR: z.string().default(join(__dirname, 'dashboard')).describe('the built dashboard served at / (libs/dashboard-ui)'),
    DATA_SOURCE: z.enum(['market', 'simulator']).default('market').describe('`simulator` (set by npm start -- --sim): the dashboard says so in a banner'),
    DATA_TOPIC_PARTITIONS: positiveInt.default(1).describe('partitions of each new data topic'),
    MAX_RANGE_CANDLES: positiveInt.default(5_000_000).describe('most candles one candle target of a queue may load (range / interval); a longer range is a 400'),
    STOP_REPEAT_MS: positiveInt.default(2_000).describe('a stop is published again this often until every worker reported'),
    STOP_GRACE_MS: positiveInt.default(30_000).describe('then the launcher ends what still runs'),
    EXIT_EVENT_GRACE_MS: positiveInt.default(5_000).describe('wait for a dead worker’s last events before recording it as failed'),
    MAX_RUNNING_QUEUES: positiveInt.default(20).describe('admission: queues running or starting at once; a start beyond it gets 429'),
    MAX_CONCURRENT_STARTS: positiveInt.default(4).describe('admission: starts in progress at once; a start beyond it gets 429'),
    MAX_RUNNING_WORKERS: positiveInt.default(60).describe('admission: worker Jobs (every sink replica and loader split counts) of running queues and starts in progress; a start beyond it gets 429'),
    START_KAFKA_TIMEOUT_MS: positiveInt.default(5_000).describe('a start whose Kafka steps (topics, start commands) take longer fails with 503'),
    QUEUE_RETENTION_DAYS: z.coerce.number().positive().default(7).describe('an ended queue older than this loses its data and DLQ topics and its queue_state document'),
    RETENTION_SWEEP_MS: positiveInt.default(3_600_000).describe('how often ended queues are checked against QUEUE_RETENTION_DAYS'),
    RETENTION_DELETE_DLQ_WITH_LETTERS: booleanSetting.default(false).describe('also delete a dead-letter topic that still holds letters (default: keep it and its queue until empty)'),
    WS_HEARTBEAT_MS: positiveInt.default(15_000).describe('WebSocket ping interval'),
    WS_MAX_CONNECTIONS: positiveInt.default(200).describe('open /ws/topic connections at most; another handshake gets a 503'),
    WS_MAX_BUFFERED_BYTES: positiveInt.default(1_048_576).describe('a WebSocket client with more queued is dropped'),
    WORKER_BACKOFF_LIMIT: z.coerce.number().int().min(0).default(2).describe('restarts of a failed worker (Job backoffLimit)'),
    WORKER_BUNDLE_ROOT: z.string().default(join(__dirname, '..', '..')).describe('local launcher: the dist folder holding apps/<target>/main.js'),
    WORKER_STOP_GRACE_MS: positiveInt.default(10_000).describe('local launcher: SIGTERM, then SIGKILL after this'),
    K8S_NAMESPACE: z.string().default('stf'),
    K8S_WORKER_CONFIGMAP: z.string().default('streamforge-worker-config').describe('ConfigMap every worker gets with envFrom'),
    // One Secret per role (its own KafkaUser; ArangoDB credentials only for the sink, Binance keys only for the loader).
    K8S_LOADER_SECRET: z.string().min(1).default('streamforge-loader').describe('Secret the loaders get with envFrom'),
    K8S_SINK_SECRET: z.string().min(1).default('streamforge-sink').describe('Secret the sink (arango-candles) gets with envFrom'),
    K8S_DUMMY_SERVICE_SECRET: z.string().min(1).default('streamforge-dummy-service').describe('Secret dummy-service gets with envFrom'),
    K8S_KAFKA_CA_SECRET: z.string().optional().describe('Secret holding the Kafka cluster CA, mounted at /etc/streamforge/kafka-ca'),
    K8S_ARANGO_CA_SECRET: z.string().optional().describe('Secret (key ca.crt) with the CA of an https ArangoDB, mounted into the sink at /etc/streamforge/arango-ca (ARANGO_CA_PATH set)'),
    K8S_NODE_SELECTOR: nodeSelector.optional().describe('k=v,k=v node selector of worker pods'),
    K8S_TTL_SECONDS_AFTER_FINISHED: z.coerce.number().int().min(0).default(3600),
    // A safety net for a hung worker, not a timeout of normal work: a year of 1s candles or a sink
    // catching up on a large backlog legitimately runs for days, so 7 days.
    K8S_ACTIVE_DEADLINE_SECONDS: positiveInt.default(7 * 24 * 3600).describe('wall-clock limit of a worker Job (activeDeadlineSeconds); Kubernetes then fails it'),
    K8S_JOB_POLL_MS: positiveInt.default(10_000).describe('how often the Jobs are listed to find workers that ended without a final event'),
    IMAGE_REGISTRY: z.string().default('registry.dmz.home').describe('workers run <IMAGE_REGISTRY>/streamforge/<target>:<IMAGE_TAG>'),
    IMAGE_TAG: z.string().optional().describe('default: v<queue-manager version>, so workers match the orchestrator'),
    IMAGE_LOADER_API_CANDLES: z.string().optional().describe('full image of loader-api-candles (overrides registry/tag)'),
    IMAGE_LOADER_WS_CANDLES: z.string().optional(),
    IMAGE_ARANGO_CANDLES: z.string().optional(),
    IMAGE_DUMMY_SERVICE: z.string().optional(),
    debug: booleanSetting.default(false),
  })
  .superRefine((config, ctx) => {
    refineStoreSettings(config, ctx);
    refineAuthSettings(config, ctx);
  });

export type QueueManagerConfig = z.infer<typeof queueManagerConfigSchema>;

/** Per-target image overrides from IMAGE_<TARGET>. */
export function imageOverrides(config: QueueManagerConfig): Record<string, string> {
  const images: Record<string, string> = {};
  if (config.IMAGE_LOADER_API_CANDLES) images['loader-api-candles'] = config.IMAGE_LOADER_API_CANDLES;
  if (config.IMAGE_LOADER_WS_CANDLES) images['loader-ws-candles'] = config.IMAGE_LOADER_WS_CANDLES;
  if (config.IMAGE_ARANGO_CANDLES) images['arango-candles'] = config.IMAGE_ARANGO_CANDLES;
  if (config.IMAGE_DUMMY_SERVICE) images['dummy-service'] = config.IMAGE_DUMMY_SERVICE;
  return images;
}
