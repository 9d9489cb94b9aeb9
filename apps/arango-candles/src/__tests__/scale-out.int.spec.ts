import { minuteCandles } from '@streamforge/candle-sink/testing';
import { expectExit as expectExitCode, sinkProcessKit, waitUntil, withReferenceIndicators } from './sink-process-kit';

const { scenario } = sinkProcessKit('arango-candles-scale-out-test');

/** One queue; `start` launches one more sink instance of its group. */
const queue = (partitions: number) =>
  scenario({
    partitions,
    // Small batches and fetches: many commits, so a kill lands in the middle of the load.
    env: { BATCH_SIZE: '10', FETCH_MAX_BYTES_PER_PARTITION: '4096', PROGRESS_EVERY_RECORDS: undefined },
  });

/** Every instance must be gone within 45 s (then its output names what it was waiting for). */
const expectExit = (instance: Parameters<typeof expectExitCode>[0], code: number) => expectExitCode(instance, code, 45_000);

describe('arango-candles scaled out: several instances of one queue share the partitions', () => {
  it('3 instances × 6 partitions, one SIGKILLed mid-load and replaced: all exit 0, exactly one finished, exactly the 1440 documents', async () => {
    const q = await queue(6);
    const candles = minuteCandles();
    await q.publisher.candles(candles);
    await q.publisher.endOfStream(q.partitions, candles.length);
    const instances = [q.start(), q.start(), q.start()];
    await waitUntil(async () => (await q.committed()) > 0, 30_000, 'a first commit of the group');
    instances[1].kill('SIGKILL');
    expect(await instances[1].exited).toBe('SIGKILL');
    expect(await q.committed()).toBeLessThan(candles.length);
    const replacement = q.start();

    await Promise.all([instances[0], instances[2], replacement].map((instance) => expectExit(instance, 0)));
    const finished = await q.eventsSentSoFar('finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ records_written: candles.length, expected_records: candles.length, error_count: 0 });
    expect(await q.documents()).toBe(candles.length);
    // The indicator pass ran once, in the finisher, over every instance's candles.
    const reference = withReferenceIndicators(candles);
    const stored = await q.stored();
    stored.forEach((document, i) => expect(document).toEqual(reference[i]));
  }, 90_000);

  it('more instances than partitions: the idle one ends too, and only one reports finished', async () => {
    const q = await queue(2);
    const candles = minuteCandles();
    const instances = [q.start(), q.start(), q.start()];
    await q.waitForEvent('started', 1, 30_000);
    await q.publisher.candles(candles);
    await q.publisher.endOfStream(q.partitions, candles.length);

    await Promise.all(instances.map((instance) => expectExit(instance, 0)));
    const finished = await q.eventsSentSoFar('finished');
    expect(finished).toHaveLength(1);
    expect(finished[0].records_written).toBe(candles.length);
    expect(await q.documents()).toBe(candles.length);
  }, 60_000);
});
