import { countOpenTimes, planLoad } from './load-plan';

const MINUTE = 60_000;
const DAY = 86_400_000;
const AUG_1 = Date.UTC(2024, 7, 1);
const later = { now: Date.UTC(2030, 0, 1), closeGraceMs: 2_000 };

describe('planLoad', () => {
  it('cuts a day of 1m into 1000 + 440', () => {
    const plan = planLoad('1m', { from: AUG_1, to: AUG_1 + DAY }, later);
    expect(plan.expected).toBe(1440);
    expect([...plan.windows]).toEqual([
      { index: 0, startTime: AUG_1, endTime: AUG_1 + 999 * MINUTE, size: 1000 },
      { index: 1, startTime: AUG_1 + 1000 * MINUTE, endTime: AUG_1 + 1439 * MINUTE, size: 440 },
    ]);
  });

  it('covers a year of 1m with 526 windows and 525600 candles', () => {
    const plan = planLoad('1m', { from: Date.UTC(2023, 0, 1), to: Date.UTC(2024, 0, 1) }, later);
    expect(plan.expected).toBe(525_600);
    expect(plan.windows).toHaveLength(526);
    expect([...plan.windows].reduce((n, w) => n + w.size, 0)).toBe(525_600);
  });

  it('starts after the resume point', () => {
    const plan = planLoad('1m', { from: AUG_1, to: AUG_1 + DAY }, { ...later, resumeAfter: AUG_1 + 599 * MINUTE });
    expect(plan.firstOpen).toBe(AUG_1 + 600 * MINUTE);
    expect(plan.expected).toBe(840);
  });

  it('plans nothing when the resume point is the last candle', () => {
    const plan = planLoad('1m', { from: AUG_1, to: AUG_1 + DAY }, { ...later, resumeAfter: AUG_1 + DAY - MINUTE });
    expect([...plan.windows]).toEqual([]);
    expect(plan.expected).toBe(0);
  });

  it('leaves out candles that have not closed yet', () => {
    const now = AUG_1 + 10 * MINUTE + 30_000;
    const plan = planLoad('1m', { from: AUG_1, to: AUG_1 + DAY }, { now, closeGraceMs: 2_000 });
    expect(plan.endOpen).toBe(AUG_1 + 10 * MINUTE);
    expect(plan.expected).toBe(10);
    // within the grace after a close, that candle waits too
    expect(planLoad('1m', { from: AUG_1, to: AUG_1 + DAY }, { now: AUG_1 + 10 * MINUTE + 1_000, closeGraceMs: 2_000 }).expected).toBe(9);
  });

  it('rounds a range start that is not on the grid up to the next open time', () => {
    const plan = planLoad('1h', { from: AUG_1 + 1, to: AUG_1 + DAY }, later);
    expect(plan.firstOpen).toBe(AUG_1 + 3_600_000);
    expect(plan.expected).toBe(23);
  });

  it('steps calendar months for 1M', () => {
    const plan = planLoad('1M', { from: Date.UTC(2020, 0, 1), to: Date.UTC(2024, 0, 1) }, { ...later, pageSize: 10 });
    expect(plan.expected).toBe(48);
    expect([...plan.windows].map((w) => w.size)).toEqual([10, 10, 10, 10, 8]);
    expect(plan.windows.at(1)).toMatchObject({ startTime: Date.UTC(2020, 10, 1), endTime: Date.UTC(2021, 7, 1) });
  });

  it('plans a century of 1s without materialising its 3 million windows', () => {
    const from = Date.UTC(1925, 0, 1);
    const to = Date.UTC(2025, 0, 1);
    const heapBefore = process.memoryUsage().heapUsed;
    const plan = planLoad('1s', { from, to }, later);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(5 * 1024 * 1024);
    expect(plan.expected).toBe((to - from) / 1000);
    expect(plan.windows).toHaveLength(Math.ceil(plan.expected / 1000));
    expect(plan.windows.at(plan.windows.length - 1)).toEqual({ index: plan.windows.length - 1, startTime: from + (plan.windows.length - 1) * 1_000_000, endTime: to - 1000, size: plan.expected % 1000 || 1000 });
    expect(() => plan.windows.at(plan.windows.length)).toThrow(RangeError);
  });

  it('counts weeks on the Monday grid', () => {
    expect(countOpenTimes('1w', Date.UTC(2024, 6, 1), Date.UTC(2024, 6, 29))).toBe(4);
  });
});
