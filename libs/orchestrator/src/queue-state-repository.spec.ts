import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@streamforge/logging';
import { createSqliteDocumentStore, documentVersion, type DocumentStore, type StoredDocument } from '@streamforge/storage';
import { newQueueState } from './queue-state-reducer';
import { QUEUE_STATE_COLLECTION, QueueStateRepository } from './queue-state-repository';
import { planStart } from './start-plan';

const logger = createLogger({ service: 'test', level: 'silent' });
const plan = planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' }, { suffix: 'abc123' });

describe('QueueStateRepository: order-safe saves', () => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The real SQLite store, with every written document recorded (the versions travel on them). */
  function recordingStore(path: string): { store: DocumentStore; written: StoredDocument[] } {
    const inner = createSqliteDocumentStore({ path });
    const written: StoredDocument[] = [];
    const store = Object.assign(Object.create(inner) as DocumentStore, {
      upsertBatch: async (collection: string, documents: StoredDocument[]) => {
        written.push(...documents);
        return inner.upsertBatch(collection, documents);
      },
    });
    return { store, written };
  }

  it('gives every save a higher version, so a late retry of "loading" cannot overwrite "finished", also after a restart', async () => {
    const path = join(dir, 'state.db');
    const first = recordingStore(path);
    // A stuck clock: versions must still grow.
    const repository = new QueueStateRepository(first.store, logger, () => 1_000);
    await repository.init();
    await repository.create(newQueueState(plan, 1));
    await repository.update(plan.queueId, (state) => ({ ...state, status: 'loading' }));
    await repository.update(plan.queueId, (state) => ({ ...state, status: 'finished' }));
    expect(first.written.map((d) => [d.status, documentVersion(d)])).toEqual([
      ['pending', 1_000],
      ['loading', 1_001],
      ['finished', 1_002],
    ]);

    // The "loading" write arrives again, late (a retried request the server ran after all).
    await first.store.upsertBatch(QUEUE_STATE_COLLECTION, [first.written[1]]);
    expect(await first.store.get(QUEUE_STATE_COLLECTION, plan.queueId)).toMatchObject({ status: 'finished' });

    // A restarted queue-manager continues above the stored version even with a clock behind it.
    const second = recordingStore(path);
    const restarted = new QueueStateRepository(second.store, logger, () => 500);
    await restarted.init();
    await restarted.update(plan.queueId, (state) => ({ ...state, status: 'interrupted' }));
    expect(second.written.map((d) => [d.status, documentVersion(d)])).toEqual([['interrupted', 1_003]]);
    expect(await second.store.get(QUEUE_STATE_COLLECTION, plan.queueId)).toMatchObject({ status: 'interrupted' });
    await first.store.close();
    await second.store.close();
  });

  it('continues a live queue above its stored version after a restart (read back at init)', async () => {
    const path = join(dir, 'live.db');
    const first = recordingStore(path);
    const repository = new QueueStateRepository(first.store, logger, () => 2_000);
    await repository.init();
    await repository.create(newQueueState(plan, 1));
    await repository.update(plan.queueId, (state) => ({ ...state, status: 'loading' }));

    const second = recordingStore(path);
    const restarted = new QueueStateRepository(second.store, logger, () => 500);
    await restarted.init();
    expect(restarted.listLive().map((state) => state.status)).toEqual(['loading']);
    await restarted.update(plan.queueId, (state) => ({ ...state, status: 'stopping' }));
    expect(second.written.map((d) => [d.status, documentVersion(d)])).toEqual([['stopping', 2_002]]);
    expect(await second.store.get(QUEUE_STATE_COLLECTION, plan.queueId)).toMatchObject({ status: 'stopping' });
    await first.store.close();
    await second.store.close();
  });

  it('knows the collections of live and ended queues, also after a restart (ended queues are not kept in memory)', async () => {
    const path = join(dir, 'collections.db');
    const first = recordingStore(path);
    const repository = new QueueStateRepository(first.store, logger);
    await repository.init();
    const collection = plan.targets[0].collectionName;
    expect(await repository.hasCollection(collection)).toBe(false);
    await repository.create(newQueueState(plan, 1));
    expect(await repository.hasCollection(collection)).toBe(true);
    await repository.update(plan.queueId, (state) => ({ ...state, status: 'finished' }));
    expect(repository.listLive()).toEqual([]);
    expect(await repository.hasCollection(collection)).toBe(true);

    const second = recordingStore(path);
    const restarted = new QueueStateRepository(second.store, logger);
    await restarted.init();
    expect(await restarted.hasCollection(collection)).toBe(true);
    expect(await restarted.hasCollection('ethusdt_api_candles_1m_2024_08_01')).toBe(false);
    await first.store.close();
    await second.store.close();
  });
});
