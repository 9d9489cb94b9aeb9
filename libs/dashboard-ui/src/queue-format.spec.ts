import type { TargetState } from '@streamforge/schemas';
import { queueStateFixture } from './queue-state-fixture';
import { candleCollections, collectionFreshness, formatDuration, formatLiveFigures, formatRate, formatUtc, isActive, queueErrorCount, queueGaps, targetLines, targetProgress, targetRate } from './queue-format';

const target = (overrides: Partial<TargetState>) => queueStateFixture({}, [overrides]).targets[0];

describe('queue formatting', () => {
  it('shows a live worker’s lag and reconnects, and nothing for a batch worker', () => {
    const [live, batch] = queueStateFixture({}, [{ live_lag_ms: 1234, reconnects: 1 }, {}]).targets;
    expect(formatLiveFigures(live)).toBe('lag 1,234 ms \u00b7 1 reconnect');
    expect(formatLiveFigures({ ...live, live_lag_ms: undefined, reconnects: 3 })).toBe('3 reconnects');
    expect(formatLiveFigures(batch)).toBe('');
  });

  it('tells a chart its collection got more candles: the sink’s count or newest candle changed', () => {
    const queue = queueStateFixture({ queue_id: 'wf-q' }, [{ target: 'loader-api-candles', collection_name: 'c', records_written: 99 }, { target: 'arango-candles', collection_name: 'c', records_written: 10, last_loaded_timestamp: 600_000 }]);
    const grown = { ...queue, targets: [queue.targets[0], { ...queue.targets[1], records_written: 11, last_loaded_timestamp: 660_000 }] };
    expect(collectionFreshness([queue], 'c')).toBe('wf-q 10 600000');
    expect(collectionFreshness([grown], 'c')).not.toBe(collectionFreshness([queue], 'c'));
    expect(collectionFreshness([queue], 'other')).toBeUndefined();
  });

  it('computes progress from written / expected, capped at 100, unknown until expected is reported', () => {
    expect(targetProgress(target({ records_written: 720, expected_records: 1440 }))).toEqual({ written: 720, expected: 1440, percent: 50, expectedFrom: null });
    expect(targetProgress(target({ records_written: 1439, expected_records: 1440 })).percent).toBe(99.9);
    expect(targetProgress(target({ records_written: 1500, expected_records: 1440 })).percent).toBe(100);
    expect(targetProgress(target({ records_written: 12, expected_records: null })).percent).toBeNull();
    expect(targetProgress(target({ records_written: 0, expected_records: 0, status: 'finished' })).percent).toBe(100);
    expect(targetProgress(target({ records_written: 0, expected_records: 0, status: 'loading' })).percent).toBe(0);
  });

  it('measures a target without expected_records against a sibling of the same type that has one', () => {
    const queue = queueStateFixture({}, [
      { target: 'loader-api-candles', records_written: 1440, expected_records: 1440 },
      { target: 'arango-candles', records_written: 720, expected_records: null },
      { target: 'dummy-service', type: 'dummy', records_written: 3, expected_records: null },
    ]);
    const [loader, sink, dummy] = queue.targets;
    expect(targetProgress(sink, queue.targets)).toEqual({ written: 720, expected: 1440, percent: 50, expectedFrom: 'loader-api-candles' });
    expect(targetProgress(loader, queue.targets).expectedFrom).toBeNull();
    expect(targetProgress(dummy, queue.targets)).toEqual({ written: 3, expected: null, percent: null, expectedFrom: null });
  });

  it('rates records per second between start and the newest event', () => {
    expect(targetRate(target({ records_written: 1440, started_at: 100, last_event_at: 100.5 }))).toBe(2880);
    expect(targetRate(target({ records_written: 1440, started_at: 100, last_event_at: 100 }))).toBeNull();
    expect(targetRate(target({ records_written: 10, started_at: null, last_event_at: 100 }))).toBeNull();
    expect([null, 3.25, 42, 2880, 2_500_000].map(formatRate)).toEqual(['–', '3.3/s', '42/s', '2.9k/s', '2.5M/s']);
  });

  it('sums errors and merges the gaps of every target', () => {
    const queue = queueStateFixture({}, [
      { error_count: 2, gaps: [{ from: 3, to: 4 }, { from: 1, to: 2 }] },
      { error_count: 1, gaps: [{ from: 1, to: 2 }], type: 'dummy' },
    ]);
    expect(queueErrorCount(queue)).toBe(3);
    expect(queueGaps(queue)).toEqual([{ from: 1, to: 2 }, { from: 3, to: 4 }]);
    expect(candleCollections(queue)).toEqual(['btcusdt_api_candles_1m_2024_08_01']);
  });

  it('offers stop only while a queue has workers running', () => {
    expect((['pending', 'started', 'loading', 'stopping', 'finished', 'error', 'interrupted'] as const).filter(isActive)).toEqual(['pending', 'started', 'loading', 'stopping']);
  });

  it('prints times in UTC and durations for humans', () => {
    expect(formatUtc(1_722_470_400.123)).toBe('2024-08-01 00:00:00');
    expect(formatUtc(1_722_470_400.123, true)).toBe('2024-08-01 00:00:00.123');
    expect(formatUtc(null)).toBe('–');
    expect([3.21, 42, 125, 7_380].map(formatDuration)).toEqual(['3.2 s', '42 s', '2 min 5 s', '2 h 3 min']);
  });

  it('lists a target run as several instances as its own line, then one line per instance with its own status, counts and names', () => {
    const instance = (k: number, fields: object) => ({
      instance: `${k}/2`, telemetry_id: `arango-candles__def456-${k}`, job_name: `job-arango-candles-btcusdt-def456-${k}`, time_range: '2024-08-01:2024-08-01',
      status: 'loading' as const, message: null, records_written: 0, expected_records: null, last_loaded_timestamp: null, error_message: null, error_count: 0,
      started_at: null, finished_at: null, last_event_at: null, ...fields,
    });
    const queue = queueStateFixture({}, [
      { target: 'loader-api-candles', records_written: 1440, expected_records: 1440, status: 'finished' },
      { status: 'finished', records_written: 1440, gaps: [{ from: 1, to: 2 }], instances: [instance(1, { status: 'finished', records_written: 1440 }), instance(2, { status: 'finished', records_written: 700, message: 'left quietly: another instance reported finished' })] },
    ]);
    const lines = queue.targets.flatMap(targetLines);
    expect(lines.map(({ line, instance }) => [instance, line.target, line.status, line.telemetry_id, line.job_name, line.records_written, line.gaps.length, line.instances])).toEqual([
      [null, 'loader-api-candles', 'finished', 'arango-candles__def456', 'job-arango-candles-btcusdt-def456', 1440, 0, undefined],
      [null, 'arango-candles', 'finished', 'arango-candles__def456', 'job-arango-candles-btcusdt-def456', 1440, 1, queue.targets[1].instances],
      ['1/2', 'arango-candles', 'finished', 'arango-candles__def456-1', 'job-arango-candles-btcusdt-def456-1', 1440, 0, undefined],
      ['2/2', 'arango-candles', 'finished', 'arango-candles__def456-2', 'job-arango-candles-btcusdt-def456-2', 700, 0, undefined],
    ]);
    // A replica reports no expected count of its own: its bar measures the collection against the loader's.
    expect(targetProgress(lines[3].line, queue.targets)).toEqual({ written: 700, expected: 1440, percent: 48.6, expectedFrom: 'loader-api-candles' });
    expect(lines[3].line.message).toBe('left quietly: another instance reported finished');
  });
});
