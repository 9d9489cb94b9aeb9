import { KafkaJSError, type Admin, type Consumer, type ConsumerConfig, type EachBatchHandler, type Kafka, type Producer } from 'kafkajs';
import { createLogger } from '@streamforge/logging';
import { Registry } from '@streamforge/metrics';
import { createIdempotentProducer, createTelemetryPublisher, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createSqliteDocumentStore, documentVersion, type DocumentStore, StoreUnavailableError } from '@streamforge/storage';
import { createCandleSink, type CandleSink, type CandleSinkConfig } from '../candle-sink';
import { createSinkMetrics } from '../sink-metrics';
import { clearFinishedStamp } from './sink-scenario';
import { CandlePublisher, minuteCandles } from '../testing';

type Event = { status: string; records_written: number; error_message?: string; error_count?: number; message: string };

const kafka = createTestKafka('candle-sink-test');
const logger = createLogger({ service: 'candle-sink-test', level: 'fatal' });
let producer: Producer;
let admin: Admin;

beforeAll(async () => {
  producer = createIdempotentProducer(kafka);
  admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});
afterAll(async () => {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
});

/** The store with another upsertBatch: the seam the outage tests use (dependency injection, no module mocking). */
function withUpsert(inner: DocumentStore, upsertBatch: DocumentStore['upsertBatch']): DocumentStore {
  return {
    kind: inner.kind, location: inner.location, upsertBatch, updateFields: inner.updateFields.bind(inner),
    ensureCollection: inner.ensureCollection.bind(inner), count: inner.count.bind(inner), get: inner.get.bind(inner),
    findRange: inner.findRange.bind(inner), findPage: inner.findPage.bind(inner), remove: inner.remove.bind(inner),
    all: inner.all.bind(inner), collectionExists: inner.collectionExists.bind(inner),
    ping: inner.ping.bind(inner), close: inner.close.bind(inner),
  };
}

/** A store that fails while `failing(call)` says so, the way an unreachable store does. */
function flakyStore(inner: DocumentStore, failing: (call: number) => boolean, onFailure: () => Promise<void> = async () => undefined): DocumentStore {
  let calls = 0;
  return withUpsert(inner, async (collection, documents) => {
    calls += 1;
    if (failing(calls)) {
      await onFailure();
      throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:8529', { collection });
    }
    return inner.upsertBatch(collection, documents);
  });
}

/**
 * The client with consumers whose first `failures` commits fail the way a commit during a
 * rebalance does; everything else is the real consumer on the real broker.
 */
function withFailingCommits(client: Kafka, failures: number): Kafka & { failuresLeft(): number } {
  let left = failures;
  const consumer = (config: ConsumerConfig): Consumer => {
    const real = client.consumer(config);
    const run = real.run.bind(real);
    real.run = (options) =>
      run({
        ...options,
        eachBatch: (payload) =>
          (options?.eachBatch as EachBatchHandler)({
            ...payload,
            commitOffsetsIfNecessary: async (offsets) => {
              if (left > 0) {
                left -= 1;
                throw new KafkaJSError('The group is rebalancing, so a rejoin is needed', { retriable: false });
              }
              return payload.commitOffsetsIfNecessary(offsets);
            },
          }),
      });
    return real;
  };
  return Object.assign(Object.create(client) as Kafka, { consumer, failuresLeft: () => left });
}

async function scenario(options: { partitions?: number; config?: Partial<CandleSinkConfig>; wrap?: (store: DocumentStore) => DocumentStore; kafka?: Kafka } = {}) {
  const topic = uniqueName('candles');
  const eventsTopic = uniqueName('events');
  const partitions = Array.from({ length: options.partitions ?? 3 }, (_, i) => i);
  await ensureTopics(kafka, [{ topic, numPartitions: partitions.length }, { topic: eventsTopic }]);
  const events = await new TopicRecorder(kafka, eventsTopic).start();
  const publisher = new CandlePublisher(kafka, topic);
  await publisher.connect();
  const store = createSqliteDocumentStore({ path: ':memory:' });
  const collection = 'btcusdt_api_candles_1m_2024_08_01';
  const config: CandleSinkConfig = {
    queueId: uniqueName('wf-test'), topic, collection, deadLetterTopic: `${topic}-dlq`, groupId: uniqueName('arango-candles-test'),
    batchSize: 200, lingerMs: 50, maxBytesPerPartition: 1024 * 1024, sessionTimeoutMs: 6_000,
    storeRetry: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 10_000 },
    indicators: [],
    progress: { everyRecords: 500, everyMs: 1_000 },
    ...options.config,
  };
  const telemetry = createTelemetryPublisher({ topic: eventsTopic, queueId: config.queueId, producerId: 'arango-candles__test', symbol: 'BTCUSDT', type: 'api_candles_1m' }, { producer, logger });
  const metrics = createSinkMetrics(new Registry());
  const committedOffsets = async (groupId = config.groupId) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  };
  const waitForEvent = (status: string, count = 1) => events.waitFor<Event>((e) => e.status === status, { count, timeoutMs: 20_000 });
  const sinks: CandleSink[] = [];
  const newSink = (groupId = config.groupId) => {
    const sink = createCandleSink({ ...config, groupId }, { kafka: options.kafka ?? kafka, producer, store: options.wrap ? options.wrap(store) : store, telemetry, logger, metrics });
    sinks.push(sink);
    return sink;
  };
  cleanups.push(async () => {
    await Promise.all([publisher.disconnect(), events.close(), ...sinks.map((sink) => sink.close())]);
    await store.close();
  });
  return { topic, partitions, events, publisher, store, collection, config, metrics, newSink, committedOffsets, waitForEvent };
}

