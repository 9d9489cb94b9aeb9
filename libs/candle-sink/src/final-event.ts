import type { TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { DocumentStore } from '@streamforge/storage';
import type { DeadLettering } from './dead-lettering';
import type { InOrderIndicators } from './in-order-indicators';
import type { IndicatorRunDeps } from './indicator-run';
import { runIndicatorPass } from './indicator-run';
import type { EndOfStreamTracker } from './end-of-stream-tracker';
import { CandleSinkError, describeError, IncompleteLoadError } from './errors';
import type { LoadProgress } from './load-progress';
import { findMissingOpenTimes } from './missing-open-times';
import type { Ending } from './sink-ending';

export type SinkOutcome =
  | { status: 'finished'; recordsWritten: number }
  | { status: 'interrupted'; recordsWritten: number; reason: string }
  /** The load is complete and another instance of the group reported `finished`. */
  | { status: 'complete-elsewhere'; recordsWritten: number }
  | { status: 'error'; recordsWritten: number; error: Error };

/** Missing open times named in the error of an incomplete load. */
const LISTED_MISSING = 10;

/**
 * Sends the run's last event (`finished`, `interrupted` or `error`) and says how it ended. A load
 * is `finished` only when the store holds at least what the markers report published, and (with
 * indicators) once the indicator pass has written them over the whole stored series.
 */
export async function sendFinalEvent(
  ended: Ending,
  config: { collection: string; progress: { everyMs: number } },
  deps: {
    store: DocumentStore;
    progress: LoadProgress;
    markers: EndOfStreamTracker;
    deadLetters: DeadLettering;
    telemetry: TelemetryPublisher;
    log: Logger;
    indicators?: Pick<IndicatorRunDeps, 'indicators' | 'retry'> & { inOrder?: InOrderIndicators };
  },
): Promise<SinkOutcome> {
  const { progress, markers, telemetry, log } = deps;
  await progress.finish();
  let ending = ended;
  let documents = progress.lastKnownCount;
  try {
    documents = await progress.countDocuments();
  } catch (error) {
    // Without a count, a complete load cannot be confirmed; another ending reports the last figure known.
    if (ending.kind === 'complete') ending = { kind: 'failure', error: new CandleSinkError(`cannot count "${config.collection}" to confirm the load: ${describeError(error)}`, true, { cause: error }) };
  }
  if (ending.kind === 'complete') ending = await checkStored(documents, config.collection, deps);
  if (ending.kind === 'complete' && deps.indicators) ending = await computeIndicators(documents, config, { ...deps, ...deps.indicators });
  const { candlesWritten } = progress;
  const errorCount = deps.deadLetters.count;
  const summary = `${documents} documents in ${config.collection}; this run wrote ${candlesWritten} candles; ${errorCount} messages dead-lettered in all`;
  if (ending.kind === 'complete') {
    // A scaled-out instance may have read none of the markers itself: the group's commits told it their count.
    const bySplit = markers.countsBySplit();
    const loaderCounts = markers.all().length > 0 ? markers.all().map((m) => m.count ?? '?').join(', ') : String(progress.expectedRecords() ?? '?');
    const reported = bySplit
      ? `end-of-stream markers of ${bySplit.length} loader splits report ${bySplit.map((count) => count ?? '?').join(' + ')} candles published`
      : `end-of-stream markers report ${loaderCounts} candles published`;
    log.info({ documents, candlesWritten, errorCount, markers: markers.all().length }, 'load complete');
    await telemetry.send('finished', { message: `${summary} (${reported})`, records_written: documents, ...progress.fields() });
    return { status: 'finished', recordsWritten: documents };
  }
  if (ending.kind === 'stop') {
    await telemetry.send('interrupted', { message: `${ending.reason}: ${summary}`, records_written: documents, ...progress.fields() });
    return { status: 'interrupted', recordsWritten: documents, reason: ending.reason };
  }
  const reason = describeError(ending.error);
  log.error({ err: reason }, 'sink failed; uncommitted messages will be read again by the next run');
  await telemetry
    .send('error', { message: `sink failed: ${reason}`, error_message: reason, records_written: documents, ...progress.fields() })
    .catch((error) => log.error({ err: describeError(error) }, 'could not send the error event'));
  return { status: 'error', recordsWritten: documents, error: ending.error };
}

/**
 * The indicator pass once every candle is stored (the candles were committed without their
 * indicators). A failure is the run's error: the markers are not committed past, so the Job's
 * retry reads them again, finds the load complete and runs the pass again.
 */
async function computeIndicators(
  documents: number,
  config: { collection: string; progress: { everyMs: number } },
  deps: Omit<IndicatorRunDeps, 'eventFields'> & { progress: LoadProgress; inOrder?: InOrderIndicators },
): Promise<Ending> {
  if (deps.inOrder?.covers(deps.progress.candlesWritten, documents)) {
    deps.log.info({ collection: config.collection, documents }, 'indicators computed while consuming (the load arrived in open_time order): no pass needed');
    return { kind: 'complete' };
  }
  try {
    await runIndicatorPass(config.collection, { everyMs: config.progress.everyMs, total: documents }, { ...deps, eventFields: () => deps.progress.fields() });
    return { kind: 'complete' };
  } catch (error) {
    return { kind: 'failure', error: new CandleSinkError(`indicator pass over "${config.collection}" failed: ${describeError(error)}`, true, { cause: error }) };
  }
}

/**
 * `complete` when the collection holds at least the markers' count, else the failure naming the
 * shortfall. The collection is named per symbol, type and start day, so it holds this load and at
 * most other loads of the same series, which only add documents: a shortfall is a real one.
 */
async function checkStored(documents: number, collection: string, deps: { store: DocumentStore; progress: LoadProgress; log: Logger }): Promise<Ending> {
  const expected = deps.progress.expectedRecords();
  if (expected === undefined || documents >= expected) return { kind: 'complete' };
  const missing = await findMissingOpenTimes(deps.store, collection, LISTED_MISSING).catch((error: unknown) => {
    deps.log.warn({ err: describeError(error) }, 'could not look for the missing open_times');
    return undefined;
  });
  return { kind: 'failure', error: new IncompleteLoadError(collection, expected, documents, missing) };
}
