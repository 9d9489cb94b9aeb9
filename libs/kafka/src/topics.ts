import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  configEntries?: Array<{ name: string; value: string }>;
}

/** Creates the topics that do not exist yet (existing ones are left as they are) and waits for leaders. */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions ?? 1, replicationFactor: -1, configEntries: t.configEntries })),
      });
    } catch (error) {
      // Another process may have created it between list and create: that is what we wanted.
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
    await waitForLeaders(admin, missing.map((t) => t.topic));
  } finally {
    await admin.disconnect();
  }
}

/** Errors a just-created topic answers with until its leader serves it. */
const NOT_READY_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);
const LEADER_WAIT_MS = 30_000;
const LEADER_SETTLE_MS = 50;

/**
 * Waits until the metadata names a leader for every partition, then until each leader answers for
 * it. kafkajs's own `waitForLeaders` retries LEADER_NOT_AVAILABLE only, but for a moment after the
 * controller created a topic a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION (metadata) or
 * NOT_LEADER_OR_FOLLOWER (offsets) too.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        // The broker announces a leader a few ms before that leader serves; probing at once would
        // mostly fail, and kafkajs logs every failed request as an error line.
        await sleep(LEADER_SETTLE_MS);
        // ListOffsets goes to each partition's leader: it succeeds once they all serve the topic.
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
    } catch (error) {
      if (!NOT_READY_YET.has((error as { type?: string }).type ?? '') || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${LEADER_WAIT_MS / 1000} s`);
    await sleep(100);
  }
}

/** Partition ids of a topic. */
export async function topicPartitions(kafka: Kafka, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0].partitions.map((p) => p.partitionId).sort((a, b) => a - b);
  } finally {
    await admin.disconnect();
  }
}
