import { minuteCandles } from '@streamforge/candle-sink/testing';
import type { WorkerProcess } from '@streamforge/worker/testing';
import { expectExit, sinkProcessKit, waitUntil } from './sink-process-kit';

// The split loaders themselves, through the sink: tools/e2e, loader-splits.e2e.spec.ts.
const { scenario } = sinkProcessKit('arango-candles-loader-splits-test');

/** Still running: its exit did not come before a check that waits for nothing else. */
async function isRunning(worker: WorkerProcess): Promise<boolean> {
  return (await Promise.race([worker.exited, Promise.resolve('running')])) === 'running';
}

describe('arango-candles with a load split over several loader Jobs', () => {
  it('does not finish while one split\'s markers are missing, not even after a restart, and finishes once they come', async () => {
    const q = await scenario({ partitions: 3 });
    const candles = minuteCandles({ count: 900 });
    await q.publisher.candles(candles);
    await q.publisher.endOfStream(q.partitions, 300, '1/3');
    await q.publisher.endOfStream(q.partitions, 300, '3/3');
    const total = candles.length + 2 * q.partitions.length;

    const first = q.start();
    // Everything in the topic stored and committed (the commits go past the markers of an incomplete set)...
    await waitUntil(async () => (await q.committed()) === total, 30_000, `the group's commits to reach the end of the topic (${total} messages)`);
    // ...and still no finished: markers of 2 of the 3 splits are not the whole range. It says what it waits for.
    await first.waitForOutput(/read to its end; waiting for the end-of-stream markers of loader split\(s\) 2"/, 10_000);
    expect(await isRunning(first)).toBe(true);
    expect(await q.eventsSentSoFar('finished')).toEqual([]);
    expect(await q.documents()).toBe(candles.length);

    // A restarted sink reads from the commits on: the markers of splits 1 and 3 are below them, so it
    // must learn them from the commits' metadata, and the marker of split 2 completes the set.
    first.kill('SIGKILL');
    await first.exited;
    await q.publisher.endOfStream(q.partitions, 300, '2/3');
    const second = q.start();
    await expectExit(second, 0, 45_000);
    const finished = await q.eventsSentSoFar('finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ records_written: 900, expected_records: 900 });
    expect(finished[0].message).toMatch(/end-of-stream markers of 3 loader splits report 300 \+ 300 \+ 300 candles published/);
  }, 90_000);

  it('two instances of the queue finish a split load together: one finished, counting every split once', async () => {
    const q = await scenario({ partitions: 4, env: { BATCH_SIZE: '50' } });
    const candles = minuteCandles({ count: 900 });
    // Both in the group before any data: an instance joining just as the other completes moves partition 0
    // under the finisher's stamp, and then both report finished (GroupCompletion.stamp accepts that race).
    const instances = [q.start(), q.start()];
    await Promise.all(instances.map((instance) => instance.waitForOutput(/joined the consumer group/, 30_000)));
    // As three splits write: each its own candles, then its markers, the others' candles after them.
    for (const [index, part] of [[1, candles.slice(0, 300)], [3, candles.slice(600)], [2, candles.slice(300, 600)]] as const) {
      await q.publisher.candles(part);
      await q.publisher.endOfStream(q.partitions, part.length, `${index}/3`);
    }
    await Promise.all(instances.map((instance) => expectExit(instance, 0, 45_000)));
    const finished = await q.eventsSentSoFar('finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ records_written: 900, expected_records: 900 });
    expect(finished[0].message).toMatch(/end-of-stream markers of 3 loader splits report 300 \+ 300 \+ 300 candles published/);
    expect(await q.documents()).toBe(900);
  }, 90_000);
});
