import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@streamforge/logging';
import { createIdempotentProducer, createKafkaClient, ensureTopics, type KafkaConnectionSettings } from '@streamforge/kafka';

export interface KafkaReadinessConfig {
  kafka: KafkaConnectionSettings;
  /** The queue topics this process talks on (queue-control, queue-events): created when missing. */
  topics: string[];
  /** A consumer group this process will use: its coordinator must serve before the first join. */
  groupId: string;
  clientId: string;
  /** Bound on the wait for the coordinator and producer ids; default 60 s. */
  readyTimeoutMs?: number;
}

const READY_TIMEOUT_MS = 60_000;
/** A loaded coordinator answers within milliseconds; only a slower answer is worth a log line. */
const ANNOUNCE_AFTER_MS = 1_000;

/**
 * Makes a broker usable for a worker before its own clients touch it: the queue topics exist and
 * serve, the group coordinator has loaded, and the broker hands out producer ids. A new broker
 * creates `__consumer_offsets` on the first group request and fetches its first block of producer
 * ids from the controller on the first idempotent producer; until then it answers "coordinator
 * loading", which kafkajs logs as an error line per attempt. The probes run on a client whose kafkajs
 * logs are silenced, so the wait shows as one info line; a real failure is still the thrown error.
 */
export async function awaitKafkaReady(config: KafkaReadinessConfig, deps: { logger: Logger }): Promise<void> {
  const quiet = createKafkaClient(config.kafka, { clientId: `${config.clientId}-readiness`, logger: deps.logger.child({ component: 'kafka-readiness' }, { level: 'silent' }) });
  await ensureTopics(quiet, config.topics.map((topic) => ({ topic })));
  const timeoutMs = config.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const startedAt = Date.now();
  let announced = false;
  const announce = () => {
    if (announced) return;
    announced = true;
    deps.logger.info({ group: config.groupId, timeout_s: timeoutMs / 1000 }, 'waiting for the Kafka group coordinator to load (a new broker creates its offsets topic first)');
  };
  const slow = setTimeout(announce, ANNOUNCE_AFTER_MS);
  const admin = quiet.admin();
  const producer = createIdempotentProducer(quiet);
  try {
    await admin.connect();
    const retryUntilDeadline = async (what: string, probe: () => Promise<unknown>) => {
      for (;;) {
        try {
          return await probe();
        } catch (error) {
          if (!isRetriable(error)) throw error;
          if (Date.now() - startedAt > timeoutMs) throw new Error(`${what} not ready within ${timeoutMs / 1000} s: ${(error as Error).message}`, { cause: error });
          announce();
          await sleep(250);
        }
      }
    };
    await retryUntilDeadline(`the Kafka group coordinator for ${config.groupId}`, () => admin.describeGroups([config.groupId]));
    await retryUntilDeadline('Kafka producer ids (InitProducerId)', () => producer.connect());
  } finally {
    clearTimeout(slow);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect();
  }
}
/** kafkajs marks coordinator-loading answers retriable, and wraps them once its own retries run out. */
function isRetriable(error: unknown): boolean {
  const e = error as { retriable?: boolean; name?: string; originalError?: unknown };
  if (e.retriable) return true;
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSGroupCoordinatorNotFound') return true;
  return e.originalError !== undefined && isRetriable(e.originalError);
}
