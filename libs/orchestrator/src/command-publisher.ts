import type { Producer } from 'kafkajs';
import { InvalidOutgoingMessageError } from '@streamforge/kafka';
import { controlCommandSchema, describeIssues, type ControlCommand } from '@streamforge/schemas';
import type { QueueManagerMetrics } from './queue-manager-metrics';

export interface CommandPublisher {
  /** Validates, then sends the commands keyed by queue id (one partition per queue keeps them in order). */
  send(commands: ControlCommand[]): Promise<void>;
}

export function createCommandPublisher(config: { topic: string }, deps: { producer: Producer; metrics: QueueManagerMetrics }): CommandPublisher {
  return {
    async send(commands) {
      const messages = commands.map((command) => {
        const result = controlCommandSchema.safeParse(command);
        if (!result.success) throw new InvalidOutgoingMessageError(config.topic, describeIssues(result.error, command));
        return { key: result.data.queue_id, value: JSON.stringify(result.data) };
      });
      await deps.producer.send({ topic: config.topic, acks: -1, messages });
      for (const command of commands) deps.metrics.commandsSent.inc({ command: command.command });
    },
  };
}
