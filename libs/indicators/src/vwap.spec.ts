import type { IndicatorCandle } from './indicator';
import { DAY_MS } from './testing';
import { VwapDaily } from './vwap';

const DAY = Date.UTC(2024, 5, 1);
const candle = (openTime: number, high: number, low: number, close: number, volume: number): IndicatorCandle => ({ open_time: openTime, high, low, close, volume });

describe('VWAP_D', () => {
  it('is the volume-weighted typical price since 00:00 UTC and restarts at the next UTC day', () => {
    const vwap = new VwapDaily('VWAP_D');
    const values = [
      candle(DAY + DAY_MS - 120_000, 12, 6, 9, 1), // tp 9
      candle(DAY + DAY_MS - 60_000, 30, 21, 27, 2), // tp 26 -> (9 + 52) / 3
      candle(DAY + DAY_MS, 4, 2, 3, 5), // new day: tp 3 only
      candle(DAY + DAY_MS + 60_000, 6, 6, 6, 5), // (15 + 30) / 10
    ].map((c) => vwap.update(c));
    expect(values).toEqual([9, 61 / 3, 3, 4.5]);
  });

  it('restarts after a gap that skips whole days', () => {
    const vwap = new VwapDaily('VWAP_D');
    vwap.update(candle(DAY, 10, 10, 10, 100));
    expect(vwap.update(candle(DAY + 3 * DAY_MS + 5 * 60_000, 20, 20, 20, 1))).toBe(20);
  });

  it('is null while the day has no volume yet, and over a day without volume', () => {
    const vwap = new VwapDaily('VWAP_D');
    const values = [
      candle(DAY, 10, 10, 10, 0),
      candle(DAY + 60_000, 11, 11, 11, 0),
      candle(DAY + 120_000, 12, 12, 12, 3), // first volume: 12
      candle(DAY + 180_000, 13, 13, 13, 0), // zero volume keeps the day's value
      candle(DAY + DAY_MS, 14, 14, 14, 0), // next day, no volume
    ].map((c) => vwap.update(c));
    expect(values).toEqual([null, null, 12, 12, null]);
  });

  it('resumes mid-day from a JSON snapshot exactly as if never stopped', () => {
    const candles = [1, 2, 3, 4, 5, 6].map((i) => candle(DAY + i * 60_000, 10 + i / 3, 9 + i / 7, 9.5 + i / 11, i * 0.37));
    const first = new VwapDaily('VWAP_D');
    const uninterrupted = candles.map((c) => first.update(c));
    const before = new VwapDaily('VWAP_D');
    candles.slice(0, 3).forEach((c) => before.update(c));
    const after = new VwapDaily('VWAP_D', JSON.parse(JSON.stringify(before.snapshot())));
    expect(candles.slice(3).map((c) => after.update(c))).toEqual(uninterrupted.slice(3));
  });
});
