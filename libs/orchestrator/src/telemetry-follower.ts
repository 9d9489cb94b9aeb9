import type { Consumer, Kafka } from 'kafkajs';
import { ensureTopics, parseMessage } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import { incomingTelemetryEventSchema, redactTelemetryEvent, type TelemetryEvent } from '@streamforge/schemas';
import type { QueueManagerMetrics } from './queue-manager-metrics';

export interface TelemetryFollowerConfig {
  topic: string;
  /** Stable across restarts: a restarted queue-manager resumes at its committed offset. */
  groupId: string;
}

export interface TelemetryFollower {
  /** Joins the group; `onEvent` runs for every valid event, in partition order, before its offset commits. */
  start(onEvent: (event: TelemetryEvent) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Follows `queue-events` with queue-manager's own consumer group. A new group starts from the
 * earliest offset (replaying is harmless: state updates are idempotent), so no event produced
 * while queue-manager was down is lost. Malformed messages are logged, counted and skipped.
 */
export function createTelemetryFollower(config: TelemetryFollowerConfig, deps: { kafka: Kafka; logger: Logger; metrics: QueueManagerMetrics }): TelemetryFollower {
  const log = deps.logger.child({ component: 'telemetry-follower' });
  let consumer: Consumer | undefined;
  let closing: Promise<void> | undefined;
  return {
    async start(onEvent) {
      await ensureTopics(deps.kafka, [{ topic: config.topic }]);
      consumer = deps.kafka.consumer({ groupId: config.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: config.topic, fromBeginning: true });
      await consumer.run({
        // A throw here (store down) makes kafkajs redeliver from this offset: nothing is skipped.
        eachMessage: async ({ message, partition }) => {
          const parsed = parseMessage(incomingTelemetryEventSchema, message.value);
          if (!parsed.ok) {
            deps.metrics.eventsInvalid.inc();
            log.warn({ reason: parsed.reason, partition, offset: message.offset }, 'skipping malformed telemetry event');
            return;
          }
          deps.metrics.eventsConsumed.inc({ status: parsed.value.status });
          // Other producers may not redact: queue state and /ws/topic never carry a store URL or path.
          await onEvent(redactTelemetryEvent(parsed.value));
        },
      });
      log.info({ groupId: config.groupId, topic: config.topic }, 'following telemetry');
    },
    close() {
      closing ??= (async () => {
        await consumer?.disconnect().catch((error: unknown) => log.warn({ err: error }, 'telemetry consumer disconnect failed'));
      })();
      return closing;
    },
  };
}
