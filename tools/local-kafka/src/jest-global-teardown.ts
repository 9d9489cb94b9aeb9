import { getGlobalBroker, setGlobalBroker, TEST_ENV_KEYS } from './jest-global-state';

/** Jest globalTeardown: stops the broker the global setup started (no-op for an external broker). */
export default async function globalTeardown(): Promise<void> {
  const broker = getGlobalBroker();
  if (!broker) return;
  setGlobalBroker(undefined);
  // Otherwise the next run in `jest --watch` would see KAFKA_BOOTSTRAP_SERVERS and reuse the dead broker.
  for (const key of TEST_ENV_KEYS) delete process.env[key];
  await broker.stop();
}
