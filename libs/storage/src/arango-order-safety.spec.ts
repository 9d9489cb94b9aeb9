import { createArangoDocumentStore, type ArangoStoreConfig } from './arango-document-store';
import { withDocumentVersion, type StoredDocument } from './document-store';
import { startArangoStandIn, type ArangoStandIn } from './testing/arango-stand-in';

/** Item 1 and 2 of "ArangoDB right at first contact": durable acknowledgements, retries that cannot be overtaken. */
describe('ArangoDB writes: durable and order-safe (against the stand-in)', () => {
  let standIn: ArangoStandIn;
  const open = (overrides: Partial<ArangoStoreConfig> = {}) =>
    createArangoDocumentStore(
      { url: standIn.url, database: 'streamforge', username: standIn.username, password: standIn.password, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, ...overrides },
      { sleep: async () => undefined },
    );
  const writes = () => standIn.requests.filter((r) => r.operation === 'writeDocuments');
  const candle = (close: string, version?: number): StoredDocument => {
    const document = { _key: 'BTCUSDT_1m_60000', open_time: 60_000, close };
    return version === undefined ? document : withDocumentVersion(document, version);
  };

  beforeEach(async () => {
    standIn = await startArangoStandIn();
  });
  afterEach(async () => {
    await standIn.settled();
    standIn.assertNoViolations();
    await standIn.close();
  });

  it('asks for waitForSync on every batch, so a resolved write is on disk before the caller commits offsets', async () => {
    const store = open();
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', [candle('1', 1)]);
    await store.upsertBatch('candles', [candle('2')]);
    expect(writes().map((w) => [w.query.waitForSync, w.outcome])).toEqual([
      ['true', 201],
      ['true', 201],
    ]);
    await store.close();
  });

  it('keeps the newer version when a timed-out original lands after its retry and after a later write', async () => {
    const store = open({ requestTimeoutMs: 150 });
    await store.ensureCollection('candles');
    // The first request is held by the server past the client's timeout; the client retries it.
    standIn.inject('writeDocuments', { type: 'delay', ms: 600 });
    await store.upsertBatch('candles', [candle('original', 100)]);
    await store.upsertBatch('candles', [candle('corrected', 200)]);
    expect(standIn.documents('streamforge', 'candles')).toEqual([{ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close: 'corrected', sf_version: 200 }]);
    await standIn.settled();
    expect(writes().map((w) => w.outcome)).toEqual([201, 201, 201]);
    expect(standIn.documents('streamforge', 'candles')).toEqual([{ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close: 'corrected', sf_version: 200 }]);
    await store.close();
  });

  it('shows the harm without versions: the late original overwrites the correction (what the stand-in must not hide)', async () => {
    const store = open({ requestTimeoutMs: 150 });
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'delay', ms: 600 });
    await store.upsertBatch('candles', [candle('original')]);
    await store.upsertBatch('candles', [candle('corrected')]);
    await standIn.settled();
    expect(standIn.documents('streamforge', 'candles')).toEqual([{ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close: 'original' }]);
    await store.close();
  });

  it('retries a write that was applied but whose answer was lost, and the repeat changes nothing', async () => {
    const store = open();
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'dropAfter' });
    await store.upsertBatch('candles', [candle('only', 7), { _key: 'other', open_time: 1 }]);
    expect(writes().map((w) => w.outcome)).toEqual(['dropped', 201]);
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(2);
    expect(standIn.documents('streamforge', 'candles')?.[0]).toEqual({ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close: 'only', sf_version: 7 });
    await store.close();
  });

  it('bounds the server queue wait with x-arango-queue-time-seconds and retries its 412/21004 refusal', async () => {
    const store = open({ maxQueueTimeSeconds: 3 });
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'status', status: 412, errorNum: 21004, errorMessage: 'queue time violated' });
    await store.upsertBatch('candles', [candle('x', 1)]);
    expect(writes().map((w) => [w.outcome, w.queueTimeSeconds])).toEqual([
      [412, '3'],
      [201, '3'],
    ]);
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(1);
    await store.close();
  });
});
