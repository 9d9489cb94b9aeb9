import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DecodedSlice, SliceSource } from './decoded-slice';
import type { SinkEnding } from './sink-ending';
import type { WritePipeline } from './write-pipeline';

export interface BatchHandlerDeps {
  ending: SinkEnding;
  pipeline: WritePipeline<DecodedSlice>;
  /**
   * Turns a slice of messages into what the pipeline writes. Slices of a partition pass here in
   * offset order, so this is where a per-candle step that needs the candles in order (indicators)
   * goes: between decoding and the write.
   */
  readSlice(source: SliceSource, messages: KafkaMessage[]): DecodedSlice;
  /** The partition's rewind count (see SliceCommitter). */
  epochOf(partition: number): number;
  /** Once every slice of the batch is queued; `caughtUp` when the batch reached the partition's end (a live load's indicator repair). */
  afterBatch?(caughtUp: boolean, heartbeat: () => Promise<void>): Promise<void>;
}

/**
 * kafkajs' eachBatch: cuts the fetched batch into slices of `batchSize` and hands them to the
 * write pipeline. While one slice is written (on the store's side: SQLite's write thread,
 * ArangoDB's server), the next is decoded and queued, and kafkajs fetches the next batch once
 * this one returns. Offsets are resolved when a slice is queued (so the fetch moves on) but
 * committed only after its write.
 */
export function createBatchHandler(config: { batchSize: number }, deps: BatchHandlerDeps): (payload: EachBatchPayload) => Promise<void> {
  const { ending, pipeline } = deps;
  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const { partition, messages } = batch;
    const source: SliceSource = { partition, highWatermark: BigInt(batch.highWatermark), epoch: 0, group: { heartbeat, commit: commitOffsetsIfNecessary } };
    for (let from = 0; from < messages.length; from += config.batchSize) {
      // Between slices: a stop finishes the slices in flight and leaves the rest uncommitted for the next run.
      if (ending.kind || !isRunning() || isStale()) return;
      const slice = deps.readSlice({ ...source, epoch: deps.epochOf(partition) }, messages.slice(from, from + config.batchSize));
      await pipeline.room();
      // A failed commit of an earlier slice rewound the partition (isStale): kafkajs delivers it again.
      if (ending.kind || !isRunning() || isStale()) return;
      await heartbeat();
      resolveOffset(slice.last);
      pipeline.start(slice, new Set(slice.candles.map((candle) => candle._key)));
    }
    const last = messages.at(-1);
    await deps.afterBatch?.(last === undefined || BigInt(last.offset) + 1n >= BigInt(batch.highWatermark), heartbeat);
  };
}
