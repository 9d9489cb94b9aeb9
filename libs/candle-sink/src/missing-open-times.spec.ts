import { createSqliteDocumentStore } from '@streamforge/storage';
import { minuteCandles } from './testing';
import { findMissingOpenTimes, nextOpenTime } from './missing-open-times';

describe('nextOpenTime', () => {
  it('adds fixed intervals and calendar months', () => {
    const start = Date.UTC(2024, 0, 31);
    expect(nextOpenTime('1m', start)).toBe(start + 60_000);
    expect(nextOpenTime('4h', start)).toBe(start + 4 * 3_600_000);
    expect(nextOpenTime('1w', start)).toBe(start + 7 * 86_400_000);
    expect(nextOpenTime('1M', Date.UTC(2024, 1, 1))).toBe(Date.UTC(2024, 2, 1));
    expect(nextOpenTime('3M', Date.UTC(2024, 10, 1))).toBe(Date.UTC(2025, 1, 1));
    expect(nextOpenTime('weekly', start)).toBeUndefined();
  });
});

describe('findMissingOpenTimes', () => {
  const collection = 'btcusdt_api_candles_1m_2024_08_01';

  it('names the first holes between the oldest and newest candle, across pages', async () => {
    const store = createSqliteDocumentStore({ path: ':memory:' });
    try {
      await store.ensureCollection(collection);
      const candles = minuteCandles({ count: 12_000 });
      const dropped = new Set([0, 5_000, 5_001, 11_000]);
      await store.upsertBatch(collection, candles.filter((_, i) => !dropped.has(i)));
      // The first candle is before the oldest one stored: the store alone cannot tell it is missing.
      expect(await findMissingOpenTimes(store, collection, 10)).toEqual([5_000, 5_001, 11_000].map((i) => candles[i].open_time));
      expect(await findMissingOpenTimes(store, collection, 1)).toEqual([candles[5_000].open_time]);
    } finally {
      await store.close();
    }
  });

  it('finds none in a collection without holes', async () => {
    const store = createSqliteDocumentStore({ path: ':memory:' });
    try {
      await store.ensureCollection(collection);
      await store.upsertBatch(collection, minuteCandles({ count: 100 }));
      expect(await findMissingOpenTimes(store, collection, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
