import { DNS1123_LABEL, LABEL_VALUE } from '@streamforge/launchers';
import { collectionNameFor, dataTopicFor, jobNameFor, queueIdFor, randomSuffix, suffixOf, telemetryIdFor, workerLabels } from './queue-naming';

describe('queue naming', () => {
  it('builds the documented names', () => {
    const queueId = queueIdFor('BTCUSDT', 'api_candles_1m', '2024-08-01', 'abc123');
    expect(queueId).toBe('wf-btcusdt-api_candles_1m-20240801-abc123');
    expect(suffixOf(queueId)).toBe('abc123');
    expect(dataTopicFor(queueId)).toBe('wf-btcusdt-api_candles_1m-20240801-abc123-data');
    expect(collectionNameFor('BTCUSDT', 'api_candles_1m', '2024-08-01')).toBe('btcusdt_api_candles_1m_2024_08_01');
    expect(telemetryIdFor('loader-api-candles', 'abc123')).toBe('loader-api-candles__abc123');
    expect(jobNameFor('arango-candles', 'BTCUSDT', 'abc123')).toBe('job-arango-candles-btcusdt-abc123');
  });

  it('makes 6-character lowercase alphanumeric suffixes', () => {
    const suffixes = new Set(Array.from({ length: 200 }, randomSuffix));
    for (const suffix of suffixes) expect(suffix).toMatch(/^[a-z0-9]{6}$/);
    expect(suffixes.size).toBeGreaterThan(195);
  });

  it('keeps a job name DNS-1123 and at most 63 characters, cutting the middle, never the suffix', () => {
    const name = jobNameFor('loader-api-candles', 'VERYLONGSYMBOLNAME2024', 'abc123');
    expect(name).toBe('job-loader-api-candles-verylongsymbolname2024-abc123');
    const long = jobNameFor('Some_Target.With.Dots-and-a-very-long-name-indeed-yes', 'ABCDEFGHIJKLMNOPQRST', 'zz99zz');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long.endsWith('-zz99zz')).toBe(true);
    expect(DNS1123_LABEL.test(long)).toBe(true);
  });

  it('prefixes a collection whose symbol starts with a digit (ArangoDB names start with a letter)', () => {
    expect(collectionNameFor('1INCHUSDT', 'api_candles_1h', '2024-01-31')).toBe('c_1inchusdt_api_candles_1h_2024_01_31');
  });

  it('keeps label values at most 63 characters', () => {
    const queueId = queueIdFor('ABCDEFGHIJKLMNOPQRST', 'api_candles_with_a_long_custom_type_name', '2024-08-01', 'abc123');
    expect(queueId.length).toBeGreaterThan(63);
    const labels = workerLabels(queueId, 'loader-api-candles');
    expect(labels.app).toBe('streamforge');
    expect(labels.queue_id.length).toBeLessThanOrEqual(63);
    expect(labels.queue_id.endsWith('abc123')).toBe(true);
    for (const value of Object.values(labels)) expect(LABEL_VALUE.test(value)).toBe(true);
  });
});
