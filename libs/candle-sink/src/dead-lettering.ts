import type { Producer } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import { createDeadLetterQueue, type DeadLetter } from './dead-letter-queue';
import type { SinkMetrics } from './sink-metrics';

/** Dead letters logged one by one per batch; the rest are summed up in one line. */
const LOGGED_DEAD_LETTERS = 5;

export interface DeadLettering {
  /** Bad messages dead-lettered, each once, earlier runs of the group included (the events' `error_count`). */
  readonly count: number;
  /** Starts from the counts an earlier run committed (see SinkGroupState). */
  restore(committed: ReadonlyMap<number, number>): void;
  /** Sends the bad messages to the dead-letter topic, then counts and logs them. */
  send(letters: readonly DeadLetter[]): Promise<void>;
  /** Dead letters of the partition below `offset`: what a commit at `offset` records. */
  countBelow(partition: number, offset: bigint): number;
  /** The partition's commit at `offset` succeeded. */
  committed(partition: number, offset: bigint): void;
}

/** The sink's side of the dead-letter topic: sending, metrics, logs and the count. */
export function createDeadLettering(config: { topic: string; sourceTopic: string }, deps: { producer: Producer; metrics: SinkMetrics; log: Logger }): DeadLettering {
  const queue = createDeadLetterQueue(config, { producer: deps.producer });
  /** Per partition: dead letters below the committed offset. */
  const committedCounts = new Map<number, number>();
  /** Per partition: offsets of dead letters at or above it (a set: a slice read again is not counted twice). */
  const pending = new Map<number, Set<bigint>>();
  const pendingBelow = (partition: number, offset: bigint) => [...(pending.get(partition) ?? [])].filter((letter) => letter < offset);

  return {
    get count() {
      let total = 0;
      for (const count of committedCounts.values()) total += count;
      for (const offsets of pending.values()) total += offsets.size;
      return total;
    },
    restore(committed) {
      for (const [partition, count] of committed) committedCounts.set(partition, count);
    },
    async send(letters) {
      await queue.send(letters);
      for (const { partition, message, kind } of letters) {
        deps.metrics.deadLettered.inc({ kind });
        let offsets = pending.get(partition);
        if (!offsets) pending.set(partition, (offsets = new Set()));
        offsets.add(BigInt(message.offset));
      }
      for (const { partition, message, reason } of letters.slice(0, LOGGED_DEAD_LETTERS)) {
        deps.log.warn({ partition, offset: message.offset, reason, dlq: config.topic }, 'bad message sent to the dead-letter topic');
      }
      if (letters.length > LOGGED_DEAD_LETTERS) deps.log.warn({ count: letters.length - LOGGED_DEAD_LETTERS, dlq: config.topic }, 'more bad messages sent to the dead-letter topic');
    },
    countBelow(partition, offset) {
      return (committedCounts.get(partition) ?? 0) + pendingBelow(partition, offset).length;
    },
    committed(partition, offset) {
      const below = pendingBelow(partition, offset);
      if (below.length === 0) return;
      committedCounts.set(partition, (committedCounts.get(partition) ?? 0) + below.length);
      for (const letter of below) pending.get(partition)?.delete(letter);
    },
  };
}
