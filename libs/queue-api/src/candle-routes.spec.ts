import Fastify from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { createLogger } from '@streamforge/logging';
import { createSqliteDocumentStore, type StoredDocument } from '@streamforge/storage';
import type { CandleReader } from './candle-page';
import { registerCandleRoutes } from './candle-routes';
import { createErrorHandler } from './error-handler';
import { zodValidatorCompiler } from './request-validation';

const MINUTE = 60_000;
const DAY_START = Date.UTC(2024, 7, 1);

function candle(openTime: number): StoredDocument {
  return { _key: `BTCUSDT_1m_${openTime}`, symbol: 'BTCUSDT', interval: '1m', open_time: openTime, close_time: openTime + MINUTE - 1, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, number_of_trades: 7 };
}

async function api(collections: Record<string, StoredDocument[]>, known: string[] = Object.keys(collections), reads: string[] = []) {
  const logger = createLogger({ service: 'candles-test', level: 'silent' });
  // The real embedded store: paging relies on its findRange (inclusive bounds, open_time order).
  const store = createSqliteDocumentStore({ path: ':memory:' });
  for (const [name, documents] of Object.entries(collections)) {
    await store.ensureCollection(name);
    await store.upsertBatch(name, documents);
  }
  const app = Fastify();
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(createErrorHandler(logger));
  const reader: CandleReader = {
    collectionExists: (name) => store.collectionExists(name),
    findRange: (name, query) => {
      reads.push(name);
      return store.findRange(name, query);
    },
  };
  registerCandleRoutes(app, { store: reader, isKnownCollection: async (name) => known.includes(name) });
  app.addHook('onClose', () => store.close());
  await app.ready();
  return app;
}

const day = Array.from({ length: 1_440 }, (_, i) => candle(DAY_START + i * MINUTE)).reverse();
const collection = 'btcusdt_api_candles_1m_2024_08_01';

describe('GET /candles', () => {
  it('pages through a collection with next_from: every candle once, in open-time order', async () => {
    const app = await api({ [collection]: day });
    const seen: number[] = [];
    let from: number | null = DAY_START;
    let pages = 0;
    while (from !== null) {
      const response: { statusCode: number; json(): { data: { candles: { open_time: number }[]; next_from: number | null } } } = await app.inject({ url: `/candles?collection=${collection}&from=${from}&limit=500` });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ status: 'success', data: { collection, limit: 500, to: null } });
      seen.push(...body.data.candles.map((c) => c.open_time));
      from = body.data.next_from;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 1_440 }, (_, i) => DAY_START + i * MINUTE));
    await app.close();
  });

  it('applies inclusive bounds given as instants, keeps stored fields, and defaults the limit to 1000', async () => {
    const app = await api({ [collection]: day });
    const bounded = (await app.inject({ url: `/candles?collection=${collection}&from=2024-08-01T01:00:00Z&to=2024-08-01T01:02:00Z` })).json();
    expect(bounded.data.candles.map((c: { open_time: number }) => c.open_time)).toEqual([60, 61, 62].map((m) => DAY_START + m * MINUTE));
    expect(bounded.data).toMatchObject({ from: DAY_START + 60 * MINUTE, to: DAY_START + 62 * MINUTE, limit: 1000, next_from: null });
    expect(bounded.data.candles[0]).toEqual(candle(DAY_START + 60 * MINUTE));
    const first = (await app.inject({ url: `/candles?collection=${collection}` })).json();
    expect(first.data.candles).toHaveLength(1000);
    expect(first.data.next_from).toBe(DAY_START + 1000 * MINUTE);
    await app.close();
  });

  it('returns the indicator fields the sink stored (numbers, null in warm-up, any list), as stored', async () => {
    const withIndicators = [
      { ...candle(DAY_START), EMA_50: null, EMA_200: null, RSI_14: null, VWAP_D: 1.3333333333333333, ATR_30: null, EMA_21: null },
      { ...candle(DAY_START + MINUTE), EMA_50: 1.5, EMA_200: null, RSI_14: 0, VWAP_D: 1.3333333333333333, ATR_30: 1.5, EMA_21: 1.5 },
    ];
    const app = await api({ [collection]: withIndicators });
    const body = (await app.inject({ url: `/candles?collection=${collection}` })).json();
    expect(body.data.candles).toEqual(withIndicators);
    await app.close();
  });

  it('answers 400 naming the field for a bad or inverted range and a bad limit', async () => {
    const app = await api({ [collection]: day });
    const inverted = await app.inject({ url: `/candles?collection=${collection}&from=2024-08-02&to=2024-08-01T00:00:00Z` });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json()).toEqual({
      status: 'error',
      message: expect.stringContaining('invalid request query string'),
      data: { errors: [{ path: 'to', message: 'must not be before from (2024-08-02T00:00:00.000Z); got 2024-08-01T00:00:00.000Z (got "2024-08-01T00:00:00Z")' }] },
    });
    const garbage = await app.inject({ url: `/candles?collection=${collection}&from=last-week&limit=0` });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().data.errors.map((e: { path: string }) => e.path)).toEqual(['from', 'limit']);
    await app.close();
  });

  it('answers 404 for an unknown collection and 400 for one that holds no candles', async () => {
    const app = await api({ [collection]: day, trades: [{ _key: 't-1', open_time: DAY_START, price: 1 }] });
    const unknown = await app.inject({ url: '/candles?collection=ethusdt_api_candles_1m_2024_08_01' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ status: 'error', message: expect.stringMatching(/^no candle collection ethusdt_api_candles_1m_2024_08_01 of a known queue; candle collections are named/), data: null });
    const notCandles = await app.inject({ url: '/candles?collection=trades' });
    expect(notCandles.statusCode).toBe(400);
    expect(notCandles.json().data.errors[0]).toEqual({ path: 'collection', message: expect.stringContaining('trades does not hold candles (document t-1 has no numeric open_time, open, high, low, close and volume)') });
    await app.close();
  });

  it('reads only collections of known queues: queue_state exists but is a 404, never read (nor indexed)', async () => {
    const reads: string[] = [];
    const app = await api({ [collection]: day, queue_state: [{ _key: 'wf-1', open_time: 1 }] }, [collection], reads);
    const res = await app.inject({ url: '/candles?collection=queue_state' });
    expect(res.statusCode).toBe(404);
    expect(reads).toEqual([]);
    expect((await app.inject({ url: `/candles?collection=${collection}&limit=1` })).statusCode).toBe(200);
    expect(reads).toEqual([collection]);
    await app.close();
  });

  it('answers an empty last page for a range with no candles', async () => {
    const app = await api({ [collection]: day });
    const empty = (await app.inject({ url: `/candles?collection=${collection}&from=2024-09-01` })).json();
    expect(empty.data).toMatchObject({ candles: [], next_from: null });
    await app.close();
  });
});
