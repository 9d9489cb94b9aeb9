import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { errorMessage } from './run-command';

/** Client settings for one listener that must answer before the broker counts as up. */
export type ListenerProbe = Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'>;

/**
 * Polls every listener with a kafkajs admin (describeCluster + listTopics) until all answer. Rejects with the
 * last client error when `timeoutMs` passes or as soon as `exited` settles (the JVM died).
 */
export async function waitForBroker(
  probes: readonly ListenerProbe[],
  options: { timeoutMs: number; exited: Promise<unknown> },
): Promise<void> {
  let died = false;
  void options.exited.then(() => {
    died = true;
  });
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'no attempt made';
  for (const probe of probes) {
    for (;;) {
      if (died) throw new Error(`the broker process exited during startup (last client error: ${lastError})`);
      try {
        await probeOnce(probe);
        break;
      } catch (err) {
        lastError = `${String(probe.brokers)}: ${errorMessage(err)}`;
      }
      if (Date.now() >= deadline) {
        throw new Error(`the broker did not answer within ${options.timeoutMs} ms (last client error: ${lastError})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function probeOnce(probe: ListenerProbe): Promise<void> {
  const admin = new Kafka({
    ...probe,
    clientId: 'local-kafka-readiness',
    // Silence kafkajs: connection refused is the expected answer for the first seconds.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
