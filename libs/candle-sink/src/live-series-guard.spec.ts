import { minuteCandles } from './testing';
import { LiveSeriesGuard } from './live-series-guard';

const MINUTE = 60_000;
const from = Date.UTC(2024, 7, 1);

describe('LiveSeriesGuard', () => {
  it('lets an unbroken series from the range’s first candle through', () => {
    const breaks: string[] = [];
    const guard = new LiveSeriesGuard(from + 30_000, (_candle, expected) => breaks.push(expected));
    // From 00:00:30 the first wanted candle is 00:01.
    expect(minuteCandles({ startMs: from + MINUTE, count: 50 }).every((candle) => guard.continues(candle))).toBe(true);
    expect(breaks).toEqual([]);
  });

  it('stops for good at a jump (a live candle ahead of the history) or a series that does not start at the range', () => {
    const breaks: string[] = [];
    const guard = new LiveSeriesGuard(from, (_candle, expected) => breaks.push(expected));
    const candles = minuteCandles({ startMs: from, count: 10 });
    expect(candles.slice(0, 5).map((c) => guard.continues(c))).toEqual([true, true, true, true, true]);
    expect(guard.continues(candles[7])).toBe(false);
    expect(guard.continues(candles[5])).toBe(false);
    expect(breaks).toEqual([`open_time ${candles[5].open_time}`]);
    const late = new LiveSeriesGuard(from, (_candle, expected) => breaks.push(expected));
    expect(late.continues(candles[3])).toBe(false);
    expect(breaks[1]).toBe('the range\'s first candle (from 2024-08-01T00:00:00.000Z)');
  });
});
