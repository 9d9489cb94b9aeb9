import { minuteCandles } from '../testing';
import { clearFinishedStamp, sinkScenario, sinkTestKit, withUpsert, within } from './sink-scenario';

const kit = sinkTestKit('sink-completeness-test');


describe('the sink finishes only when the store holds what was published', () => {
  it('reports error with expected, stored and the first missing open_times when the store lost candles', async () => {
    const s = await sinkScenario(kit, { partitions: 2 });
    const candles = minuteCandles();
    const lost = new Set([candles[700]._key, candles[701]._key]);
    await s.publisher.candles(candles);
    await s.publisher.endOfStream(s.partitions, candles.length);
    // A store that confirms every write but silently drops two candles.
    const outcome = await within(30_000, 'the sink run', s.newSink((store) => withUpsert(store, (collection, documents) => store.upsertBatch(collection, documents.filter((d) => !lost.has(d._key))))).run());

    expect(outcome.status).toBe('error');
    const [error] = await s.waitForEvent('error');
    expect(error).toMatchObject({ records_written: 1438, expected_records: 1440 });
    expect(error.error_message).toBe(
      `IncompleteLoadError: the end-of-stream markers report at least 1440 candles published, but "${s.collection}" holds 1438 documents (2 missing); ` +
        `first missing open_time(s): ${candles[700].open_time} (${new Date(candles[700].open_time).toISOString()}), ${candles[701].open_time} (${new Date(candles[701].open_time).toISOString()})`,
    );
    expect(s.eventsWith('finished')).toEqual([]);
  });

  it('reports error when the markers count more candles than the store holds and none is missing in between', async () => {
    const s = await sinkScenario(kit);
    await s.publisher.candles(minuteCandles({ count: 100 }));
    await s.publisher.endOfStream(s.partitions, 120);
    expect((await within(30_000, 'the sink run', s.newSink().run())).status).toBe('error');
    const [error] = await s.waitForEvent('error');
    expect(error.error_message).toMatch(/at least 120 candles published, but "\w+" holds 100 documents \(20 missing\); no hole between its oldest and newest candle/);
  });

  it('carries expected_records and error_count, and a restarted sink reads both back from its group', async () => {
    const s = await sinkScenario(kit, { partitions: 2 });
    const candles = minuteCandles();
    await s.publisher.candles(candles);
    await s.publisher.raw([{ key: 'x', value: 'not json' }, { key: 'y', value: '{"_key":"nope"}' }, { key: 'z', value: null }]);
    await s.publisher.endOfStream(s.partitions, candles.length);

    expect(await within(30_000, 'the first run', s.newSink().run())).toEqual({ status: 'finished', recordsWritten: 1440 });
    const [firstStarted] = await s.waitForEvent('started');
    expect(firstStarted.error_count).toBe(0);
    expect(firstStarted.expected_records).toBeUndefined();
    expect((await s.waitForEvent('finished'))[0]).toMatchObject({ records_written: 1440, expected_records: 1440, error_count: 3 });

    // As if the first sink had died between its last commit and its `finished` event: the restarted
    // sink reads only the markers again, yet knows the bad messages and the published count.
    await clearFinishedStamp(kit, s.config.groupId, s.topic);
    expect(await within(30_000, 'the restarted run', s.newSink().run())).toEqual({ status: 'finished', recordsWritten: 1440 });
    const started = await s.waitForEvent('started', 2);
    expect(started[1]).toMatchObject({ error_count: 3, expected_records: 1440 });
    expect((await s.waitForEvent('finished', 2))[1]).toMatchObject({ expected_records: 1440, error_count: 3 });
  });
});
