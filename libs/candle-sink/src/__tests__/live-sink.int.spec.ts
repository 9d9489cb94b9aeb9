import { createIndicatorSet } from '@streamforge/indicators';
import { indicatorListSchema, type Candle } from '@streamforge/schemas';
import { minuteCandles } from '../testing';
import { sinkScenario, sinkTestKit, within } from './sink-scenario';

const kit = sinkTestKit('sink-live-test');
const MINUTE = 60_000;

describe('a live sink (open-ended TIME_RANGE)', () => {
  it('goes on past the backfill’s end-of-stream marker, stores a live candle within a second despite a long LINGER_MS, reports the live lag, and on stop stores the topic up to its end', async () => {
    // LINGER_MS 5 s and big batches: without the live max wait, a lone candle would wait 5 s in the broker.
    const s = await sinkScenario(kit, { config: { lingerMs: 5_000, batchSize: 3_000, progress: { everyRecords: 100_000, everyMs: 300 }, live: { maxWaitMs: 100, stopDrainMs: 15_000, fromMs: 0 } } });
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const history = minuteCandles({ startMs: now - 200 * MINUTE, count: 150 });
    await s.publisher.candles(history);
    await s.publisher.endOfStream(s.partitions, history.length);
    const sink = s.newSink();
    const running = sink.run();
    await within(20_000, 'the backfill stored', (async () => {
      while ((await s.store.count(s.collection)) < history.length) await new Promise((resolve) => setTimeout(resolve, 50));
    })());

    const [live] = minuteCandles({ startMs: now - 50 * MINUTE, count: 1 });
    const publishedAt = Date.now();
    await s.publisher.candles([live]);
    const storedAfter = await within(5_000, 'the live candle in the store', (async () => {
      while (!(await s.store.get(s.collection, live._key))) await new Promise((resolve) => setTimeout(resolve, 10));
      return Date.now() - publishedAt;
    })());
    expect(storedAfter).toBeLessThan(1_000);
    // The history's newest candle closed a minute before the live one: only an event after the live write reports this little lag.
    const liveLag = () => s.eventsWith('loading').map((event) => event.live_lag_ms).find((lag) => lag !== undefined && lag <= Date.now() - (live.close_time + 1));
    await within(5_000, 'a loading event with the live candle’s lag', (async () => {
      while (liveLag() === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    })());
    expect(liveLag()).toBeGreaterThanOrEqual(publishedAt - (live.close_time + 1));
    expect(s.eventsWith('finished')).toEqual([]);

    // Published just before the stop, after the loaders stopped: all of it is stored before the sink leaves.
    const last = minuteCandles({ startMs: now - 49 * MINUTE, count: 40 });
    await s.publisher.candles(last);
    sink.stop('stopped by command');
    const outcome = await within(20_000, 'the sink run', running);
    expect(outcome.status).toBe('interrupted');
    expect(await s.store.count(s.collection)).toBe(history.length + 1 + last.length);
    expect(await s.committedOffsets()).toEqual([history.length + 1 + 1 + last.length]);
  });

  describe('indicators', () => {
    const specs = indicatorListSchema.parse('EMA_5,RSI_3');
    const from = Date.UTC(2024, 7, 1);
    /** What a batch load stores: the indicators over the whole series in open_time order. */
    const batchValues = (candles: Candle[]) => {
      const stream = createIndicatorSet(specs).resume();
      return new Map(candles.map((candle) => [candle._key, stream.push(candle, candle) as unknown as Record<string, number | null>]));
    };
    const run = async (published: Candle[][], all: Candle[]) => {
      const s = await sinkScenario(kit, { config: { indicators: specs, live: { maxWaitMs: 100, stopDrainMs: 15_000, fromMs: from } } });
      const sink = s.newSink();
      const running = sink.run();
      for (const part of published) await s.publisher.candles(part);
      await within(20_000, 'every candle stored', (async () => {
        while ((await s.store.count(s.collection)) < all.length) await new Promise((resolve) => setTimeout(resolve, 50));
      })());
      sink.stop('stopped by command');
      expect((await within(20_000, 'the sink run', running)).status).toBe('interrupted');
      return s.store.all<Candle & Record<string, unknown>>(s.collection);
    };

    it('history then live as one series: every candle gets the values a batch load gives', async () => {
      const candles = minuteCandles({ startMs: from, count: 60 });
      const stored = await run([candles.slice(0, 40), candles.slice(40)], candles);
      const expected = batchValues(candles);
      expect(stored.map((doc) => [doc._key, doc.EMA_5, doc.RSI_3])).toEqual(candles.map((c) => [c._key, expected.get(c._key)?.EMA_5, expected.get(c._key)?.RSI_3]));
    });

    it('a live candle ahead of the history: no candle stores a value a batch load would not give', async () => {
      const candles = minuteCandles({ startMs: from, count: 60 });
      const stored = await run([candles.slice(20, 25), candles.slice(0, 20), candles.slice(25)], candles);
      const expected = batchValues(candles);
      const wrong = stored.filter((doc) => doc.EMA_5 !== undefined && doc.EMA_5 !== expected.get(doc._key)?.EMA_5);
      expect(wrong).toEqual([]);
      expect(stored).toHaveLength(60);
    });
  });
});
