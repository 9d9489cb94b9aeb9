import { getExportedKeys, getGlobalBroker, setExportedKeys, setGlobalBroker } from './jest-global-state';

/** Jest globalTeardown: stops the broker the global setup started (no-op when it started none). */
export default async function globalTeardown(): Promise<void> {
  const broker = getGlobalBroker();
  if (!broker) return;
  setGlobalBroker(undefined);
  // Otherwise the next run in `jest --watch` would see these and reuse the dead broker; an external
  // KAFKA_BOOTSTRAP_SERVERS stays as it was given.
  for (const key of getExportedKeys()) delete process.env[key];
  setExportedKeys([]);
  await broker.stop();
}
