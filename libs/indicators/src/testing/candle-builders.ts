import type { IndicatorCandle } from '../indicator';

const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** 1m candles from `startMs`, one per close, with high = low = close (no range) unless given. */
export function closesToCandles(closes: readonly number[], startMs = Date.UTC(2024, 0, 1), volume = 1): IndicatorCandle[] {
  return closes.map((close, i) => ({ open_time: startMs + i * MINUTE_MS, high: close, low: close, close, volume }));
}
