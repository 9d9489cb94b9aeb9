import type { QueueState, TelemetryEvent } from '@streamforge/schemas';
import { applyEvent, deriveQueueStatus, failTarget, forceInterrupted, newQueueState, requestStop } from './queue-state-reducer';
import { planStart } from './start-plan';

const plan = planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' }, { suffix: 'abc123' });
const fresh = () => newQueueState(plan, 1000);
const loader = 'loader-api-candles__abc123';
const sink = 'arango-candles__abc123';

let clock = 2000;
function event(producer: string, status: TelemetryEvent['status'], fields: Partial<TelemetryEvent> = {}): TelemetryEvent {
  clock += 1;
  return {
    queue_id: plan.queueId, producer, symbol: 'BTCUSDT', type: 'api_candles_1m', status, event: status,
    message: status, records_written: 0, finished: status === 'finished', timestamp: clock, ...fields,
  };
}

/** Applies events in order, keeping the state when an event is a no-op. */
function reduce(state: QueueState, events: TelemetryEvent[]): QueueState {
  return events.reduce((s, e) => applyEvent(s, e) ?? s, state);
}

describe('queue state reducer', () => {
  it('starts pending with every target pending and the planned names', () => {
    const state = fresh();
    expect(state.status).toBe('pending');
    expect(state.targets.map((t) => [t.target, t.status, t.job_name])).toEqual([
      ['loader-api-candles', 'pending', 'job-loader-api-candles-btcusdt-abc123'],
      ['arango-candles', 'pending', 'job-arango-candles-btcusdt-abc123'],
    ]);
  });

  it('follows progress: started → loading (with its fields) → finished', () => {
    const started = event(loader, 'started');
    const loading = event(loader, 'loading', { records_written: 500, expected_records: 1440, last_loaded_timestamp: 1722529800000 });
    let state = reduce(fresh(), [started, loading]);
    expect(state.status).toBe('loading');
    expect(state.started_at).toBe(started.timestamp);
    expect(state.targets[0]).toMatchObject({ status: 'loading', records_written: 500, expected_records: 1440, last_loaded_timestamp: 1722529800000, started_at: started.timestamp });
    const finished = event(loader, 'finished', { records_written: 1440, gaps: [{ from: 1, to: 2 }] });
    state = reduce(state, [finished, event(sink, 'started'), event(sink, 'finished', { records_written: 1440, error_count: 2 })]);
    expect(state.status).toBe('finished');
    expect(state.targets[0]).toMatchObject({ status: 'finished', records_written: 1440, gaps: [{ from: 1, to: 2 }], finished_at: finished.timestamp });
    expect(state.targets[1]).toMatchObject({ status: 'finished', error_count: 2 });
    expect(state.finished_at).toBe(state.targets[1].finished_at);
  });

  it('keeps a live worker’s newest lag and reconnect count, and nothing of them for a worker that reports none', () => {
    const state = reduce(fresh(), [event(sink, 'loading', { live_lag_ms: 120, records_written: 5 }), event(sink, 'loading', { records_written: 6 }), event(loader, 'loading', { records_written: 3 })]);
    expect(state.targets[1]).toMatchObject({ records_written: 6, live_lag_ms: 120 });
    expect(reduce(state, [event(sink, 'loading', { live_lag_ms: 40, reconnects: 2, records_written: 7 })]).targets[1]).toMatchObject({ live_lag_ms: 40, reconnects: 2 });
    expect('live_lag_ms' in state.targets[0]).toBe(false);
    expect('reconnects' in state.targets[0]).toBe(false);
  });

  it('never moves a finished target back, whatever arrives late', () => {
    const loading = event(loader, 'loading', { records_written: 100 });
    const finished = event(loader, 'finished', { records_written: 1440 });
    const lateNewer = event(loader, 'loading', { records_written: 50 });
    const state = reduce(fresh(), [finished, loading, lateNewer]);
    expect(state.targets[0]).toMatchObject({ status: 'finished', records_written: 1440 });
  });

  it('ignores events older than the last one applied (out of order)', () => {
    const first = event(loader, 'loading', { records_written: 100 });
    const second = event(loader, 'loading', { records_written: 200 });
    const state = reduce(fresh(), [second, first]);
    expect(state.targets[0].records_written).toBe(200);
    expect(applyEvent(reduce(fresh(), [second]), first)).toBeUndefined();
  });

  it('treats a duplicate as a no-op', () => {
    const loading = event(loader, 'loading', { records_written: 100 });
    const once = reduce(fresh(), [loading]);
    expect(applyEvent(once, loading)).toBeUndefined();
    expect(applyEvent(once, { ...loading })).toBeUndefined();
  });

  it('lets the later stage win when two events share a timestamp', () => {
    const loading = event(loader, 'loading', { records_written: 1440 });
    const finished = { ...event(loader, 'finished', { records_written: 1440 }), timestamp: loading.timestamp };
    expect(reduce(fresh(), [loading, finished]).targets[0].status).toBe('finished');
    expect(reduce(fresh(), [finished, loading]).targets[0].status).toBe('finished');
  });

  it('gives the same state for any delivery order of one worker’s events', () => {
    const events = [event(loader, 'started'), event(loader, 'loading', { records_written: 10 }), event(loader, 'loading', { records_written: 20 }), event(loader, 'finished', { records_written: 30 })];
    const inOrder = reduce(fresh(), events).targets[0];
    const shuffled = reduce(fresh(), [events[3], events[1], events[0], events[2], events[3]]).targets[0];
    expect(shuffled).toMatchObject({ status: 'finished', records_written: 30, finished_at: inOrder.finished_at });
  });

  it('marks the queue error when any target errors, and revives a target whose retry started again', () => {
    let state = reduce(fresh(), [event(loader, 'started'), event(sink, 'loading'), event(loader, 'error', { error_message: 'HTTP 418: banned for 120 s' })]);
    expect(state.status).toBe('error');
    expect(state.targets[0]).toMatchObject({ status: 'error', error_message: 'HTTP 418: banned for 120 s' });
    state = reduce(state, [event(loader, 'started')]);
    expect(state.status).toBe('loading');
    expect(state.targets[0].error_message).toBe('HTTP 418: banned for 120 s');
  });

  it("lets a worker's late finished event replace the error recorded when it exited first (queue-manager's consumer lagged)", () => {
    let state = reduce(fresh(), [event(loader, 'loading', { timestamp: 2 }), event(sink, 'finished', { timestamp: 3 })]);
    state = failTarget(state, 'job-loader-api-candles-btcusdt-abc123', 'worker exited (exit code 0) without reporting finished', 9) as QueueState;
    expect(state.status).toBe('error');
    state = reduce(state, [event(loader, 'finished', { timestamp: 4, records_written: 1440 })]);
    expect(state.status).toBe('finished');
    expect(state.targets[0]).toMatchObject({ status: 'finished', records_written: 1440 });
  });

  it('ignores pongs, other queues and unknown producers', () => {
    const state = fresh();
    expect(applyEvent(state, event(loader, 'pong', { ping_ts: 1, ponged_at: 2 }))).toBeUndefined();
    expect(applyEvent(state, { ...event(loader, 'started'), queue_id: 'wf-other' })).toBeUndefined();
    expect(applyEvent(state, event('someone__zzzzzz', 'started'))).toBeUndefined();
    expect(applyEvent(state, event('someone__zzzzzz', 'finished'))).toBeUndefined();
  });

  it("takes the outcome of a target's extra instance (KEDA), so the launched one may exit 0 without an event", () => {
    const extra = 'arango-candles__arango-candles-btcusdt-abc123-x7k2p';
    let state = reduce(fresh(), [event(loader, 'finished', { records_written: 1440 }), event(sink, 'loading', { records_written: 700 })]);
    // Its progress is not the line's: the launched instance's is.
    expect(applyEvent(state, event(extra, 'loading', { records_written: 740 }))).toBeUndefined();
    state = reduce(state, [event(extra, 'finished', { records_written: 1440, expected_records: 1440, message: 'load complete' })]);
    expect(state.status).toBe('finished');
    expect(state.targets[1]).toMatchObject({ status: 'finished', records_written: 1440, expected_records: 1440, message: `load complete (reported by ${extra})` });
    // The launched instance then ends without an event (complete elsewhere): not an error.
    expect(failTarget(state, 'job-arango-candles-btcusdt-abc123', 'worker exited (exit 0) without reporting finished', 9999)).toBeUndefined();

    const failing = reduce(fresh(), [event(sink, 'loading'), event(extra, 'error', { error_message: 'store gone' })]);
    expect(failing.status).toBe('error');
    expect(failing.targets[1]).toMatchObject({ status: 'error', error_message: 'store gone' });
  });

  it('derives stopping after a stop, and interrupted once every target ended', () => {
    let state = reduce(fresh(), [event(loader, 'loading'), event(sink, 'loading')]);
    state = requestStop(state, 3000);
    expect(state.status).toBe('stopping');
    state = reduce(state, [event(loader, 'interrupted', { records_written: 700 })]);
    expect(state.status).toBe('stopping');
    state = forceInterrupted(state, 'job-arango-candles-btcusdt-abc123', 'ended by the launcher', 3010) as QueueState;
    expect(state.status).toBe('interrupted');
    expect(state.targets[1]).toMatchObject({ status: 'interrupted', message: 'ended by the launcher', finished_at: 3010 });
    expect(state.finished_at).toBe(3010);
  });

  it('records a launch failure as a target error without overwriting a reported one', () => {
    const failed = failTarget(fresh(), 'job-loader-api-candles-btcusdt-abc123', 'cannot launch: bundle missing', 5) as QueueState;
    expect(failed.status).toBe('error');
    expect(failed.targets[0].error_message).toBe('cannot launch: bundle missing');
    expect(failTarget(failed, 'job-loader-api-candles-btcusdt-abc123', 'again', 6)).toBeUndefined();
  });

  it('derives loading, started and pending', () => {
    const base = fresh();
    const withStatuses = (a: string, b: string) => ({ stop_requested_at: null, targets: [{ ...base.targets[0], status: a }, { ...base.targets[1], status: b }] }) as QueueState;
    expect(deriveQueueStatus(withStatuses('loading', 'started'))).toBe('loading');
    expect(deriveQueueStatus(withStatuses('finished', 'started'))).toBe('started');
    expect(deriveQueueStatus(withStatuses('pending', 'pending'))).toBe('pending');
    expect(deriveQueueStatus(withStatuses('finished', 'interrupted'))).toBe('interrupted');
  });
});