describe('candle sink (in process, real broker, SQLite)', () => {
  it('keeps retrying while the store is down, commits nothing meanwhile, then stores every candle once', async () => {
    const seenDuringOutage: Array<{ committed: number[]; documents: number }> = [];
    // Calls 3 to 7 fail: an outage in the middle of the load. (The callback runs once `s` is set.)
    // Two slices may be in flight, so a write that began before the outage can still land (and
    // be committed) during it: the test checks the guarantee at each observation, not a schedule.
    const s: Awaited<ReturnType<typeof scenario>> = await scenario({
      wrap: (store) => flakyStore(store, (call) => call >= 3 && call <= 7, async () => {
        // Offsets first, then the count: the count can only grow in between, never the reverse.
        const committed = await s.committedOffsets();
        seenDuringOutage.push({ committed, documents: await s.store.count(s.collection) });
      }),
    });
    await s.publisher.candles(minuteCandles());
    await s.publisher.endOfStream(s.partitions, 1440);
    const outcome = await s.newSink().run();

    expect(outcome).toEqual({ status: 'finished', recordsWritten: 1440 });
    expect(await s.store.count(s.collection)).toBe(1440);
    expect(seenDuringOutage).toHaveLength(5);
    // Nothing committed that is not in the store: while the store is down, the committed
    // offsets (candles per partition, markers come last) never cover more than is stored.
    for (const seen of seenDuringOutage) {
      expect(seen.committed.filter((o) => o > 0).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(seen.documents);
    }
    // No partition's commit ever goes back.
    for (const [i, seen] of seenDuringOutage.entries()) {
      if (i > 0) seen.committed.forEach((offset, p) => expect(offset).toBeGreaterThanOrEqual(seenDuringOutage[i - 1].committed[p]));
    }
    expect((await s.metrics.storeRetries.get()).values[0].value).toBe(5);
    // Every candle once: 1440 documents and the commit stops right before each partition's marker.
    const highs = (await admin.fetchTopicOffsets(s.topic)).sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
    expect(await s.committedOffsets()).toEqual(highs.map((high) => high - 1));
    const [finished] = await s.waitForEvent('finished');
    expect(finished.records_written).toBe(1440);
  });

  it('reads a slice again when its commit failed, and still finishes with every candle once', async () => {
    const failing = withFailingCommits(kafka, 1);
    const s = await scenario({ kafka: failing });
    const publishedFrom = Date.now();
    await s.publisher.candles(minuteCandles());
    const publishedUntil = Date.now();
    await s.publisher.endOfStream(s.partitions, 1440);
    const outcome = await within(30_000, s.newSink().run());

    expect(outcome).toEqual({ status: 'finished', recordsWritten: 1440 });
    expect(failing.failuresLeft()).toBe(0);
    expect(await s.store.count(s.collection)).toBe(1440);
    // Every candle is stored with its message's timestamp as version (order-safe writes).
    const versions = (await s.store.all(s.collection)).map((candle) => documentVersion(candle) ?? -1);
    expect(versions.filter((v) => v < publishedFrom || v > publishedUntil)).toEqual([]);
    // The slice whose commit failed was written twice: it was read again after the rewind.
    expect((await s.metrics.recordsWritten.get()).values[0].value).toBeGreaterThan(1440);
  });

  it('gives up after the retry bound with an error event, leaving the batch uncommitted', async () => {
    const s = await scenario({ config: { storeRetry: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 1_000 } }, wrap: (store) => flakyStore(store, () => true) });
    await s.publisher.candles(minuteCandles({ count: 100 }));
    const startedAt = Date.now();
    const outcome = await s.newSink().run();

    expect(outcome.status).toBe('error');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const [error] = await s.waitForEvent('error');
    expect(error.error_message).toMatch(/StoreRetryExhaustedError: the store failed \d+ times over 1\.\d s \(collection "btcusdt_api_candles_1m_2024_08_01"\), giving up: StoreUnavailableError: connect ECONNREFUSED/);
    expect(await s.committedOffsets()).toEqual([-1, -1, -1]);
  });

  it('fails at once on a store error no retry can fix', async () => {
    const s = await scenario({
      wrap: (store) => withUpsert(store, () => Promise.reject(Object.assign(new Error('permission denied on collection'), { retriable: false }))),
    });
    await s.publisher.candles(minuteCandles({ count: 10 }));
    const outcome = await s.newSink().run();
    expect(outcome.status).toBe('error');
    expect((await s.waitForEvent('error'))[0].error_message).toBe('Error: permission denied on collection');
    expect(await s.committedOffsets()).toEqual([-1, -1, -1]);
  });

  it('stops promptly during an outage: interrupted, nothing of the failing batch committed', async () => {
    const s = await scenario({ config: { storeRetry: { initialDelayMs: 30_000, maxDelayMs: 30_000, giveUpAfterMs: 60_000 } }, wrap: (store) => flakyStore(store, () => true) });
    await s.publisher.candles(minuteCandles({ count: 100 }));
    const sink = s.newSink();
    const running = sink.run();
    // Two slices may be in flight (and failing) at once.
    await waitUntil(async () => ((await s.metrics.storeRetries.get()).values[0]?.value ?? 0) >= 1, 'a first store retry');
    const stoppedAt = Date.now();
    sink.stop('stopped by test');
    expect(await running).toMatchObject({ status: 'interrupted', recordsWritten: 0 });
    // Far below the 30 s retry delay it cut short, with room for a loaded machine.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(await s.committedOffsets()).toEqual([-1, -1, -1]);
    expect((await s.waitForEvent('interrupted'))[0].message).toMatch(/^stopped by test: 0 documents/);
  });

  it('finishes when a killed loader marked only some partitions and its retry marked them all', async () => {
    const s = await scenario({ partitions: 2 });
    // Run 1 published the whole day and marked partition 0 before it was killed; run 2 found
    // nothing left to publish and marked every partition with its own count, 0.
    await s.publisher.candles(minuteCandles());
    await s.publisher.endOfStream([0], 1440);
    await s.publisher.endOfStream([0, 1], 0);
    const outcome = await s.newSink().run();

    expect(outcome).toEqual({ status: 'finished', recordsWritten: 1440 });
    expect((await s.waitForEvent('finished'))[0]).toMatchObject({ records_written: 1440, message: expect.stringMatching(/end-of-stream markers report (1440|0), (1440|0), 0 candles published/) });
  });

  it('does not finish on a marker that more candles follow in its partition', async () => {
    const s = await scenario({ partitions: 2 });
    const candles = minuteCandles();
    await s.publisher.candles(candles.slice(0, 800));
    await s.publisher.endOfStream([0], 800);
    await s.publisher.candles(candles.slice(800));
    await s.publisher.endOfStream([0, 1], 640);
    const outcome = await s.newSink().run();

    expect(outcome).toEqual({ status: 'finished', recordsWritten: 1440 });
    expect(await s.store.count(s.collection)).toBe(1440);
  });

  it('commits up to the markers, not past them: a sink restarted after its last commit sees the load complete and ends, without a second finished', async () => {
    const s = await scenario();
    await s.publisher.candles(minuteCandles());
    await s.publisher.endOfStream(s.partitions, 1440);
    expect(await s.newSink().run()).toEqual({ status: 'finished', recordsWritten: 1440 });
    const committed = await s.committedOffsets();
    const highs = (await admin.fetchTopicOffsets(s.topic)).sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
    // Each partition's last message is its marker: the commit stops right before it.
    expect(committed).toEqual(highs.map((high) => high - 1));

    // A restarted Job, or a replica that joins after the load was reported: it ends quietly (exactly one `finished`).
    expect(await within(15_000, s.newSink().run())).toEqual({ status: 'complete-elsewhere', recordsWritten: 1440 });
    expect(s.events.values<Event>().filter((e) => e.status === 'finished')).toHaveLength(1);

    // As if the first sink had died between its last commit and its `finished` report (no stamp in partition 0's commit):
    // the restart reports it.
    await clearFinishedStamp({ kafka, admin }, s.config.groupId, s.topic);
    expect(await within(15_000, s.newSink().run())).toEqual({ status: 'finished', recordsWritten: 1440 });
  });
});

/** The promise's value, or a failure after `ms` (a sink that never finishes must not hang the suite). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
