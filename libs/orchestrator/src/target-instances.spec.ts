import { parseTimeRange, startFlowRequestSchema, startQueueRequestSchema } from '@streamforge/schemas';
import type { FlowCatalog } from './flow-catalog';
import { flowToStartRequest } from './flow-catalog';
import { planStart } from './start-plan';
import { startTopicsFor } from './start-topics';
import { requestErrorsOf as errorsOf } from './testing/request-errors';
import { workerSpecFor, workerSpecsFor } from './worker-spec';

const range = '2024-08-01:2024-08-01';
const now = Date.UTC(2026, 10, 30, 12, 0, 0);
const limits = { maxCandles: 5_000_000, now };
const scaled = (loader: Record<string, unknown>, sink: Record<string, unknown>, time_range = range) =>
  planStart({ symbol: 'BTCUSDT', time_range, type: 'api_candles_1m', targets: [{ target: 'loader-api-candles', ...loader }, { target: 'arango-candles', ...sink }] }, { suffix: 'abc123', limits });

describe('a target run as several instances', () => {
  it('keeps today’s names, env and topic with one instance (replicas/splits 1 or absent)', () => {
    for (const plan of [scaled({}, {}), scaled({ splits: 1 }, { replicas: 1 })]) {
      const specs = workerSpecsFor(plan);
      expect(specs.map((s) => [s.jobName, s.env.TELEMETRY_PRODUCER_ID, s.env.TIME_RANGE, s.env.LOAD_SPLIT])).toEqual([
        ['job-loader-api-candles-btcusdt-abc123', 'loader-api-candles__abc123', range, undefined],
        ['job-arango-candles-btcusdt-abc123', 'arango-candles__abc123', range, undefined],
      ]);
      expect(specs[0]).toEqual(workerSpecFor(plan, plan.targets[0]));
      expect(startTopicsFor(plan, 1)).toEqual([{ topic: `${plan.queueId}-data`, numPartitions: 1 }, { topic: `${plan.queueId}-data-dlq` }]);
    }
  });

  it('gives each sink replica its own Job and producer, the same range, and the data topic twice as many partitions', () => {
    const plan = scaled({}, { replicas: 3 });
    const sinks = workerSpecsFor(plan).filter((s) => s.target === 'arango-candles');
    expect(sinks.map((s) => [s.jobName, s.env.TELEMETRY_PRODUCER_ID, s.env.TIME_RANGE, s.env.LOAD_SPLIT])).toEqual([1, 2, 3].map((k) => [`job-arango-candles-btcusdt-abc123-${k}`, `arango-candles__abc123-${k}`, range, undefined]));
    expect(new Set(sinks.map((s) => s.env.KAFKA_TOPIC)).size).toBe(1);
    expect(startTopicsFor(plan, 1)[0]).toEqual({ topic: `${plan.queueId}-data`, numPartitions: 6 });
    expect(startTopicsFor(plan, 12)[0].numPartitions).toBe(12);
  });

  it('cuts a loader’s range into contiguous sub-ranges on candle boundaries, each with LOAD_SPLIT k/n', () => {
    const plan = scaled({ splits: 3 }, {}, '2024-08-01T00:00Z/2024-08-01T00:10Z');
    const loaders = workerSpecsFor(plan).filter((s) => s.target === 'loader-api-candles');
    expect(loaders.map((s) => [s.jobName, s.env.TELEMETRY_PRODUCER_ID, s.env.LOAD_SPLIT, s.env.TIME_RANGE])).toEqual([
      ['job-loader-api-candles-btcusdt-abc123-1', 'loader-api-candles__abc123-1', '1/3', '2024-08-01T00:00:00.000Z/2024-08-01T00:03:00.000Z'],
      ['job-loader-api-candles-btcusdt-abc123-2', 'loader-api-candles__abc123-2', '2/3', '2024-08-01T00:03:00.000Z/2024-08-01T00:06:00.000Z'],
      ['job-loader-api-candles-btcusdt-abc123-3', 'loader-api-candles__abc123-3', '3/3', '2024-08-01T00:06:00.000Z/2024-08-01T00:10:00.000Z'],
    ]);
    // Together the sub-ranges are the queue's range: each starts where the previous ended.
    const spans = loaders.map((s) => parseTimeRange(s.env.TIME_RANGE)).map((r) => (r.ok ? [r.value.fromMs, r.value.untilMs] : []));
    expect(spans[0][0]).toBe(Date.UTC(2024, 7, 1));
    spans.slice(1).forEach((span, i) => expect(span[0]).toBe(spans[i][1]));
    expect(spans[2][1]).toBe(Date.UTC(2024, 7, 1, 0, 10));
    expect(plan.targets[1].instances).toHaveLength(1);
    expect(startTopicsFor(plan, 1)[0].numPartitions).toBe(1);
  });

  it('splits a whole day evenly and gives fewer splits than asked when the range holds fewer candles', () => {
    const day = scaled({ splits: 4 }, {});
    expect(day.targets[0].instances.map((i) => i.timeRange)).toEqual([0, 6, 12, 18].map((h) => `2024-08-01T${String(h).padStart(2, '0')}:00:00.000Z/${h === 18 ? '2024-08-02T00' : `2024-08-01T${String(h + 6).padStart(2, '0')}`}:00:00.000Z`));
    const tiny = scaled({ splits: 8 }, {}, '2024-08-01T00:00Z/2024-08-01T00:02Z');
    expect(tiny.targets[0].instances.map((i) => [i.loadSplit, i.jobName])).toEqual([['1/2', 'job-loader-api-candles-btcusdt-abc123-1'], ['2/2', 'job-loader-api-candles-btcusdt-abc123-2']]);
  });

  it('keeps instance job names within a DNS label, cutting the head and never the suffix', () => {
    const plan = planStart({ symbol: 'ABCDEFGHIJKLMNOPQRST', time_range: range, targets: [{ target: 'arango-candles', type: 'api_candles_1m', replicas: 8 }] }, { suffix: 'abc123', limits });
    for (const instance of plan.targets[0].instances) {
      expect(instance.jobName.length).toBeLessThanOrEqual(63);
      expect(instance.jobName).toMatch(new RegExp(`^job-arango-candles-abcdefghij[a-z]*-abc123-${instance.index}$`));
    }
  });

  it('refuses replicas/splits on another target, in a live queue, and over the per-queue total, naming the field and value', () => {
    const dummy = errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'dummy-service', type: 'dummy', replicas: 2 }, { target: 'arango-candles', type: 'api_candles_1m', splits: 1 }] }, { limits }));
    expect(dummy.errors).toEqual([
      { path: 'targets.0.replicas', message: 'only arango-candles runs as sink replicas (got target "dummy-service" with replicas 2)' },
      { path: 'targets.1.splits', message: 'only loader-api-candles runs as loader splits (got target "arango-candles" with splits 1)' },
    ]);
    const live = errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: '2026-11-30:', targets: [{ target: 'loader-ws-candles', type: 'api_candles_1m' }, { target: 'arango-candles', type: 'api_candles_1m', replicas: 2 }] }, { limits }));
    expect(live.errors).toEqual([{ path: 'targets.1.replicas', message: 'a live (open-ended) queue runs one sink replica: give the range an end to use replicas (got 2)' }]);
    const many = errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [
      { target: 'loader-api-candles', type: 'api_candles_1m', splits: 8 }, { target: 'arango-candles', type: 'api_candles_1m', replicas: 8 }, { target: 'dummy-service', type: 'dummy' },
    ] }, { limits }));
    expect(many.errors).toEqual([{ path: 'targets', message: '17 worker instances (targets × replicas/splits); at most 16 per queue' }]);
  });

  it('has the schema refuse a count that is not a whole number from 1 to 8, naming the path', () => {
    for (const replicas of [0, 9, 1.5, '2']) {
      const result = startQueueRequestSchema.safeParse({ symbol: 'BTCUSDT', time_range: range, type: 'api_candles_1m', targets: [{ target: 'arango-candles', replicas }] });
      expect(result.success).toBe(false);
      if (!result.success) expect(result.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['targets.0.replicas', 'a whole number from 1 to 8']]);
    }
    const flow = startFlowRequestSchema.safeParse({ flow_name: 'f', symbol: 'BTCUSDT', time_range: range, extra_params: { splits: 0 } });
    expect(flow.success ? [] : flow.error.issues.map((i) => i.path.join('.'))).toEqual(['extra_params.splits']);
  });

  it('lets a flow ask for replicas and splits of its sink and loader, and refuses them for a flow without one', () => {
    const catalog: FlowCatalog = {
      default_candles_flow: { description: '', type: 'api_candles_1m', targets: [{ target: 'loader-api-candles', args: [] }, { target: 'arango-candles', args: [] }] },
      dummy_flow: { description: '', type: 'dummy', targets: [{ target: 'dummy-service', args: [] }] },
    };
    const request = flowToStartRequest(catalog, { flow_name: 'default_candles_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { replicas: 2, splits: 3 } });
    expect(request.targets?.map((t) => [t.target, t.replicas, t.splits])).toEqual([['loader-api-candles', undefined, 3], ['arango-candles', 2, undefined]]);
    expect(errorsOf(() => flowToStartRequest(catalog, { flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { replicas: 2 } })).errors).toEqual([
      { path: 'extra_params.replicas', message: 'flow dummy_flow has no arango-candles target to run as replicas (got 2)' },
    ]);
  });
});
