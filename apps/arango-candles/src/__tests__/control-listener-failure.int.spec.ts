import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { CandlePublisher, minuteCandles } from '@streamforge/candle-sink/testing';
import { ensureTopics } from '@streamforge/kafka';
import { createTestKafka, testBootstrapServers, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { bundlePath, killAllWorkerProcesses, startWorkerProcess } from '@streamforge/worker/testing';

const kafka = createTestKafka('arango-candles-control-test');
const collection = 'btcusdt_api_candles_1m_2024_08_01';
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterEach(() => killAllWorkerProcesses());
afterAll(async () => {
  await admin.disconnect();
});

describe('arango-candles when its control listener fails', () => {
  it('logs the failure and still stores the whole load, exit 0 (no unhandled rejection)', async () => {
    const topic = uniqueName('candles');
    const eventsTopic = uniqueName('events');
    const queueId = uniqueName('wf-test');
    // Kafka refuses to create `ctl.<x>` while `ctl_<x>` exists (the names collide in metrics), so
    // the listener's start fails however the runtime prepares its topics.
    const base = uniqueName('ctl');
    const collidingName = `${base}_topic`;
    const controlTopic = `${base}.topic`;
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }, { topic: eventsTopic }, { topic: collidingName }]);
    const events = await new TopicRecorder(kafka, eventsTopic).start();
    const publisher = new CandlePublisher(kafka, topic);
    await publisher.connect();
    const dir = mkdtempSync(join(tmpdir(), 'arango-candles-control-'));
    try {
      const candles = minuteCandles();
      await publisher.candles(candles);
      await publisher.endOfStream([0, 1], candles.length);
      const sink = startWorkerProcess(bundlePath('apps', 'arango-candles'), [], {
        KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: queueId, KAFKA_TOPIC: topic, COLLECTION_NAME: collection,
        STORE: 'sqlite', SQLITE_PATH: join(dir, 'store.db'), ARANGO_URL: undefined, QUEUE_CONTROL_TOPIC: controlTopic, QUEUE_EVENTS_TOPIC: eventsTopic,
        TELEMETRY_PRODUCER_ID: 'arango-candles__test01', SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', BATCH_SIZE: '200', LINGER_MS: '50',
      });
      const exited = await sink.exited;
      if (exited !== 0) throw new Error(`exit ${exited}, expected 0; stderr: ${sink.stderr().slice(-1500)} stdout: ${sink.stdout().slice(-3000)}`);

      const failure = sink.stdout().split('\n').find((line) => line.includes('control listener failed'));
      expect(failure).toBeDefined();
      expect(JSON.parse(failure as string)).toMatchObject({ level: 50, msg: expect.stringContaining('stop commands will not reach this sink') });
      expect((await events.waitFor<{ status: string; records_written: number }>((e) => e.status === 'finished'))[0].records_written).toBe(1440);
      const store = createSqliteDocumentStore({ path: join(dir, 'store.db') });
      try {
        expect(await store.count(collection)).toBe(1440);
      } finally {
        await store.close();
      }
    } finally {
      await Promise.all([events.close(), publisher.disconnect()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
