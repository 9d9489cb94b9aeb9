import type { TelemetryEvent } from '@streamforge/schemas';
import { queueStateFixture } from './queue-state-fixture';
import { EVENT_LOG_LIMIT, QueueStore, type StoreChange } from './queue-store';

function event(queueId: string, recordsWritten: number): TelemetryEvent {
  return { queue_id: queueId, producer: 'arango-candles__def456', symbol: 'BTCUSDT', type: 'api_candles_1m', status: 'loading', event: 'loading', message: '', records_written: recordsWritten, finished: false, timestamp: 1_722_500_000 + recordsWritten };
}

describe('QueueStore', () => {
  it('keeps the newest state of each queue whatever order the socket and a re-sync deliver them in', () => {
    const store = new QueueStore();
    const changes: StoreChange[] = [];
    store.subscribe((change) => changes.push(change));
    const newer = queueStateFixture({ status: 'finished', updated_at: 20 });
    const older = queueStateFixture({ status: 'loading', updated_at: 10 });
    expect(store.applyMessage({ type: 'queue', data: newer })).toBe(true);
    store.resync([older]); // a GET /queues answer that left the server before the push
    expect(store.get(newer.queue_id)?.status).toBe('finished');
    expect(changes).toEqual([{ kind: 'queues' }]);
    store.resync([queueStateFixture({ status: 'interrupted', updated_at: 30 }), queueStateFixture({ queue_id: 'wf-other', created_at: 1_722_600_000, updated_at: 1 })]);
    expect(store.list().map((q) => [q.queue_id, q.status])).toEqual([
      ['wf-other', 'loading'],
      [newer.queue_id, 'interrupted'],
    ]);
  });

  it('logs events per queue, keeping the newest EVENT_LOG_LIMIT and the total received', () => {
    const store = new QueueStore();
    const changes: StoreChange[] = [];
    store.subscribe((change) => changes.push(change));
    for (let i = 0; i < EVENT_LOG_LIMIT + 5; i += 1) store.applyMessage({ type: 'event', data: event('wf-a', i) });
    store.applyMessage({ type: 'event', data: event('wf-b', 1) });
    const log = store.eventLog('wf-a');
    expect(log.total).toBe(EVENT_LOG_LIMIT + 5);
    expect(log.events).toHaveLength(EVENT_LOG_LIMIT);
    expect(log.events[0].records_written).toBe(5);
    expect(store.eventLog('wf-b').total).toBe(1);
    expect(store.eventLog('wf-none')).toEqual({ events: [], total: 0 });
    expect(changes[changes.length - 1]).toEqual({ kind: 'events', queueId: 'wf-b' });
  });

  it('ignores messages it does not know (heartbeats, other types, malformed data)', () => {
    const store = new QueueStore();
    expect(store.applyMessage({ type: 'heartbeat' })).toBe(false);
    expect(store.applyMessage({ type: 'queue', data: { status: 'x' } })).toBe(false);
    expect(store.applyMessage('{}')).toBe(false);
    expect(store.applyMessage({ type: 'other', data: { queue_id: 'q' } })).toBe(false);
    expect(store.list()).toEqual([]);
  });
});
