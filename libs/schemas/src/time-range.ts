import { z } from 'zod';
import { withServerRules } from './documented-text';

/**
 * A parsed TIME_RANGE, half-open: open times from `fromMs` (included) to `untilMs` (excluded).
 * The API, the queue-manager and the loader all read TIME_RANGE with parseTimeRange.
 */
export interface TimeRange {
  fromMs: number;
  /** Number.POSITIVE_INFINITY for an open-ended (live) range `<start>:`. */
  untilMs: number;
  /** `YYYY-MM-DD` (UTC) of fromMs, for queue ids and collection names. */
  startDay: string;
  /** Whether it was given as UTC days (end day included) or instants (end excluded). */
  form: 'days' | 'instants';
}

/**
 * The one spelling of a range: `YYYY-MM-DD:YYYY-MM-DD` for whole days, else `<ISO instant>/<ISO instant>`;
 * open-ended: `YYYY-MM-DD:` or `<ISO instant>/`.
 */
export function formatTimeRange(range: Pick<TimeRange, 'fromMs' | 'untilMs' | 'form'>): string {
  if (range.untilMs === Number.POSITIVE_INFINITY) {
    return range.form === 'days' && range.fromMs % DAY_MS === 0 ? `${new Date(range.fromMs).toISOString().slice(0, 10)}:` : `${new Date(range.fromMs).toISOString()}/`;
  }
  if (range.form === 'days' && range.fromMs % DAY_MS === 0 && range.untilMs % DAY_MS === 0) {
    return `${new Date(range.fromMs).toISOString().slice(0, 10)}:${new Date(range.untilMs - DAY_MS).toISOString().slice(0, 10)}`;
  }
  return `${new Date(range.fromMs).toISOString()}/${new Date(range.untilMs).toISOString()}`;
}

/** Longer than any spelling of a range: a padded or huge string is refused before parsing. */
export const TIME_RANGE_MAX_LENGTH = 80;

export const TIME_RANGE_FORMS =
  'YYYY-MM-DD:YYYY-MM-DD (UTC days, end day included, e.g. 2024-08-01:2024-08-01) or two ISO-8601 instants with a zone, end excluded, separated by / or : (e.g. 2024-08-01T00:00Z/2024-08-01T12:00Z)';

// The shapes as the document states them (months 01-12, days 01-31, hours 00-23, zones within ±23:59); whether a day
// exists in its month and the order of the bounds are checked by parseTimeRange.
const DAY_SHAPE = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
const INSTANT_SHAPE = `${DAY_SHAPE}T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):?[0-5]\\d)`;
/** Every spelling parseTimeRange reads (open-ended included), as one pattern (surrounding whitespace allowed: the schema trims it). */
export const TIME_RANGE_PATTERN = new RegExp(`^\\s*(?:${DAY_SHAPE}[/:]${DAY_SHAPE}|${INSTANT_SHAPE}[/:]${INSTANT_SHAPE}|${DAY_SHAPE}[/:]|${INSTANT_SHAPE}[/:])\\s*$`);
/** What an API time_range may also be: open-ended, for a live load. */
export const OPEN_TIME_RANGE_FORMS = `${TIME_RANGE_FORMS}, or open-ended <start>: for a live load (e.g. 2024-08-01:)`;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY_MS = 86_400_000;

type Bound = { kind: 'day' | 'instant'; ms: number } | { kind: 'invalid'; reason: string } | undefined;

/** A day or an instant; `invalid` when it has the shape of one but names no real moment; undefined otherwise. */
function parseBound(text: string): Bound {
  const day = DAY.exec(text);
  if (day) {
    const ms = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    // Date.UTC rolls 2024-02-30 over to March: a day is valid only if it prints back the same.
    if (new Date(ms).toISOString().slice(0, 10) !== text) return { kind: 'invalid', reason: `${text} is not a calendar date` };
    return { kind: 'day', ms };
  }
  const instant = INSTANT.exec(text);
  if (instant) {
    const [, date, hour, minute, second] = instant;
    const dayBound = parseBound(date as string);
    if (dayBound?.kind === 'invalid') return { kind: 'invalid', reason: `${text}: ${dayBound.reason}` };
    if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return { kind: 'invalid', reason: `${text} is not a valid time of day` };
    const ms = Date.parse(text);
    // A zone like +99:00 has the shape but names no offset.
    if (Number.isNaN(ms)) return { kind: 'invalid', reason: `${text} has no valid zone offset` };
    return { kind: 'instant', ms };
  }
  return undefined;
}

