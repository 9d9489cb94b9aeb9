import type { Consumer, Kafka } from 'kafkajs';
import { describeKafkaError, topicPartitions } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { DecodedSlice } from './decoded-slice';
import type { DeadLettering } from './dead-lettering';
import type { EndOfStreamTracker } from './end-of-stream-tracker';
import type { LoadProgress } from './load-progress';
import type { SinkEnding } from './sink-ending';
import { encodePartitionState, readSinkGroupState } from './sink-group-state';
import type { SinkMetrics } from './sink-metrics';

export interface SliceCommitterDeps {
  kafka: Kafka;
  groupId: string;
  markers: EndOfStreamTracker;
  deadLetters: DeadLettering;
  progress: LoadProgress;
  ending: SinkEnding;
  metrics: SinkMetrics;
  log: Logger;
  /** `finished` reports the group recorded so far (carried in partition 0's commits; see GroupCompletion). */
  finishes: () => number;
  /** The running consumer, to rewind a partition after a failed commit. */
  consumer: () => Consumer | undefined;
}

/** Reads of the group's commits after a join before the run fails (the next run reads them again). */
const RESTORE_ATTEMPTS = 3;

/**
 * Commits stored slices in order, and ends the run once every partition's end-of-stream marker
 * is reached. A failed commit rewinds the partition, so the slice is read (and idempotently
 * written) again; slices read before a rewind belong to an older epoch and are not committed.
 */
export class SliceCommitter {
  /** The topic's partitions (grows when partitions are added while loading). */
  partitions: number[] = [];
  private readonly committed = new Map<number, bigint>();
  /** Partitions whose last commit was tagged `end_of_stream` (see GroupCompletion). */
  private readonly tagged = new Set<number>();
  /** Per partition, how often a failed commit rewound it. */
  private readonly epochs = new Map<number, number>();
  /** Per partition, the missing splits last logged (so the wait is logged once per change). */
  private readonly waitLogged = new Map<number, string>();
  /** Reading the group's commits for the loader splits below them, after each join (see `joined`). */
  private restoring: Promise<void> = Promise.resolve();

  constructor(private readonly topic: string, private readonly deps: SliceCommitterDeps) {}

  epochOf(partition: number): number {
    return this.epochs.get(partition) ?? 0;
  }

  /**
   * This instance now owns `partitions`: their committed offsets may lie past end-of-stream markers
   * it never read (another instance, or its own earlier run, committed them), so it learns those
   * markers' splits from the commits before it commits there itself. After the join only this
   * instance commits these partitions, so what it reads is their latest state.
   */
  joined(partitions: readonly number[]): void {
    this.restoring = this.restoreSplits(partitions).catch((error: unknown) => this.deps.ending.fail(error));
  }

