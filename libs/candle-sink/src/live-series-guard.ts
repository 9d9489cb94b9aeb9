import type { Candle } from '@streamforge/schemas';

/**
 * A live load's in-order indicators hold only while the candles arrive as one unbroken series from
 * the range's first candle: the history and the live stream share the topic, and a live candle
 * published while the backfill is still running comes before the history it follows. Computing on
 * across such a jump would store values a batch load would not give, and a live load has no
 * end-of-load pass to correct them. So: the first candle must be the range's first, every next
 * one must open where the previous closed; the first break stops the in-order values for good
 * (those candles are stored without them).
 */
export class LiveSeriesGuard {
  private previousClose: number | undefined;
  private broken = false;

  constructor(private readonly fromMs: number, private readonly onBreak: (candle: Candle, expected: string) => void) {}

  /** True while `candle` continues the series (and records it); false from the first break on. */
  continues(candle: Candle): boolean {
    if (this.broken) return false;
    const length = candle.close_time + 1 - candle.open_time;
    const expected = this.previousClose === undefined ? candle.open_time >= this.fromMs && candle.open_time - length < this.fromMs : candle.open_time === this.previousClose + 1;
    if (!expected) {
      this.broken = true;
      this.onBreak(candle, this.previousClose === undefined ? `the range's first candle (from ${new Date(this.fromMs).toISOString()})` : `open_time ${this.previousClose + 1}`);
      return false;
    }
    this.previousClose = candle.close_time;
    return true;
  }
}