/**
 * Parses a TIME_RANGE; returns the reason (which part, what was expected) when it cannot. With
 * `openEnd`, `<start>:` / `<start>/` is read too (untilMs = +Infinity): a live load has no end.
 */
export function parseTimeRange(text: string, options: { openEnd?: boolean } = {}): { ok: true; value: TimeRange } | { ok: false; reason: string } {
  const trimmed = text.trim();
  const forms = options.openEnd ? OPEN_TIME_RANGE_FORMS : TIME_RANGE_FORMS;
  if (trimmed.length > TIME_RANGE_MAX_LENGTH) return { ok: false, reason: `at most ${TIME_RANGE_MAX_LENGTH} characters (got ${trimmed.length}); expected ${forms}` };
  const last = trimmed.at(-1);
  if (last === ':' || last === '/') {
    const startText = trimmed.slice(0, -1);
    const from = parseBound(startText);
    if (!options.openEnd) return { ok: false, reason: `an open-ended range is for a live load only; expected ${TIME_RANGE_FORMS}` };
    if (from?.kind === 'invalid') return { ok: false, reason: `${from.reason}; expected ${forms}` };
    if (from) return { ok: true, value: { fromMs: from.ms, untilMs: Number.POSITIVE_INFINITY, startDay: new Date(from.ms).toISOString().slice(0, 10), form: from.kind === 'day' ? 'days' : 'instants' } };
    return { ok: false, reason: `expected ${forms}` };
  }
  // Instants contain ':' themselves, so try every separator position and keep the split whose
  // two halves both parse.
  for (let i = 1; i < trimmed.length - 1; i += 1) {
    if (trimmed[i] !== ':' && trimmed[i] !== '/') continue;
    const [startText, endText] = [trimmed.slice(0, i), trimmed.slice(i + 1)];
    const from = parseBound(startText);
    const to = parseBound(endText);
    if (!from || !to) continue;
    if (from.kind === 'invalid' || to.kind === 'invalid') {
      return { ok: false, reason: `${from.kind === 'invalid' ? from.reason : (to as { reason: string }).reason}; expected ${forms}` };
    }
    if (from.kind !== to.kind) return { ok: false, reason: `mixes a day and an instant; expected ${forms}` };
    const untilMs = to.kind === 'day' ? to.ms + DAY_MS : to.ms;
    if (untilMs <= from.ms) {
      return { ok: false, reason: `inverted: the start ${startText} is ${from.kind === 'day' ? 'after' : 'not before'} the end ${endText}` };
    }
    return { ok: true, value: { fromMs: from.ms, untilMs, startDay: new Date(from.ms).toISOString().slice(0, 10), form: from.kind === 'day' ? 'days' : 'instants' } };
  }
  return { ok: false, reason: `expected ${forms}` };
}

/** True for a range with no end: a live load. */
export function isOpenEnded(range: Pick<TimeRange, 'untilMs'>): boolean {
  return range.untilMs === Number.POSITIVE_INFINITY;
}

/**
 * A request's time_range, trimmed and checked with parseTimeRange, open-ended allowed (a live load;
 * queue-manager stores its normalized spelling). The document carries TIME_RANGE_PATTERN;
 * parseTimeRange's own reason comes first.
 */
export const timeRangeSchema = withServerRules(
  z
    .string()
    .max(TIME_RANGE_MAX_LENGTH, { message: `at most ${TIME_RANGE_MAX_LENGTH} characters; expected ${OPEN_TIME_RANGE_FORMS}`, abort: true })
    .superRefine((value, ctx) => {
      const parsed = parseTimeRange(value, { openEnd: true });
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason, continue: false });
    })
    .regex(TIME_RANGE_PATTERN, `expected ${OPEN_TIME_RANGE_FORMS}`)
    .trim(),
  'a real calendar date; the start before the end; at most MAX_RANGE_CANDLES candles per target; an end in the future is clamped to now, a start in the future refused; an open-ended range (a live load) needs a loader-ws-candles target, and loader-ws-candles needs one',
).describe(`time range: ${OPEN_TIME_RANGE_FORMS}`);
