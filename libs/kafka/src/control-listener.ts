import type { Kafka } from 'kafkajs';
import { controlCommandSchema, type ControlCommand } from '@streamforge/schemas';
import type { Logger } from '@streamforge/logging';
import { parseMessage } from './parse-message';
import { createTopicTail } from './topic-tail';

export interface ControlListenerConfig {
  topic: string;
  queueId: string;
  /** Names the throw-away consumer group: `<service>-control-<queueId>-<random>`. */
  service: string;
  /** Commands older than this (ms) are not for this run; default: now. */
  since?: number;
}

export interface ControlListenerDeps {
  kafka: Kafka;
  logger: Logger;
  onMalformed?: (reason: string) => void;
}

export type CommandHandler = (command: ControlCommand) => void | Promise<void>;

export interface ControlListener {
  start(handler: CommandHandler): Promise<void>;
  close(): Promise<void>;
}

/**
 * Yields only well-formed commands for one queue id, sent after `since`, so an old `stop` left
 * in the topic cannot kill a new run. Malformed messages are logged with the reason and skipped.
 */
export function createControlListener(config: ControlListenerConfig, deps: ControlListenerDeps): ControlListener {
  const log = deps.logger.child({ component: 'control-listener' });
  let handled: Promise<void> = Promise.resolve();
  const tail = createTopicTail({ topic: config.topic, groupPrefix: `${config.service}-control-${config.queueId}`, since: config.since }, deps);

  return {
    start: (handler) =>
      tail.start(async (message, partition) => {
        const parsed = parseMessage(controlCommandSchema, message.value);
        if (!parsed.ok) {
          log.warn({ reason: parsed.reason, partition, offset: message.offset }, 'skipping malformed control message');
          deps.onMalformed?.(parsed.reason);
          return;
        }
        const command = parsed.value;
        if (command.queue_id !== config.queueId) {
          log.debug({ queueId: command.queue_id, command: command.command }, 'ignoring command for another queue');
          return;
        }
        log.info({ command: command.command }, 'control command received');
        // Handlers run off the consumer's loop, in order: a stop handler that closes this listener
        // would otherwise wait for its own eachMessage to return (a kafkajs deadlock).
        handled = handled.then(() => handler(command)).catch((error: unknown) => {
          // One failing command must not stop the listener: the next stop still has to work.
          log.error({ err: error, command: command.command }, 'control command handler failed');
        });
      }),
    close: () => tail.close(),
  };
}
