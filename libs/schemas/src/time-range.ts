import { z } from 'zod';

/** A parsed TIME_RANGE: inclusive bounds in ms, and the UTC start day used for naming. */
export interface TimeRange {
  fromMs: number;
  /** Inclusive: the last millisecond the range covers. */
  toMs: number;
  /** `YYYY-MM-DD` (UTC) of fromMs. */
  startDay: string;
}

export const TIME_RANGE_FORMS =
  'YYYY-MM-DD:YYYY-MM-DD (UTC days, end day included, e.g. 2024-08-01:2024-08-01) or two ISO-8601 instants with a zone separated by / or : (e.g. 2024-08-01T00:00:00Z/2024-08-01T12:00:00Z)';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY_MS = 86_400_000;

type Bound = { kind: 'day' | 'instant'; ms: number };

function parseBound(text: string): Bound | undefined {
  if (DAY.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    // Date.parse rolls 2024-02-30 over to March: a day is valid only if it prints back the same.
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
    return { kind: 'day', ms };
  }
  if (INSTANT.test(text)) {
    const ms = Date.parse(text);
    const day = text.slice(0, 10);
    if (Number.isNaN(ms) || parseBound(day) === undefined) return undefined;
    return { kind: 'instant', ms };
  }
  return undefined;
}

/** Parses a TIME_RANGE the way the loader reads it; returns the reason when it cannot. */
export function parseTimeRange(text: string): { ok: true; value: TimeRange } | { ok: false; reason: string } {
  const trimmed = text.trim();
  // Instants contain ':' themselves, so try every separator position and keep the split whose
  // two halves both parse.
  for (let i = 1; i < trimmed.length - 1; i += 1) {
    if (trimmed[i] !== ':' && trimmed[i] !== '/') continue;
    const from = parseBound(trimmed.slice(0, i));
    const to = parseBound(trimmed.slice(i + 1));
    if (!from || !to) continue;
    if (from.kind !== to.kind) return { ok: false, reason: `mixes a day and an instant; expected ${TIME_RANGE_FORMS}` };
    const toMs = to.kind === 'day' ? to.ms + DAY_MS - 1 : to.ms;
    if (from.kind === 'day' ? from.ms > to.ms : from.ms >= to.ms) {
      return { ok: false, reason: `inverted: the start ${trimmed.slice(0, i)} is ${from.kind === 'day' ? 'after' : 'not before'} the end ${trimmed.slice(i + 1)}` };
    }
    return { ok: true, value: { fromMs: from.ms, toMs, startDay: new Date(from.ms).toISOString().slice(0, 10) } };
  }
  return { ok: false, reason: `expected ${TIME_RANGE_FORMS}` };
}

/** A TIME_RANGE string, checked with parseTimeRange (the string itself is kept as given). */
export const timeRangeSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseTimeRange(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .describe(`time range: ${TIME_RANGE_FORMS}`);
