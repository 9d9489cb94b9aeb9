import type { Producer } from 'kafkajs';
import { describeIssues, redactTelemetryEvent, telemetryEventSchema, type TelemetryEvent, type TelemetryStatus } from '@streamforge/schemas';
import type { Logger } from '@streamforge/logging';
import { InvalidOutgoingMessageError } from './errors';

export interface TelemetryConfig {
  topic: string;
  queueId: string;
  producerId: string;
  symbol: string;
  type: string;
}

type EventFields = Omit<Partial<TelemetryEvent>, 'status' | 'event' | 'queue_id' | 'producer' | 'symbol' | 'type' | 'timestamp'>;

export interface TelemetryPublisher {
  /** Validates, then sends one event keyed by queue id (one partition per queue keeps its events in order). */
  send(status: TelemetryStatus, fields?: EventFields): Promise<TelemetryEvent>;
}

/** Builds and sends telemetry events for one worker of one queue. */
export function createTelemetryPublisher(config: TelemetryConfig, deps: { producer: Producer; logger: Logger }): TelemetryPublisher {
  const log = deps.logger.child({ component: 'telemetry' });
  return {
    async send(status, fields = {}) {
      const candidate = {
        queue_id: config.queueId,
        producer: config.producerId,
        symbol: config.symbol,
        type: config.type,
        status,
        event: status,
        message: fields.message ?? status,
        records_written: fields.records_written ?? 0,
        finished: status === 'finished',
        timestamp: Date.now() / 1000,
        ...fields,
      };
      // A store URL or file path in a message would reach every topic reader and dashboard.
      const result = telemetryEventSchema.safeParse(redactTelemetryEvent(candidate));
      if (!result.success) throw new InvalidOutgoingMessageError(config.topic, describeIssues(result.error, candidate));
      await deps.producer.send({ topic: config.topic, acks: -1, messages: [{ key: config.queueId, value: JSON.stringify(result.data) }] });
      log.info({ status, records_written: result.data.records_written }, `telemetry ${status}`);
      return result.data;
    },
  };
}
