import type { Admin, Kafka, Producer } from 'kafkajs';
import { createLogger, type Logger } from '@streamforge/logging';
import { Registry } from '@streamforge/metrics';
import { createIdempotentProducer, createTelemetryPublisher, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { decodePartitionState, encodePartitionState } from '../sink-group-state';
import { createSqliteDocumentStore, type DocumentStore } from '@streamforge/storage';
import { createCandleSink, type CandleSink, type CandleSinkConfig } from '../candle-sink';
import { createSinkMetrics } from '../sink-metrics';
import { CandlePublisher } from '../testing';

/** A sink event as the tests read it. */
export type SinkEvent = { status: string; records_written: number; expected_records?: number; error_message?: string; error_count?: number; live_lag_ms?: number; message: string };

/** What a spec's scenarios share: one client, producer and admin for the file, cleanups after each test. */
export interface SinkTestKit {
  kafka: Kafka;
  producer: Producer;
  admin: Admin;
  logger: Logger;
  cleanups: Array<() => Promise<void>>;
}

/** Registers the file's beforeAll/afterEach/afterAll and returns the kit they keep connected. */
export function sinkTestKit(name: string): SinkTestKit {
  const kafka = createTestKafka(name);
  const kit: SinkTestKit = { kafka, producer: createIdempotentProducer(kafka), admin: kafka.admin(), logger: createLogger({ service: name, level: 'fatal' }), cleanups: [] };
  beforeAll(() => Promise.all([kit.producer.connect(), kit.admin.connect()]));
  afterEach(() => Promise.all(kit.cleanups.splice(0).map((cleanup) => cleanup())));
  afterAll(() => Promise.all([kit.producer.disconnect(), kit.admin.disconnect()]));
  return kit;
}

/** The store with another upsertBatch (dependency injection, no module mocking). */
export function withUpsert(inner: DocumentStore, upsertBatch: DocumentStore['upsertBatch']): DocumentStore {
  return {
    kind: inner.kind, location: inner.location, upsertBatch, updateFields: inner.updateFields.bind(inner),
    ensureCollection: inner.ensureCollection.bind(inner), count: inner.count.bind(inner), get: inner.get.bind(inner),
    findRange: inner.findRange.bind(inner), findPage: inner.findPage.bind(inner), remove: inner.remove.bind(inner),
    all: inner.all.bind(inner), collectionExists: inner.collectionExists.bind(inner),
    ping: inner.ping.bind(inner), close: inner.close.bind(inner),
  };
}

/**
 * Fresh topics, an in-memory SQLite store and a recorder of the sink's events; `newSink` makes a
 * sink of the same group (a restart) over the store, optionally wrapped.
 */
export async function sinkScenario(
  shared: SinkTestKit,
  options: { partitions?: number; config?: Partial<CandleSinkConfig> } = {},
) {
  const { kafka, producer, admin, logger } = shared;
  const topic = uniqueName('candles');
  const eventsTopic = uniqueName('events');
  const partitions = Array.from({ length: options.partitions ?? 1 }, (_, i) => i);
  await ensureTopics(kafka, [{ topic, numPartitions: partitions.length }, { topic: eventsTopic }]);
  const events = await new TopicRecorder(kafka, eventsTopic).start();
  const publisher = new CandlePublisher(kafka, topic);
  await publisher.connect();
  const store = createSqliteDocumentStore({ path: ':memory:' });
  const collection = 'btcusdt_api_candles_1m_2024_08_01';
  const config: CandleSinkConfig = {
    queueId: uniqueName('wf-test'), topic, collection, deadLetterTopic: `${topic}-dlq`, groupId: uniqueName('arango-candles-test'),
    batchSize: 100, lingerMs: 50, maxBytesPerPartition: 1024 * 1024, sessionTimeoutMs: 6_000,
    storeRetry: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 10_000 },
    indicators: [],
    progress: { everyRecords: 500, everyMs: 1_000 },
    ...options.config,
  };
  const telemetry = createTelemetryPublisher({ topic: eventsTopic, queueId: config.queueId, producerId: 'arango-candles__test', symbol: 'BTCUSDT', type: 'api_candles_1m' }, { producer, logger });
  const sinks: CandleSink[] = [];
  const newSink = (wrap: (store: DocumentStore) => DocumentStore = (inner) => inner) => {
    const sink = createCandleSink(config, { kafka, producer, store: wrap(store), telemetry, logger, metrics: createSinkMetrics(new Registry()) });
    sinks.push(sink);
    return sink;
  };
  const committedOffsets = async () => {
    const [offsets] = await admin.fetchOffsets({ groupId: config.groupId, topics: [topic] });
    return offsets.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  };
  const eventsWith = (status: string) => events.values<SinkEvent>().filter((event) => event.status === status);
  const waitForEvent = (status: string, count = 1) => events.waitFor<SinkEvent>((event) => event.status === status, { count, timeoutMs: 20_000 });
  shared.cleanups.push(async () => {
    await Promise.all([publisher.disconnect(), events.close(), ...sinks.map((sink) => sink.close())]);
    await store.close();
  });
  return { topic, partitions, publisher, store, collection, config, newSink, committedOffsets, eventsWith, waitForEvent };
}

/** The promise's value, or a failure naming what was awaited after `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Rewrites partition 0's commit of the group without its `finishes` stamp, from a member of the group
 * (as the sink commits): the group as a sink that died between its last commit and its `finished` report leaves it.
 */
export async function clearFinishedStamp(kit: Pick<SinkTestKit, 'kafka' | 'admin'>, groupId: string, topic: string): Promise<void> {
  const [{ partitions }] = await kit.admin.fetchOffsets({ groupId, topics: [topic] });
  const first = partitions.find((p) => p.partition === 0);
  const state = decodePartitionState(first?.metadata);
  if (!first || !state?.finishes) throw new Error(`partition 0's commit carries no finished stamp: ${JSON.stringify(first)}`);
  const member = kit.kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 500 });
  await member.connect();
  try {
    const joined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
    await member.subscribe({ topic, fromBeginning: true });
    await member.run({ autoCommit: false, eachBatch: async () => undefined });
    await within(20_000, 'joining the group to clear its stamp', joined);
    await member.commitOffsets([{ topic, partition: 0, offset: first.offset, metadata: encodePartitionState({ ...state, finishes: 0 }) }]);
  } finally {
    await member.disconnect();
  }
}
