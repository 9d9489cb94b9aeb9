import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createLogger } from '@streamforge/logging';
import { createKafkaClient } from '../kafka-client';
import { kafkaConnectionSettings } from '../kafka-settings';

/** A name no other test uses: topics and groups never collide between parallel suites. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The broker the jest global setup started (or the one KAFKA_BOOTSTRAP_SERVERS named). */
export function testBootstrapServers(): string {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (!servers) throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: run the tests through jest (its global setup starts Kafka)');
  return servers;
}

/** SASL_SSL listener details when the test broker has one (the locally started broker always does). */
export function testSaslListener(): { bootstrapServers: string; caPath: string; user: string; password: string } | undefined {
  const env = process.env;
  if (!env.STREAMFORGE_TEST_SASL_BOOTSTRAP || !env.STREAMFORGE_TEST_SASL_CA_PATH || !env.STREAMFORGE_TEST_SASL_USER) return undefined;
  return { bootstrapServers: env.STREAMFORGE_TEST_SASL_BOOTSTRAP, caPath: env.STREAMFORGE_TEST_SASL_CA_PATH, user: env.STREAMFORGE_TEST_SASL_USER, password: env.STREAMFORGE_TEST_SASL_PASSWORD ?? '' };
}

/** A plaintext kafkajs client for test code (quiet logs). */
export function createTestKafka(clientId = 'test'): Kafka {
  return createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers() }), {
    clientId,
    logger: createLogger({ service: 'test', level: 'error' }),
  });
}
