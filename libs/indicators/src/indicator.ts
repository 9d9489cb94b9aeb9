import type { Candle } from '@streamforge/schemas';

/** The candle fields indicators read (a stored or incoming candle fits as is). */
export type IndicatorCandle = Pick<Candle, 'open_time' | 'high' | 'low' | 'close' | 'volume'>;

/**
 * One indicator's running computation. `update` folds in the next candle of the series and returns
 * the value at it (null during warm-up); `snapshot` copies the state as plain JSON, from which the
 * indicator's factory resumes exactly where it was.
 */
export interface RunningIndicator<S> {
  readonly field: string;
  update(candle: IndicatorCandle): number | null;
  snapshot(): S;
}
