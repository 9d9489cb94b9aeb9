import type { IndicatorCandle, RunningIndicator } from './indicator';

/** `sum` of the first closes until `seen` reaches the length; then `ema` is set and `sum` is unused. */
export interface EmaState {
  seen: number;
  sum: number;
  ema: number | null;
}

export const EMA_START: EmaState = { seen: 0, sum: 0, ema: null };

/**
 * TA-Lib EMA: the mean of the first `length` closes at i = length-1, then
 * `ema = (close - ema) * k + ema` with k = 2/(length+1) (same operation order as TA-Lib).
 */
export class Ema implements RunningIndicator<EmaState> {
  private readonly k: number;
  private seen: number;
  private sum: number;
  private ema: number | null;

  constructor(
    private readonly length: number,
    readonly field: string,
    state: EmaState = EMA_START,
  ) {
    this.k = 2 / (length + 1);
    this.seen = state.seen;
    this.sum = state.sum;
    this.ema = state.ema;
  }

  update(candle: IndicatorCandle): number | null {
    if (this.ema !== null) {
      this.ema = (candle.close - this.ema) * this.k + this.ema;
    } else {
      this.seen += 1;
      this.sum += candle.close;
      if (this.seen === this.length) this.ema = this.sum / this.length;
    }
    return this.ema;
  }

  snapshot(): EmaState {
    return { seen: this.seen, sum: this.sum, ema: this.ema };
  }
}
