/**
 * When to open the next stream connection: exponential backoff with full jitter after failures,
 * and never more attempts in a sliding 5-minute window than this worker's share of Binance's
 * per-IP connection limit (300 per 5 minutes; exceeding it gets the IP banned).
 */
export interface ReconnectPolicyConfig {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Connection attempts allowed per `windowMs`. */
  maxAttempts: number;
  windowMs: number;
}

export class ReconnectPolicy {
  private failures = 0;
  private readonly attempts: number[] = [];

  constructor(
    private readonly config: ReconnectPolicyConfig,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Ms to wait before the next attempt; records the attempt as made at now + that delay. */
  nextDelay(): number {
    const now = this.now();
    while (this.attempts.length > 0 && (this.attempts[0] as number) <= now - this.config.windowMs) this.attempts.shift();
    // The first reconnect after a healthy connection goes at once: the candle now closing must not be missed.
    const backoff = this.failures === 0 ? 0 : this.random() * Math.min(this.config.maxDelayMs, this.config.baseDelayMs * 2 ** (this.failures - 1));
    let at = now + backoff;
    if (this.attempts.length >= this.config.maxAttempts) {
      const oldest = this.attempts[this.attempts.length - this.config.maxAttempts] as number;
      at = Math.max(at, oldest + this.config.windowMs);
    }
    this.attempts.push(at);
    this.failures++;
    return Math.round(at - now);
  }

  /** A connection delivered data: the next reconnect starts from no backoff. */
  succeeded(): void {
    this.failures = 0;
  }
}
