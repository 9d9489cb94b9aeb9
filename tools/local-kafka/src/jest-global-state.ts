import type { RunningKafkaBroker } from './kafka-broker';

type GlobalWithBroker = typeof globalThis & { __STREAMFORGE_KAFKA__?: RunningKafkaBroker | undefined; __STREAMFORGE_KAFKA_ENV__?: string[] };

/** Broker started by the global setup (only visible in the jest parent process, i.e. to the global teardown). */
export function getGlobalBroker(): RunningKafkaBroker | undefined {
  return (globalThis as GlobalWithBroker).__STREAMFORGE_KAFKA__;
}

/** Stores (or clears) the broker handle for the global teardown. */
export function setGlobalBroker(broker: RunningKafkaBroker | undefined): void {
  (globalThis as GlobalWithBroker).__STREAMFORGE_KAFKA__ = broker;
}

/** The env vars the global setup exported for that broker (an external KAFKA_BOOTSTRAP_SERVERS is not among them). */
export function getExportedKeys(): string[] {
  return (globalThis as GlobalWithBroker).__STREAMFORGE_KAFKA_ENV__ ?? [];
}

export function setExportedKeys(keys: string[]): void {
  (globalThis as GlobalWithBroker).__STREAMFORGE_KAFKA_ENV__ = keys;
}
