import { GapTracker } from './gap-tracker';

const M = 60_000;
const T = Date.UTC(2024, 7, 1);

describe('GapTracker', () => {
  it('reports inner and trailing gaps as inclusive open-time spans', () => {
    const tracker = new GapTracker('1m', T, T + 10 * M);
    for (const i of [0, 1, 4, 5, 6]) tracker.observe(T + i * M);
    expect(tracker.finish()).toEqual([
      { from: T + 2 * M, to: T + 3 * M },
      { from: T + 7 * M, to: T + 9 * M },
    ]);
    expect(tracker.missing).toBe(5);
  });

  it('reports a gap at the start', () => {
    const tracker = new GapTracker('1m', T, T + 3 * M);
    tracker.observe(T + 2 * M);
    expect(tracker.finish()).toEqual([{ from: T, to: T + M }]);
  });

  it('reports nothing for a complete range, and the whole range when nothing came', () => {
    const complete = new GapTracker('1h', T, T + 3 * 3_600_000);
    for (const i of [0, 1, 2]) complete.observe(T + i * 3_600_000);
    expect(complete.finish()).toEqual([]);
    expect(new GapTracker('1m', T, T + 5 * M).finish()).toEqual([{ from: T, to: T + 4 * M }]);
  });

  it('counts a long gap without walking it candle by candle', () => {
    const tracker = new GapTracker('1s', T, T + 365 * 86_400_000);
    expect(tracker.finish()).toHaveLength(1);
    expect(tracker.missing).toBe(365 * 86_400);
  });
});
