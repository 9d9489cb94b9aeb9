import type { QueueState, TelemetryEvent } from '@streamforge/schemas';
import { applyEvent, failTarget, forceInterrupted, newQueueState } from './queue-state-reducer';
import { planStart } from './start-plan';
import { runningJobNames, runningTargets } from './stop-supervisor';

const plan = planStart(
  { symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', type: 'api_candles_1m', targets: [{ target: 'loader-api-candles', splits: 2 }, { target: 'arango-candles', replicas: 3 }] },
  { suffix: 'abc123' },
);
const fresh = () => newQueueState(plan, 1000);
const loader = (k: number) => `loader-api-candles__abc123-${k}`;
const sink = (k: number) => `arango-candles__abc123-${k}`;
const sinkJob = (k: number) => `job-arango-candles-btcusdt-abc123-${k}`;

let clock = 2000;
function event(producer: string, status: TelemetryEvent['status'], fields: Partial<TelemetryEvent> = {}): TelemetryEvent {
  clock += 1;
  return { queue_id: plan.queueId, producer, symbol: 'BTCUSDT', type: 'api_candles_1m', status, event: status, message: status, records_written: 0, finished: status === 'finished', timestamp: clock, ...fields };
}
const reduce = (state: QueueState, events: TelemetryEvent[]) => events.reduce((s, e) => applyEvent(s, e) ?? s, state);
const lines = (state: QueueState, index: number) => state.targets[index].instances?.map((i) => [i.instance, i.status, i.records_written]);

describe('queue state of targets run as several instances', () => {
  it('starts with one pending line per instance, named as planned; a single-instance target has none', () => {
    const state = fresh();
    expect(state.targets[0].instances?.map((i) => [i.instance, i.job_name, i.telemetry_id, i.time_range])).toEqual([
      ['1/2', 'job-loader-api-candles-btcusdt-abc123-1', loader(1), '2024-08-01T00:00:00.000Z/2024-08-01T12:00:00.000Z'],
      ['2/2', 'job-loader-api-candles-btcusdt-abc123-2', loader(2), '2024-08-01T12:00:00.000Z/2024-08-02T00:00:00.000Z'],
    ]);
    expect(lines(state, 1)).toEqual([['1/3', 'pending', 0], ['2/3', 'pending', 0], ['3/3', 'pending', 0]]);
    const single = newQueueState(planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' }), 1000);
    expect(single.targets.map((t) => 'instances' in t)).toEqual([false, false]);
  });

  it('finishes a split loader when every split finished, summing records and expected records', () => {
    let state = reduce(fresh(), [event(loader(1), 'loading', { records_written: 300, expected_records: 720 }), event(loader(2), 'finished', { records_written: 720, expected_records: 720, gaps: [{ from: 5, to: 6 }] })]);
    expect(state.targets[0]).toMatchObject({ status: 'loading', records_written: 1020, expected_records: 1440, gaps: [{ from: 5, to: 6 }], message: '2/2: finished' });
    expect(lines(state, 0)).toEqual([['1/2', 'loading', 300], ['2/2', 'finished', 720]]);
    state = reduce(state, [event(loader(1), 'finished', { records_written: 720, expected_records: 720 })]);
    expect(state.targets[0]).toMatchObject({ status: 'finished', records_written: 1440, expected_records: 1440 });
    expect(state.targets[0].finished_at).toBe(state.targets[0].instances?.[0].finished_at);
  });

  it('puts a split’s error on the loader line and the queue, and stops its running siblings too', () => {
    const state = reduce(fresh(), [event(loader(1), 'loading'), event(loader(2), 'error', { error_message: 'HTTP 418' }), event(sink(1), 'loading')]);
    expect(state.targets[0]).toMatchObject({ status: 'error', error_message: '2/2: HTTP 418' });
    expect(state.status).toBe('error');
    expect(runningTargets(state).map((t) => t.target)).toEqual(['loader-api-candles', 'arango-candles']);
    expect(runningJobNames(state.targets[0])).toEqual(['job-loader-api-candles-btcusdt-abc123-1']);
    const forced = forceInterrupted(state, 'job-loader-api-candles-btcusdt-abc123-1', 'ended by the launcher', 9000) as QueueState;
    expect(lines(forced, 0)?.map((l) => l[1])).toEqual(['interrupted', 'error']);
    expect(forced.targets[0].status).toBe('error');
  });

  it('finishes the sink when one replica reports finished; the others leaving quietly are no error', () => {
    let state = reduce(fresh(), [event(sink(1), 'loading', { records_written: 400 }), event(sink(2), 'loading', { records_written: 900 }), event(sink(3), 'started')]);
    expect(state.targets[1]).toMatchObject({ status: 'loading', records_written: 900 });
    // Each replica counts the group's dead letters (restored from its commits), so the finisher's count is the total, not a share.
    state = reduce(state, [event(sink(1), 'loading', { records_written: 400, error_count: 2 }), event(sink(2), 'finished', { records_written: 1440, expected_records: 1440, error_count: 3 })]);
    expect(state.targets[1]).toMatchObject({ status: 'finished', records_written: 1440, expected_records: 1440, error_count: 3 });
    expect(runningTargets(state).map((t) => t.target)).toEqual(['loader-api-candles']);
    // Replica 1 exits 0 without an event (the group's finished was reported by replica 2).
    state = failTarget(state, sinkJob(1), 'worker exited (exit code 0) without reporting finished', 9000, { clean: true }) as QueueState;
    expect(lines(state, 1)).toEqual([['1/3', 'finished', 400], ['2/3', 'finished', 1440], ['3/3', 'started', 0]]);
    expect(state.targets[1].instances?.[0].message).toBe('left quietly: another instance reported finished');
    // Replica 3 crashes after the load was complete: its line says so, the target stays finished.
    state = failTarget(state, sinkJob(3), 'worker failed (OOMKilled)', 9001, { clean: false }) as QueueState;
    expect(state.targets[1].instances?.[2]).toMatchObject({ status: 'error', error_message: 'worker failed (OOMKilled)' });
    expect(state.targets[1].status).toBe('finished');
  });

  it('ends a stopped sink interrupted once every replica did; a replica exiting 0 without an event before the load ended is an error', () => {
    let state = reduce(fresh(), [event(sink(1), 'interrupted'), event(sink(2), 'loading')]);
    expect(state.targets[1].status).toBe('loading');
    state = reduce(state, [event(sink(2), 'interrupted'), event(sink(3), 'interrupted')]);
    expect(state.targets[1].status).toBe('interrupted');
    const late = reduce(fresh(), [event(sink(1), 'interrupted'), event(sink(2), 'interrupted'), event(sink(3), 'finished')]);
    expect(late.targets[1].status).toBe('finished');
    const forced = forceInterrupted(reduce(fresh(), [event(sink(1), 'interrupted'), event(sink(2), 'interrupted')]), sinkJob(3), 'ended by the launcher', 9000) as QueueState;
    expect(forced.targets[1]).toMatchObject({ status: 'interrupted', finished_at: 9000 });
    const silent = failTarget(reduce(fresh(), [event(sink(1), 'interrupted'), event(sink(2), 'interrupted'), event(sink(3), 'started')]), sinkJob(3), 'worker exited (exit code 0) without reporting finished', 9001, { clean: true }) as QueueState;
    expect(silent.targets[1]).toMatchObject({ status: 'error', error_message: '3/3: worker exited (exit code 0) without reporting finished' });
  });

  it('marks only the instance whose Job failed, and the target error while the load is not complete', () => {
    const state = failTarget(reduce(fresh(), [event(sink(1), 'loading'), event(sink(2), 'loading')]), sinkJob(2), 'worker failed (BackoffLimitExceeded) after 2 restart(s)', 9000, { clean: false }) as QueueState;
    expect(lines(state, 1)?.map((l) => l[1])).toEqual(['loading', 'error', 'pending']);
    expect(state.targets[1]).toMatchObject({ status: 'error', error_message: '2/3: worker failed (BackoffLimitExceeded) after 2 restart(s)' });
    // An exit that is not an instance's job name, or the target's own prefix, changes nothing.
    expect(failTarget(state, 'job-arango-candles-btcusdt-abc123', 'x', 9001)).toBeUndefined();
  });

  it('orders each instance’s events on its own and ignores what arrives after its final one', () => {
    const late = event(sink(1), 'loading', { records_written: 5 });
    const state = reduce(fresh(), [event(sink(1), 'interrupted', { records_written: 9 }), late, event(sink(2), 'loading', { records_written: 3, timestamp: late.timestamp - 5 })]);
    expect(lines(state, 1)).toEqual([['1/3', 'interrupted', 9], ['2/3', 'loading', 3], ['3/3', 'pending', 0]]);
    expect(applyEvent(state, event(sink(2), 'loading', { records_written: 2, timestamp: late.timestamp - 6 }))).toBeUndefined();
  });
});
