import { splitRange } from './range-split';

const DAY = 86_400_000;
const MIN = 60_000;
const from = Date.UTC(2024, 7, 1);

describe('splitRange', () => {
  it('cuts a day of 1m candles into three contiguous parts of 480 candles on candle boundaries', () => {
    const parts = splitRange('1m', { from, to: from + DAY }, 3);
    expect(parts).toEqual([
      { from, to: from + 480 * MIN },
      { from: from + 480 * MIN, to: from + 960 * MIN },
      { from: from + 960 * MIN, to: from + DAY },
    ]);
  });

  it('keeps the ends of an unaligned range and balances an uneven count (10 candles in 3 parts: 3, 3, 4)', () => {
    const start = from + 30_000; // mid-candle: the first candle in range opens at from + 1 min
    const parts = splitRange('1m', { from: start, to: from + 11 * MIN }, 3);
    expect(parts[0].from).toBe(start);
    expect(parts.at(-1)?.to).toBe(from + 11 * MIN);
    const sizes = parts.map((p) => Math.round((p.to - Math.max(p.from, from + MIN)) / MIN));
    expect(sizes).toEqual([3, 3, 4]);
    for (let i = 1; i < parts.length; i += 1) expect(parts[i].from).toBe(parts[i - 1].to);
  });

  it('returns fewer parts than asked when the range holds fewer candles, never an empty one', () => {
    expect(splitRange('1h', { from, to: from + 2 * 3_600_000 }, 5)).toEqual([
      { from, to: from + 3_600_000 },
      { from: from + 3_600_000, to: from + 2 * 3_600_000 },
    ]);
  });

  it('cuts calendar months on month starts', () => {
    const parts = splitRange('1M', { from: Date.UTC(2024, 0, 1), to: Date.UTC(2025, 0, 1) }, 2);
    expect(parts.map((p) => new Date(p.from).toISOString().slice(0, 10))).toEqual(['2024-01-01', '2024-07-01']);
  });

  it('refuses a part count that is not a whole number ≥ 1 and an open-ended span', () => {
    expect(() => splitRange('1m', { from, to: from + DAY }, 0)).toThrow('parts must be a whole number ≥ 1, got 0');
    expect(() => splitRange('1m', { from, to: Number.POSITIVE_INFINITY }, 2)).toThrow('the span must be finite');
  });
});
