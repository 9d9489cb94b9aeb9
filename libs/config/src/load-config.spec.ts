import { z } from 'zod';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const schema = z.object({
  KAFKA_BOOTSTRAP_SERVERS: z.string().describe('comma list'),
  BATCH_SIZE: z.coerce.number().int().positive().default(10),
  debug: z.boolean().default(false),
});

describe('loadConfig', () => {
  it('reads env and flags', () => {
    const config = loadConfig(schema, { env: { KAFKA_BOOTSTRAP_SERVERS: 'a:1', BATCH_SIZE: '5' }, argv: ['--debug'], flags: { debug: { type: 'boolean' } } });
    expect(config).toEqual({ KAFKA_BOOTSTRAP_SERVERS: 'a:1', BATCH_SIZE: 5, debug: true });
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(schema, { env: {} })).toThrow(new ConfigError('KAFKA_BOOTSTRAP_SERVERS: Invalid input: expected string, received undefined (it is not set)'));
  });

  it('names a bad value and shows it', () => {
    expect(() => loadConfig(schema, { env: { KAFKA_BOOTSTRAP_SERVERS: 'a:1', BATCH_SIZE: '-3' } })).toThrow(/^BATCH_SIZE: .*>0.* \(got "-3"\)$/);
  });

  it('never shows a secret or the credentials of a URL in the error line', () => {
    const secrets = z.object({ STORE_URL: z.string().regex(/^http:\/\/[^@]+$/, 'a URL without credentials'), API_TOKEN: z.string().min(40).optional() });
    expect(() => loadConfig(secrets, { env: { STORE_URL: 'http://svc:s3cret@db:8529' } })).toThrow(new ConfigError('STORE_URL: a URL without credentials (got "http://***@db:8529")'));
    expect(() => loadConfig(secrets, { env: { STORE_URL: 'http://db', API_TOKEN: 'short-s3cret' } })).toThrow(/^API_TOKEN: .* \(got \(hidden\)\)$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { env: { KAFKA_BOOTSTRAP_SERVERS: 'a:1', BATCH_SIZE: '' } }).BATCH_SIZE).toBe(10);
  });

  it('rejects unknown flags with a clear line', () => {
    expect(() => loadConfig(schema, { env: { KAFKA_BOOTSTRAP_SERVERS: 'a' }, argv: ['--nope'], flags: {} })).toThrow(/^bad command line: .*--nope/);
  });
});
