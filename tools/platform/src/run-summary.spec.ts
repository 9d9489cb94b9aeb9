import type { QueueState } from '@streamforge/schemas';
import { yesterdayRange } from './platform-options';
import { formatRunSummary } from './run-summary';

const target = (name: string, extra: Partial<QueueState['targets'][number]> = {}) => ({
  target: name, type: 'api_candles_1m', interval: '1m', args: [], kafka_topic: 'wf-x-data', collection_name: 'btcusdt_api_candles_1m_2024_08_01',
  telemetry_id: `${name}__abc123`, job_name: `job-${name}`, status: 'finished' as const, message: null, records_written: 1440, expected_records: 1440,
  last_loaded_timestamp: null, error_message: null, error_count: 0, gaps: [], started_at: 1, finished_at: 2, last_event_at: 2, ...extra,
});

describe('formatRunSummary', () => {
  const state: QueueState = {
    queue_id: 'wf-x', status: 'finished', symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01', flow_name: 'default_candles_flow',
    request: {}, created_at: 1, updated_at: 2, started_at: 1, finished_at: 2, stop_requested_at: null,
    targets: [target('loader-api-candles', { gaps: [{ from: 1722470400000, to: 1722470460000 }] }), target('arango-candles', { error_count: 2 })],
  };

  it('states stored candles, gaps, bad messages, throughput and where to look', () => {
    const lines = formatRunSummary({ state, storedCandles: 1440, elapsedMs: 2000, storeLocation: 'sqlite data/streamforge.db', apiUrl: 'http://127.0.0.1:8000' });
    expect(lines).toContain('candles stored:  1440 in btcusdt_api_candles_1m_2024_08_01');
    expect(lines).toContain('gaps:            2024-08-01T00:00:00.000Z → 2024-08-01T00:01:00.000Z');
    expect(lines).toContain("bad messages:    2 (in the data topic's -dlq)");
    expect(lines).toContain('throughput:      720 candles/s');
    expect(lines).toContain('data:            sqlite data/streamforge.db');
    expect(lines[lines.length - 1]).toMatch(/docs: http:\/\/127\.0\.0\.1:8000\/docs/);
    expect(lines.join('\n')).not.toMatch(/simulat/);
  });

  it('says "simulator" on the first line and beside the stored count of a simulated run', () => {
    const lines = formatRunSummary({ state, storedCandles: 1440, elapsedMs: 2000, storeLocation: 'sqlite data/streamforge-sim.db', apiUrl: 'http://127.0.0.1:8000', dataSource: 'simulator' });
    expect(lines[0]).toBe('queue wf-x: finished (simulator: simulated candles, not market data)');
    expect(lines).toContain('candles stored:  1440 in btcusdt_api_candles_1m_2024_08_01 (simulator: simulated candles, not market data)');
  });
});

describe('formatRunSummary of a scaled-out queue', () => {
  it('lists each instance under its target', () => {
    const instance = (k: number, status: 'finished' | 'interrupted', records: number) => ({
      instance: `${k}/2`, telemetry_id: `arango-candles__abc123-${k}`, job_name: `job-arango-candles-btcusdt-abc123-${k}`, time_range: '2024-08-01:2024-08-01', status, message: null,
      records_written: records, expected_records: null, last_loaded_timestamp: null, error_message: null, error_count: 0, started_at: 1, finished_at: 2, last_event_at: 2,
    });
    const state = {
      queue_id: 'wf-x', status: 'finished' as const, symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01', flow_name: null,
      request: {}, created_at: 1, updated_at: 2, started_at: 1, finished_at: 2, stop_requested_at: null,
      targets: [target('arango-candles', { instances: [instance(1, 'finished', 1440), instance(2, 'finished', 700)] })],
    };
    const lines = formatRunSummary({ state, storedCandles: 1440, elapsedMs: 2000, storeLocation: 'sqlite x.db', apiUrl: 'http://127.0.0.1:8000' });
    expect(lines.slice(1, 4)).toEqual([
      '  arango-candles     finished    records_written 1440',
      '    \u21b3 1/2            finished    records_written 1440  job-arango-candles-btcusdt-abc123-1',
      '    \u21b3 2/2            finished    records_written 700  job-arango-candles-btcusdt-abc123-2',
    ]);
  });
});

describe('yesterdayRange', () => {
  it('is the previous UTC day, end day included', () => {
    expect(yesterdayRange(new Date('2026-03-01T00:30:00Z'))).toBe('2026-02-28:2026-02-28');
  });
});
