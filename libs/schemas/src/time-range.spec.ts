import fc from 'fast-check';
import { formatTimeRange, isOpenEnded, parseTimeRange, TIME_RANGE_PATTERN, timeRangeSchema } from './time-range';

const utc = (...parts: number[]) => Date.UTC(parts[0] as number, (parts[1] as number) - 1, ...(parts.slice(2) as []));

describe('parseTimeRange', () => {
  it('reads UTC days with the end day included', () => {
    expect(parseTimeRange('2024-08-01:2024-08-01')).toEqual({ ok: true, value: { fromMs: utc(2024, 8, 1), untilMs: utc(2024, 8, 2), startDay: '2024-08-01', form: 'days' } });
    expect(parseTimeRange('2023-12-31:2024-01-01')).toEqual({ ok: true, value: { fromMs: utc(2023, 12, 31), untilMs: utc(2024, 1, 2), startDay: '2023-12-31', form: 'days' } });
  });

  it('reads ISO-8601 instants with the end excluded, separated by / or :, with any zone', () => {
    const expected = { ok: true, value: { fromMs: utc(2024, 8, 1, 6), untilMs: utc(2024, 8, 1, 12), startDay: '2024-08-01', form: 'instants' } };
    expect(parseTimeRange('2024-08-01T06:00:00Z/2024-08-01T12:00:00Z')).toEqual(expected);
    expect(parseTimeRange('2024-08-01T06:00Z:2024-08-01T12:00Z')).toEqual(expected);
    expect(parseTimeRange('2024-08-01T08:00:00+02:00/2024-08-01T12:00:00.000Z')).toEqual(expected);
    expect(parseTimeRange('2024-08-01T02:00:00.5+02:00/2024-08-01T01:00:00-0100')).toEqual({ ok: true, value: { fromMs: utc(2024, 8, 1, 0, 0, 0, 500), untilMs: utc(2024, 8, 1, 2), startDay: '2024-08-01', form: 'instants' } });
  });

  it.each([
    ['2024-08-02:2024-08-01', 'inverted: the start 2024-08-02 is after the end 2024-08-01'],
    ['2024-08-01T12:00Z/2024-08-01T12:00Z', 'inverted: the start 2024-08-01T12:00Z is not before the end 2024-08-01T12:00Z'],
    ['2024-02-30:2024-03-01', /^2024-02-30 is not a calendar date; expected YYYY-MM-DD:YYYY-MM-DD/],
    ['2024-08-01T24:00Z:2024-08-02T00:00Z', /^2024-08-01T24:00Z is not a valid time of day; expected YYYY-MM-DD:YYYY-MM-DD/],
    ['2024-08-01:2024-08-02T00:00Z', /^mixes a day and an instant; expected/],
    ['2024-08-01T00:00:00/2024-08-02T00:00:00', /^expected YYYY-MM-DD:YYYY-MM-DD \(UTC days, end day included/],
    ['2024-8-1:2024-8-2', /^expected YYYY-MM-DD:YYYY-MM-DD/],
    ['yesterday', /^expected YYYY-MM-DD:YYYY-MM-DD/],
    ['2024-08-01', /^expected YYYY-MM-DD:YYYY-MM-DD/],
  ])('refuses %j, saying why', (text, reason) => {
    const result = parseTimeRange(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reads an open-ended range only when asked (a live load), and spells it back', () => {
    const day = parseTimeRange('2024-08-01:', { openEnd: true });
    expect(day).toEqual({ ok: true, value: { fromMs: utc(2024, 8, 1), untilMs: Number.POSITIVE_INFINITY, startDay: '2024-08-01', form: 'days' } });
    const instant = parseTimeRange(' 2024-08-01T08:00+02:00/ ', { openEnd: true });
    expect(instant).toEqual({ ok: true, value: { fromMs: utc(2024, 8, 1, 6), untilMs: Number.POSITIVE_INFINITY, startDay: '2024-08-01', form: 'instants' } });
    if (day.ok && instant.ok) {
      expect(isOpenEnded(day.value)).toBe(true);
      expect(formatTimeRange(day.value)).toBe('2024-08-01:');
      expect(formatTimeRange(instant.value)).toBe('2024-08-01T06:00:00.000Z/');
    }
    expect(parseTimeRange('2024-08-01:')).toEqual({ ok: false, reason: expect.stringMatching(/^an open-ended range is for a live load only; expected YYYY-MM-DD:YYYY-MM-DD/) });
    expect(parseTimeRange('2024-02-30:', { openEnd: true })).toEqual({ ok: false, reason: expect.stringMatching(/^2024-02-30 is not a calendar date; expected .*open-ended <start>: for a live load/) });
    expect(parseTimeRange('soon:', { openEnd: true })).toEqual({ ok: false, reason: expect.stringMatching(/^expected .*open-ended <start>: for a live load \(e.g. 2024-08-01:\)$/) });
  });

  it('is usable as a zod field', () => {
    expect(timeRangeSchema.safeParse('2024-08-01:').success).toBe(true);
    expect(timeRangeSchema.safeParse('2024-08-01:2024-08-03').success).toBe(true);
    expect(timeRangeSchema.safeParse('2024-08-03:2024-08-01').success).toBe(false);
  });

  it('refuses a zone offset that names none', () => {
    expect(parseTimeRange('2024-08-01T00:00+99:00/2024-08-01T01:00Z')).toEqual({ ok: false, reason: expect.stringMatching(/^2024-08-01T00:00\+99:00 has no valid zone offset/) });
  });
});

// The API's time_range allows open-ended ranges (a live load), so both sides read with openEnd.
describe('TIME_RANGE_PATTERN (what the OpenAPI document states) and parseTimeRange agree', () => {
  it('a string of the pattern is read, or refused only as an impossible date or an inverted range', () => {
    let open = 0;
    fc.assert(
      fc.property(fc.stringMatching(TIME_RANGE_PATTERN), (text) => {
        const parsed = parseTimeRange(text, { openEnd: true });
        if (parsed.ok && isOpenEnded(parsed.value)) open += 1;
        if (!parsed.ok) expect(parsed.reason).toMatch(/is not a calendar date|^inverted/);
      }),
      { seed: 16, numRuns: 3_000 },
    );
    expect(open).toBeGreaterThan(100);
  });

  it('every range the parser reads matches the pattern', () => {
    // Near-valid spellings (hours to 24, minutes to 60, days to 31 in any month, zones to ±25), the end possibly
    // missing: a parser that learns a new form (e.g. open-ended) fails here until the pattern states it too.
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const day = fc.tuple(fc.integer({ min: 1990, max: 2030 }), fc.integer({ min: 1, max: 12 }).map((n) => String(n).padStart(2, '0')), fc.integer({ min: 1, max: 31 }).map((n) => String(n).padStart(2, '0'))).map((parts) => parts.join('-'));
    const zone = fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(25), fc.constantFrom(':', ''), two(60)).map((parts) => parts.join('')));
    const time = fc.tuple(two(24), two(60), fc.option(two(60), { nil: undefined }), fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), zone)
      .map(([hour, minute, second, fraction, offset]) => `T${hour}:${minute}${second === undefined ? '' : `:${second}${fraction === undefined ? '' : `.${fraction}`}`}${offset}`);
    const bound = fc.tuple(day, fc.option(time, { nil: undefined })).map(([date, at]) => date + (at ?? ''));
    const range = fc.tuple(fc.constantFrom('', ' '), bound, fc.constantFrom(':', '/'), fc.option(bound, { nil: undefined }), fc.constantFrom('', ' ')).map((parts) => parts.join(''));
    let read = 0;
    fc.assert(
      fc.property(range, (text) => {
        if (!parseTimeRange(text, { openEnd: true }).ok) return;
        read += 1;
        expect(text).toMatch(TIME_RANGE_PATTERN);
      }),
      { seed: 16, numRuns: 3_000 },
    );
    expect(read).toBeGreaterThan(300);
  });
});
