import { AdmissionError } from './errors';

export interface StartAdmissionConfig {
  /** Queues not yet finished/errored/interrupted, plus starts in progress. */
  maxRunningQueues: number;
  /** Starts between admission and their last launch. */
  maxConcurrentStarts: number;
}

/** Why a start is admitted or not: the limits, and the starts in progress with their load signatures. */
export class StartAdmission {
  private readonly inFlight = new Map<string, string>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: StartAdmissionConfig) {}

  /**
   * Runs `check` and, if it passes, reserves a slot for `queueId` — one admission at a time, so
   * two identical requests cannot both pass; the lock covers no Kafka call, only `check`.
   * Returns the release to call when the start ended (either way).
   */
  admit(queueId: string, signature: string, check: (inFlightSignatures: ReadonlySet<string>) => Promise<{ runningQueues: number }>): Promise<() => void> {
    const run = this.lock.then(async () => {
      if (this.inFlight.size >= this.config.maxConcurrentStarts) {
        throw new AdmissionError(
          `${this.inFlight.size} start(s) already in progress, the most MAX_CONCURRENT_STARTS=${this.config.maxConcurrentStarts} allows; try again in a moment`,
          'MAX_CONCURRENT_STARTS',
          1,
        );
      }
      const { runningQueues } = await check(new Set(this.inFlight.values()));
      const total = runningQueues + this.inFlight.size;
      if (total >= this.config.maxRunningQueues) {
        throw new AdmissionError(
          `${total} queue(s) running or starting, the most MAX_RUNNING_QUEUES=${this.config.maxRunningQueues} allows; stop one or wait until one ends`,
          'MAX_RUNNING_QUEUES',
          30,
        );
      }
      this.inFlight.set(queueId, signature);
      return () => void this.inFlight.delete(queueId);
    });
    this.lock = run.catch(() => undefined);
    return run;
  }
}

/** Two loads with the same symbol, range and targets write the same collections. */
export function loadSignature(symbol: string, timeRange: string, targets: Array<{ target: string; type: string }>): string {
  return `${symbol} ${timeRange} ${targets.map((t) => `${t.target}/${t.type}`).sort().join(',')}`;
}
