import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Candle } from '@streamforge/schemas';
import type { DocumentStore } from '@streamforge/storage';
import type { Logger } from '@streamforge/logging';
import { describeKafkaError, ensureTopics, topicPartitions, type TelemetryPublisher } from '@streamforge/kafka';
import { decodeCandle } from './candle-decoder';
import { withKafkaVersion } from './candle-version';
import { createDeadLetterQueue, type DeadLetter } from './dead-letter-queue';
import { EndOfStreamTracker, readEndOfStream } from './end-of-stream-tracker';
import { CandleSinkError, describeError, StopRequestedError } from './errors';
import { createProgressReporter, type ProgressReporterConfig } from './progress-reporter';
import type { SinkMetrics } from './sink-metrics';
import { retryStoreWrite, type StoreRetryPolicy } from './store-write-retry';
import { WritePipeline } from './write-pipeline';

/** Rough size of one candle record in a fetch response; turns BATCH_SIZE into the fetch's minBytes. */
const CANDLE_RECORD_BYTES = 300;
/** Dead letters logged one by one per batch; the rest are summed up in one line. */
const LOGGED_DEAD_LETTERS = 5;
/**
 * Slices written or committing at once: two keep the store busy with the next write while the
 * sink decodes the one after (more only adds memory).
 */
const PIPELINE_DEPTH = 2;

export interface CandleSinkConfig {
  queueId: string;
  /** Data topic the loader fills. */
  topic: string;
  collection: string;
  /** Dead-letter topic, `<topic>-dlq` by convention. */
  deadLetterTopic: string;
  /** Stable across restarts, so a restarted sink resumes from the committed offsets. */
  groupId: string;
  /** Most candles per store write. */
  batchSize: number;
  /** How long a fetch may wait for a batch to fill up (ms): the broker holds it until BATCH_SIZE candles or this long. */
  lingerMs: number;
  /** Most bytes one fetch returns per partition. */
  maxBytesPerPartition: number;
  sessionTimeoutMs: number;
  storeRetry: StoreRetryPolicy;
  progress: ProgressReporterConfig;
}

export interface CandleSinkDeps {
  kafka: Kafka;
  /** Idempotent producer (acks from all replicas) for the dead-letter topic. */
  producer: Producer;
  store: DocumentStore;
  telemetry: TelemetryPublisher;
  logger: Logger;
  metrics: SinkMetrics;
}

export type SinkOutcome =
  | { status: 'finished'; recordsWritten: number }
  | { status: 'interrupted'; recordsWritten: number; reason: string }
  | { status: 'error'; recordsWritten: number; error: Error };

export interface CandleSink {
  /** Prepares the collection and topics, sends `started`, joins the consumer group. */
  start(): Promise<void>;
  /** Consumes until the load is complete, a stop, or a failure; sends the final event. Never rejects. */
  run(): Promise<SinkOutcome>;
  /** Finishes the batch in hand, commits, then `run` resolves `interrupted`. */
  stop(reason: string): void;
  /** Leaves the consumer group; safe to call twice. */
  close(): Promise<void>;
  /** True once the consumer has joined its group (for /health/ready). */
  readonly ready: boolean;
}

type Ending = { kind: 'complete' } | { kind: 'stop'; reason: string } | { kind: 'failure'; error: Error };

/** One slice of a fetched batch, parsed. */
interface DecodedSlice {
  partition: number;
  /** Offsets of its first and last message. */
  first: string;
  last: string;
  /** The partition's high watermark when the slice was fetched. */
  highWatermark: bigint;
  messages: number;
  candles: Candle[];
  letters: DeadLetter[];
  /** Newest open_time among its candles, -1 when none. */
  newest: number;
  /** The partition's rewind count when it was read. */
  epoch: number;
  /** The consumer-group calls of the batch it came from. */
  group: GroupHandles;
}

/** The calls of the batch a slice came from that it needs once eachBatch may have returned. */
interface GroupHandles {
  heartbeat: () => Promise<void>;
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
}

/**
 * Moves candles from a Kafka topic into a collection, each exactly once in the store:
 * at-least-once delivery (offsets are committed only after the store confirmed the write) plus
 * upsert by `_key`. Bad messages go to the dead-letter topic; end-of-stream markers on every
 * partition end the load.
 */
