import { createIndicatorSet } from '@streamforge/indicators';
import type { TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { IndicatorSpec } from '@streamforge/schemas';
import type { DocumentStore } from '@streamforge/storage';
import { describeError, StopRequestedError } from './errors';
import type { SinkOutcome } from './final-event';
import { runIndicatorPass } from './indicator-run';
import { retryStoreWrite, type StoreRetryPolicy } from './store-write-retry';

export interface IndicatorRecomputeConfig {
  collection: string;
  indicators: readonly IndicatorSpec[];
  storeRetry: StoreRetryPolicy;
  progress: { everyMs: number };
}

export interface IndicatorRecompute {
  /** Runs the pass with the worker events (`started`, `loading`…, then `finished`/`interrupted`/`error`). Never rejects. */
  run(): Promise<SinkOutcome>;
  /** Ends the pass after the page in hand; what is written stays valid (a later pass completes it). */
  stop(reason: string): void;
}

/**
 * arango-candles `--recompute-indicators`: computes (or recomputes with another list) the
 * indicators of an already-stored collection, paging it once by open_time; no Kafka load.
 */
export function createIndicatorRecompute(
  config: IndicatorRecomputeConfig,
  deps: { store: DocumentStore; telemetry: TelemetryPublisher; logger: Logger },
): IndicatorRecompute {
  const log = deps.logger.child({ component: 'indicator-recompute', collection: config.collection });
  const { store, telemetry } = deps;
  let stopReason: string | undefined;
  let signalStop!: () => void;
  const stopped = new Promise<void>((resolve) => (signalStop = resolve));
  const hooks = { collection: config.collection, stopped, stopRequested: () => stopReason !== undefined, onRetry: (error: unknown, attempt: number, delayMs: number) => log.warn({ err: describeError(error), attempt, delayMs }, 'store call failed, retrying') };
  const retry = <T>(call: () => Promise<T>) => retryStoreWrite(call, config.storeRetry, hooks);

  async function run(): Promise<SinkOutcome> {
    let documents = 0;
    try {
      const indicators = createIndicatorSet(config.indicators);
      if (!(await retry(() => store.collectionExists(config.collection)))) throw new Error(`collection "${config.collection}" does not exist in ${store.kind} at ${store.location}`);
      documents = await retry(() => store.count(config.collection));
      await telemetry.send('started', { message: `computing ${indicators.fields.join(',')} over the ${documents} documents of ${config.collection}`, records_written: 0 });
      const result = await runIndicatorPass(config.collection, { everyMs: config.progress.everyMs, total: documents }, { store, indicators, telemetry, log, retry, stopped: () => stopReason !== undefined });
      const summary = `${result.documents} documents of ${config.collection} visited in open_time order, ${result.updated} updated`;
      if (!result.complete) {
        await telemetry.send('interrupted', { message: `${stopReason}: ${summary}`, records_written: result.documents });
        return { status: 'interrupted', recordsWritten: result.documents, reason: stopReason ?? 'stopped' };
      }
      await telemetry.send('finished', { message: `indicators ${indicators.fields.join(',')}: ${summary}`, records_written: result.documents });
      return { status: 'finished', recordsWritten: result.documents };
    } catch (error) {
      if (error instanceof StopRequestedError && stopReason !== undefined) {
        await telemetry.send('interrupted', { message: `${stopReason} while the store was failing`, records_written: 0 }).catch((sendError: unknown) => log.error({ err: describeError(sendError) }, 'could not send the interrupted event'));
        return { status: 'interrupted', recordsWritten: 0, reason: stopReason };
      }
      const reason = describeError(error);
      log.error({ err: reason }, 'indicator recompute failed');
      await telemetry.send('error', { message: `indicator recompute failed: ${reason}`, error_message: reason, records_written: documents }).catch((sendError: unknown) => log.error({ err: describeError(sendError) }, 'could not send the error event'));
      return { status: 'error', recordsWritten: documents, error: error instanceof Error ? error : new Error(reason) };
    }
  }

  return {
    run,
    stop(reason) {
      stopReason ??= reason;
      signalStop();
    },
  };
}
