import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitRange } from '@streamforge/binance';
import { startBinanceSimulator } from '@streamforge/binance/testing';
import { ensureTopics } from '@streamforge/kafka';
import { createTestKafka, testBootstrapServers, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { bundlePath, expectExit, killAllWorkerProcesses, startWorkerProcess } from '@streamforge/worker/testing';

const kafka = createTestKafka('e2e-loader-splits');
const MINUTE = 60_000;
const COLLECTION = 'btcusdt_api_candles_1m_2024_08_01';

type WorkerEvent = { queue_id: string; producer: string; status: string; message: string; records_written: number; expected_records?: number };

afterEach(() => killAllWorkerProcesses());

describe('a load split over 3 loader Jobs into one topic, one sink', () => {
  it('split 2 SIGKILLed mid-load and restarted resumes inside its own sub-range; the sink finishes with exactly the range', async () => {
    const from = Date.UTC(2024, 7, 1);
    const to = Date.UTC(2024, 7, 4);
    const parts = splitRange('1m', { from, to }, 3);
    expect(parts).toHaveLength(3);
    const second = parts[1];
    const queueId = uniqueName('wf-splits');
    const topics = { data: uniqueName('candles'), events: uniqueName('events'), control: uniqueName('control') };
    await ensureTopics(kafka, [{ topic: topics.data, numPartitions: 3 }, { topic: topics.events }, { topic: topics.control }]);
    const events = await new TopicRecorder(kafka, topics.events).start();
    const sim = await startBinanceSimulator();
    const dir = mkdtempSync(join(tmpdir(), 'e2e-loader-splits-'));
    // Split 2 gets its first page (1000 candles), then no answer: the kill lands mid-load on an event, not a timer.
    const release = sim.holdKlines((query) => Number(query.startTime) >= second.from + 1000 * MINUTE && Number(query.startTime) < second.to);
    const common = {
      KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: queueId, KAFKA_TOPIC: topics.data,
      QUEUE_EVENTS_TOPIC: topics.events, QUEUE_CONTROL_TOPIC: topics.control, SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m',
    };
    const producerOf = (index: number) => `loader-api-candles__split${index}`;
    const ofLoader = (index: number, status: string) => (e: WorkerEvent) => e.queue_id === queueId && e.producer === producerOf(index) && e.status === status;
    const startLoader = (index: number) =>
      startWorkerProcess(bundlePath('apps', 'loader-api-candles'), [], {
        ...common, TELEMETRY_PRODUCER_ID: producerOf(index), BINANCE_BASE_URL: sim.url, LOAD_SPLIT: `${index}/3`,
        TIME_RANGE: `${new Date(parts[index - 1].from).toISOString()}/${new Date(parts[index - 1].to).toISOString()}`,
        // Sends of 250: most of split 2's first page is in the topic before its held second page would fill the next send.
        LOADER_BATCH_SIZE: '250', LOADER_PROGRESS_EVERY: '250', LOADER_RETRY_BASE_MS: '50',
      });
    try {
      const sink = startWorkerProcess(bundlePath('apps', 'arango-candles'), [], {
        ...common, TELEMETRY_PRODUCER_ID: 'arango-candles__e2e01', COLLECTION_NAME: COLLECTION, STORE: 'sqlite', SQLITE_PATH: join(dir, 'store.db'), ARANGO_URL: undefined,
        BATCH_SIZE: '200', LINGER_MS: '50', KAFKA_SESSION_TIMEOUT_MS: '6000',
      });
      const loaders = [1, 2, 3].map(startLoader);
      await Promise.all([expectExit(loaders[0], 0, 45_000), expectExit(loaders[2], 0, 45_000)]);
      await events.waitFor<WorkerEvent>((e) => ofLoader(2, 'loading')(e) && e.records_written >= 500, { timeoutMs: 30_000 });
      loaders[1].kill('SIGKILL');
      expect(await loaders[1].exited).toBe('SIGKILL');
      release();

      const restarted = startLoader(2);
      await expectExit(restarted, 0, 45_000);
      // It resumed after the newest candle of its own sub-range in the topic: not from its start, nor
      // after split 3's candles that follow its own on the same partitions.
      const planned = JSON.parse(restarted.stdout().split('\n').find((line) => line.includes('resuming after')) ?? 'null') as { resumeAfter: string; split: string } | null;
      expect(planned?.split).toBe('2/3');
      const resumeAfter = Date.parse(planned?.resumeAfter ?? '');
      expect(resumeAfter).toBeGreaterThanOrEqual(second.from + 400 * MINUTE);
      expect(resumeAfter).toBeLessThan(second.from + 1000 * MINUTE);
      const [finished] = await events.waitFor<WorkerEvent>(ofLoader(2, 'finished'), { timeoutMs: 10_000 });
      expect(finished.records_written).toBe((second.to - resumeAfter) / MINUTE - 1);
      expect(finished.message).toMatch(/\(split 2\/3\)/);

      await expectExit(sink, 0, 45_000);
      const sinkFinished = await events.waitFor<WorkerEvent>((e) => e.queue_id === queueId && e.producer === 'arango-candles__e2e01' && e.status === 'finished', { timeoutMs: 10_000 });
      expect(sinkFinished[0].records_written).toBe((to - from) / MINUTE);
      // Every minute of the range once, none outside it, no gap at the seams.
      const store = createSqliteDocumentStore({ path: join(dir, 'store.db') });
      try {
        const stored = await store.findRange(COLLECTION, { field: 'open_time' });
        expect(stored.map((document) => document.open_time)).toEqual(Array.from({ length: (to - from) / MINUTE }, (_, i) => from + i * MINUTE));
      } finally {
        await store.close();
      }
    } finally {
      await events.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
