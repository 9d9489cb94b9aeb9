import type { IndicatorCandle, RunningIndicator } from './indicator';

// Module-level copies of globals used per candle: under Jest (a vm context) every global lookup
// goes through the context's interceptor, several times slower; elsewhere it changes nothing.
const { floor } = Math;
const DAY_MS = 86_400_000;

/**
 * Running Σ(tp·v) and Σv of the current UTC day (`day` = days since the epoch), each with its
 * Kahan compensation term: pandas' grouped cumsum (the reference) sums that way.
 */
export interface VwapState {
  day: number | null;
  pv: number;
  pvCompensation: number;
  volume: number;
  volumeCompensation: number;
}

export const VWAP_START: VwapState = { day: null, pv: 0, pvCompensation: 0, volume: 0, volumeCompensation: 0 };

/**
 * pandas-ta VWAP anchored on the UTC day: typical price tp = (h + l + c) / 3, value =
 * Σ(tp·v) / Σv since 00:00 UTC; null while the day's volume is still 0 (pandas gives 0/0 = NaN).
 */
export class VwapDaily implements RunningIndicator<VwapState> {
  private day: number | null;
  private pv: number;
  private pvCompensation: number;
  private volume: number;
  private volumeCompensation: number;

  constructor(
    readonly field: string,
    state: VwapState = VWAP_START,
  ) {
    this.day = state.day;
    this.pv = state.pv;
    this.pvCompensation = state.pvCompensation;
    this.volume = state.volume;
    this.volumeCompensation = state.volumeCompensation;
  }

  update(candle: IndicatorCandle): number | null {
    const day = floor(candle.open_time / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.pv = this.pvCompensation = this.volume = this.volumeCompensation = 0;
    }
    // Kahan summation with the same operations, in the same order, as pandas' group_cumsum.
    const pvTerm = ((candle.high + candle.low + candle.close) / 3) * candle.volume - this.pvCompensation;
    const pv = this.pv + pvTerm;
    this.pvCompensation = pv - this.pv - pvTerm;
    this.pv = pv;
    const volumeTerm = candle.volume - this.volumeCompensation;
    const volume = this.volume + volumeTerm;
    this.volumeCompensation = volume - this.volume - volumeTerm;
    this.volume = volume;
    return volume === 0 ? null : pv / volume;
  }

  snapshot(): VwapState {
    return { day: this.day, pv: this.pv, pvCompensation: this.pvCompensation, volume: this.volume, volumeCompensation: this.volumeCompensation };
  }
}
