import type { IndicatorSet } from '@streamforge/indicators';
import type { TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { DocumentStore } from '@streamforge/storage';
import { describeError } from './errors';
import type { ProgressFields } from './load-progress';
import { computeStoredIndicators, INDICATOR_PAGE_SIZE, type IndicatorPassResult } from './indicator-pass';

export interface IndicatorRunDeps {
  store: DocumentStore;
  indicators: IndicatorSet;
  telemetry: TelemetryPublisher;
  log: Logger;
  retry?: <T>(call: () => Promise<T>) => Promise<T>;
  stopped?(): boolean;
  /** Fields every `loading` event carries besides the figures (e.g. the sink's error_count). */
  eventFields?(): ProgressFields;
}

/**
 * The indicator pass over a stored collection with a worker's progress telemetry: a `loading`
 * event at most every `everyMs` while it pages ("indicators: 150000 of 525600 documents"). The
 * caller sends `started` and the final event.
 */
export async function runIndicatorPass(
  collection: string,
  config: { everyMs: number; total?: number; pageSize?: number },
  deps: IndicatorRunDeps,
): Promise<IndicatorPassResult> {
  const { telemetry, log } = deps;
  const fieldList = deps.indicators.fields.join(',');
  const startedAt = performance.now();
  let reportedAt = startedAt;
  log.info({ collection, indicators: fieldList }, 'computing indicators over the stored series in open_time order');
  const result = await computeStoredIndicators(
    collection,
    {
      store: deps.store,
      indicators: deps.indicators,
      retry: deps.retry,
      stopped: deps.stopped,
      onPage: async ({ documents, updated, lastOpenTime }) => {
        const now = performance.now();
        if (now - reportedAt < config.everyMs) return;
        reportedAt = now;
        const of = config.total === undefined ? '' : ` of ${config.total}`;
        await telemetry
          .send('loading', { message: `indicators ${fieldList}: ${documents}${of} documents in ${collection} (${updated} updated)`, records_written: documents, last_loaded_timestamp: lastOpenTime, ...deps.eventFields?.() })
          .catch((error: unknown) => log.warn({ err: describeError(error) }, 'skipped a loading event'));
      },
    },
    config.pageSize ?? INDICATOR_PAGE_SIZE,
  );
  log.info({ collection, documents: result.documents, updated: result.updated, complete: result.complete, seconds: Math.round(performance.now() - startedAt) / 1000 }, 'indicator pass done');
  return result;
}