  /**
   * Runs once the slice is stored and every earlier slice committed: dead-letters its bad
   * messages, then commits its offsets. Never rejects.
   */
  async commit(slice: DecodedSlice): Promise<void> {
    const { partition, group } = slice;
    const { ending, markers, metrics, log } = this.deps;
    // After a complete load nothing is committed: a partition re-read after a rebalance must not rewrite the group's finish stamp.
    if (ending.kind === 'failure' || ending.kind === 'complete' || slice.epoch !== this.epochOf(partition)) return;
    await this.restoring;
    if (ending.kind) return;
    try {
      if (slice.letters.length > 0) await this.deps.deadLetters.send(slice.letters);
    } catch (error) {
      ending.fail(error);
      return;
    }
    this.deps.progress.committed(slice.messages, slice.newest);
    const next = BigInt(slice.last) + 1n;
    const offset = markers.commitOffset(partition, next);
    const endOfStream = markers.isLastMarker(partition, offset);
    // The slice before the marker already committed the marker's offset, untagged: the marker's slice tags it.
    if (this.committed.get(partition) !== offset || (endOfStream && !this.tagged.has(partition))) {
      const metadata = encodePartitionState({
        deadLettered: this.deps.deadLetters.countBelow(partition, offset),
        expectedRecords: this.deps.progress.expectedRecords(),
        endOfStream,
        splits: markers.splitsBelow(partition, offset),
        ...(partition === 0 ? { finishes: this.deps.finishes() } : {}),
      });
      try {
        // kafkajs passes `metadata` through to the OffsetCommit request (its types leave it out).
        await group.commit({ topics: [{ topic: this.topic, partitions: [{ partition, offset: offset.toString(), metadata } as { partition: number; offset: string }] }] });
      } catch (error) {
        // Stored but not committed: harmless (upserts are idempotent), as long as it is read again.
        log.warn({ err: describeKafkaError(error), partition, offset: slice.first }, 'commit failed; reading the partition again from the uncommitted slice');
        this.epochs.set(partition, this.epochOf(partition) + 1);
        this.rewind(partition, slice.first);
        return;
      }
      this.committed.set(partition, offset);
      if (endOfStream) this.tagged.add(partition);
      else this.tagged.delete(partition);
      this.deps.deadLetters.committed(partition, offset);
      metrics.committedOffset.set({ partition: String(partition) }, Number(offset));
    }
    markers.observe(partition, next, slice.highWatermark);
    if (next >= slice.highWatermark) this.logSplitWait(partition);
    metrics.consumerLag.set({ partition: String(partition) }, Math.max(0, Number(slice.highWatermark - next)));
    // loadComplete does not throw (a failed metadata read keeps the known partitions); if it ever
    // did, failing is the safe end: the restarted sink reads its markers again.
    await this.loadComplete().then((complete) => complete && ending.end({ kind: 'complete' }), (error) => ending.fail(error));
  }

  /** At the partition's end with some splits' markers but not all: says which splits it waits for (once per change). */
  private logSplitWait(partition: number): void {
    const missing = this.deps.markers.missingSplits(partition);
    const text = missing?.join(',') ?? '';
    if (!missing || missing.length === 0 || this.waitLogged.get(partition) === text) return;
    this.waitLogged.set(partition, text);
    this.deps.log.info({ partition, missingSplits: missing }, `partition ${partition} is read to its end; waiting for the end-of-stream markers of loader split(s) ${text}`);
  }

  private async restoreSplits(partitions: readonly number[]): Promise<void> {
    const { kafka, groupId, markers, log } = this.deps;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const state = await readSinkGroupState(kafka, groupId, this.topic, log);
        for (const partition of partitions) {
          const splits = state.splits.get(partition);
          if (splits) markers.restore(partition, splits);
        }
        return;
      } catch (error) {
        if (attempt >= RESTORE_ATTEMPTS) throw error;
        log.warn({ err: describeKafkaError(error), attempt }, 'could not read the consumer group for the end-of-stream markers below its commits; trying again');
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /** Makes kafkajs deliver the partition again from `offset` (kafkajs drops what it fetched past it). */
  private rewind(partition: number, offset: string): void {
    try {
      this.deps.consumer()?.seek({ topic: this.topic, partition, offset });
    } catch (error) {
      // Not running any more: the next member of the group starts from the committed offset anyway.
      this.deps.log.warn({ err: describeKafkaError(error), partition, offset }, 'could not rewind the partition');
    }
  }

  private async loadComplete(): Promise<boolean> {
    const { markers } = this.deps;
    if (!markers.isComplete(this.partitions, this.committed)) return false;
    // Partitions can be added to a topic: make sure none appeared since we started.
    const current = await topicPartitions(this.deps.kafka, this.topic).catch(() => this.partitions);
    if (current.length !== this.partitions.length) {
      this.deps.log.info({ partitions: current }, 'the topic has new partitions; waiting for their markers too');
      this.partitions = current;
      return markers.isComplete(this.partitions, this.committed);
    }
    return true;
  }
}
