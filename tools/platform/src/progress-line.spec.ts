import type { TargetState } from '@streamforge/schemas';
import { formatProgressLine } from './progress-line';
import { rateOf } from './progress-view';

const target = (extra: Partial<TargetState> = {}): TargetState => ({
  target: 'loader-api-candles', type: 'api_candles_1m', interval: '1m', args: [], kafka_topic: 'wf-x-data', collection_name: 'btcusdt_api_candles_1m_2024_08_01',
  telemetry_id: 'loader-api-candles__abc123', job_name: 'job-x', status: 'loading', message: null, records_written: 720, expected_records: 1440,
  last_loaded_timestamp: null, error_message: null, error_count: 0, gaps: [], started_at: 1, finished_at: null, last_event_at: 2, ...extra,
});

describe('formatProgressLine', () => {
  it('shows written of expected, rate and an ETA from the remaining candles', () => {
    const line = formatProgressLine({ target: target(), kind: 'loaded', rate: 360, barWidth: 10 });
    expect(line).toBe(' loader-api-candles |█████░░░░░| 720/1,440 candles loaded | 360/s | ETA 2s | loading');
  });

  it('shows an unknown total and rate as unknown: no made-up total of 1, no NaN, no infinite ETA', () => {
    const line = formatProgressLine({ target: target({ records_written: 0, expected_records: null, status: 'started' }), kind: 'loaded', rate: undefined, barWidth: 4 });
    expect(line).toBe(' loader-api-candles |····| 0/? candles loaded | ?/s | ETA ? | started');
    expect(formatProgressLine({ target: target(), kind: 'loaded', rate: 0 })).toContain('ETA ?');
    expect(formatProgressLine({ target: target(), kind: 'loaded', rate: Number.NaN })).toContain('?/s');
    for (const line of [formatProgressLine({ target: target({ expected_records: null }), kind: 'loaded', rate: 0 })]) expect(line).not.toMatch(/NaN|Infinity|NF|\/1 /);
  });

  it('says why an errored target failed, on its line', () => {
    const line = formatProgressLine({ target: target({ status: 'error', records_written: 0, expected_records: null, error_message: 'connect ECONNREFUSED 127.0.0.1:9' }), kind: 'loaded', rate: undefined });
    expect(line).toMatch(/\| ETA - \| error: connect ECONNREFUSED 127\.0\.0\.1:9$/);
  });

  it("labels a sink's count as what the collection holds, with what was already stored when the run started", () => {
    const line = formatProgressLine({ target: target({ target: 'arango-candles', records_written: 1440, status: 'started' }), kind: 'stored', rate: undefined, storedBefore: 1440, barWidth: 2 });
    expect(line).toBe(' arango-candles     |██| 1,440/1,440 candles in the collection (1,440 already stored) | ?/s | ETA ? | started');
  });
});

describe('rateOf', () => {
  it('is unknown with fewer than two samples or no elapsed time, else candles per second', () => {
    expect(rateOf([])).toBeUndefined();
    expect(rateOf([{ at: 1000, written: 5 }, { at: 1000, written: 9 }])).toBeUndefined();
    expect(rateOf([{ at: 1000, written: 0 }, { at: 3000, written: 100 }])).toBe(50);
  });
});
