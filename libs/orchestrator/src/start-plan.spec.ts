import { planStart } from './start-plan';
import { workerSpecFor } from './worker-spec';
import { requestErrorsOf as errorsOf } from './testing/request-errors';

const range = '2024-08-01:2024-08-01';

describe('planStart', () => {
  it('plans the simple shape as loader + sink sharing the data topic', () => {
    const plan = planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: range }, { suffix: 'abc123' });
    expect(plan.queueId).toBe('wf-btcusdt-api_candles_1m-20240801-abc123');
    expect(plan.targets.map((t) => ({ target: t.target, topic: t.kafkaTopic, collection: t.collectionName, telemetry: t.telemetryId, job: t.jobName, interval: t.interval }))).toEqual([
      { target: 'loader-api-candles', topic: 'wf-btcusdt-api_candles_1m-20240801-abc123-data', collection: 'btcusdt_api_candles_1m_2024_08_01', telemetry: 'loader-api-candles__abc123', job: 'job-loader-api-candles-btcusdt-abc123', interval: '1m' },
      { target: 'arango-candles', topic: 'wf-btcusdt-api_candles_1m-20240801-abc123-data', collection: 'btcusdt_api_candles_1m_2024_08_01', telemetry: 'arango-candles__abc123', job: 'job-arango-candles-btcusdt-abc123', interval: '1m' },
    ]);
  });

  it('accepts the seed’s target names as aliases', () => {
    const plan = planStart({ symbol: 'ETHUSDT', time_range: range, type: 'api_candles_5m', requests: [{ target: 'loader-producer' }, { target: 'arango-connector' }] });
    expect(plan.targets.map((t) => t.target)).toEqual(['loader-api-candles', 'arango-candles']);
  });

  it('rejects an unknown target, listing the known ones', () => {
    const { errors, known } = errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'loader', type: 'api_candles_1m' }] }));
    expect(errors).toEqual([{ path: 'targets.0.target', message: expect.stringMatching(/^unknown target \(got "loader"\); known targets: loader-api-candles, loader-ws-candles, arango-candles, dummy-service, loader-producer \(alias of loader-api-candles\)/) }]);
    expect(known).toEqual(['loader-api-candles', 'loader-ws-candles', 'arango-candles', 'dummy-service', 'loader-producer', 'arango-connector']);
  });

  it('rejects a candle target without a valid interval, and a simple shape that is not a candle type', () => {
    expect(errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'loader-api-candles', type: 'api_candles_7m' }] })).errors[0]).toEqual({
      path: 'targets.0.type', message: expect.stringMatching(/^unknown kline interval "7m"; expected one of 1s 1m 3m/),
    });
    expect(errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'arango-candles', type: 'api_candles_1m', interval: '5m' }] })).errors[0].message).toBe('interval "5m" contradicts type "api_candles_1m"');
    expect(errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, type: 'trades' })).errors[0].path).toBe('type');
  });

  it('lets dummy-service run any type, and gives a repeated target its own names', () => {
    const plan = planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'dummy-service', type: 'dummy' }, { target: 'dummy-service', type: 'dummy_two' }] }, { suffix: 'abc123' });
    expect(plan.targets[0]).toMatchObject({ interval: null, jobName: 'job-dummy-service-btcusdt-abc123', kafkaTopic: 'wf-btcusdt-dummy-20240801-abc123-data' });
    expect(plan.targets[1].jobName).not.toBe(plan.targets[0].jobName);
    expect(plan.targets[1].telemetryId).not.toBe(plan.targets[0].telemetryId);
    expect(plan.targets[1].kafkaTopic).toBe('wf-btcusdt-dummy-20240801-abc123-dummy_two-data');
    expect(errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'dummy-service', type: 'dummy' }, { target: 'dummy-service', type: 'dummy' }] })).errors[0]).toEqual({
      path: 'targets.1.target', message: 'dummy-service with type dummy is listed twice',
    });
  });
});

describe('planStart bounds the range', () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const limits = { maxCandles: 5_000_000, now };
  const loader = (time_range: string, type = 'api_candles_1s') => planStart({ symbol: 'BTCUSDT', type, time_range }, { limits });

  it('stores one spelling of the range: trimmed, the day form with ":", instants as UTC ISO', () => {
    expect(loader('2024-08-01/2024-08-01', 'api_candles_1m').timeRange).toBe('2024-08-01:2024-08-01');
    expect(loader('2024-08-01T02:00+02:00:2024-08-01T06:00Z', 'api_candles_1m').timeRange).toBe('2024-08-01T00:00:00.000Z/2024-08-01T06:00:00.000Z');
  });

  it('refuses a century of 1s candles, naming the count and the limit', () => {
    expect(errorsOf(() => loader('0100-01-01:9999-12-31')).errors).toEqual([
      { path: 'time_range', message: expect.stringMatching(/^[\d,]+ 1s candles for loader-api-candles; at most 5,000,000 per queue: split the range/) },
    ]);
    expect(loader('2024-08-01:2024-08-31', 'api_candles_1m').targets).toHaveLength(2);
  });

  it('clamps the end to now and refuses a range that starts in the future', () => {
    expect(loader('2026-11-30:2026-12-31', 'api_candles_1m').timeRange).toBe('2026-11-30T00:00:00.000Z/2026-11-30T12:00:00.000Z');
    expect(errorsOf(() => loader('2026-12-01:2026-12-02', 'api_candles_1m')).errors[0].message).toMatch(/^starts in the future/);
  });
});

