import type { RunningKafkaBroker } from './kafka-broker';

/** Env vars the global setup exports to jest workers when it starts its own broker. */
export const TEST_ENV_KEYS = [
  'KAFKA_BOOTSTRAP_SERVERS',
  'STREAMFORGE_TEST_SASL_BOOTSTRAP',
  'STREAMFORGE_TEST_SASL_CA_PATH',
  'STREAMFORGE_TEST_SASL_USER',
  'STREAMFORGE_TEST_SASL_PASSWORD',
  'STREAMFORGE_TEST_KAFKA_DATA_DIR',
] as const;

type GlobalWithBroker = typeof globalThis & { __STREAMFORGE_KAFKA__?: RunningKafkaBroker | undefined };

/** Broker started by the global setup (only visible in the jest parent process, i.e. to the global teardown). */
export function getGlobalBroker(): RunningKafkaBroker | undefined {
  return (globalThis as GlobalWithBroker).__STREAMFORGE_KAFKA__;
}

/** Stores (or clears) the broker handle for the global teardown. */
export function setGlobalBroker(broker: RunningKafkaBroker | undefined): void {
  (globalThis as GlobalWithBroker).__STREAMFORGE_KAFKA__ = broker;
}
