import { StopRequestedError, StoreRetryExhaustedError } from './errors';

export interface StoreRetryPolicy {
  /** First pause after a failure (ms); doubles on every further failure. */
  initialDelayMs: number;
  /** Longest pause between two attempts (ms). */
  maxDelayMs: number;
  /** Give up once the store has been failing for this long (ms). */
  giveUpAfterMs: number;
}

export interface StoreRetryHooks {
  collection: string;
  onRetry(error: unknown, attempt: number, delayMs: number): void;
  /** True once a stop was requested: the pause ends early and the write is abandoned. */
  stopRequested(): boolean;
  /** Resolves when a stop is requested, to cut a pause short. */
  stopped: Promise<void>;
  random?: () => number;
}

/**
 * Runs `write` until it succeeds, pausing with exponential backoff and jitter between attempts.
 * An error marked `retriable: false` is thrown at once; any other one is retried until the store
 * has failed for `giveUpAfterMs`, then StoreRetryExhaustedError carries the last cause.
 */
export async function retryStoreWrite<T>(write: () => Promise<T>, policy: StoreRetryPolicy, hooks: StoreRetryHooks): Promise<T> {
  const random = hooks.random ?? Math.random;
  let firstFailureAt: number | undefined;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      // A store error says whether a retry can help; an unknown error gets the benefit of the doubt,
      // bounded by giveUpAfterMs.
      if ((error as { retriable?: unknown }).retriable === false) throw error;
      firstFailureAt ??= Date.now();
      const elapsed = Date.now() - firstFailureAt;
      if (elapsed >= policy.giveUpAfterMs) throw new StoreRetryExhaustedError(hooks.collection, attempt, elapsed, error);
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
      // "Equal jitter": at least half the ceiling, so a flapping store is not hammered.
      const delayMs = Math.min(Math.round(ceiling / 2 + (random() * ceiling) / 2), policy.giveUpAfterMs - elapsed);
      hooks.onRetry(error, attempt, delayMs);
      await pause(delayMs, hooks.stopped);
      if (hooks.stopRequested()) throw new StopRequestedError();
    }
  }
}

function pause(ms: number, stopped: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), stopped]).finally(() => clearTimeout(timer));
}
