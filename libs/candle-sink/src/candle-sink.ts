import type { Consumer, Kafka, Producer } from 'kafkajs';
import { createIndicatorSet } from '@streamforge/indicators';
import { formatLoadSplit, type Candle, type IndicatorSpec } from '@streamforge/schemas';
import type { DocumentStore } from '@streamforge/storage';
import type { Logger } from '@streamforge/logging';
import { describeKafkaError, ensureTopics, topicPartitions, type TelemetryPublisher } from '@streamforge/kafka';
import { createBatchHandler } from './batch-handler';
import { decodeSlice, type DecodedSlice } from './decoded-slice';
import { createDeadLettering } from './dead-lettering';
import { EndOfStreamTracker } from './end-of-stream-tracker';
import { GroupCompletion } from './group-completion';
import { describeError } from './errors';
import { sendFinalEvent, type SinkOutcome } from './final-event';
import { InOrderIndicators } from './in-order-indicators';
import { LiveIndicators } from './live-indicators';
import { createLoadProgress } from './load-progress';
import type { ProgressReporterConfig } from './progress-reporter';
import { SinkEnding, type Ending } from './sink-ending';
import { readSinkGroupState } from './sink-group-state';
import { consume, createSinkConsumer, waitForTopic } from './sink-consumer';
import { createLiveLoad, type LiveLoadConfig } from './live-load';
import type { SinkMetrics } from './sink-metrics';
import { SliceCommitter } from './slice-committer';
import { createSliceWriter, storeRetryHooks } from './slice-writer';
import { retryStoreWrite, type StoreRetryPolicy } from './store-write-retry';
import { WritePipeline } from './write-pipeline';

export type { SinkOutcome } from './final-event';

/**
 * Slices written or committing at once: two keep the store busy with the next write while the
 * sink decodes the one after (more only adds memory).
 */
const PIPELINE_DEPTH = 2;

/** How often an instance looks at the group's commits for the load's completion (two small admin requests). */
const GROUP_POLL_MS = 500;

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
  /** Indicators computed onto every candle once the load is complete (README: "Indicators"); none when empty. */
  indicators: readonly IndicatorSpec[];
  /**
   * A live load (open-ended TIME_RANGE): runs until stopped, ignores the backfill's end-of-stream
   * marker, waits at most `maxWaitMs` for a batch to fill, reports the live lag, and on stop stores
   * the topic up to its end (waiting at most `stopDrainMs`) before it leaves.
   */
  live?: LiveLoadConfig;
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

/**
 * Moves candles from a Kafka topic into a collection, each exactly once in the store:
 * at-least-once delivery (offsets are committed only after the store confirmed the write) plus
 * upsert by `_key`. Bad messages go to the dead-letter topic; end-of-stream markers on every
 * partition end the load.
 *
 * A slice of a fetched batch goes: decode (batch-handler) → write (slice-writer) → dead-letter and
 * commit in order (slice-committer), with the write pipeline keeping two slices in flight.
 */
