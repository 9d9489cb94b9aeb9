import { createIndicatorSet } from '@streamforge/indicators';
import { indicatorListSchema, type Candle } from '@streamforge/schemas';
import { minuteCandles } from '../testing';
import { sinkScenario, sinkTestKit, within } from './sink-scenario';

const kit = sinkTestKit('sink-live-test');
const MINUTE = 60_000;

describe('a live sink (open-ended TIME_RANGE)', () => {
  it('goes on past the backfill’s end-of-stream marker, stores a live candle within a second despite a long LINGER_MS, reports the live lag, and on stop stores the topic up to its end', async () => {
    // LINGER_MS 5 s and big batches: without the live max wait, a lone candle would wait 5 s in the broker.
    const s = await sinkScenario(kit, { config: { lingerMs: 5_000, batchSize: 3_000, progress: { everyRecords: 100_000, everyMs: 300 }, live: { maxWaitMs: 100, stopDrainMs: 15_000 } } });
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

  describe('indicators: every stored candle ends with the values a batch load of the stored series gives', () => {
    const specs = indicatorListSchema.parse('EMA_5,RSI_3,VWAP_D');
    const from = Date.UTC(2024, 7, 1, 23, 30);
    /** What a batch load stores: the indicators over the whole series in open_time order. */
    const batchValues = (candles: Candle[]) => {
      const stream = createIndicatorSet(specs).resume();
      return [...candles].sort((a, b) => a.open_time - b.open_time).map((candle) => [candle._key, ...Object.values(stream.push(candle))]);
    };
    /**
     * Publishes each part once the sink stored everything before it (so the parts interleave as they
     * would live), then stops the sink; `'restart'` stops it and starts another of the same group.
     */
    const run = async (published: Array<Candle[] | 'end-of-stream' | 'restart'>, options: { partitions?: number } = {}) => {
      const s = await sinkScenario(kit, { partitions: options.partitions, config: { indicators: specs, live: { maxWaitMs: 100, stopDrainMs: 15_000 } } });
      let sink = s.newSink();
      let running = sink.run();
      /** key → close of the newest version published: what the store must hold before the next part. */
      const wanted = new Map<string, number>();
      for (const part of published) {
        if (part === 'end-of-stream') {
          await s.publisher.endOfStream(s.partitions, wanted.size);
          continue;
        }
        if (part === 'restart') {
          sink.stop('stopped by command');
          expect((await within(20_000, 'the first sink run', running)).status).toBe('interrupted');
          await sink.close();
          sink = s.newSink();
          running = sink.run();
          continue;
        }
        await s.publisher.candles(part);
        for (const candle of part) wanted.set(candle._key, candle.close);
        const storedAll = async () => {
          const docs = await s.store.all<Candle>(s.collection);
          return docs.length === wanted.size && docs.every((doc) => wanted.get(doc._key) === doc.close);
        };
        await within(20_000, `${wanted.size} candles stored, each as last published`, (async () => {
          while (!(await storedAll())) await new Promise((resolve) => setTimeout(resolve, 50));
        })());
      }
      sink.stop('stopped by command');
      expect((await within(20_000, 'the sink run', running)).status).toBe('interrupted');
      const stored = await s.store.all<Candle & Record<string, unknown>>(s.collection);
      return stored.sort((a, b) => a.open_time - b.open_time).map((doc) => [doc._key, ...specs.map((spec) => doc[spec.field])]);
    };

    it('history then live as one series: the values while consuming', async () => {
      const candles = minuteCandles({ startMs: from, count: 60 });
      expect(await run([candles.slice(0, 40), 'end-of-stream', candles.slice(40)])).toEqual(batchValues(candles));
    });

    it('live candles ahead of the history (the live worker started first), then the history, its marker and more live candles', async () => {
      const candles = minuteCandles({ startMs: from, count: 90 });
      expect(await run([candles.slice(40, 45), candles.slice(0, 20), candles.slice(20, 40), 'end-of-stream', candles.slice(45, 60), candles.slice(60)])).toEqual(batchValues(candles));
    });

    it('a restarted sink (the collection holds documents, the state is not known): a full pass once caught up, then in order', async () => {
      const candles = minuteCandles({ startMs: from, count: 80 });
      expect(await run([candles.slice(10, 20), candles.slice(0, 10), 'restart', candles.slice(20, 50), candles.slice(50)])).toEqual(batchValues(candles));
    });

    it('over 3 partitions, with a hole the gap fill closes after later candles were stored and a re-published candle with another value', async () => {
      const candles = minuteCandles({ startMs: from, count: 120 });
      const hole = 70;
      const changed = { ...candles[30], close: candles[30].close + 40, high: candles[30].high + 40 };
      const parts = [candles.slice(0, 50), 'end-of-stream' as const, candles.slice(50, hole), candles.slice(hole + 1, 90), [candles[hole]], [changed], candles.slice(90)];
      expect(await run(parts, { partitions: 3 })).toEqual(batchValues([...candles.slice(0, 30), changed, ...candles.slice(31)]));
    });
  });
});
