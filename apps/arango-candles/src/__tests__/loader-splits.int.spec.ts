import { splitRange } from '@streamforge/binance';
import { startBinanceSimulator } from '@streamforge/binance/testing';
import { minuteCandles } from '@streamforge/candle-sink/testing';
import { ensureTopics } from '@streamforge/kafka';
import { testBootstrapServers, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { bundlePath, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';
import { expectExit, sinkProcessKit, waitUntil } from './sink-process-kit';

const { kafka, scenario } = sinkProcessKit('arango-candles-loader-splits-test');
const MINUTE = 60_000;

type LoaderEvent = { queue_id: string; producer: string; status: string; message: string; records_written: number; expected_records?: number };

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
    // ...and still no finished: markers of 2 of the 3 splits are not the whole range.
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

  it('3 loader splits into one topic, split 2 SIGKILLed mid-load and restarted (resuming in its own sub-range): the sink finishes with exactly the range', async () => {
    const q = await scenario({ partitions: 3 });
    const from = Date.UTC(2024, 7, 1);
    const to = Date.UTC(2024, 7, 4);
    const parts = splitRange('1m', { from, to }, 3);
    expect(parts).toHaveLength(3);
    const second = parts[1];
    const sim = await startBinanceSimulator();
    // Split 2 gets its first page (1000 candles) and then no answer: the kill lands mid-load, decided by an event, not a timer.
    const release = sim.holdKlines((query) => Number(query.startTime) >= second.from + 1000 * MINUTE && Number(query.startTime) < second.to);
    const loaderEvents = uniqueName('loader-events');
    const loaderControl = uniqueName('loader-control');
    await ensureTopics(kafka, [{ topic: loaderEvents }, { topic: loaderControl }]);
    const events = await new TopicRecorder(kafka, loaderEvents).start();
    const producerOf = (index: number) => `loader-producer__split${index}`;
    const ofSplit = (index: number, status: string) => (e: LoaderEvent) => e.queue_id === q.queueId && e.producer === producerOf(index) && e.status === status;
    const startLoader = (index: number) =>
      startWorkerProcess(bundlePath('apps', 'loader-api-candles'), [], {
        KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: q.queueId, QUEUE_CONTROL_TOPIC: loaderControl, QUEUE_EVENTS_TOPIC: loaderEvents,
        KAFKA_TOPIC: q.topic, TELEMETRY_PRODUCER_ID: producerOf(index), SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', BINANCE_BASE_URL: sim.url,
        TIME_RANGE: `${new Date(parts[index - 1].from).toISOString()}/${new Date(parts[index - 1].to).toISOString()}`,
        // Sends of 250: most of split 2's first page is in the topic before its second page (held) would fill the next send.
        LOAD_SPLIT: `${index}/3`, LOADER_BATCH_SIZE: '250', LOADER_PROGRESS_EVERY: '250', LOADER_RETRY_BASE_MS: '50',
      });
    try {
      const sink = q.start();
      const loaders = [1, 2, 3].map(startLoader);
      await Promise.all([expectExit(loaders[0], 0, 45_000), expectExit(loaders[2], 0, 45_000)]);
      await events.waitFor<LoaderEvent>((e) => ofSplit(2, 'loading')(e) && e.records_written >= 500, { timeoutMs: 30_000 });
      loaders[1].kill('SIGKILL');
      expect(await loaders[1].exited).toBe('SIGKILL');
      expect(await isRunning(sink)).toBe(true);
      release();

      const restarted = startLoader(2);
      await expectExit(restarted, 0, 45_000);
      // It resumed after the newest candle of its own sub-range already in the topic, not from its start (nor from split 3's candles after it).
      const planned = JSON.parse(restarted.stdout().split('\n').find((line) => line.includes('resuming after')) ?? 'null') as { resumeAfter: string; split: string } | null;
      expect(planned?.split).toBe('2/3');
      const resumeAfter = Date.parse(planned?.resumeAfter ?? '');
      expect(resumeAfter).toBeGreaterThanOrEqual(second.from + 400 * MINUTE);
      expect(resumeAfter).toBeLessThan(second.from + 1000 * MINUTE);
      const [finished] = await events.waitFor<LoaderEvent>(ofSplit(2, 'finished'), { count: 1, timeoutMs: 10_000 });
      expect(finished.records_written).toBe((second.to - resumeAfter) / MINUTE - 1);
      expect(finished.message).toMatch(/\(split 2\/3\)/);

      await expectExit(sink, 0, 45_000);
      const sinkFinished = await q.eventsSentSoFar('finished');
      expect(sinkFinished).toHaveLength(1);
      expect(sinkFinished[0].records_written).toBe((to - from) / MINUTE);
      // Every minute of the range once, none outside it, no gap at the seams.
      const stored = await q.stored();
      expect(stored.map((document) => document.open_time)).toEqual(Array.from({ length: (to - from) / MINUTE }, (_, i) => from + i * MINUTE));
    } finally {
      await events.close();
      await sim.close();
    }
  }, 120_000);
});
