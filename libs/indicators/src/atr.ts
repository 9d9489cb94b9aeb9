import type { IndicatorCandle, RunningIndicator } from './indicator';

// Module-level copies of globals used per candle: under Jest (a vm context) every global lookup
// goes through the context's interceptor, several times slower; elsewhere it changes nothing.
const { abs, max } = Math;

/** `sum` of the first true ranges until `atr` is set; `prevClose` is null only before the first candle. */
export interface AtrState {
  seen: number;
  prevClose: number | null;
  sum: number;
  atr: number | null;
}

export const ATR_START: AtrState = { seen: 0, prevClose: null, sum: 0, atr: null };

/**
 * TA-Lib ATR: true range TR_i = max(h-l, |h-c_{i-1}|, |l-c_{i-1}|) from i = 1; the mean of
 * TR_1..TR_length at i = length, then Wilder's smoothing `atr = (atr * (length-1) + TR) / length`.
 */
export class Atr implements RunningIndicator<AtrState> {
  private seen: number;
  private prevClose: number | null;
  private sum: number;
  private atr: number | null;

  constructor(
    private readonly length: number,
    readonly field: string,
    state: AtrState = ATR_START,
  ) {
    this.seen = state.seen;
    this.prevClose = state.prevClose;
    this.sum = state.sum;
    this.atr = state.atr;
  }

  update(candle: IndicatorCandle): number | null {
    const { high, low, close } = candle;
    const prevClose = this.prevClose;
    this.prevClose = close;
    if (prevClose === null) return null;
    const trueRange = max(high - low, abs(prevClose - high), abs(low - prevClose));
    if (this.atr !== null) {
      this.atr = (this.atr * (this.length - 1) + trueRange) / this.length;
    } else {
      this.seen += 1;
      this.sum += trueRange;
      if (this.seen === this.length) this.atr = this.sum / this.length;
    }
    return this.atr;
  }

  snapshot(): AtrState {
    return { seen: this.seen, prevClose: this.prevClose, sum: this.sum, atr: this.atr };
  }
}
