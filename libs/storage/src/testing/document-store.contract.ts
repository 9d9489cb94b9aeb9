import { documentVersion, withDocumentJson, withDocumentVersion, type DocumentStore, type StoredDocument } from '../document-store';
import { CollectionNotFoundError, InvalidCollectionNameError, InvalidDocumentError, InvalidQueryError, StorageError } from '../errors';

/** How the contract suite gets stores of one adapter. */
export interface DocumentStoreContractSubject {
  /** A store on a reachable backend; collections are unique per test, so a shared database is fine. */
  open(): DocumentStore | Promise<DocumentStore>;
  /** A store whose backend cannot be reached (ping must reject). */
  openUnreachable(): DocumentStore | Promise<DocumentStore>;
  /** Removes the collections the suite created (for runs against a shared, real server). */
  dropCollections?(collections: string[]): Promise<void>;
}

let collectionCounter = 0;
/** A collection name no other test (or earlier run against a shared server) uses. */
export function nextCollectionName(prefix = 'contract'): string {
  collectionCounter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${collectionCounter}`;
}

function candle(openTime: number, extra: Record<string, unknown> = {}): StoredDocument {
  return { _key: `BTCUSDT_1m_${openTime}`, symbol: 'BTCUSDT', open_time: openTime, close: `${openTime % 97}.5`, ...extra };
}

/**
 * Defines the DocumentStore contract tests (jest) for one adapter. Every adapter must pass the
 * same suite, so the sink and queue state behave the same on SQLite and on ArangoDB.
 */
export function describeDocumentStoreContract(adapterName: string, subject: DocumentStoreContractSubject): void {
  describe(`DocumentStore contract: ${adapterName}`, () => {
    let store: DocumentStore;
    let collection: string;
    const created: string[] = [];
    const uniqueCollectionName = (prefix?: string) => {
      const name = nextCollectionName(prefix);
      created.push(name);
      return name;
    };

    beforeAll(async () => {
      store = await subject.open();
    });
    afterAll(async () => {
      await store?.close();
      await subject.dropCollections?.(created);
    });
    beforeEach(async () => {
      collection = uniqueCollectionName();
      await store.ensureCollection(collection);
    });

    it('creates a collection only when missing, and ensureCollection is idempotent', async () => {
      const fresh = uniqueCollectionName('fresh');
      expect(await store.collectionExists(fresh)).toBe(false);
      await store.ensureCollection(fresh);
      expect(await store.collectionExists(fresh)).toBe(true);
      await store.upsertBatch(fresh, [candle(1), candle(2)]);
      await store.ensureCollection(fresh);
      expect(await store.count(fresh)).toBe(2);
    });

    it('upserts idempotently: the same batch twice leaves the same count', async () => {
      const batch = [candle(60_000), candle(120_000), candle(180_000)];
      await store.upsertBatch(collection, batch);
      await store.upsertBatch(collection, batch);
      expect(await store.count(collection)).toBe(3);
      expect(await store.get(collection, 'BTCUSDT_1m_120000')).toEqual(batch[1]);
    });

    it('replaces a document whole (no merge of old fields)', async () => {
      await store.upsertBatch(collection, [{ _key: 'k1', a: 1, b: 2 }]);
      await store.upsertBatch(collection, [{ _key: 'k1', a: 3 }]);
      expect(await store.get(collection, 'k1')).toEqual({ _key: 'k1', a: 3 });
      expect(await store.count(collection)).toBe(1);
    });

    it('keeps the last of repeated keys within one batch', async () => {
      await store.upsertBatch(collection, [{ _key: 'dup', v: 1 }, { _key: 'other', v: 0 }, { _key: 'dup', v: 2 }]);
      expect(await store.get(collection, 'dup')).toEqual({ _key: 'dup', v: 2 });
      expect(await store.count(collection)).toBe(2);
    });

    it('refuses a batch with an invalid document as a whole, writing none of it', async () => {
      await store.upsertBatch(collection, [{ _key: 'before', v: 1 }]);
      const batch = [{ _key: 'good-1', v: 1 }, { _key: 'has space', v: 2 }, { _key: 'good-2', v: 3 }];
      const failure = store.upsertBatch(collection, batch);
      await expect(failure).rejects.toThrow(InvalidDocumentError);
      await expect(failure).rejects.toThrow(/"has space"/);
      await expect(store.upsertBatch(collection, [{ _key: 'x'.repeat(255) }])).rejects.toThrow(/longer than 254 bytes/);
      await expect(store.upsertBatch(collection, [{ v: 1 } as unknown as StoredDocument])).rejects.toThrow(/_key must be a string/);
      expect(await store.count(collection)).toBe(1);
      expect(await store.get(collection, 'good-1')).toBeUndefined();
    });

    it('accepts an empty batch as a no-op', async () => {
      await store.upsertBatch(collection, []);
      expect(await store.count(collection)).toBe(0);
    });

    it('round-trips JSON values exactly', async () => {
      const document = {
        _key: "k:.@()+,=;$!*'%_-",
        open_time: 1722470400000,
        price: 0.1 + 0.2,
        negative: -42,
        text: 'ünïcødé "quoted" \\ back',
        flag: false,
        nothing: null,
        list: [1, 'two', { three: 3 }],
        nested: { deep: { deeper: [true] } },
      };
      await store.upsertBatch(collection, [document]);
      expect(await store.get(collection, document._key)).toEqual(document);
    });

    it('stores a document that carries its JSON text (withDocumentJson) as that document', async () => {
      // The same values as the object, written the way the loader copies Binance's decimals.
      const text = '{"_key":"BTCUSDT_1m_60000","open_time":60000,"open":16541.23000000,"symbol":"BTCUSDT"}';
      const document = withDocumentJson({ _key: 'BTCUSDT_1m_60000', open_time: 60000, open: 16541.23, symbol: 'BTCUSDT' }, text);
      expect({ ...document }).toStrictEqual({ _key: 'BTCUSDT_1m_60000', open_time: 60000, open: 16541.23, symbol: 'BTCUSDT' });
      await store.upsertBatch(collection, [document]);
      expect(await store.get(collection, document._key)).toStrictEqual({ _key: 'BTCUSDT_1m_60000', open_time: 60000, open: 16541.23, symbol: 'BTCUSDT' });
      expect(await store.findRange(collection, { field: 'open_time', from: 60000, to: 60000 })).toHaveLength(1);
    });

    it('gets undefined for a missing key, and refuses an invalid key instead of answering undefined', async () => {
      expect(await store.get(collection, 'nope')).toBeUndefined();
      await expect(store.get(collection, 'has space')).rejects.toThrow(InvalidQueryError);
      await expect(store.get(collection, '')).rejects.toThrow(/_key must not be empty/);
    });

    it('writes versioned documents order-safely: only a higher version replaces, equal and lower are skipped', async () => {
      const versioned = (version: number, close: string) => withDocumentVersion({ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close }, version);
      await store.upsertBatch(collection, [versioned(10, 'first')]);
      await store.upsertBatch(collection, [versioned(12, 'corrected')]);
      // A late original (lower) and a repeat (equal) must not bring back or rewrite anything.
      await store.upsertBatch(collection, [versioned(11, 'late original'), { ...candle(120_000) }]);
      await store.upsertBatch(collection, [versioned(12, 'same version, other text')]);
      const stored = await store.get(collection, 'BTCUSDT_1m_60000');
      expect(stored).toEqual({ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close: 'corrected' });
      expect(documentVersion(stored as StoredDocument)).toBe(12);
      expect((await store.findRange(collection, { field: 'open_time', to: 60_000 })).map((d) => [d.close, documentVersion(d)])).toEqual([['corrected', 12]]);
      expect((await store.all(collection)).map((d) => [d._key, documentVersion(d)])).toEqual([['BTCUSDT_1m_120000', undefined], ['BTCUSDT_1m_60000', 12]]);
      // An unversioned write always replaces (and clears the version); a versioned one then replaces it.
      await store.upsertBatch(collection, [{ _key: 'BTCUSDT_1m_60000', open_time: 60_000, close: 'unversioned' }]);
      expect(documentVersion((await store.get(collection, 'BTCUSDT_1m_60000')) as StoredDocument)).toBeUndefined();
      await store.upsertBatch(collection, [versioned(1, 'versioned again')]);
      expect(await store.get(collection, 'BTCUSDT_1m_60000')).toMatchObject({ close: 'versioned again' });
      expect(await store.count(collection)).toBe(2);
    });

    it('updates fields (indicators) in one batch: other fields and the version kept, nulls stored, missing keys skipped', async () => {
      const original = withDocumentVersion({ ...candle(60_000), volume: 2 }, 7);
      await store.upsertBatch(collection, [original, candle(120_000)]);
      await store.updateFields(collection, [
        { _key: 'BTCUSDT_1m_60000', EMA_2: 1.25, RSI_2: null },
        { _key: 'BTCUSDT_1m_120000', EMA_2: 0.1 + 0.2, RSI_2: 100 },
        { _key: 'BTCUSDT_1m_999', EMA_2: 3 },
      ]);
      const first = (await store.get(collection, 'BTCUSDT_1m_60000')) as StoredDocument;
      expect(first).toEqual({ ...candle(60_000), volume: 2, EMA_2: 1.25, RSI_2: null });
      expect(documentVersion(first)).toBe(7);
      expect(await store.get(collection, 'BTCUSDT_1m_120000')).toEqual({ ...candle(120_000), EMA_2: 0.1 + 0.2, RSI_2: 100 });
      expect(await store.get(collection, 'BTCUSDT_1m_999')).toBeUndefined();
      // Rewriting the fields replaces them; the candle's version still guards later candle writes.
      await store.updateFields(collection, [{ _key: 'BTCUSDT_1m_60000', EMA_2: null, RSI_2: 50 }]);
      await store.upsertBatch(collection, [withDocumentVersion({ ...candle(60_000), volume: 1 }, 6)]);
      expect(await store.get(collection, 'BTCUSDT_1m_60000')).toEqual({ ...candle(60_000), volume: 2, EMA_2: null, RSI_2: 50 });
      await store.updateFields(collection, []);
      await expect(store.updateFields(collection, [{ _key: 'bad key' }])).rejects.toThrow(InvalidDocumentError);
    });

    it('refuses versions that are not non-negative safe integers, and documents carrying the version attribute', async () => {
      await expect(store.upsertBatch(collection, [withDocumentVersion({ _key: 'a' }, 1.5)])).rejects.toThrow(/version must be a non-negative safe integer \(got 1.5\)/);
      await expect(store.upsertBatch(collection, [withDocumentVersion({ _key: 'a' }, -1)])).rejects.toThrow(InvalidDocumentError);
      await expect(store.upsertBatch(collection, [{ _key: 'a', sf_version: 3 }])).rejects.toThrow(/"sf_version" is reserved/);
      expect(await store.count(collection)).toBe(0);
    });

    it('finds a range ordered by the field, bounds inclusive, open-ended, and pages stably', async () => {
      const minutes = [5, 3, 9, 1, 7, 2, 8, 4, 6, 10].map((m) => m * 60_000);
      await store.upsertBatch(collection, minutes.map((t) => candle(t)));
      await store.upsertBatch(collection, [{ _key: 'no-time', symbol: 'X' }, { _key: 'text-time', open_time: '300000' }]);
      const times = (docs: StoredDocument[]) => docs.map((d) => d.open_time);

      expect(times(await store.findRange(collection, { field: 'open_time', from: 3 * 60_000, to: 6 * 60_000 }))).toEqual([180_000, 240_000, 300_000, 360_000]);
      expect(times(await store.findRange(collection, { field: 'open_time', to: 2 * 60_000 }))).toEqual([60_000, 120_000]);
      expect(times(await store.findRange(collection, { field: 'open_time', from: 9 * 60_000 }))).toEqual([540_000, 600_000]);
      expect(await store.findRange(collection, { field: 'open_time', from: 601_000 })).toEqual([]);
      expect((await store.findRange(collection, { field: 'open_time' })).length).toBe(10);

      const pages: number[][] = [];
      for (let offset = 0; offset < 10; offset += 4) pages.push(times(await store.findRange(collection, { field: 'open_time', limit: 4, offset })) as number[]);
      expect(pages).toEqual([[60_000, 120_000, 180_000, 240_000], [300_000, 360_000, 420_000, 480_000], [540_000, 600_000]]);
      expect(await store.findRange(collection, { field: 'open_time', from: 60_000, to: 60_000 })).toEqual([candle(60_000)]);
    });

    it('orders equal range values by _key and ranges over fields not indexed up front', async () => {
      await store.upsertBatch(collection, [{ _key: 'b', day: 2 }, { _key: 'c', day: 1 }, { _key: 'a', day: 2 }, { _key: 'd', day: 3.5 }]);
      const found = await store.findRange(collection, { field: 'day', from: 1.5, to: 10 });
      expect(found.map((d) => d._key)).toEqual(['a', 'b', 'd']);
    });

    it('refuses a bad range query with a clear error', async () => {
      await expect(store.findRange(collection, { field: 'open_time; DROP', from: 0 })).rejects.toThrow(InvalidQueryError);
      await expect(store.findRange(collection, { field: 'open_time', limit: -1 })).rejects.toThrow(/limit must be a non-negative integer/);
    });

    it('pages by a numeric field with a keyset cursor, both directions, filtered by string fields', async () => {
      const queue = (key: string, createdAt: unknown, status: string, symbol = 'BTCUSDT') => ({ _key: key, created_at: createdAt, status, symbol });
      await store.upsertBatch(collection, [
        queue('q-a', 10, 'finished'), queue('q-b', 20, 'loading'), queue('q-c', 20, 'error', 'ETHUSDT'), queue('q-d', 30, 'finished'),
        queue('q-e', 5.5, 'interrupted'), queue('q-x', 'not a number', 'finished'), queue('q-y', null, 'finished'),
      ]);
      const keys = (documents: StoredDocument[]) => documents.map((d) => d._key);
      const newestFirst = async (after?: { value: number; key: string }) => keys(await store.findPage(collection, { orderBy: 'created_at', descending: true, limit: 2, after }));
      expect(await newestFirst()).toEqual(['q-d', 'q-c']);
      expect(await newestFirst({ value: 20, key: 'q-c' })).toEqual(['q-b', 'q-a']);
      expect(await newestFirst({ value: 10, key: 'q-a' })).toEqual(['q-e']);
      expect(await newestFirst({ value: 5.5, key: 'q-e' })).toEqual([]);
      expect(keys(await store.findPage(collection, { orderBy: 'created_at', limit: 10 }))).toEqual(['q-e', 'q-a', 'q-b', 'q-c', 'q-d']);
      expect(keys(await store.findPage(collection, { orderBy: 'created_at', limit: 10, after: { value: 20, key: 'q-b' } }))).toEqual(['q-c', 'q-d']);
      const finishedOrInterrupted = await store.findPage(collection, { orderBy: 'created_at', limit: 10, where: { status: ['finished', 'interrupted'] } });
      expect(keys(finishedOrInterrupted)).toEqual(['q-e', 'q-a', 'q-d']);
      expect(keys(await store.findPage(collection, { orderBy: 'created_at', descending: true, limit: 10, where: { status: ['finished', 'error'], symbol: ['ETHUSDT'] } }))).toEqual(['q-c']);
      await expect(store.findPage(collection, { orderBy: 'created_at', limit: 0 })).rejects.toThrow(InvalidQueryError);
      await expect(store.findPage(collection, { orderBy: 'created_at', limit: 5, where: { status: [] } })).rejects.toThrow(/where\.status must be a non-empty list of strings/);
    });

    it('pages documents with their stored versions, as get reads them', async () => {
      await store.upsertBatch(collection, [withDocumentVersion({ _key: 'q-v', created_at: 1, status: 'finished' }, 7), { _key: 'q-u', created_at: 2, status: 'finished' }]);
      await store.upsertBatch(collection, [withDocumentVersion({ _key: 'q-v', created_at: 1, status: 'loading' }, 6)]);
      const page = await store.findPage(collection, { orderBy: 'created_at', limit: 10 });
      expect(page).toEqual([{ _key: 'q-v', created_at: 1, status: 'finished' }, { _key: 'q-u', created_at: 2, status: 'finished' }]);
      expect(page.map((d) => documentVersion(d))).toEqual([7, undefined]);
    });

    it('removes versioned documents (a removed key can be written again at any version)', async () => {
      await store.upsertBatch(collection, [withDocumentVersion(candle(1), 50), candle(2)]);
      await store.remove(collection, [candle(1)._key]);
      expect(await store.get(collection, candle(1)._key)).toBeUndefined();
      await store.upsertBatch(collection, [withDocumentVersion(candle(1, { close: 'again' }), 1)]);
      expect(documentVersion((await store.get(collection, candle(1)._key)) as StoredDocument)).toBe(1);
      expect(await store.count(collection)).toBe(2);
    });

    it('removes documents by key, ignoring keys that do not exist', async () => {
      await store.upsertBatch(collection, [candle(1), candle(2), candle(3)]);
      await store.remove(collection, [candle(1)._key, 'no-such-key', candle(3)._key]);
      expect((await store.all(collection)).map((d) => d._key)).toEqual([candle(2)._key]);
      await store.remove(collection, []);
      expect(await store.count(collection)).toBe(1);
    });

    it('returns all documents ordered by _key (byte order, whatever the server collation), as written', async () => {
      const documents = [{ _key: 'q2', status: 'running' }, { _key: 'q1', status: 'done', n: 3 }, { _key: 'Q3' }, { _key: '_z' }, { _key: 'a' }];
      await store.upsertBatch(collection, documents);
      expect((await store.all(collection)).map((d) => d._key)).toEqual(['Q3', '_z', 'a', 'q1', 'q2']);
      expect((await store.all(collection)).slice(3)).toEqual([documents[1], documents[0]]);
    });

    it('counts many documents written in several batches', async () => {
      for (let batch = 0; batch < 4; batch++) {
        await store.upsertBatch(collection, Array.from({ length: 500 }, (_, i) => candle((batch * 500 + i) * 60_000)));
      }
      expect(await store.count(collection)).toBe(2000);
      expect((await store.findRange(collection, { field: 'open_time' })).map((d) => d.open_time)).toEqual(Array.from({ length: 2000 }, (_, i) => i * 60_000));
      expect((await store.all(collection)).length).toBe(2000);
      const page = await store.findRange(collection, { field: 'open_time', from: 1000 * 60_000, limit: 3 });
      expect(page.map((d) => d.open_time)).toEqual([1000 * 60_000, 1001 * 60_000, 1002 * 60_000]);
    });

    it('says which collection is missing instead of creating it implicitly', async () => {
      const missing = uniqueCollectionName('missing');
      await expect(store.upsertBatch(missing, [{ _key: 'a' }])).rejects.toThrow(CollectionNotFoundError);
      await expect(store.count(missing)).rejects.toThrow(new RegExp(`collection "${missing}" does not exist`));
      expect(await store.collectionExists(missing)).toBe(false);
    });

    it('refuses collection names ArangoDB would refuse', async () => {
      await expect(store.ensureCollection('1candles')).rejects.toThrow(InvalidCollectionNameError);
      await expect(store.ensureCollection('candles;drop')).rejects.toThrow(/contains ";"/);
    });

    it('pings a reachable store, and ping fails when the store is unreachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      const unreachable = await subject.openUnreachable();
      try {
        await expect(unreachable.ping()).rejects.toThrow(StorageError);
      } finally {
        await unreachable.close();
      }
    });
  });
}
