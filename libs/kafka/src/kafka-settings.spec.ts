import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnectionSettings } from './kafka-settings';

describe('kafkaConnectionSettings', () => {
  const caPath = join(mkdtempSync(join(tmpdir(), 'ca-')), 'ca.crt');
  writeFileSync(caPath, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');

  it('is plaintext without credentials', () => {
    expect(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: 'a:1, b:2' })).toEqual({ brokers: ['a:1', 'b:2'] });
  });

  it('uses the shared user with the CA from CA_PATH or KAFKA_CA_PATH', () => {
    const viaCaPath = kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: 'a:1', KAFKA_USER: 'u', KAFKA_PASSWORD: 'p', CA_PATH: caPath });
    expect(viaCaPath.sasl).toMatchObject({ username: 'u', password: 'p', caPath });
    expect(viaCaPath.sasl?.caPem).toContain('BEGIN CERTIFICATE');
    const viaKafkaCaPath = kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: 'a:1', KAFKA_USER: 'u', KAFKA_PASSWORD: 'p', KAFKA_CA_PATH: caPath });
    expect(viaKafkaCaPath.sasl?.caPath).toBe(caPath);
  });

  it('prefers the role-specific credentials of producers and consumers', () => {
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: 'a:1', KAFKA_USER: 'shared', KAFKA_PASSWORD: 'sp',
      KAFKA_USER_PRODUCER: 'prod', KAFKA_PASSWORD_PRODUCER: 'pp', KAFKA_USER_CONSUMER: 'cons', KAFKA_PASSWORD_CONSUMER: 'cp',
    };
    expect(kafkaConnectionSettings(env, 'producer').sasl).toMatchObject({ username: 'prod', password: 'pp' });
    expect(kafkaConnectionSettings(env, 'consumer').sasl).toMatchObject({ username: 'cons', password: 'cp' });
    expect(kafkaConnectionSettings(env, 'shared').sasl).toMatchObject({ username: 'shared', password: 'sp' });
  });

  it('falls back to the shared user when a role has none', () => {
    expect(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: 'a:1', KAFKA_USER: 'shared', KAFKA_PASSWORD: 'sp' }, 'consumer').sasl).toMatchObject({ username: 'shared', password: 'sp' });
  });
});
