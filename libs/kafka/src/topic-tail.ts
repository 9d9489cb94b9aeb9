import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import { ensureTopics } from './topics';

export interface TopicTailConfig {
  topic: string;
  /** Prefix of the throw-away consumer group: `<groupPrefix>-<random>`. */
  groupPrefix: string;
  /** Only messages produced at or after this time (ms) are delivered; default: now. */
  since?: number;
}

export interface TopicTail {
  start(onMessage: (message: KafkaMessage, partition: number) => Promise<void> | void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads a topic from a point in time with a throw-away group, so nothing produced after `since`
 * is missed while the group is still joining, and nothing older is delivered.
 */
export function createTopicTail(config: TopicTailConfig, deps: { kafka: Kafka; logger: Logger }): TopicTail {
  const since = config.since ?? Date.now();
  const groupId = `${config.groupPrefix}-${randomBytes(4).toString('hex')}`;
  let consumer: Consumer | undefined;
  let closing: Promise<void> | undefined;

  return {
    async start(onMessage) {
      await ensureTopics(deps.kafka, [{ topic: config.topic }]);
      const admin = deps.kafka.admin();
      await admin.connect();
      let offsets: Array<{ partition: number; offset: string }>;
      try {
        offsets = await admin.fetchTopicOffsetsByTimestamp(config.topic, since);
      } finally {
        await admin.disconnect();
      }
      consumer = deps.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: config.topic, fromBeginning: false });
      await consumer.run({ eachMessage: ({ message, partition }) => Promise.resolve(onMessage(message, partition)) });
      // Seeking right after run() is applied before the first fetch, so the group never reads from
      // "latest at join time" (which would miss what was produced while it was joining).
      for (const { partition, offset } of offsets) consumer.seek({ topic: config.topic, partition, offset });
      deps.logger.debug({ groupId, topic: config.topic }, 'tailing topic');
    },
    close() {
      closing ??= (async () => {
        if (!consumer) return;
        await consumer.disconnect().catch((error) => deps.logger.warn({ err: error }, 'tail consumer disconnect failed'));
        // The group only ever served this run; removing it keeps the broker's group list readable.
        const admin = deps.kafka.admin();
        await admin.connect().then(() => admin.deleteGroups([groupId])).catch(() => undefined).finally(() => admin.disconnect());
      })();
      return closing;
    },
  };
}
