import { commonSettings } from '@streamforge/config';
import { createKafkaClient, ensureTopics, kafkaConnectionSettings } from '@streamforge/kafka';
import { createLogger } from '@streamforge/logging';

/** The queue topics every StreamForge process talks on, named as the apps read them from the environment. */
export function queueTopicNames(env: NodeJS.ProcessEnv = process.env): string[] {
  return [commonSettings.QUEUE_CONTROL_TOPIC.parse(env['QUEUE_CONTROL_TOPIC']), commonSettings.QUEUE_EVENTS_TOPIC.parse(env['QUEUE_EVENTS_TOPIC'])];
}

/** Creates queue-control and queue-events on a local broker (existing ones are kept) and waits until they serve. */
export async function ensureQueueTopics(bootstrapServers: string, topics: string[] = queueTopicNames()): Promise<void> {
  const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: bootstrapServers }), {
    clientId: 'local-kafka',
    logger: createLogger({ service: 'local-kafka', level: 'silent' }),
  });
  await ensureTopics(kafka, topics.map((topic) => ({ topic })));
}
