import type { Kafka } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import type { SinkEnding } from './sink-ending';

/** How often the group's commits are compared with the topic's end while draining. */
const DRAIN_POLL_MS = 100;

/**
 * A live sink's stop: its loaders were stopped first (queue-manager stops a live queue's loaders
 * before its sink), so the topic's end offsets now hold everything they published. Waits until
 * the group's commits reach those ends — everything published is stored and committed — or a
 * failure, or `timeoutMs` (then says what was left; the next run stores it from the commits).
 */
export async function drainToEnd(
  kafka: Kafka,
  config: { groupId: string; topic: string; timeoutMs: number },
  deps: { ending: SinkEnding; log: Logger },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(config.topic)).map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
    const deadline = Date.now() + config.timeoutMs;
    let behind: Array<{ partition: number; committed: string; end: string }> = [];
    while (!deps.ending.kind) {
      const [committed] = await admin.fetchOffsets({ groupId: config.groupId, topics: [config.topic] });
      const offsets = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      behind = [...ends]
        .filter(([partition, end]) => end.high > end.low && (offsets.get(partition) ?? -1n) < end.high)
        .map(([partition, end]) => ({ partition, committed: String(offsets.get(partition) ?? -1n), end: String(end.high) }));
      if (behind.length === 0) {
        deps.log.info({ ends: [...ends].map(([partition, end]) => ({ partition, end: String(end.high) })) }, 'live stop: everything published is stored and committed');
        return;
      }
      if (Date.now() >= deadline) {
        deps.log.warn({ behind, timeoutMs: config.timeoutMs }, 'live stop: the topic was not stored up to its end in time; the next run stores the rest');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  } finally {
    await admin.disconnect();
  }
}
