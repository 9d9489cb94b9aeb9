import type { CandlePage, StoredCandle } from '@streamforge/schemas';
import type { CandlePageQuery } from './api-client';
import { loadAllCandles } from './candle-loader';

const candle = (openTime: number): StoredCandle => ({ _key: `BTCUSDT_1m_${openTime}`, open_time: openTime, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });

/** Pages over open times 0..count-1 the way GET /candles does (limit+1 look-ahead for next_from). */
function pagedClient(count: number) {
  const queries: CandlePageQuery[] = [];
  return {
    queries,
    candlePage: async (query: CandlePageQuery): Promise<CandlePage> => {
      queries.push(query);
      const from = query.from ?? 0;
      const limit = query.limit ?? 1000;
      const times = Array.from({ length: Math.max(0, Math.min(limit + 1, count - from)) }, (_, i) => from + i);
      return { collection: query.collection, from: query.from ?? null, to: null, limit, candles: times.slice(0, limit).map(candle), next_from: times.length > limit ? times[limit] : null };
    },
  };
}

describe('loadAllCandles', () => {
  it('reads from a given open time on (a chart appending what was stored since)', async () => {
    const client = pagedClient(2_500);
    const loaded = await loadAllCandles(client, 'c', { from: 2_300, pageSize: 150 });
    expect(loaded.candles.map((c) => c.open_time)).toEqual(Array.from({ length: 200 }, (_, i) => 2_300 + i));
    expect(client.queries.map((q) => q.from)).toEqual([2_300, 2_450]);
  });

  it('follows next_from until the last page', async () => {
    const client = pagedClient(2_500);
    const pages: number[] = [];
    const loaded = await loadAllCandles(client, 'c', { pageSize: 1_000, onPage: (n) => pages.push(n) });
    expect(loaded.candles.map((c) => c.open_time)).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    expect(loaded).toMatchObject({ pages: 3, truncated: false });
    expect(client.queries.map((q) => q.from)).toEqual([undefined, 1_000, 2_000]);
    expect(pages).toEqual([1_000, 2_000, 2_500]);
  });

  it('stops at maxCandles and says the chart is truncated', async () => {
    const loaded = await loadAllCandles(pagedClient(10_000), 'c', { pageSize: 1_000, maxCandles: 1_500 });
    expect(loaded.candles).toHaveLength(1_500);
    expect(loaded.truncated).toBe(true);
  });

  it('reads an empty collection in one request', async () => {
    const client = pagedClient(0);
    expect(await loadAllCandles(client, 'c')).toEqual({ candles: [], pages: 1, truncated: false });
  });
});
