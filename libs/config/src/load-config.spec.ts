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

  it('never shows a secret or a URL password in the error line', () => {
    const secrets = z.object({ API_TOKEN: z.string().min(40), URL: z.string().regex(/^x/) });
    expect(() => loadConfig(secrets, { env: { API_TOKEN: 'short-but-secret', URL: 'https://u:p4ss@h' } })).toThrow('API_TOKEN: ');
    expect(() => loadConfig(secrets, { env: { API_TOKEN: 'short-but-secret', URL: 'x' } })).toThrow(/\(got "<redacted>"\)$/);
    expect(() => loadConfig(secrets, { env: { API_TOKEN: 'y'.repeat(40), URL: 'https://u:p4ss@h' } })).toThrow(/\(got "https:\/\/<redacted>@h"\)$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { env: { KAFKA_BOOTSTRAP_SERVERS: 'a:1', BATCH_SIZE: '' } }).BATCH_SIZE).toBe(10);
  });

  it('rejects unknown flags with a clear line', () => {
    expect(() => loadConfig(schema, { env: { KAFKA_BOOTSTRAP_SERVERS: 'a' }, argv: ['--nope'], flags: {} })).toThrow(/^bad command line: .*--nope/);
  });
});