export function createCandleSink(config: CandleSinkConfig, deps: CandleSinkDeps): CandleSink {
  const log = deps.logger.child({ component: 'candle-sink', topic: config.topic, collection: config.collection });
  const { store, metrics, telemetry } = deps;
  const deadLetters = createDeadLetterQueue({ topic: config.deadLetterTopic, sourceTopic: config.topic }, { producer: deps.producer });
  const markers = new EndOfStreamTracker();
  const committed = new Map<number, bigint>();

  let partitions: number[] = [];
  let consumer: Consumer | undefined;
  let ready = false;
  let started: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let ending: Ending | undefined;
  let endSignal!: (ending: Ending) => void;
  const ended = new Promise<Ending>((resolve) => (endSignal = resolve));
  let stopSignal!: () => void;
  const stopped = new Promise<void>((resolve) => (stopSignal = resolve));

  let candlesWritten = 0;
  let errorCount = 0;
  let lastOpenTime: number | undefined;
  let lastKnownCount = 0;
  /** Per partition, how often a failed commit rewound it: slices read before a rewind are not committed. */
  const epochs = new Map<number, number>();
  const epochOf = (partition: number) => epochs.get(partition) ?? 0;

  const end = (next: Ending) => {
    if (ending) return;
    ending = next;
    endSignal(next);
  };
  const fail = (error: unknown) => end({ kind: 'failure', error: error instanceof Error ? error : new CandleSinkError(String(error), false) });

  const documentsInCollection = async (): Promise<number> => {
    lastKnownCount = await store.count(config.collection);
    return lastKnownCount;
  };

  const progressFields = () => ({ error_count: errorCount, ...(lastOpenTime === undefined ? {} : { last_loaded_timestamp: lastOpenTime }) });

  const progress = createProgressReporter(config.progress, async () => {
    try {
      const documents = await documentsInCollection();
      await telemetry.send('loading', { message: `${documents} documents in ${config.collection}`, records_written: documents, ...progressFields() });
    } catch (error) {
      log.warn({ err: describeError(error) }, 'skipped a loading event');
    }
  });

  const retryHooks = {
    collection: config.collection,
    stopped,
    stopRequested: () => ending?.kind === 'stop',
    onRetry: (error: unknown, attempt: number, delayMs: number) => {
      metrics.storeRetries.inc();
      log.warn({ err: describeError(error), attempt, delayMs }, 'store call failed, retrying; nothing is committed meanwhile');
    },
  };

  async function writeCandles(candles: Candle[], heartbeat: () => Promise<void>): Promise<void> {
    const startedAt = performance.now();
    // A slow or failing store must not cost the group membership while we wait.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
    try {
      await retryStoreWrite(() => store.upsertBatch(config.collection, candles), config.storeRetry, retryHooks);
    } finally {
      clearInterval(beat);
    }
    metrics.writeDuration.observe((performance.now() - startedAt) / 1000);
    metrics.batchSize.observe(candles.length);
    metrics.batches.inc();
    metrics.recordsWritten.inc(candles.length);
    candlesWritten += candles.length;
  }

  async function deadLetter(letters: DeadLetter[]): Promise<void> {
    await deadLetters.send(letters);
    for (const letter of letters) metrics.deadLettered.inc({ kind: letter.kind });
    errorCount += letters.length;
    for (const { partition, message, reason } of letters.slice(0, LOGGED_DEAD_LETTERS)) {
      log.warn({ partition, offset: message.offset, reason, dlq: config.deadLetterTopic }, 'bad message sent to the dead-letter topic');
    }
    if (letters.length > LOGGED_DEAD_LETTERS) log.warn({ count: letters.length - LOGGED_DEAD_LETTERS, dlq: config.deadLetterTopic }, 'more bad messages sent to the dead-letter topic');
  }

  /** Parses one slice of a fetched batch: candles to write, bad messages for the DLQ; markers are noted. */
  function decodeSlice(partition: number, messages: KafkaMessage[], highWatermark: bigint, group: GroupHandles): DecodedSlice {
    const candles: Candle[] = [];
    const letters: DeadLetter[] = [];
    let newest = -1;
    for (const message of messages) {
      const marker = readEndOfStream(message.headers);
      if (marker) {
        markers.record({ partition, offset: BigInt(message.offset), count: marker.count });
        metrics.endOfStreamMarkers.inc();
        log.info({ partition, offset: message.offset, count: marker.count }, 'end-of-stream marker');
        continue;
      }
      const decoded = decodeCandle(message.value);
      if (decoded.ok) {
        candles.push(withKafkaVersion(decoded.candle, message.timestamp));
        if (decoded.candle.open_time > newest) newest = decoded.candle.open_time;
      } else {
        letters.push({ partition, message, kind: decoded.kind, reason: decoded.reason });
      }
    }
    const { offset: first } = messages[0];
    const { offset: last } = messages[messages.length - 1];
    return { partition, first, last, highWatermark, messages: messages.length, candles, letters, newest, epoch: epochOf(partition), group };
  }

  /** Stores a slice's candles (with retries); false when the sink is ending instead. Never rejects. */
  async function writeSlice(slice: DecodedSlice): Promise<boolean> {
    if (ending?.kind === 'failure') return false;
    try {
      if (slice.candles.length > 0) await writeCandles(slice.candles, slice.group.heartbeat);
      return true;
    } catch (error) {
      if (!(error instanceof StopRequestedError)) fail(error);
      return false;
    }
  }

  /**
   * Runs once the slice is stored and every earlier slice committed: dead-letters its bad
   * messages, then commits its offsets. A failed commit rewinds the partition, so the slice is
   * read (and idempotently written) again. Never rejects.
   */
  async function commitSlice(slice: DecodedSlice): Promise<void> {
    const { partition, group } = slice;
    if (ending?.kind === 'failure' || slice.epoch !== epochOf(partition)) return;
    try {
      if (slice.letters.length > 0) await deadLetter(slice.letters);
    } catch (error) {
      fail(error);
      return;
    }
    if (slice.newest > (lastOpenTime ?? -1)) lastOpenTime = slice.newest;
    progress.note(slice.messages);
    const next = BigInt(slice.last) + 1n;
    const offset = markers.commitOffset(partition, next);
    if (committed.get(partition) !== offset) {
      try {
        await group.commit({ topics: [{ topic: config.topic, partitions: [{ partition, offset: offset.toString() }] }] });
      } catch (error) {
        // Stored but not committed: harmless (upserts are idempotent), as long as it is read again.
        log.warn({ err: describeKafkaError(error), partition, offset: slice.first }, 'commit failed; reading the partition again from the uncommitted slice');
        epochs.set(partition, epochOf(partition) + 1);
        rewind(partition, slice.first);
        return;
      }
      committed.set(partition, offset);
      metrics.committedOffset.set({ partition: String(partition) }, Number(offset));
    }
    markers.observe(partition, next, slice.highWatermark);
    metrics.consumerLag.set({ partition: String(partition) }, Math.max(0, Number(slice.highWatermark - next)));
    // loadComplete does not throw (a failed metadata read keeps the known partitions); if it ever
    // did, failing is the safe end: the restarted sink reads its markers again.
    await loadComplete().then((complete) => complete && end({ kind: 'complete' }), fail);
  }

  /** Makes kafkajs deliver the partition again from `offset` (kafkajs drops what it fetched past it). */
  function rewind(partition: number, offset: string): void {
    try {
      consumer?.seek({ topic: config.topic, partition, offset });
    } catch (error) {
      // Not running any more: the next member of the group starts from the committed offset anyway.
      log.warn({ err: describeKafkaError(error), partition, offset }, 'could not rewind the partition');
    }
  }

  const pipeline = new WritePipeline<DecodedSlice>(PIPELINE_DEPTH, { write: writeSlice, commit: commitSlice });

  async function loadComplete(): Promise<boolean> {
    if (!markers.isComplete(partitions, committed)) return false;
    // Partitions can be added to a topic: make sure none appeared since we started.
    const current = await topicPartitions(deps.kafka, config.topic).catch(() => partitions);
    if (current.length !== partitions.length) {
      log.info({ partitions: current }, 'the topic has new partitions; waiting for their markers too');
      partitions = current;
      return markers.isComplete(partitions, committed);
    }
    return true;
  }

  /**
   * Decodes slices and hands them to the write pipeline: while one slice is written (on the
   * store's side: SQLite's write thread, ArangoDB's server), the next is decoded and queued, and
   * kafkajs fetches the next batch once this one returns. Offsets are resolved when a slice is
   * queued (so the fetch moves on) but committed only after its write.
   */
  async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition, messages } = batch;
    const group: GroupHandles = { heartbeat, commit: commitOffsetsIfNecessary };
    const highWatermark = BigInt(batch.highWatermark);
    for (let from = 0; from < messages.length; from += config.batchSize) {
      // Between slices: a stop finishes the slices in flight and leaves the rest uncommitted for the next run.
      if (ending || !isRunning() || isStale()) return;
      const slice = decodeSlice(partition, messages.slice(from, from + config.batchSize), highWatermark, group);
      await pipeline.room();
      // A failed commit of an earlier slice rewound the partition (isStale): kafkajs delivers it again.
      if (ending || !isRunning() || isStale()) return;
      await heartbeat();
      resolveOffset(slice.last);
      pipeline.start(slice, new Set(slice.candles.map((candle) => candle._key)));
    }
  }

  async function waitForTopic(): Promise<void> {
    const admin = deps.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 0; !ending; attempt += 1) {
        if ((await admin.listTopics()).includes(config.topic)) return;
        if (attempt === 0) log.info('waiting for the data topic to be created');
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 500)), stopped]);
      }
    } finally {
      await admin.disconnect();
    }
  }

  async function doStart(): Promise<void> {
    await retryStoreWrite(() => store.ensureCollection(config.collection), config.storeRetry, retryHooks);
    const documents = await documentsInCollection();
    await ensureTopics(deps.kafka, [{ topic: config.deadLetterTopic }]);
    await telemetry.send('started', {
      message: `writing ${config.topic} into ${config.collection} (${store.kind} at ${store.location}); ${documents} documents there already`,
      records_written: documents,
    });
    await waitForTopic();
    if (ending) return;
    partitions = await topicPartitions(deps.kafka, config.topic);
    const created = deps.kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(config.sessionTimeoutMs / 5)),
      maxBytesPerPartition: config.maxBytesPerPartition,
      maxBytes: Math.max(config.maxBytesPerPartition * partitions.length, 10 * 1024 * 1024),
      minBytes: Math.min(config.batchSize * CANDLE_RECORD_BYTES, config.maxBytesPerPartition),
      maxWaitTimeInMs: config.lingerMs,
      allowAutoTopicCreation: false,
    });
    consumer = created;
    created.on(created.events.GROUP_JOIN, ({ payload }) => {
      ready = true;
      log.info({ groupId: payload.groupId, partitions: payload.memberAssignment[config.topic] }, 'joined the consumer group');
    });
    created.on(created.events.CRASH, ({ payload }) => {
      log.error({ err: describeKafkaError(payload.error), restart: payload.restart }, 'consumer crashed');
      if (!payload.restart) end({ kind: 'failure', error: payload.error });
    });
    await created.connect();
    // A new group starts from the earliest offset: candles published before the sink started are stored.
    await created.subscribe({ topic: config.topic, fromBeginning: true });
    await created.run({ eachBatch, eachBatchAutoResolve: false, autoCommit: false, partitionsConsumedConcurrently: 1 });
    log.info({ groupId: config.groupId, partitions, batchSize: config.batchSize, lingerMs: config.lingerMs }, 'consuming');
  }

  async function finalEvent(ending: Ending): Promise<SinkOutcome> {
    progress.stop();
    await progress.flush();
    const documents = await documentsInCollection().catch(() => lastKnownCount);
    const summary = `${documents} documents in ${config.collection}; this run wrote ${candlesWritten} candles and dead-lettered ${errorCount} messages`;
    if (ending.kind === 'complete') {
      const loaderCounts = markers.all().map((m) => m.count ?? '?').join(', ');
      log.info({ documents, candlesWritten, errorCount, markers: markers.all().length }, 'load complete');
      await telemetry.send('finished', { message: `${summary} (end-of-stream markers report ${loaderCounts} candles published)`, records_written: documents, ...progressFields() });
      return { status: 'finished', recordsWritten: documents };
    }
    if (ending.kind === 'stop') {
      await telemetry.send('interrupted', { message: `${ending.reason}: ${summary}`, records_written: documents, ...progressFields() });
      return { status: 'interrupted', recordsWritten: documents, reason: ending.reason };
    }
    const reason = describeError(ending.error);
    log.error({ err: reason }, 'sink failed; uncommitted messages will be read again by the next run');
    await telemetry
      .send('error', { message: `sink failed: ${reason}`, error_message: reason, records_written: documents, ...progressFields() })
      .catch((error) => log.error({ err: describeError(error) }, 'could not send the error event'));
    return { status: 'error', recordsWritten: documents, error: ending.error };
  }

  const sink: CandleSink = {
    get ready() {
      return ready;
    },
    start() {
      started ??= doStart();
      return started;
    },
    async run() {
      try {
        await sink.start();
      } catch (error) {
        end({ kind: 'failure', error: error instanceof Error ? error : new Error(String(error)) });
      }
      const result = await ended;
      // Leaving the group waits for the batch in hand to be written and committed.
      await sink.close();
      return finalEvent(result).catch((error: unknown) => {
        log.error({ err: describeError(error) }, 'could not send the final event');
        return { status: 'error', recordsWritten: lastKnownCount, error: error instanceof Error ? error : new Error(String(error)) } as SinkOutcome;
      });
    },
    stop(reason) {
      log.info({ reason }, 'stopping: finishing the batch in hand');
      end({ kind: 'stop', reason });
      stopSignal();
    },
    close() {
      closing ??= (async () => {
        progress.stop();
        ready = false;
        // The slices in flight are written and committed before the group is left.
        await pipeline.drain();
        await consumer?.disconnect().catch((error) => log.warn({ err: describeKafkaError(error) }, 'consumer disconnect failed'));
      })();
      return closing;
    },
  };
  return sink;
}

