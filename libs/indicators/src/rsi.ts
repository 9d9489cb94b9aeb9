import type { IndicatorCandle, RunningIndicator } from './indicator';

/**
 * `gain`/`loss` hold the sums of the first `length` changes until `ready`, then Wilder's averages.
 * `prevClose` is null only before the first candle.
 */
export interface RsiState {
  seen: number;
  prevClose: number | null;
  gain: number;
  loss: number;
  ready: boolean;
}

export const RSI_START: RsiState = { seen: 0, prevClose: null, gain: 0, loss: 0, ready: false };

/**
 * TA-Lib RSI: averages of the first `length` gains/losses (changes 1..length) at i = length, then
 * Wilder's smoothing `avg = (avg * (length-1) + x) / length`; RSI = 100 * (gain / (gain + loss)),
 * and 0 when both averages are exactly 0 (a flat market), as TA-Lib returns.
 */
export class Rsi implements RunningIndicator<RsiState> {
  private seen: number;
  private prevClose: number | null;
  private gain: number;
  private loss: number;
  private ready: boolean;

  constructor(
    private readonly length: number,
    readonly field: string,
    state: RsiState = RSI_START,
  ) {
    this.seen = state.seen;
    this.prevClose = state.prevClose;
    this.gain = state.gain;
    this.loss = state.loss;
    this.ready = state.ready;
  }

  update(candle: IndicatorCandle): number | null {
    const close = candle.close;
    const prevClose = this.prevClose;
    this.prevClose = close;
    if (prevClose === null) return null;
    const change = close - prevClose;
    if (this.ready) {
      // TA-Lib's operation order: scale, add the move to its side, divide.
      let gain = this.gain * (this.length - 1);
      let loss = this.loss * (this.length - 1);
      if (change < 0) loss -= change;
      else gain += change;
      this.gain = gain / this.length;
      this.loss = loss / this.length;
    } else {
      if (change < 0) this.loss -= change;
      else this.gain += change;
      this.seen += 1;
      if (this.seen < this.length) return null;
      this.gain /= this.length;
      this.loss /= this.length;
      this.ready = true;
    }
    const total = this.gain + this.loss;
    return total === 0 ? 0 : 100 * (this.gain / total);
  }

  snapshot(): RsiState {
    return { seen: this.seen, prevClose: this.prevClose, gain: this.gain, loss: this.loss, ready: this.ready };
  }
}
