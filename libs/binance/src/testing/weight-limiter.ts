/**
 * Binance-style REQUEST_WEIGHT accounting for one client IP: a fixed window aligned to the clock
 * (like Binance's per-minute counter), 429 + Retry-After when the window is exhausted, and an
 * automatic ban (418) for clients that keep sending while a Retry-After is pending.
 */

export interface WeightLimiterConfig {
  /** Weight allowed per window; null disables the limit (429 storms still apply). */
  limit: number | null;
  windowMs: number;
  /** The Nth request sent while a Retry-After is pending is answered with a ban. */
  banAfter429s: number;
  banSeconds: number;
}

export type Admission =
  | { kind: 'ok'; usedWeight: number; charged: number }
  | { kind: 'limited'; usedWeight: number; charged: number; retryAfterSeconds: number }
  | {
      kind: 'banned';
      usedWeight: number;
      charged: number;
      retryAfterSeconds: number;
      bannedUntil: number;
    };

/** Weight counter, Retry-After tracker and ban state of the single simulated client IP. */
export class WeightLimiter {
  private windowStart = Number.NaN;
  private used = 0;
  private retryPendingUntil = 0;
  private violations = 0;
  private bannedUntil = 0;

  constructor(private config: WeightLimiterConfig) {}

  /** Swaps limits without forgetting the weight already used in the current window. */
  configure(config: WeightLimiterConfig): void {
    if (config.windowMs !== this.config.windowMs) this.windowStart = Number.NaN;
    this.config = config;
  }

  /** Forgets all usage, pending Retry-Afters and bans. */
  reset(): void {
    this.windowStart = Number.NaN;
    this.used = 0;
    this.retryPendingUntil = 0;
    this.violations = 0;
    this.bannedUntil = 0;
  }

  /** Bans the client from `now` for `seconds` (the ip-ban fault). */
  banNow(now: number, seconds: number): void {
    this.bannedUntil = Math.max(this.bannedUntil, now + seconds * 1000);
  }

  /** Weight used in the window containing `now`. */
  usedWeight(now: number): number {
    this.roll(now);
    return this.used;
  }

  /**
   * Decides one request's fate and charges its weight. `forcedRetryAfterSeconds` answers 429 even
   * under the limit (the rate-limit-storm fault).
   */
  admit(weight: number, now: number, forcedRetryAfterSeconds?: number): Admission {
    this.roll(now);
    if (now < this.bannedUntil) {
      // Banned requests never reach the weight counter on Binance either.
      return this.banned(now, 0);
    }
    this.used += weight;
    if (now < this.retryPendingUntil) {
      this.violations++;
      if (this.violations >= this.config.banAfter429s) {
        this.bannedUntil = now + this.config.banSeconds * 1000;
        this.retryPendingUntil = 0;
        this.violations = 0;
        return this.banned(now, weight);
      }
      return this.limited(Math.ceil((this.retryPendingUntil - now) / 1000), weight, now);
    }
    this.violations = 0;
    if (forcedRetryAfterSeconds !== undefined) {
      return this.limited(forcedRetryAfterSeconds, weight, now, true);
    }
    const { limit } = this.config;
    if (limit !== null && this.used > limit) {
      const windowEnd = this.windowStart + this.config.windowMs;
      return this.limited(Math.max(1, Math.ceil((windowEnd - now) / 1000)), weight, now, true);
    }
    return { kind: 'ok', usedWeight: this.used, charged: weight };
  }

  private limited(retryAfterSeconds: number, charged: number, now: number, arm = false): Admission {
    // Arm from the rounded-up seconds so a client that sleeps exactly Retry-After is never
    // counted as a violator.
    if (arm) this.retryPendingUntil = Math.max(this.retryPendingUntil, now + retryAfterSeconds * 1000);
    return { kind: 'limited', usedWeight: this.used, charged, retryAfterSeconds };
  }

  private banned(now: number, charged: number): Admission {
    return {
      kind: 'banned',
      usedWeight: this.used,
      charged,
      retryAfterSeconds: Math.max(1, Math.ceil((this.bannedUntil - now) / 1000)),
      bannedUntil: this.bannedUntil,
    };
  }

  private roll(now: number): void {
    const start = Math.floor(now / this.config.windowMs) * this.config.windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }
}
