import { ensureTopics } from '@streamforge/kafka';
import { createMetricsRegistry } from '@streamforge/metrics';
import type { QueueState, QueueStatus } from '@streamforge/schemas';
import { createQueueManagerMetrics } from '../queue-manager-metrics';
import { QueueRetention } from '../queue-retention';
import { newQueueState } from '../queue-state-reducer';
import { QUEUE_STATE_COLLECTION, QueueStateRepository } from '../queue-state-repository';
import { planStart } from '../start-plan';
import { MemoryDocumentStore } from '../testing';
import { closeTestKafka, createHarness, eventually, logger, testKafka, type Harness } from './lifecycle-harness';

const DAY = 86_400;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => closeTestKafka());

/** A queue as stored `ageDays` after its last change, with the given queue and target statuses. */
function storedQueue(symbol: string, status: QueueStatus, ageDays: number): QueueState {
  const plan = planStart({ symbol, type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' });
  const at = Date.now() / 1000 - ageDays * DAY;
  const state = newQueueState(plan, at);
  const targetStatus = status === 'loading' ? 'loading' : status === 'error' ? 'error' : status === 'interrupted' ? 'interrupted' : 'finished';
  return { ...state, status, updated_at: at, finished_at: status === 'loading' ? null : at, targets: state.targets.map((t) => ({ ...t, status: targetStatus, finished_at: at })) };
}

async function listTopics(): Promise<Set<string>> {
  const admin = (await testKafka()).kafka.admin();
  await admin.connect();
  try {
    return new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
}

async function topicsOf(states: QueueState[]): Promise<string[]> {
  return states.flatMap((s) => [`${s.queue_id}-data`, `${s.queue_id}-data-dlq`]);
}

describe('queue retention', () => {
  it('after the retention, deletes an ended queue’s data and DLQ topics and its document; keeps running, recent and still-worked queues, and a DLQ with letters', async () => {
    const { kafka, producer } = await testKafka();
    const store = new MemoryDocumentStore();
    const old = {
      finished: storedQueue('AAAUSDT', 'finished', 8),
      interrupted: storedQueue('BBBUSDT', 'interrupted', 8),
      errorWithLetters: storedQueue('CCCUSDT', 'error', 9),
      running: storedQueue('DDDUSDT', 'loading', 8),
      workerAlive: storedQueue('EEEUSDT', 'error', 8),
    };
    const recent = storedQueue('FFFUSDT', 'finished', 6);
    const all = [...Object.values(old), recent];
    await store.ensureCollection(QUEUE_STATE_COLLECTION);
    await store.upsertBatch(QUEUE_STATE_COLLECTION, all.map((s) => ({ _key: s.queue_id, ...s })));
    await ensureTopics(kafka, (await topicsOf(all)).map((topic) => ({ topic })));
    await producer.send({ topic: `${old.errorWithLetters.queue_id}-data-dlq`, acks: -1, messages: [{ key: 'k', value: '{"bad":"candle"}' }] });

    const h = (harness = await createHarness());
    // A worker of an errored queue still runs (the launcher knows it): its topics stay.
    const alivePlan = old.workerAlive.targets[1];
    await h.launcher.launch({ queueId: old.workerAlive.queue_id, target: alivePlan.target, jobName: alivePlan.job_name, labels: {}, env: {}, args: [] });

    const repository = new QueueStateRepository(store, logger);
    await repository.init();
    const metrics = createQueueManagerMetrics(createMetricsRegistry());
    const retention = new QueueRetention({ retentionMs: 7 * DAY * 1000, sweepIntervalMs: 3_600_000, deleteDlqWithLetters: false, pageSize: 2 }, { kafka, repository, launcher: h.launcher, logger, metrics });
    const result = await retention.sweep();

    expect(result.removed.sort()).toEqual([old.finished.queue_id, old.interrupted.queue_id].sort());
    expect(result.kept).toEqual(expect.arrayContaining([
      { queueId: old.errorWithLetters.queue_id, reason: `dead-letter topic ${old.errorWithLetters.queue_id}-data-dlq holds letters (RETENTION_DELETE_DLQ_WITH_LETTERS=false)` },
      { queueId: old.workerAlive.queue_id, reason: `workers still run: ${alivePlan.job_name}` },
    ]));
    // Topic deletion is asynchronous on the broker: wait until the metadata no longer lists them.
    const gone = [old.finished, old.interrupted].flatMap((s) => [`${s.queue_id}-data`, `${s.queue_id}-data-dlq`]).concat(`${old.errorWithLetters.queue_id}-data`);
    const topics = await eventually('the deleted topics to leave the metadata', () => listTopics(), (names) => gone.every((t) => !names.has(t)));
    const present = (state: QueueState) => [topics.has(`${state.queue_id}-data`), topics.has(`${state.queue_id}-data-dlq`)];
    expect(present(old.errorWithLetters)).toEqual([false, true]);
    expect(present(old.running)).toEqual([true, true]);
    expect(present(old.workerAlive)).toEqual([true, true]);
    expect(present(recent)).toEqual([true, true]);
    expect((await store.all(QUEUE_STATE_COLLECTION)).map((d) => d._key).sort()).toEqual(
      [old.errorWithLetters, old.running, old.workerAlive, recent].map((s) => s.queue_id).sort(),
    );

    // Configured to, the DLQ with letters goes too, and its queue with it.
    const eager = new QueueRetention({ retentionMs: 7 * DAY * 1000, sweepIntervalMs: 3_600_000, deleteDlqWithLetters: true }, { kafka, repository, launcher: h.launcher, logger, metrics });
    expect((await eager.sweep()).removed).toEqual([old.errorWithLetters.queue_id]);
    expect(await repository.get(old.errorWithLetters.queue_id)).toBeUndefined();
  });
});

describe('queue state paging', () => {
  it('loads only live queues at init, and pages every queue newest first with status and symbol filters', async () => {
    const store = new MemoryDocumentStore();
    const states = [storedQueue('AAAUSDT', 'finished', 3), storedQueue('BBBUSDT', 'loading', 2), storedQueue('AAAUSDT', 'error', 1), storedQueue('CCCUSDT', 'loading', 0.5)];
    await store.ensureCollection(QUEUE_STATE_COLLECTION);
    await store.upsertBatch(QUEUE_STATE_COLLECTION, states.map((s) => ({ _key: s.queue_id, ...s })));
    const repository = new QueueStateRepository(store, logger);
    await repository.init();
    expect(repository.listLive().map((s) => s.symbol)).toEqual(['CCCUSDT', 'BBBUSDT']);
    // An ended queue is read from the store when asked for.
    expect((await repository.get(states[0].queue_id))?.status).toBe('finished');

    const first = await repository.page({ limit: 3 });
    expect(first.queues.map((s) => s.queue_id)).toEqual([states[3], states[2], states[1]].map((s) => s.queue_id));
    const second = await repository.page({ limit: 3, after: first.next ?? undefined });
    expect(second).toEqual({ queues: [states[0]], next: null });
    expect((await repository.page({ limit: 10, statuses: ['finished', 'error'], symbol: 'AAAUSDT' })).queues.map((s) => s.status)).toEqual(['error', 'finished']);
  });
});

