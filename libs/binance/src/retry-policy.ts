/** Bounded exponential backoff with jitter for retriable Binance failures. */
export interface RetryPolicy {
  /** Attempts in total for one request, the first included. */
  maxAttempts: number;
  /** Delay ceiling before the 2nd attempt; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive 429s tolerated for one request before giving up (each one waited out). */
  maxRateLimitWaits: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxRateLimitWaits: 10 };

/**
 * Delay before attempt `failedAttempts + 1`: "equal jitter" — half the exponential step fixed,
 * half random — so concurrent fetchers spread out yet never retry at once.
 */
export function backoffDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
