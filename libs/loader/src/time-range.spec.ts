import { parseTimeRange } from './time-range';

const utc = (...parts: number[]) => Date.UTC(parts[0] as number, (parts[1] as number) - 1, ...(parts.slice(2) as []));

describe('parseTimeRange', () => {
  it('reads UTC days with the end day included', () => {
    expect(parseTimeRange('2024-08-01:2024-08-01')).toEqual({ from: utc(2024, 8, 1), to: utc(2024, 8, 2) });
    expect(parseTimeRange('2023-12-31:2024-01-01')).toEqual({ from: utc(2023, 12, 31), to: utc(2024, 1, 2) });
  });

  it('reads ISO-8601 instants with the end excluded, with : or / between them', () => {
    expect(parseTimeRange('2024-08-01T00:00Z:2024-08-01T12:30Z')).toEqual({ from: utc(2024, 8, 1), to: utc(2024, 8, 1, 12, 30) });
    expect(parseTimeRange('2024-08-01T02:00:00.5+02:00/2024-08-01T01:00:00-01:00')).toEqual({ from: utc(2024, 8, 1, 0, 0, 0, 500), to: utc(2024, 8, 1, 2) });
  });

  it('mixes a day start with an instant end', () => {
    expect(parseTimeRange('2024-08-01:2024-08-01T06:00Z')).toEqual({ from: utc(2024, 8, 1), to: utc(2024, 8, 1, 6) });
  });

  it.each([
    ['2024-08-01', /^expected YYYY-MM-DD:YYYY-MM-DD \(UTC days, end day included/],
    ['2024-8-1:2024-8-2', /^expected YYYY-MM-DD:YYYY-MM-DD/],
    ['yesterday:today', /^expected YYYY-MM-DD:YYYY-MM-DD/],
    ['2024-08-01T00:00:2024-08-02T00:00', /^expected YYYY-MM-DD:YYYY-MM-DD/],
    ['2024-02-30:2024-03-01', /^2024-02-30 is not a calendar date; expected YYYY-MM-DD:YYYY-MM-DD/],
    ['2024-08-01T24:00Z:2024-08-02T00:00Z', /is not a valid time of day/],
    ['2024-08-02:2024-08-01', /^the range ends \(2024-08-01\) before it starts \(2024-08-02\); expected YYYY-MM-DD/],
    ['2024-08-01T10:00Z:2024-08-01T10:00Z', /^the range ends .* before it starts/],
  ])('rejects %j with a message showing the expected form', (text, message) => {
    expect(() => parseTimeRange(text)).toThrow(message);
  });
});
