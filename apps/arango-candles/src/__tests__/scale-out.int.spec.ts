import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { CandlePublisher, minuteCandles } from '@streamforge/candle-sink/testing';
import { ensureTopics } from '@streamforge/kafka';
import { createTestKafka, testBootstrapServers, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createIndicatorSet } from '@streamforge/indicators';
import { DEFAULT_INDICATORS, indicatorListSchema } from '@streamforge/schemas';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { bundlePath, killAllWorkerProcesses, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';

type Event = { queue_id: string; status: string; records_written: number; error_count?: number; expected_records?: number };

const kafka = createTestKafka('arango-candles-scale-out-test');
const collection = 'btcusdt_api_candles_1m_2024_08_01';
let admin: Admin;
let producer: Producer;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});
afterEach(async () => {
  killAllWorkerProcesses();
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});
afterAll(() => Promise.all([admin.disconnect(), producer.disconnect()]));

/** One queue's topics, store and events; `start` launches one more sink instance of its group. */
async function queue(partitionCount: number) {
  const topic = uniqueName('candles');
  const eventsTopic = uniqueName('events');
  const queueId = uniqueName('wf-scale');
  const partitions = Array.from({ length: partitionCount }, (_, i) => i);
  await ensureTopics(kafka, [{ topic, numPartitions: partitionCount }, { topic: eventsTopic, numPartitions: 1 }]);
  const events = await new TopicRecorder(kafka, eventsTopic).start();
  const publisher = new CandlePublisher(kafka, topic);
  await publisher.connect();
  const dir = mkdtempSync(join(tmpdir(), 'arango-candles-scale-'));
  const sqlitePath = join(dir, 'store.db');
  cleanups.push(async () => {
    await Promise.all([events.close(), publisher.disconnect()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: queueId, KAFKA_TOPIC: topic, COLLECTION_NAME: collection,
    STORE: 'sqlite', SQLITE_PATH: sqlitePath, ARANGO_URL: undefined, QUEUE_CONTROL_TOPIC: uniqueName('control'), QUEUE_EVENTS_TOPIC: eventsTopic,
    TELEMETRY_PRODUCER_ID: 'arango-candles__test01', SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m',
    // Small batches and fetches: many commits, so a kill lands in the middle of the load.
    BATCH_SIZE: '10', FETCH_MAX_BYTES_PER_PARTITION: '4096', LINGER_MS: '50', KAFKA_SESSION_TIMEOUT_MS: '6000', PROGRESS_INTERVAL_S: '1',
  };
  return {
    partitions, events, publisher,
    start: (): WorkerProcess => startWorkerProcess(bundlePath('apps', 'arango-candles'), [], env),
    documents: async () => {
      const store = createSqliteDocumentStore({ path: sqlitePath });
      try {
        return (await store.collectionExists(collection)) ? await store.count(collection) : 0;
      } finally {
        await store.close();
      }
    },
    stored: async () => {
      const store = createSqliteDocumentStore({ path: sqlitePath });
      try {
        return await store.findRange(collection, { field: 'open_time' });
      } finally {
        await store.close();
      }
    },
    committed: async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: `arango-candles-${queueId}`, topics: [topic] });
      return offsets.partitions.map((p) => Math.max(0, Number(p.offset))).reduce((a, b) => a + b, 0);
    },
    /**
     * Every `finished` event sent before now: a marker sent after the instances exited arrives after
     * anything they sent (one partition), so a late duplicate cannot slip past the count.
     */
    finishedEvents: async () => {
      const marker = uniqueName('all-sent');
      await producer.send({ topic: eventsTopic, messages: [{ key: queueId, value: JSON.stringify({ queue_id: queueId, status: marker }) }] });
      await events.waitFor<Event>((e) => e.queue_id === queueId && e.status === marker, { timeoutMs: 30_000 });
      return events.values<Event>().filter((e) => e.queue_id === queueId && e.status === 'finished');
    },
    waitForEvent: (status: string, timeoutMs = 30_000) => events.waitFor<Event>((e) => e.queue_id === queueId && e.status === status, { timeoutMs }),
  };
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The instance's exit code, within `timeoutMs` (then its output names what it was waiting for). */
async function expectExit(worker: WorkerProcess, code: number, timeoutMs = 45_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const exited: unknown = await Promise.race([worker.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`nothing after ${timeoutMs} ms`), timeoutMs)))]);
  clearTimeout(timer);
  if (exited !== code) throw new Error(`exit ${exited}, expected ${code}; stderr: ${worker.stderr().slice(-1500)} stdout: ${worker.stdout().slice(-3000)}`);
}

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
    const finished = await q.finishedEvents();
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ records_written: candles.length, expected_records: candles.length, error_count: 0 });
    expect(await q.documents()).toBe(candles.length);
    // The indicator pass ran once, in the finisher, over every instance's candles.
    const set = createIndicatorSet(indicatorListSchema.parse(DEFAULT_INDICATORS));
    const { values } = set.applyAll(candles, set.initialState());
    const stored = await q.stored();
    stored.forEach((document, i) => expect(document).toEqual({ ...candles[i], ...values[i] }));
  }, 90_000);

  it('more instances than partitions: the idle one ends too, and only one reports finished', async () => {
    const q = await queue(2);
    const candles = minuteCandles();
    const instances = [q.start(), q.start(), q.start()];
    await q.waitForEvent('started');
    await q.publisher.candles(candles);
    await q.publisher.endOfStream(q.partitions, candles.length);

    await Promise.all(instances.map((instance) => expectExit(instance, 0)));
    const finished = await q.finishedEvents();
    expect(finished).toHaveLength(1);
    expect(finished[0].records_written).toBe(candles.length);
    expect(await q.documents()).toBe(candles.length);
  }, 60_000);
});
