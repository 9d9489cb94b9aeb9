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
});
