import {
  KLINE_INTERVALS,
  alignOpenTime,
  closeTime,
  intervalMs,
  isKlineInterval,
  nextOpenTime,
  previousOpenTime,
} from './kline-intervals';

const DAY = 86_400_000;

describe('kline intervals', () => {
  it('lists the 16 Binance intervals, case-sensitively', () => {
    expect(KLINE_INTERVALS).toHaveLength(16);
    expect(isKlineInterval('1M')).toBe(true);
    expect(isKlineInterval('1m')).toBe(true);
    expect(isKlineInterval('1H')).toBe(false);
    expect(isKlineInterval(60)).toBe(false);
  });

  it('gives fixed lengths and refuses to guess a month without an open time', () => {
    expect(intervalMs('1s')).toBe(1_000);
    expect(intervalMs('15m')).toBe(900_000);
    expect(intervalMs('12h')).toBe(DAY / 2);
    expect(intervalMs('3d')).toBe(3 * DAY);
    expect(intervalMs('1w')).toBe(7 * DAY);
    expect(() => intervalMs('1M')).toThrow(RangeError);
    expect(intervalMs('1M', Date.UTC(2024, 1, 10))).toBe(29 * DAY);
    expect(intervalMs('1M', Date.UTC(2023, 1, 1))).toBe(28 * DAY);
    expect(intervalMs('1M', Date.UTC(2024, 0, 31, 23))).toBe(31 * DAY);
  });

  it('steps calendar months across year ends', () => {
    expect(nextOpenTime('1M', Date.UTC(2023, 11, 1))).toBe(Date.UTC(2024, 0, 1));
    expect(nextOpenTime('1M', Date.UTC(2024, 0, 31, 12))).toBe(Date.UTC(2024, 1, 1));
    expect(previousOpenTime('1M', Date.UTC(2024, 0, 1))).toBe(Date.UTC(2023, 11, 1));
    expect(closeTime('1M', Date.UTC(2024, 1, 1))).toBe(Date.UTC(2024, 2, 1) - 1);
  });

  it('aligns weeks to Monday 00:00 UTC', () => {
    const sunday = Date.UTC(2024, 5, 16, 23, 59);
    expect(alignOpenTime('1w', sunday)).toBe(Date.UTC(2024, 5, 10));
    expect(alignOpenTime('1w', Date.UTC(2024, 5, 17))).toBe(Date.UTC(2024, 5, 17));
    expect(nextOpenTime('1w', sunday)).toBe(Date.UTC(2024, 5, 17));
    expect(alignOpenTime('1w', 0)).toBe(Date.UTC(1969, 11, 29));
  });

  it('floors fixed intervals to the epoch grid', () => {
    const t = Date.UTC(2024, 5, 15, 13, 47, 12, 345);
    expect(alignOpenTime('1m', t)).toBe(Date.UTC(2024, 5, 15, 13, 47));
    expect(alignOpenTime('4h', t)).toBe(Date.UTC(2024, 5, 15, 12));
    expect(alignOpenTime('1d', t)).toBe(Date.UTC(2024, 5, 15));
    expect(alignOpenTime('3d', t) % (3 * DAY)).toBe(0);
    expect(nextOpenTime('5m', Date.UTC(2024, 5, 15, 13, 45))).toBe(Date.UTC(2024, 5, 15, 13, 50));
    expect(closeTime('1h', t)).toBe(Date.UTC(2024, 5, 15, 14) - 1);
  });
});
