import { AdmissionError } from './errors';

export interface StartAdmissionConfig {
  /** Queues not yet finished/errored/interrupted, plus starts in progress. */
  maxRunningQueues: number;
  /** Starts between admission and their last launch. */
  maxConcurrentStarts: number;
  /** Worker Jobs/processes of running queues (every instance counts), plus those of starts in progress; default DEFAULT_MAX_RUNNING_WORKERS. */
  maxRunningWorkers?: number;
}

/** 20 queues (MAX_RUNNING_QUEUES' default) of a live queue's 3 workers: plain queues never meet it, scaled-out ones do. */
export const DEFAULT_MAX_RUNNING_WORKERS = 60;

/** What one start would add: its load signature and its worker instances. */
export interface StartClaim {
  signature: string;
  workers: number;
}

/** Why a start is admitted or not: the limits, and the starts in progress with their load signatures. */
export class StartAdmission {
  private readonly inFlight = new Map<string, StartClaim>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: StartAdmissionConfig) {}

  /**
   * Runs `check` and, if it passes, reserves a slot for `queueId` — one admission at a time, so
   * two identical requests cannot both pass; the lock covers no Kafka call, only `check`.
   * Returns the release to call when the start ended (either way).
   */
  admit(queueId: string, claim: StartClaim, check: (inFlightSignatures: ReadonlySet<string>) => Promise<{ runningQueues: number; runningWorkers: number }>): Promise<() => void> {
    const run = this.lock.then(async () => {
      if (this.inFlight.size >= this.config.maxConcurrentStarts) {
        throw new AdmissionError(
          `${this.inFlight.size} start(s) already in progress, the most MAX_CONCURRENT_STARTS=${this.config.maxConcurrentStarts} allows; try again in a moment`,
          'MAX_CONCURRENT_STARTS',
          1,
        );
      }
      const claims = [...this.inFlight.values()];
      const { runningQueues, runningWorkers } = await check(new Set(claims.map((c) => c.signature)));
      const total = runningQueues + this.inFlight.size;
      if (total >= this.config.maxRunningQueues) {
        throw new AdmissionError(
          `${total} queue(s) running or starting, the most MAX_RUNNING_QUEUES=${this.config.maxRunningQueues} allows; stop one or wait until one ends`,
          'MAX_RUNNING_QUEUES',
          30,
        );
      }
      const maxWorkers = this.config.maxRunningWorkers ?? DEFAULT_MAX_RUNNING_WORKERS;
      const workers = runningWorkers + claims.reduce((sum, c) => sum + c.workers, 0);
      if (workers + claim.workers > maxWorkers) {
        throw new AdmissionError(
          `${workers} worker(s) running or starting and this start adds ${claim.workers}, more than MAX_RUNNING_WORKERS=${maxWorkers} allows; ask for fewer replicas/splits, or wait until a queue ends`,
          'MAX_RUNNING_WORKERS',
          30,
        );
      }
      this.inFlight.set(queueId, claim);
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
