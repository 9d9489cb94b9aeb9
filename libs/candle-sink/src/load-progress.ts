import type { TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { DocumentStore } from '@streamforge/storage';
import type { EndOfStreamTracker } from './end-of-stream-tracker';
import { describeError } from './errors';
import { createProgressReporter, type ProgressReporterConfig } from './progress-reporter';

/** Fields every progress-bearing event of the sink carries. */
export interface ProgressFields {
  error_count: number;
  last_loaded_timestamp?: number;
  expected_records?: number;
  /** Live loads: ms from the newest stored candle's close to its write. */
  live_lag_ms?: number;
}

export interface LoadProgress {
  /** Candles this run stored (a redelivered candle counts again). */
  readonly candlesWritten: number;
  /** Documents in the collection at the last count. */
  readonly lastKnownCount: number;
  /** Candles the store must hold at least, once a marker (or an earlier run's commit) told it. */
  expectedRecords(): number | undefined;
  /** What an earlier run of the group knew (see SinkGroupState). */
  restore(expectedRecords: number | undefined): void;
  /** Counts the collection's documents (and remembers the figure). */
  countDocuments(): Promise<number>;
  /** A write of `candles` was confirmed. */
  stored(candles: number): void;
  /** A live load stored a newer candle `lagMs` after its close. */
  liveLag(lagMs: number): void;
  /** A slice of `messages` was committed; `newest` is its newest open_time (-1 when none). */
  committed(messages: number, newest: number): void;
  fields(): ProgressFields;
  /** Ends the `loading` events; waits for one in flight (so none follows the final event). */
  finish(): Promise<void>;
}

/** What the sink has done so far, and the paced `loading` events that report it. */
export function createLoadProgress(
  config: { collection: string; progress: ProgressReporterConfig },
  deps: { store: DocumentStore; telemetry: TelemetryPublisher; log: Logger; markers: EndOfStreamTracker; errorCount: () => number },
): LoadProgress {
  let candlesWritten = 0;
  let lastKnownCount = 0;
  let lastOpenTime: number | undefined;
  let restoredExpected: number | undefined;
  let liveLagMs: number | undefined;

  const progress: LoadProgress = {
    get candlesWritten() {
      return candlesWritten;
    },
    get lastKnownCount() {
      return lastKnownCount;
    },
    expectedRecords() {
      const fromMarkers = deps.markers.publishedAtLeast();
      return fromMarkers === undefined || (restoredExpected ?? -1) > fromMarkers ? restoredExpected : fromMarkers;
    },
    restore(expectedRecords) {
      restoredExpected = expectedRecords;
    },
    async countDocuments() {
      lastKnownCount = await deps.store.count(config.collection);
      return lastKnownCount;
    },
    stored(candles) {
      candlesWritten += candles;
    },
    liveLag(lagMs) {
      liveLagMs = Math.round(lagMs);
    },
    committed(messages, newest) {
      if (newest > (lastOpenTime ?? -1)) lastOpenTime = newest;
      reporter.note(messages);
    },
    fields() {
      const expected = progress.expectedRecords();
      return {
        error_count: deps.errorCount(),
        ...(lastOpenTime === undefined ? {} : { last_loaded_timestamp: lastOpenTime }),
        ...(expected === undefined ? {} : { expected_records: expected }),
        ...(liveLagMs === undefined ? {} : { live_lag_ms: liveLagMs }),
      };
    },
    async finish() {
      reporter.stop();
      await reporter.flush();
    },
  };

  const reporter = createProgressReporter(config.progress, async () => {
    try {
      const documents = await progress.countDocuments();
      const lag = liveLagMs === undefined ? '' : `, live lag ${liveLagMs} ms`;
      await deps.telemetry.send('loading', { message: `${documents} documents in ${config.collection}${lag}`, records_written: documents, ...progress.fields() });
    } catch (error) {
      deps.log.warn({ err: describeError(error) }, 'skipped a loading event');
    }
  });
  return progress;
}
