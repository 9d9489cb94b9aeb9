import { setGlobalBroker } from './jest-global-state';
import { startKafkaBroker } from './kafka-broker';
import { kafkaVersion } from './kafka-jars';

/** Jest globalSetup: starts one SASL-enabled local broker for the whole run unless KAFKA_BOOTSTRAP_SERVERS points at an external one. */
export default async function globalSetup(): Promise<void> {
  const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (external) {
    process.stderr.write(
      `[local-kafka] tests use the external Kafka broker at ${external} (KAFKA_BOOTSTRAP_SERVERS is set)\n`,
    );
    return;
  }
  const startedAt = Date.now();
  const broker = await startKafkaBroker({ sasl: true });
  setGlobalBroker(broker);
  // Set here, in the jest parent, so every worker process inherits them.
  process.env['KAFKA_BOOTSTRAP_SERVERS'] = broker.bootstrapServers;
  process.env['STREAMFORGE_TEST_KAFKA_DATA_DIR'] = broker.dataDir;
  if (broker.sasl) {
    process.env['STREAMFORGE_TEST_SASL_BOOTSTRAP'] = broker.sasl.bootstrapServers;
    process.env['STREAMFORGE_TEST_SASL_CA_PATH'] = broker.sasl.caPath;
    process.env['STREAMFORGE_TEST_SASL_USER'] = broker.sasl.user;
    process.env['STREAMFORGE_TEST_SASL_PASSWORD'] = broker.sasl.password;
  }
  process.stderr.write(
    `[local-kafka] tests use a local Kafka ${kafkaVersion()} broker at ${broker.bootstrapServers}` +
      ` (SASL_SSL ${broker.sasl?.bootstrapServers ?? 'off'}, pid ${broker.pid}, data dir ${broker.dataDir}),` +
      ` started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
  );
}
