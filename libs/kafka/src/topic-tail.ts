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
      const startOffsets = new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]));
      /** Next offset to deliver per partition: never anything before `since`, never twice. */
      const next = new Map(startOffsets);
      const tail = deps.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
      consumer = tail;
      // Position every partition where this tail must continue. Done right after run() (applied
      // before the first fetch) and again after every (re)join: a consumer that kafkajs restarted
      // (e.g. while the group coordinator was loading) would otherwise resume at "latest".
      const seekAll = () => {
        for (const [partition, offset] of next) tail.seek({ topic: config.topic, partition, offset: offset.toString() });
      };
      tail.on(tail.events.GROUP_JOIN, () => {
        try {
          seekAll();
        } catch (error) {
          deps.logger.warn({ err: error, groupId }, 'could not position the tail after a join');
        }
      });
      await tail.connect();
      await tail.subscribe({ topic: config.topic, fromBeginning: false });
      await tail.run({
        eachMessage: async ({ message, partition }) => {
          const offset = BigInt(message.offset);
          if (offset < (next.get(partition) ?? 0n)) return;
          next.set(partition, offset + 1n);
          await onMessage(message, partition);
        },
      });
      try {
        seekAll();
      } catch {
        // "Consumer group was not initialized": kafkajs is restarting the consumer; the GROUP_JOIN hook positions it.
      }
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
