import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { DeadLetterError } from './errors';
import type { RejectionKind } from './candle-decoder';

/** Headers added to every dead-lettered message (the original headers are kept beside them). */
export const DLQ_HEADERS = {
  reason: 'streamforge-dlq-reason',
  kind: 'streamforge-dlq-kind',
  sourceTopic: 'streamforge-dlq-source-topic',
  sourcePartition: 'streamforge-dlq-source-partition',
  sourceOffset: 'streamforge-dlq-source-offset',
  sourceTimestamp: 'streamforge-dlq-source-timestamp',
} as const;

const MAX_REASON_LENGTH = 1_000;

/** A message the sink could not store, and why. */
export interface DeadLetter {
  partition: number;
  message: KafkaMessage;
  kind: RejectionKind;
  reason: string;
}

export interface DeadLetterQueue {
  readonly topic: string;
  /** Sends the messages with their original key, value and headers; resolves once all replicas have them. */
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/** The dead-letter topic of one data topic (`<topic>-dlq` by convention). */
export function createDeadLetterQueue(config: { topic: string; sourceTopic: string }, deps: { producer: Producer }): DeadLetterQueue {
  return {
    topic: config.topic,
    async send(letters) {
      if (letters.length === 0) return;
      try {
        await deps.producer.send({
          topic: config.topic,
          acks: -1,
          messages: letters.map(({ partition, message, kind, reason }) => ({
            key: message.key,
            value: message.value,
            headers: {
              ...(message.headers as IHeaders | undefined),
              [DLQ_HEADERS.reason]: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason,
              [DLQ_HEADERS.kind]: kind,
              [DLQ_HEADERS.sourceTopic]: config.sourceTopic,
              [DLQ_HEADERS.sourcePartition]: String(partition),
              [DLQ_HEADERS.sourceOffset]: message.offset,
              [DLQ_HEADERS.sourceTimestamp]: message.timestamp,
            },
          })),
        });
      } catch (error) {
        throw new DeadLetterError(config.topic, letters.length, error);
      }
    },
  };
}
