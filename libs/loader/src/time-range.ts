/** TIME_RANGE parsing: UTC days with the end day included, or ISO-8601 instants with the end excluded. */

/** Half-open range of open times [from, to) in ms. */
export interface TimeRange {
  from: number;
  to: number;
}

export const TIME_RANGE_FORM =
  'YYYY-MM-DD:YYYY-MM-DD (UTC days, end day included, e.g. 2024-08-01:2024-08-01) or two ISO-8601 instants with Z or an offset, e.g. 2024-08-01T00:00Z:2024-08-01T12:00Z (end excluded)';

const DATE = '(\\d{4})-(\\d{2})-(\\d{2})';
const SIDE = `(${DATE}(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,3}))?)?(Z|[+-]\\d{2}:\\d{2}))?)`;
const RANGE = new RegExp(`^${SIDE}[:/]${SIDE}$`);
const DAY_MS = 86_400_000;

/** Thrown with a message that names what is wrong and shows the expected form. */
export class TimeRangeError extends Error {
  override name = 'TimeRangeError';
}

interface Side {
  text: string;
  time: number;
  isDate: boolean;
}

function side(groups: ReadonlyArray<string | undefined>): Side {
  const [text, y, mo, d, h, mi, s, ms, zone] = groups as [string, string, string, string, string?, string?, string?, string?, string?];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const midnight = Date.UTC(year, month - 1, day);
  const date = new Date(midnight);
  // Date.UTC rolls 2024-02-30 over to March 1; a typo must not silently move the range.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new TimeRangeError(`${text} is not a calendar date; expected ${TIME_RANGE_FORM}`);
  }
  if (h === undefined || zone === undefined) return { text, time: midnight, isDate: true };
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  if (hour > 23 || minute > 59 || second > 59) throw new TimeRangeError(`${text} is not a valid time of day; expected ${TIME_RANGE_FORM}`);
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const millis = Number((ms ?? '0').padEnd(3, '0'));
  return { text, time: midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis, isDate: false };
}

/**
 * Parses `YYYY-MM-DD:YYYY-MM-DD` (UTC; the end day is loaded whole) or instants
 * `2024-08-01T00:00Z:2024-08-01T12:00Z` (end excluded; `/` works as separator too).
 */
export function parseTimeRange(text: string): TimeRange {
  const match = RANGE.exec(text.trim());
  if (!match) throw new TimeRangeError(`expected ${TIME_RANGE_FORM}`);
  const start = side(match.slice(1, 10));
  const end = side(match.slice(10, 19));
  const range = { from: start.time, to: end.isDate ? end.time + DAY_MS : end.time };
  if (range.to <= range.from) {
    throw new TimeRangeError(`the range ends (${end.text}) before it starts (${start.text}); expected ${TIME_RANGE_FORM}`);
  }
  return range;
}
