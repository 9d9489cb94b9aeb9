import { StorageError } from './errors';

/** Bounded retries with exponential backoff and full jitter. */
export interface RetryPolicy {
  /** Total tries including the first (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * 11 tries: waits of 0.2, 0.4, 0.8, 1.6, 3.2, then 5 s (each between half and all of that) add up
 * to 15.6–31.2 s, ~23 s typical, so a write outlasts a cluster's leader failover (~15 s) or a
 * server restart instead of failing during it.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 11, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Delay before retry number `retry` (1-based): half fixed, half random so many writers do not retry in lockstep. */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; error: StorageError }) => void;
}

/**
 * Runs `action` until it succeeds, throws a non-retriable StorageError, or the attempts are used up;
 * then rethrows the last error with how many attempts were made.
 */
export async function withRetry<T>(policy: RetryPolicy, action: (attempt: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (!(error instanceof StorageError) || !error.retriable) throw error;
      if (attempt >= policy.attempts) {
        if (policy.attempts > 1) error.message = `${error.message} (gave up after ${attempt} attempts)`;
        throw error;
      }
      const delayMs = backoffDelayMs(attempt, policy, hooks.random);
      hooks.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
