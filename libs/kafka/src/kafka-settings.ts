import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The Kafka variables every service reads; the role-specific credentials win over the shared ones. */
export const kafkaEnvSettings = {
  KAFKA_BOOTSTRAP_SERVERS: z
    .string({ error: 'a comma list of host:port (e.g. 127.0.0.1:9092)' })
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'a comma list of host:port (e.g. 127.0.0.1:9092)')
    .describe('Kafka bootstrap servers'),
  KAFKA_USER: z.string().optional().describe('SCRAM-SHA-512 user (enables SASL_SSL)'),
  KAFKA_PASSWORD: z.string().optional(),
  KAFKA_USER_PRODUCER: z.string().optional().describe('user for producing workers'),
  KAFKA_PASSWORD_PRODUCER: z.string().optional(),
  KAFKA_USER_CONSUMER: z.string().optional().describe('user for consuming workers'),
  KAFKA_PASSWORD_CONSUMER: z.string().optional(),
  CA_PATH: z.string().optional().describe('PEM of the CA that signed the brokers (SASL_SSL)'),
  KAFKA_CA_PATH: z.string().optional().describe('alias of CA_PATH'),
};

export type KafkaEnv = { [K in keyof typeof kafkaEnvSettings]: z.infer<(typeof kafkaEnvSettings)[K]> };
export type KafkaRole = 'producer' | 'consumer' | 'shared';

/** How to reach Kafka: plaintext, or SASL_SSL + SCRAM-SHA-512 when credentials are present. */
export interface KafkaConnectionSettings {
  brokers: string[];
  sasl?: { username: string; password: string; caPem?: string; caPath?: string };
}

/** Picks the credentials for a role and reads the CA; plaintext when no user is configured. */
export function kafkaConnectionSettings(env: Partial<KafkaEnv> & Pick<KafkaEnv, 'KAFKA_BOOTSTRAP_SERVERS'>, role: KafkaRole = 'shared'): KafkaConnectionSettings {
  const brokers = env.KAFKA_BOOTSTRAP_SERVERS.split(',').map((b) => b.trim());
  const roleUser = role === 'producer' ? env.KAFKA_USER_PRODUCER : role === 'consumer' ? env.KAFKA_USER_CONSUMER : undefined;
  const rolePassword = role === 'producer' ? env.KAFKA_PASSWORD_PRODUCER : role === 'consumer' ? env.KAFKA_PASSWORD_CONSUMER : undefined;
  const username = roleUser ?? env.KAFKA_USER;
  const password = roleUser ? rolePassword : env.KAFKA_PASSWORD;
  if (!username) return { brokers };
  const caPath = env.CA_PATH ?? env.KAFKA_CA_PATH;
  return {
    brokers,
    sasl: { username, password: password ?? '', caPath, caPem: caPath ? readFileSync(caPath, 'utf8') : undefined },
  };
}
