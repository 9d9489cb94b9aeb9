/**
 * One REQUEST_WEIGHT budget shared by every concurrent request of a process.
 *
 * Binance counts weight per IP in fixed windows aligned to the clock (the minute) and reports the
 * IP's total after every request in X-MBX-USED-WEIGHT-1M. The budget keeps that total, plus what
 * is still in flight, under `share × limit`, so other clients behind the same IP keep their part
 * and 429s do not happen in normal operation. Once the window is full it waits for the next one.
 * After a window change or a 429 it sends a single probe first: the IP may already be busy with
 * someone else's weight, and only an answer's header tells.
 */
import { BinanceAbortedError, type BinanceBanError } from './errors';

export interface WeightLimits {
  /** REQUEST_WEIGHT per window for the IP; null = the exchange reports no limit. */
  limit: number | null;
  windowMs: number;
}

export interface WeightBudgetConfig extends WeightLimits {
  /** Share of `limit` this process may bring the IP's used weight up to (0 < share <= 1). */
  share: number;
}

export interface WeightTicket {
  readonly weight: number;
  readonly window: number;
}

export const BINANCE_DEFAULT_LIMITS: WeightLimits = { limit: 6000, windowMs: 60_000 };

/** Name (lower case, as node reports it) of the used-weight header for a window, e.g. x-mbx-used-weight-1m. */
export function usedWeightHeader(windowMs: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  for (const [letter, ms] of units) if (windowMs >= ms && windowMs % ms === 0) return `x-mbx-used-weight-${windowMs / ms}${letter}`;
  return 'x-mbx-used-weight-1m';
}

/** Where the budget says it pauses (a pino logger fits). */
export interface WeightBudgetLogger {
  info(obj: object, msg: string): void;
}

export class WeightBudget {
  private limits: WeightLimits;
  private readonly share: number;
  private readonly now: () => number;
  private window = Number.NaN;
  /** Highest used weight Binance reported for the current window. */
  private reported = 0;
  /** Weight this process sent in the current window. */
  private sent = 0;
  /** Weight sent in the current window and not answered yet. */
  private inflightWeight = 0;
  /** Requests not answered yet, whatever their window. */
  private inflight = 0;
  private probing = true;
  private pausedUntil = 0;
  private banned: BinanceBanError | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly logger: WeightBudgetLogger | undefined;
  /** The window whose pause was logged: one line per pause, however many requests wait. */
  private loggedPauseWindow = Number.NaN;

  constructor(config: WeightBudgetConfig, deps: { now?: () => number; logger?: WeightBudgetLogger } = {}) {
    if (!(config.share > 0 && config.share <= 1)) throw new RangeError(`share must be in (0, 1], got ${config.share}`);
    this.share = config.share;
    this.limits = { limit: config.limit, windowMs: config.windowMs };
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger;
  }

  /** Adopts the limits the exchange reports (exchangeInfo rateLimits). */
  configure(limits: WeightLimits): void {
    if (limits.windowMs !== this.limits.windowMs) this.window = Number.NaN;
    this.limits = limits;
    this.wake();
  }

  /** The weight this process lets the IP reach per window; Infinity without a limit. */
  get cap(): number {
    return this.limits.limit === null ? Number.POSITIVE_INFINITY : Math.floor(this.limits.limit * this.share);
  }

  get windowMs(): number {
    return this.limits.windowMs;
  }

  get headerName(): string {
    return usedWeightHeader(this.limits.windowMs);
  }

  /** Waits until `weight` fits the budget, then reserves it; rejects once banned or aborted. */
  async acquire(weight: number, signal?: AbortSignal): Promise<WeightTicket> {
    for (;;) {
      if (this.banned) throw this.banned;
      if (signal?.aborted) throw new BinanceAbortedError();
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now, signal);
        continue;
      }
      this.roll(now);
      if (this.probing && this.inflightWeight > 0) {
        await this.sleep(this.untilNextWindow(now), signal);
        continue;
      }
      if (Math.max(this.reported + this.inflightWeight, this.sent) + weight <= this.cap) {
        this.sent += weight;
        this.inflightWeight += weight;
        this.inflight++;
        return { weight, window: this.window };
      }
      // Full: an answer may still lower our estimate (it cannot raise the cap), else the window must end.
      const waitMs = this.untilNextWindow(now);
      if (this.loggedPauseWindow !== this.window) {
        // Info, once per pause: a load can sit here for most of a minute, and its progress count stands still meanwhile.
        this.loggedPauseWindow = this.window;
        this.logger?.info(
          { waitMs, resumesAt: new Date(now + waitMs).toISOString(), usedWeight: Math.max(this.reported + this.inflightWeight, this.sent), cap: this.cap, windowMs: this.limits.windowMs },
          `Binance weight budget of this window used (${this.cap} of ${this.limits.limit}): pausing requests for ${(waitMs / 1000).toFixed(1)} s, until the next window`,
        );
      }
      await this.sleep(waitMs, signal);
    }
  }

  /**
   * Records the outcome of a ticket's request: `answer` is absent when no HTTP answer came
   * (timeout, reset), and carries the used-weight header value when Binance sent one.
   */
  settle(ticket: WeightTicket, answer?: { usedWeight?: number }): void {
    this.inflight--;
    if (ticket.window === this.window) {
      this.inflightWeight -= ticket.weight;
      const used = answer?.usedWeight;
      // Headers of concurrent answers arrive out of order; within a window the count only grows.
      if (used !== undefined && Number.isFinite(used)) this.reported = Math.max(this.reported, used);
      if (answer && this.now() >= this.pausedUntil) this.probing = false;
    }
    this.wake();
  }

  /** After a 429: nobody sends before `ms` from now, and the first request after is a lone probe. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.probing = true;
    this.wake();
  }

  /** After a 418: every waiting and future acquire rejects with this error. */
  ban(error: BinanceBanError): void {
    this.banned = error;
    this.wake();
  }

  /** Current view, for logs and metrics. */
  snapshot(): { reported: number; sent: number; inflight: number; cap: number; pausedUntil: number } {
    return { reported: this.reported, sent: this.sent, inflight: this.inflight, cap: this.cap, pausedUntil: this.pausedUntil };
  }

  private roll(now: number): void {
    const window = Math.floor(now / this.limits.windowMs);
    if (window === this.window) return;
    this.window = window;
    this.reported = 0;
    this.sent = 0;
    this.inflightWeight = 0;
    if (this.limits.limit !== null) this.probing = true;
  }

  private untilNextWindow(now: number): number {
    const { windowMs } = this.limits;
    // A little past the boundary, so a clock slightly ahead of Binance's does not spend the new
    // window's first request in the old one.
    const guard = Math.min(1_000, windowMs / 20);
    return (Math.floor(now / windowMs) + 1) * windowMs + guard - now;
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
