import { createIndicatorSet, type IndicatorSetState } from '@streamforge/indicators';
import { indicatorListSchema, type Candle } from '@streamforge/schemas';
import { createSqliteDocumentStore, documentVersion, withDocumentVersion, type DocumentStore, type StoredDocument } from '@streamforge/storage';
import { computeStoredIndicators } from './indicator-pass';
import { minuteCandles } from './testing';

const LIST = 'EMA_5,RSI_3,VWAP_D,ATR_4';
const indicators = createIndicatorSet(indicatorListSchema.parse(LIST));
const COLLECTION = 'candles';

/** The reference: a straight run of the set over the stored candles in open_time order. */
async function expectReferenceValues(store: DocumentStore): Promise<StoredDocument[]> {
  const stored = await store.findRange(COLLECTION, { field: 'open_time' });
  const { values } = indicators.applyAll(stored as unknown as Candle[], indicators.initialState());
  stored.forEach((document, index) => {
    for (const field of indicators.fields) expect([document._key, field, document[field]]).toEqual([document._key, field, values[index][field]]);
  });
  return stored;
}

/** A shuffled order that is the same on every run. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  let seed = 7;
  for (let i = copy.length - 1; i > 0; i -= 1) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe('computeStoredIndicators', () => {
  let store: DocumentStore;
  // Two days (VWAP_D restarts at 00:00 UTC), with a gap of an hour in the middle.
  const candles = minuteCandles({ startMs: Date.UTC(2024, 7, 1, 23, 0), count: 200 }).filter((_, i) => i < 100 || i >= 160);

  beforeEach(async () => {
    store = createSqliteDocumentStore({ path: ':memory:' });
    await store.ensureCollection(COLLECTION);
    // Written in any order and in several batches, as partitions deliver them; each with its version.
    const documents = shuffled(candles).map((candle, i) => withDocumentVersion({ ...candle }, 1_000 + i));
    for (let from = 0; from < documents.length; from += 23) await store.upsertBatch(COLLECTION, documents.slice(from, from + 23));
  });
  afterEach(() => store.close());

  it('writes the reference values on every stored candle, paging by open_time, nulls in warm-up, versions kept', async () => {
    const pages: number[] = [];
    const result = await computeStoredIndicators(COLLECTION, { store, indicators, onPage: ({ documents }) => void pages.push(documents) }, 17);
    expect(result).toMatchObject({ documents: candles.length, updated: candles.length, complete: true });
    expect(pages).toEqual([17, 34, 51, 68, 85, 102, 119, 136, 140]);
    const stored = await expectReferenceValues(store);
    expect(stored[0]).toMatchObject({ EMA_5: null, RSI_3: null, ATR_4: null });
    expect(typeof stored[0].VWAP_D).toBe('number');
    expect(typeof stored[4].EMA_5).toBe('number');
    expect(stored.every((document) => (documentVersion(document) ?? -1) >= 1_000)).toBe(true);
  });

  it('writes nothing on a second pass over the same candles (a restarted sink rewrites nothing)', async () => {
    await computeStoredIndicators(COLLECTION, { store, indicators }, 50);
    const before = await store.findRange(COLLECTION, { field: 'open_time' });
    const writes: number[] = [];
    const counting: DocumentStore = Object.assign(Object.create(store) as DocumentStore, {
      updateFields: (collection: string, updates: StoredDocument[]) => {
        writes.push(updates.length);
        return store.updateFields(collection, updates);
      },
    });
    expect(await computeStoredIndicators(COLLECTION, { store: counting, indicators }, 50)).toMatchObject({ documents: candles.length, updated: 0, complete: true });
    expect(writes).toEqual([]);
    expect(await store.findRange(COLLECTION, { field: 'open_time' })).toEqual(before);
  });

  it('recomputes from a re-published candle with another value on, and only from there', async () => {
    await computeStoredIndicators(COLLECTION, { store, indicators }, 50);
    const changed = { ...candles[120], close: candles[120].close + 100, high: candles[120].high + 100 };
    await store.upsertBatch(COLLECTION, [withDocumentVersion(changed, 5_000)]);
    const result = await computeStoredIndicators(COLLECTION, { store, indicators }, 50);
    // The values before it stay; from it on they all change (VWAP_D too: candle 120 is on the second day, which runs to the end).
    expect(result.updated).toBe(candles.length - 120);
    await expectReferenceValues(store);
  });

  it('hands out checkpoints, and a pass started at one reads and rewrites only the documents after it', async () => {
    const states: IndicatorSetState[] = [];
    const full = await computeStoredIndicators(COLLECTION, { store, indicators, checkpoints: { every: 40, take: (state) => void states.push(state) } }, 50);
    expect(states.map((state) => state.count)).toEqual([40, 80, 120]);
    expect(full.state).toMatchObject({ count: candles.length, lastOpenTime: candles[candles.length - 1].open_time });
    // A candle after the checkpoint at 80 changes: a pass from that checkpoint repairs the tail alone.
    const changed = { ...candles[100], close: candles[100].close + 100, high: candles[100].high + 100 };
    await store.upsertBatch(COLLECTION, [withDocumentVersion(changed, 5_000)]);
    const tail = await computeStoredIndicators(COLLECTION, { store, indicators, start: states[1] }, 50);
    expect(tail).toMatchObject({ documents: candles.length - 80, complete: true, state: { count: candles.length } });
    await expectReferenceValues(store);
  });

  it('stops between pages when asked, leaving the rest for the next pass', async () => {
    let pages = 0;
    const result = await computeStoredIndicators(COLLECTION, { store, indicators, onPage: () => void (pages += 1), stopped: () => pages >= 2 }, 30);
    expect(result).toMatchObject({ documents: 60, updated: 60, complete: false });
    expect((await store.findRange(COLLECTION, { field: 'open_time', from: candles[60].open_time, limit: 1 }))[0]).not.toHaveProperty('EMA_5');
    await computeStoredIndicators(COLLECTION, { store, indicators }, 30);
    await expectReferenceValues(store);
  });

  it('refuses a stored candle whose numbers are not finite, naming the field', async () => {
    await store.upsertBatch(COLLECTION, [{ ...candles[3], close: 'n/a' } as unknown as StoredDocument]);
    await expect(computeStoredIndicators(COLLECTION, { store, indicators })).rejects.toThrow(/close/);
  });
});
