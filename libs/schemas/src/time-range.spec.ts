import { parseTimeRange, timeRangeSchema } from './time-range';

describe('parseTimeRange', () => {
  it('reads a day range with the end day included', () => {
    expect(parseTimeRange('2024-08-01:2024-08-01')).toEqual({
      ok: true,
      value: { fromMs: Date.UTC(2024, 7, 1), toMs: Date.UTC(2024, 7, 2) - 1, startDay: '2024-08-01' },
    });
  });

  it('reads ISO instants separated by / or :', () => {
    const expected = { ok: true, value: { fromMs: Date.UTC(2024, 7, 1, 6), toMs: Date.UTC(2024, 7, 1, 12), startDay: '2024-08-01' } };
    expect(parseTimeRange('2024-08-01T06:00:00Z/2024-08-01T12:00:00Z')).toEqual(expected);
    expect(parseTimeRange('2024-08-01T06:00:00Z:2024-08-01T12:00:00Z')).toEqual(expected);
    expect(parseTimeRange('2024-08-01T08:00:00+02:00/2024-08-01T12:00:00.000Z')).toEqual(expected);
  });

  it('rejects an inverted range, naming both ends', () => {
    expect(parseTimeRange('2024-08-02:2024-08-01')).toEqual({ ok: false, reason: 'inverted: the start 2024-08-02 is after the end 2024-08-01' });
    expect(parseTimeRange('2024-08-01T12:00Z/2024-08-01T12:00Z')).toMatchObject({ ok: false, reason: expect.stringMatching(/^inverted/) });
  });

  it('rejects impossible days, missing zones and other shapes with the expected form', () => {
    for (const bad of ['2024-02-30:2024-03-01', '2024-08-01T00:00:00/2024-08-02T00:00:00', 'yesterday', '2024-08-01', '2024-08-01:2024-08-02T00:00Z']) {
      const result = parseTimeRange(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/YYYY-MM-DD:YYYY-MM-DD|mixes/);
    }
  });

  it('is usable as a zod field', () => {
    expect(timeRangeSchema.safeParse('2024-08-01:2024-08-03').success).toBe(true);
    expect(timeRangeSchema.safeParse('2024-08-03:2024-08-01').success).toBe(false);
  });
});
