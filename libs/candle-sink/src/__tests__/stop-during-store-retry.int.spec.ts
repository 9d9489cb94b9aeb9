import { StoreUnavailableError } from '@streamforge/storage';
import { minuteCandles } from '../testing';
import { sinkScenario, sinkTestKit, withUpsert, within } from './sink-scenario';

const kit = sinkTestKit('sink-stop-retry-test');

describe('a stop while a slice waits for its store retry', () => {
  it('commits no later slice of the partition, so a restarted sink stores every candle', async () => {
    // One partition, slices of 100: slice A (the first) fails once and waits a long retry pause;
    // slice B, right behind it, is stored meanwhile; then the stop arrives.
    const s = await sinkScenario(kit, { config: { storeRetry: { initialDelayMs: 60_000, maxDelayMs: 60_000, giveUpAfterMs: 120_000 } } });
    const candles = minuteCandles({ count: 1000 });
    await s.publisher.candles(candles);
    await s.publisher.endOfStream(s.partitions, candles.length);

    let calls = 0;
    let laterSliceStored!: () => void;
    const storedAfterFailure = new Promise<void>((resolve) => (laterSliceStored = resolve));
    const first = s.newSink((store) =>
      withUpsert(store, async (collection, documents) => {
        calls += 1;
        if (calls === 1) throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:8529', { collection });
        await store.upsertBatch(collection, documents);
        laterSliceStored();
      }),
    );
    const running = first.run();
    await within(20_000, 'a slice stored while the first one waits for its retry', storedAfterFailure);
    first.stop('stopped by test');
    expect(await within(20_000, 'the first sink to end', running)).toMatchObject({ status: 'interrupted' });
    // Nothing may be committed: every slice after A would skip A's candles.
    expect(await s.committedOffsets()).toEqual([-1]);

    const outcome = await within(30_000, 'the restarted sink to finish', s.newSink().run());
    expect(outcome).toEqual({ status: 'finished', recordsWritten: candles.length });
    expect(await s.store.count(s.collection)).toBe(candles.length);
    expect(await s.store.get(s.collection, candles[0]._key)).toMatchObject({ open_time: candles[0].open_time });
  });
});
