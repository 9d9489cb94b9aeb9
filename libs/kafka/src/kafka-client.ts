import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import type { KafkaConnectionSettings } from './kafka-settings';

const pinoLevel: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

// Retries are bounded on purpose (a lost broker must surface as an error; a retried Job resumes
// from what is in the topic), and we pick the partitioner explicitly: both warnings are noise.
const quietMessages = ['Limiting retries for the idempotent producer', 'KafkaJS v2.0.0 switched default partitioner'];

/** A kafkajs client whose logs go through pino, with TLS+SCRAM when the settings carry credentials. */
export function createKafkaClient(settings: KafkaConnectionSettings, deps: { clientId: string; logger: Logger; connectionTimeoutMs?: number }): Kafka {
  const log = deps.logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: deps.clientId,
    brokers: settings.brokers,
    connectionTimeout: deps.connectionTimeoutMs ?? 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
    // kafkajs logs a lot at INFO (every join/leave); WARN keeps the JSON logs readable.
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      if (quietMessages.some((quiet) => message.startsWith(quiet))) return;
      log[pinoLevel[entry.level] ?? 'info']({ namespace: entry.namespace, ...extra }, message);
    },
  };
  if (settings.sasl) {
    config.ssl = settings.sasl.caPem ? { ca: [settings.sasl.caPem] } : true;
    config.sasl = { mechanism: 'scram-sha-512', username: settings.sasl.username, password: settings.sasl.password };
  }
  return new Kafka(config);
}
