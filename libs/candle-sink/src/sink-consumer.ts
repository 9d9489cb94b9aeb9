import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { describeKafkaError } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { SinkEnding } from './sink-ending';

/** Rough size of one candle record in a fetch response; turns BATCH_SIZE into the fetch's minBytes. */
const CANDLE_RECORD_BYTES = 300;

export interface SinkConsumerConfig {
  topic: string;
  groupId: string;
  batchSize: number;
  lingerMs: number;
  maxBytesPerPartition: number;
  sessionTimeoutMs: number;
}

/** Waits (until a stop) for the loader to create the data topic. */
export async function waitForTopic(kafka: Kafka, topic: string, deps: { ending: SinkEnding; log: Logger }): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 0; !deps.ending.kind; attempt += 1) {
      if ((await admin.listTopics()).includes(topic)) return;
      if (attempt === 0) deps.log.info('waiting for the data topic to be created');
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 500)), deps.ending.stopped]);
    }
  } finally {
    await admin.disconnect();
  }
}

/** The sink's consumer: fetches sized by BATCH_SIZE and LINGER_MS; a crash kafkajs will not restart ends the run. */
export function createSinkConsumer(
  config: SinkConsumerConfig,
  deps: { kafka: Kafka; partitions: number; ending: SinkEnding; log: Logger; onJoined: () => void },
): Consumer {
  const { log } = deps;
  const consumer = deps.kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(config.sessionTimeoutMs / 5)),
    maxBytesPerPartition: config.maxBytesPerPartition,
    maxBytes: Math.max(config.maxBytesPerPartition * deps.partitions, 10 * 1024 * 1024),
    minBytes: Math.min(config.batchSize * CANDLE_RECORD_BYTES, config.maxBytesPerPartition),
    maxWaitTimeInMs: config.lingerMs,
    allowAutoTopicCreation: false,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    deps.onJoined();
    log.info({ groupId: payload.groupId, partitions: payload.memberAssignment[config.topic] }, 'joined the consumer group');
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    log.error({ err: describeKafkaError(payload.error), restart: payload.restart }, 'consumer crashed');
    if (!payload.restart) deps.ending.end({ kind: 'failure', error: payload.error });
  });
  return consumer;
}

/** Joins the group and consumes with `eachBatch`; offsets are resolved and committed by the sink alone. */
export async function consume(consumer: Consumer, topic: string, eachBatch: (payload: EachBatchPayload) => Promise<void>): Promise<void> {
  await consumer.connect();
  // A new group starts from the earliest offset: candles published before the sink started are stored.
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch, eachBatchAutoResolve: false, autoCommit: false, partitionsConsumedConcurrently: 1 });
}
