import type { TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { DeadLettering } from './dead-lettering';
import type { EndOfStreamTracker } from './end-of-stream-tracker';
import { describeError } from './errors';
import type { LoadProgress } from './load-progress';
import type { Ending } from './sink-ending';

export type SinkOutcome =
  | { status: 'finished'; recordsWritten: number }
  | { status: 'interrupted'; recordsWritten: number; reason: string }
  | { status: 'error'; recordsWritten: number; error: Error };

/** Sends the run's last event (`finished`, `interrupted` or `error`) and says how it ended. */
export async function sendFinalEvent(
  ending: Ending,
  config: { collection: string },
  deps: { progress: LoadProgress; markers: EndOfStreamTracker; deadLetters: DeadLettering; telemetry: TelemetryPublisher; log: Logger },
): Promise<SinkOutcome> {
  const { progress, markers, telemetry, log } = deps;
  await progress.finish();
  const documents = await progress.countDocuments().catch(() => progress.lastKnownCount);
  const { candlesWritten } = progress;
  const errorCount = deps.deadLetters.count;
  const summary = `${documents} documents in ${config.collection}; this run wrote ${candlesWritten} candles and dead-lettered ${errorCount} messages`;
  if (ending.kind === 'complete') {
    const loaderCounts = markers.all().map((m) => m.count ?? '?').join(', ');
    log.info({ documents, candlesWritten, errorCount, markers: markers.all().length }, 'load complete');
    await telemetry.send('finished', { message: `${summary} (end-of-stream markers report ${loaderCounts} candles published)`, records_written: documents, ...progress.fields() });
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
