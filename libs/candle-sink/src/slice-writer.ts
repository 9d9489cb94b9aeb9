import type { Logger } from '@streamforge/logging';
import type { DocumentStore } from '@streamforge/storage';
import type { DecodedSlice } from './decoded-slice';
import { describeError, StopRequestedError } from './errors';
import type { LoadProgress } from './load-progress';
import type { SinkEnding } from './sink-ending';
import type { SinkMetrics } from './sink-metrics';
import { retryStoreWrite, type StoreRetryHooks, type StoreRetryPolicy } from './store-write-retry';

/** Retry hooks of every store call the sink makes: a stop cuts the pause short, each retry is logged and counted. */
export function storeRetryHooks(collection: string, deps: { ending: SinkEnding; metrics: SinkMetrics; log: Logger }): StoreRetryHooks {
  return {
    collection,
    stopped: deps.ending.stopped,
    stopRequested: () => deps.ending.kind === 'stop',
    onRetry: (error, attempt, delayMs) => {
      deps.metrics.storeRetries.inc();
      deps.log.warn({ err: describeError(error), attempt, delayMs }, 'store call failed, retrying; nothing is committed meanwhile');
    },
  };
}

/**
 * Stores a slice's candles (with retries): resolves true once stored, false when the sink is
 * ending instead (a failure here ends it). Never rejects.
 */
export function createSliceWriter(
  config: { collection: string; storeRetry: StoreRetryPolicy },
  deps: { store: DocumentStore; metrics: SinkMetrics; ending: SinkEnding; progress: LoadProgress; retryHooks: StoreRetryHooks },
): (slice: DecodedSlice) => Promise<boolean> {
  const { store, metrics } = deps;

  async function writeCandles(slice: DecodedSlice): Promise<void> {
    const { candles } = slice;
    const startedAt = performance.now();
    // A slow or failing store must not cost the group membership while we wait.
    const beat = setInterval(() => void slice.group.heartbeat().catch(() => undefined), 1_000);
    try {
      await retryStoreWrite(() => store.upsertBatch(config.collection, candles), config.storeRetry, deps.retryHooks);
    } finally {
      clearInterval(beat);
    }
    metrics.writeDuration.observe((performance.now() - startedAt) / 1000);
    metrics.batchSize.observe(candles.length);
    metrics.batches.inc();
    metrics.recordsWritten.inc(candles.length);
    deps.progress.stored(candles.length);
  }

  return async (slice) => {
    if (deps.ending.kind === 'failure') return false;
    try {
      if (slice.candles.length > 0) await writeCandles(slice);
      return true;
    } catch (error) {
      if (!(error instanceof StopRequestedError)) deps.ending.fail(error);
      return false;
    }
  };
}
