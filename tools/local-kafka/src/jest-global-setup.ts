import { setGlobalBroker, setExportedKeys } from './jest-global-state';
import { startKafkaBroker } from './kafka-broker';
import { kafkaVersion } from './kafka-jars';

/**
 * Jest globalSetup: starts one local broker for the whole run with a SASL_SSL (SCRAM-SHA-512)
 * listener. When KAFKA_BOOTSTRAP_SERVERS names an external broker (a CI service, plaintext), the
 * tests use it, and the local broker still serves the SASL_SSL tests, which would otherwise have
 * no listener whose credentials they know; only STREAMFORGE_TEST_SASL_* set by hand skip it.
 */
export default async function globalSetup(): Promise<void> {
  const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (external && process.env['STREAMFORGE_TEST_SASL_BOOTSTRAP']) {
    process.stderr.write(`[local-kafka] tests use the external Kafka broker at ${external} and the SASL_SSL listener at ${process.env['STREAMFORGE_TEST_SASL_BOOTSTRAP']}\n`);
    return;
  }
  const startedAt = Date.now();
  const broker = await startKafkaBroker({ sasl: true });
  setGlobalBroker(broker);
  // Set here, in the jest parent, so every worker process inherits them.
  const exported: Record<string, string> = external ? {} : { KAFKA_BOOTSTRAP_SERVERS: broker.bootstrapServers, STREAMFORGE_TEST_KAFKA_DATA_DIR: broker.dataDir };
  if (broker.sasl) {
    Object.assign(exported, {
      STREAMFORGE_TEST_SASL_BOOTSTRAP: broker.sasl.bootstrapServers,
      STREAMFORGE_TEST_SASL_CA_PATH: broker.sasl.caPath,
      STREAMFORGE_TEST_SASL_USER: broker.sasl.user,
      STREAMFORGE_TEST_SASL_PASSWORD: broker.sasl.password,
    });
  }
  Object.assign(process.env, exported);
  setExportedKeys(Object.keys(exported));
  const took = `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  process.stderr.write(
    external
      ? `[local-kafka] tests use the external Kafka broker at ${external}; the SASL_SSL tests a local Kafka ${kafkaVersion()} broker at ${broker.sasl?.bootstrapServers} (pid ${broker.pid}), started in ${took}\n`
      : `[local-kafka] tests use a local Kafka ${kafkaVersion()} broker at ${broker.bootstrapServers}` +
          ` (SASL_SSL ${broker.sasl?.bootstrapServers ?? 'off'}, pid ${broker.pid}, data dir ${broker.dataDir}), started in ${took}\n`,
  );
}
