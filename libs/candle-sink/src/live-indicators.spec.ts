import { createIndicatorSet } from '@streamforge/indicators';
import { createLogger } from '@streamforge/logging';
import { indicatorListSchema, type Candle } from '@streamforge/schemas';
import { createSqliteDocumentStore, withDocumentVersion, type DocumentStore, type RangeQuery, type StoredDocument } from '@streamforge/storage';
import { LIVE_CHECKPOINT_EVERY, LiveIndicators } from './live-indicators';
import { SinkEnding } from './sink-ending';
import { minuteCandles } from './testing';

const indicators = createIndicatorSet(indicatorListSchema.parse('EMA_5,RSI_3,VWAP_D,ATR_4'));
const COLLECTION = 'candles';
const log = createLogger({ service: 'live-indicators-test', level: 'fatal' });
const heartbeat = () => Promise.resolve();

/** What a batch load stores: the set over the stored series in open_time order. */
function reference(candles: readonly Candle[]): Map<string, Record<string, number | null>> {
  const sorted = [...candles].sort((a, b) => a.open_time - b.open_time);
  const { values } = indicators.applyAll(sorted, indicators.initialState());
  return new Map(sorted.map((candle, i) => [candle._key, values[i]]));
}

describe('LiveIndicators', () => {
  let store: DocumentStore;
  /** Every findRange the repairs made (where they started reading) and every document they rewrote. */
  let reads: Array<number | undefined>;
  let rewritten: number;
  let version: number;

  beforeEach(async () => {
    const inner = createSqliteDocumentStore({ path: ':memory:' });
    await inner.ensureCollection(COLLECTION);
    reads = [];
    rewritten = 0;
    version = 1_000;
    store = Object.assign(Object.create(inner) as DocumentStore, {
      findRange: (collection: string, query: RangeQuery) => {
        if (query.from === undefined || reads.at(-1) === undefined || query.from < (reads.at(-1) as number)) reads.push(query.from);
        return inner.findRange(collection, query);
      },
      updateFields: (collection: string, updates: StoredDocument[]) => {
        rewritten += updates.length;
        return inner.updateFields(collection, updates);
      },
    });
  });
  afterEach(() => store.close());

  function live(ending = new SinkEnding()): LiveIndicators {
    return new LiveIndicators(COLLECTION, indicators, { store, ending, log, retry: (call) => call(), drain: () => Promise.resolve() });
  }

  /** Decodes (through `apply`) and stores one slice as the sink does: each candle a new Kafka message, so a newer version. */
  async function consume(sink: LiveIndicators, candles: readonly Candle[]): Promise<Array<string | undefined>> {
    const texts = candles.map((candle) => {
      const decoded = { ...candle };
      return { decoded, text: sink.apply(decoded) };
    });
    await store.upsertBatch(COLLECTION, texts.map(({ decoded }) => withDocumentVersion(decoded, (version += 1))));
    return texts.map(({ text }) => text);
  }

  async function expectReference(candles: readonly Candle[]): Promise<void> {
    const expected = reference(candles);
    const stored = await store.findRange(COLLECTION, { field: 'open_time' });
    expect(stored).toHaveLength(expected.size);
    for (const document of stored) for (const field of indicators.fields) expect([document._key, field, document[field]]).toEqual([document._key, field, expected.get(document._key)?.[field]]);
  }

  it('in order (across an exchange hole too): every candle gets the reference values while consuming, and nothing is repaired', async () => {
    const candles = minuteCandles({ count: 80 }).filter((_, i) => i < 30 || i >= 35);
    const sink = live();
    for (let i = 0; i < candles.length; i += 7) {
      expect((await consume(sink, candles.slice(i, i + 7))).every((text) => text !== undefined)).toBe(true);
      await sink.afterBatch(true, heartbeat);
    }
    expect(sink.inOrder).toBe(true);
    expect([reads, rewritten]).toEqual([[], 0]);
    await expectReference(candles);
  });

  it('live candles ahead of the history: stored without values, repaired once caught up, then in order again', async () => {
    const candles = minuteCandles({ count: 90 });
    const sink = live();
    await consume(sink, candles.slice(40, 45));
    await consume(sink, candles.slice(0, 20));
    expect((await store.get(COLLECTION, candles[10]._key))?.EMA_5).toBeUndefined();
    // Not caught up: the rest of the backfill waits on the partition, no pass yet.
    await sink.afterBatch(false, heartbeat);
    expect(reads).toEqual([]);
    expect(sink.inOrder).toBe(false);
    await consume(sink, candles.slice(20, 40));
    await sink.afterBatch(true, heartbeat);
    expect(sink.inOrder).toBe(true);
    expect(reads).toEqual([undefined]);
    await expectReference(candles.slice(0, 45));
    expect((await consume(sink, candles.slice(45))).every((text) => text !== undefined)).toBe(true);
    await expectReference(candles);
  });

  it('a hole filled late: the candles computed across it are recomputed from the kept state before it, not from the series start', async () => {
    const candles = minuteCandles({ count: 2 * LIVE_CHECKPOINT_EVERY + 300 });
    const hole = 2 * LIVE_CHECKPOINT_EVERY + 100;
    const sink = live();
    await consume(sink, candles.filter((_, i) => i !== hole && i < hole + 50));
    await sink.afterBatch(true, heartbeat);
    expect(reads).toEqual([]);
    // The gap fill delivers the missing candle, then the stream goes on.
    expect(await consume(sink, [candles[hole]])).toEqual([undefined]);
    await sink.afterBatch(true, heartbeat);
    expect(reads).toEqual([candles[2 * LIVE_CHECKPOINT_EVERY - 1].open_time + 1]);
    // The filled candle and the 49 computed across the hole; the 100 between the kept state and the hole are read, not rewritten.
    expect(rewritten).toBe(50);
    await consume(sink, candles.slice(hole + 50));
    await expectReference(candles);
  });

  it('a re-published candle with another value and a re-delivered one: the values from it on follow the newer candle', async () => {
    const candles = minuteCandles({ count: 60 });
    const sink = live();
    await consume(sink, candles.slice(0, 50));
    const changed = { ...candles[30], close: candles[30].close + 40, high: candles[30].high + 40 };
    await consume(sink, [changed, candles[49]]);
    await sink.afterBatch(true, heartbeat);
    await consume(sink, candles.slice(50));
    await expectReference([...candles.slice(0, 30), changed, ...candles.slice(31)]);
  });

  it('a collection that holds documents at start (a restart) gets a full pass before the in-order values go on', async () => {
    const candles = minuteCandles({ count: 40 });
    await store.upsertBatch(COLLECTION, candles.slice(0, 25).map((candle) => ({ ...candle })));
    const sink = live();
    sink.begin(25);
    expect(await consume(sink, candles.slice(25, 30))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    await sink.afterBatch(true, heartbeat);
    expect(reads).toEqual([undefined]);
    await consume(sink, candles.slice(30));
    await expectReference(candles);
  });

  it('reading only some partitions (a second instance): no values and no repair; all of them again: a full pass', async () => {
    const candles = minuteCandles({ count: 40 });
    const sink = live();
    await consume(sink, candles.slice(0, 10));
    sink.assigned(1, 2);
    expect(await consume(sink, candles.slice(10, 12))).toEqual([undefined, undefined]);
    await sink.afterBatch(true, heartbeat);
    expect(reads).toEqual([]);
    await consume(sink, candles.slice(12, 20));
    sink.assigned(2, 2);
    await sink.afterBatch(true, heartbeat);
    expect(reads).toEqual([undefined]);
    await consume(sink, candles.slice(20));
    await expectReference(candles);
  });

  it('a store that fails past its retries during a repair ends the run with that failure', async () => {
    const ending = new SinkEnding();
    const sink = live(ending);
    await consume(sink, minuteCandles({ count: 10 }).reverse());
    store.findRange = () => Promise.reject(new Error('store gone'));
    await sink.afterBatch(true, heartbeat);
    expect(ending.kind).toBe('failure');
  });
});
