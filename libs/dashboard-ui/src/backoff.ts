export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential with "equal jitter", so a
 * restarted queue-manager is not hit by every open dashboard at the same instant, yet a retry
 * never waits less than half the exponential step.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}