export function createCandleSink(config: CandleSinkConfig, deps: CandleSinkDeps): CandleSink {
  const log = deps.logger.child({ component: 'candle-sink', topic: config.topic, collection: config.collection });
  const { store, metrics, telemetry } = deps;
  const ending = new SinkEnding();
  const markers = new EndOfStreamTracker((problem) => log.error(problem));
  const deadLetters = createDeadLettering({ topic: config.deadLetterTopic, sourceTopic: config.topic }, { producer: deps.producer, metrics, log });
  const progress = createLoadProgress(config, { store, telemetry, log, markers, errorCount: () => deadLetters.count });
  const retryHooks = storeRetryHooks(config.collection, { ending, metrics, log });
  const indicatorSet = config.indicators.length === 0 ? undefined : createIndicatorSet(config.indicators);
  const retry = <T>(call: () => Promise<T>) => retryStoreWrite(call, config.storeRetry, retryHooks);
  const live = config.live && createLiveLoad({ ...config.live, groupId: config.groupId, topic: config.topic }, { kafka: deps.kafka, ending, progress, metrics, log });
  // A live load has no end-of-load pass: its indicators repair themselves as they go (LiveIndicators).
  const liveIndicators = indicatorSet && live && new LiveIndicators(config.collection, indicatorSet, { store, ending, log, retry, drain: () => pipeline.drain() });
  const inOrder = indicatorSet && !live ? new InOrderIndicators(indicatorSet) : undefined;
  const enricher = liveIndicators ?? inOrder;
  const enrich = enricher && ((candle: Candle) => enricher.apply(candle));
  const indicators = indicatorSet && { indicators: indicatorSet, inOrder, retry };

  let consumer: Consumer | undefined;
  let ready = false;
  let started: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const completion = new GroupCompletion({ groupId: config.groupId, topic: config.topic, pollMs: GROUP_POLL_MS }, { kafka: deps.kafka, ending, log });
  let watching: Promise<void> | undefined;
  const committer = new SliceCommitter(config.topic, { kafka: deps.kafka, groupId: config.groupId, finishes: () => completion.finishes, markers, deadLetters, progress, ending, metrics, log, consumer: () => consumer });
  const writeSlice = createSliceWriter(config, { store, metrics, ending, progress, retryHooks });
  const pipeline = new WritePipeline<DecodedSlice>(PIPELINE_DEPTH, {
    write: live ? live.measuring(writeSlice) : writeSlice,
    commit: (slice) => committer.commit(slice),
    lane: (slice) => slice.partition,
  });
  const eachBatch = createBatchHandler(config, {
    ending,
    pipeline,
    afterBatch: liveIndicators && ((caughtUp, heartbeat) => liveIndicators.afterBatch(caughtUp, heartbeat)),
    epochOf: (partition) => committer.epochOf(partition),
    readSlice: (source, messages) =>
      decodeSlice(
        source,
        messages,
        (offset, { count, split }) => {
          metrics.endOfStreamMarkers.inc();
          // A live load's marker ends the backfill, not the load: the live loader goes on after it.
          if (config.live) return log.info({ partition: source.partition, offset, count }, 'end-of-stream marker of the backfill; the live load goes on');
          markers.record({ partition: source.partition, offset: BigInt(offset), count, split });
          log.info({ partition: source.partition, offset, count, split: split && formatLoadSplit(split) }, 'end-of-stream marker');
        },
        enrich,
      ),
  });

  async function doStart(): Promise<void> {
    await retryStoreWrite(() => store.ensureCollection(config.collection), config.storeRetry, retryHooks);
    const documents = await progress.countDocuments();
    inOrder?.begin(documents);
    liveIndicators?.begin(documents);
    await ensureTopics(deps.kafka, [{ topic: config.deadLetterTopic }]);
    const earlier = await readSinkGroupState(deps.kafka, config.groupId, config.topic, log);
    deadLetters.restore(earlier.deadLettered);
    progress.restore(earlier.expectedRecords);
    completion.begin(earlier);
    await telemetry.send('started', {
      message: `writing ${config.topic} into ${config.collection} (${store.kind} at ${store.location}); ${documents} documents there already`,
      records_written: documents,
      ...progress.fields(),
    });
    await waitForTopic(deps.kafka, config.topic, { ending, log });
    if (ending.kind) return;
    committer.partitions = await topicPartitions(deps.kafka, config.topic);
    // A live load's batches fill slowly: a fetch waits at most maxWaitMs, so a candle is stored promptly.
    const consumerConfig = live ? { ...config, lingerMs: live.lingerMs(config.lingerMs) } : config;
    consumer = createSinkConsumer(consumerConfig, { kafka: deps.kafka, partitions: committer.partitions.length, ending, log, onJoined: (partitions) => {
        ready = true;
        completion.assigned = partitions;
        liveIndicators?.assigned(partitions.length, committer.partitions.length);
        committer.joined(partitions);
      },
    });
    await consume(consumer, config.topic, eachBatch);
    // A live load has no end-of-stream to wait for (its markers are not recorded, so no commit is ever
    // tagged complete): polling the group's commits every GROUP_POLL_MS for days would be wasted requests.
    if (!live) watching = completion.watch();
    log.info({ groupId: config.groupId, partitions: committer.partitions, batchSize: config.batchSize, lingerMs: config.lingerMs }, 'consuming');
  }

  /**
   * A complete load, seen by this instance: the member owning partition 0 reports `finished`
   * (still in the group, so partition 0 stays with it), the others leave once it did.
   */
  async function endCompleteLoad(member: Consumer, report: (ended: Ending) => Promise<SinkOutcome>): Promise<SinkOutcome> {
    await pipeline.drain();
    const { role, view } = await completion.role();
    if (role === 'stopped') {
      await sink.close();
      log.info('stopped while waiting for the instance that reports finished; leaving');
      return { status: 'interrupted', recordsWritten: progress.lastKnownCount, reason: 'stopped after the load was complete, before finished was reported' };
    }
    if (role === 'follower' || !view) {
      await sink.close();
      const recordsWritten = await progress.countDocuments().catch(() => progress.lastKnownCount);
      log.info({ candlesWritten: progress.candlesWritten, documents: recordsWritten }, 'load complete: another instance of the group reported finished; leaving');
      return { status: 'complete-elsewhere', recordsWritten };
    }
    // What every instance committed: the markers' count (and splits) and the dead letters of all partitions.
    progress.restore(view.state.expectedRecords);
    for (const [partition, splits] of view.state.splits) markers.restore(partition, splits);
    deadLetters.restore(view.state.deadLettered);
    const outcome = await report({ kind: 'complete' });
    if (outcome.status === 'finished') await completion.stamp(member, view);
    await sink.close();
    return outcome;
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
        ending.fail(error);
      }
      const result = await ending.ended;
      const report = (ended: Ending) =>
        sendFinalEvent(ended, config, { store, progress, markers, deadLetters, telemetry, log, indicators }).catch((error: unknown) => {
          log.error({ err: describeError(error) }, 'could not send the final event');
          return { status: 'error', recordsWritten: progress.lastKnownCount, error: error instanceof Error ? error : new Error(String(error)) } as SinkOutcome;
        });
      if (result.kind !== 'complete' || !consumer) {
        // Leaving the group waits for the batch in hand to be written and committed.
        await sink.close();
        return report(result);
      }
      return endCompleteLoad(consumer, report);
    },
    stop(reason) {
      // Before the consumer exists nothing was consumed: there is nothing to drain.
      if (live) return live.stop(reason, consumer !== undefined);
      log.info({ reason }, 'stopping: finishing the batch in hand');
      ending.stop(reason);
    },
    close() {
      closing ??= (async () => {
        await watching;
        await completion.close();
        const progressDone = progress.finish();
        ready = false;
        // The slices in flight are written and committed before the group is left.
        await pipeline.drain();
        await consumer?.disconnect().catch((error) => log.warn({ err: describeKafkaError(error) }, 'consumer disconnect failed'));
        await progressDone;
      })();
      return closing;
    },
  };
  return sink;
}
