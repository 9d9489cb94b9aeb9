export interface ProgressReporterConfig {
  /** Report after this many more records were handled. */
  everyRecords: number;
  /** Report at least this often (ms) while something changed. */
  everyMs: number;
}

export interface ProgressReporter {
  /** Counts handled records; reports when `everyRecords` more were handled since the last report. */
  note(records: number): void;
  /** Waits for a report in flight (before the final event, so `loading` never follows it). */
  flush(): Promise<void>;
  stop(): void;
}

/**
 * Paces `loading` events: every N records or T seconds, whichever comes first, and only when
 * something changed. One report at a time; a failed report is left to `report` to log.
 */
export function createProgressReporter(config: ProgressReporterConfig, report: () => Promise<void>): ProgressReporter {
  let pending = 0;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const fire = () => {
    if (inFlight || stopped || pending === 0) return;
    pending = 0;
    inFlight = report().finally(() => (inFlight = undefined));
  };
  const timer = setInterval(fire, config.everyMs);
  timer.unref();

  return {
    note(records) {
      pending += records;
      if (pending >= config.everyRecords) fire();
    },
    flush: () => inFlight ?? Promise.resolve(),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
