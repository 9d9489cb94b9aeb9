import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { CandlePublisher } from '@streamforge/candle-sink/testing';
import { createIdempotentProducer, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, testBootstrapServers, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createIndicatorSet } from '@streamforge/indicators';
import { DEFAULT_INDICATORS, indicatorListSchema, type Candle } from '@streamforge/schemas';
import { createSqliteDocumentStore, type StoredDocument } from '@streamforge/storage';
import { bundlePath, killAllWorkerProcesses, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';

export { expectExit } from '@streamforge/worker/testing';

/** The telemetry fields the arango-candles process tests read. */
export type SinkEvent = {
  queue_id: string; status: string; records_written: number; message: string;
  error_count?: number; expected_records?: number; last_loaded_timestamp?: number; error_message?: string;
};

export const COLLECTION = 'btcusdt_api_candles_1m_2024_08_01';

/**
 * The built arango-candles bundle against the suite's broker and a SQLite file: one Kafka client,
 * admin and producer per test file (connected in beforeAll), each scenario's topics, recorders and
 * store removed after its test, and every sink process killed.
 */
export function sinkProcessKit(clientId: string) {
  const kafka = createTestKafka(clientId);
  let admin: Admin;
  let producer: Producer;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    admin = kafka.admin();
    producer = createIdempotentProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterEach(async () => {
    killAllWorkerProcesses();
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  /**
   * Fresh topics, a fresh SQLite file and recorders of queue-events and the dead-letter topic for
   * one queue; `start` launches one more sink process of it (same group). `env` adds to or (with
   * undefined) removes from the sink's environment.
   */
  async function scenario(options: { partitions?: number; env?: Record<string, string | undefined> } = {}) {
    const topic = uniqueName('candles');
    const controlTopic = uniqueName('control');
    const eventsTopic = uniqueName('events');
    const queueId = uniqueName('wf-test');
    const partitions = Array.from({ length: options.partitions ?? 3 }, (_, i) => i);
    await ensureTopics(kafka, [{ topic, numPartitions: partitions.length }, { topic: controlTopic }, { topic: eventsTopic }]);
    const events = await new TopicRecorder(kafka, eventsTopic).start();
    const dlq = await new TopicRecorder(kafka, `${topic}-dlq`).start();
    const publisher = new CandlePublisher(kafka, topic);
    await publisher.connect();
    const dir = mkdtempSync(join(tmpdir(), 'arango-candles-test-'));
    const sqlitePath = join(dir, 'store.db');
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: queueId, KAFKA_TOPIC: topic, COLLECTION_NAME: COLLECTION,
      STORE: 'sqlite', SQLITE_PATH: sqlitePath, ARANGO_URL: undefined, QUEUE_CONTROL_TOPIC: controlTopic, QUEUE_EVENTS_TOPIC: eventsTopic,
      TELEMETRY_PRODUCER_ID: 'arango-candles__test01', SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m',
      BATCH_SIZE: '200', LINGER_MS: '50', KAFKA_SESSION_TIMEOUT_MS: '6000', PROGRESS_EVERY_RECORDS: '500', PROGRESS_INTERVAL_S: '1',
      ...options.env,
    };
    cleanups.push(async () => {
      await Promise.all([events.close(), dlq.close(), publisher.disconnect()]);
      rmSync(dir, { recursive: true, force: true });
    });
    const withStore = async <T>(action: (store: ReturnType<typeof createSqliteDocumentStore>) => Promise<T>) => {
      const store = createSqliteDocumentStore({ path: sqlitePath });
      try {
        return await action(store);
      } finally {
        await store.close();
      }
    };
    const ofQueue = (status: string) => (e: SinkEvent) => e.queue_id === queueId && e.status === status;
    return {
      topic, queueId, partitions, events, dlq, publisher, env,
      start: (extra: Record<string, string> = {}, args: string[] = []): WorkerProcess => startWorkerProcess(bundlePath('apps', 'arango-candles'), args, { ...env, ...extra }),
      stored: () => withStore((store) => store.findRange(COLLECTION, { field: 'open_time' })),
      documents: () => withStore(async (store) => ((await store.collectionExists(COLLECTION)) ? store.count(COLLECTION) : 0)),
      document: (key: string) => withStore((store) => store.get(COLLECTION, key)),
      committed: async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: `arango-candles-${queueId}`, topics: [topic] });
        return offsets.partitions.map((p) => Math.max(0, Number(p.offset))).reduce((a, b) => a + b, 0);
      },
      waitForEvent: (status: string, count = 1, timeoutMs = 20_000) => events.waitFor<SinkEvent>(ofQueue(status), { count, timeoutMs }),
      /**
       * Every event of `status` sent before now: a marker sent after the senders exited arrives after
       * anything they sent (queue-events has one partition), so a late duplicate cannot slip past a count.
       */
      eventsSentSoFar: async (status: string) => {
        const marker = uniqueName('all-sent');
        await producer.send({ topic: eventsTopic, messages: [{ key: queueId, value: JSON.stringify({ queue_id: queueId, status: marker }) }] });
        await events.waitFor<SinkEvent>(ofQueue(marker), { timeoutMs: 30_000 });
        return events.values<SinkEvent>().filter(ofQueue(status));
      },
      sendCommand: (command: string) => producer.send({ topic: controlTopic, messages: [{ key: queueId, value: JSON.stringify({ queue_id: queueId, command }) }] }),
    };
  }

  return { kafka, scenario };
}

export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the store must hold: each candle with the list's indicators from a straight run over the candles in open_time order. */
export function withReferenceIndicators(candles: readonly Candle[], list = DEFAULT_INDICATORS): StoredDocument[] {
  const set = createIndicatorSet(indicatorListSchema.parse(list));
  const { values } = set.applyAll(candles, set.initialState());
  return candles.map((candle, i) => ({ ...candle, ...values[i] }));
}
