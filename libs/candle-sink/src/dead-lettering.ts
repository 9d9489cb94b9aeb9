import type { Producer } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import { createDeadLetterQueue, type DeadLetter } from './dead-letter-queue';
import type { SinkMetrics } from './sink-metrics';

/** Dead letters logged one by one per batch; the rest are summed up in one line. */
const LOGGED_DEAD_LETTERS = 5;

export interface DeadLettering {
  /** Messages dead-lettered so far (the `error_count` of the sink's events). */
  readonly count: number;
  /** Sends the bad messages to the dead-letter topic, then counts and logs them. */
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/** The sink's side of the dead-letter topic: sending, metrics, logs and the count. */
export function createDeadLettering(config: { topic: string; sourceTopic: string }, deps: { producer: Producer; metrics: SinkMetrics; log: Logger }): DeadLettering {
  const queue = createDeadLetterQueue(config, { producer: deps.producer });
  let count = 0;
  return {
    get count() {
      return count;
    },
    async send(letters) {
      await queue.send(letters);
      for (const letter of letters) deps.metrics.deadLettered.inc({ kind: letter.kind });
      count += letters.length;
      for (const { partition, message, reason } of letters.slice(0, LOGGED_DEAD_LETTERS)) {
        deps.log.warn({ partition, offset: message.offset, reason, dlq: config.topic }, 'bad message sent to the dead-letter topic');
      }
      if (letters.length > LOGGED_DEAD_LETTERS) deps.log.warn({ count: letters.length - LOGGED_DEAD_LETTERS, dlq: config.topic }, 'more bad messages sent to the dead-letter topic');
    },
  };
}
