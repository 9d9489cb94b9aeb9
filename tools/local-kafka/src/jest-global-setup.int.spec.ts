import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import globalSetup from './jest-global-setup';
import globalTeardown from './jest-global-teardown';

const SASL_KEYS = ['STREAMFORGE_TEST_SASL_BOOTSTRAP', 'STREAMFORGE_TEST_SASL_CA_PATH', 'STREAMFORGE_TEST_SASL_USER', 'STREAMFORGE_TEST_SASL_PASSWORD'];

// CI gives the suite a plaintext broker (KAFKA_BOOTSTRAP_SERVERS); the SASL_SSL + SCRAM tests must still run.
describe('jest global setup with an external plaintext broker', () => {
  const saved = { ...process.env };
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('keeps the external broker for the tests and starts a local SASL_SSL listener that the teardown stops', async () => {
    const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
    if (!external) throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: run through jest');
    for (const key of SASL_KEYS) delete process.env[key];

    await globalSetup();
    try {
      expect(process.env['KAFKA_BOOTSTRAP_SERVERS']).toBe(external);
      const [bootstrap, caPath, user, password] = SASL_KEYS.map((key) => process.env[key] ?? '');
      expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
      const admin = new Kafka({ brokers: [bootstrap], ssl: { ca: [readFileSync(caPath, 'utf8')] }, sasl: { mechanism: 'scram-sha-512', username: user, password }, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        expect(Array.isArray(await admin.listTopics())).toBe(true);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await globalTeardown();
    }
    expect(process.env['KAFKA_BOOTSTRAP_SERVERS']).toBe(external);
    expect(SASL_KEYS.filter((key) => process.env[key] !== undefined)).toEqual([]);
  }, 240_000);
});