describe('planStart of a live (open-ended) range', () => {
  // 12:34:56 UTC: 10 s earlier the open 1m candle is 12:34, the open 1h candle 12:00.
  const now = Date.UTC(2026, 10, 30, 12, 34, 56);
  const limits = { maxCandles: 5_000_000, now };
  const live = (request: Partial<Parameters<typeof planStart>[0]> = {}) =>
    planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2026-11-29:', ...request }, { limits, suffix: 'abc123' });
  const ranges = (plan: ReturnType<typeof planStart>) => plan.targets.map((t) => [t.target, t.timeRange]);

  it('starts history, live stream and one sink on one topic and collection, handing over at the candle open at plan time', () => {
    const plan = live();
    expect(plan.timeRange).toBe('2026-11-29:');
    expect(ranges(plan)).toEqual([
      ['loader-api-candles', '2026-11-29T00:00:00.000Z/2026-11-30T12:34:00.000Z'],
      ['loader-ws-candles', '2026-11-30T12:34:00.000Z/'],
      ['arango-candles', '2026-11-29:'],
    ]);
    expect(new Set(plan.targets.map((t) => t.kafkaTopic)).size).toBe(1);
    expect(new Set(plan.targets.map((t) => t.collectionName))).toEqual(new Set(['btcusdt_api_candles_1m_2026_11_29']));
    expect(workerSpecFor(plan, plan.targets[1]).env).toMatchObject({ TIME_RANGE: '2026-11-30T12:34:00.000Z/', INTERVAL: '1m' });
    expect(ranges(live({ type: 'api_candles_1h' }))[0]).toEqual(['loader-api-candles', '2026-11-29T00:00:00.000Z/2026-11-30T12:00:00.000Z']);
  });

  it('hands over at the candle open 10 s before the plan, so the backfill’s last candle is closed past the loader’s grace', () => {
    const early = planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2026-11-29:' }, { limits: { ...limits, now: Date.UTC(2026, 10, 30, 12, 34, 5) } });
    expect(ranges(early).slice(0, 2)).toEqual([
      ['loader-api-candles', '2026-11-29T00:00:00.000Z/2026-11-30T12:33:00.000Z'],
      ['loader-ws-candles', '2026-11-30T12:33:00.000Z/'],
    ]);
  });

  it('starts no backfill when the start lies in the open candle: there is no history to load', () => {
    expect(ranges(live({ time_range: '2026-11-30T12:34:10Z/' }))).toEqual([
      ['loader-ws-candles', '2026-11-30T12:35:00.000Z/'],
      ['arango-candles', '2026-11-30T12:34:10.000Z/'],
    ]);
    expect(ranges(live({ time_range: '2026-11-30T12:33:10Z/' })).map(([target]) => target)).toEqual(['loader-ws-candles', 'arango-candles']);
    expect(ranges(live({ time_range: '2026-11-30T12:32:10Z/' }))[0]).toEqual(['loader-api-candles', '2026-11-30T12:32:10.000Z/2026-11-30T12:34:00.000Z']);
  });

  it('needs loader-ws-candles with an open range, and an open range for loader-ws-candles, saying which field and what is expected', () => {
    expect(errorsOf(() => live({ type: undefined, targets: [{ target: 'loader-api-candles', type: 'api_candles_1m' }, { target: 'arango-candles', type: 'api_candles_1m' }] })).errors).toEqual([
      { path: 'time_range', message: 'an open-ended range follows the market and needs a loader-ws-candles target (got targets loader-api-candles, arango-candles); give an end for a bounded load (got "2026-11-29:")' },
    ]);
    expect(errorsOf(() => live({ time_range: '2026-11-29:2026-11-29', targets: [{ target: 'loader-ws-candles' }] })).errors).toEqual([
      { path: 'targets.0.target', message: 'loader-ws-candles follows the market: time_range must be open-ended, e.g. 2026-11-29: (got "2026-11-29:2026-11-29")' },
    ]);
    expect(errorsOf(() => live({ time_range: '2026-12-01:' })).errors).toEqual([{ path: 'time_range', message: 'starts in the future (got "2026-12-01:")' }]);
  });
});
