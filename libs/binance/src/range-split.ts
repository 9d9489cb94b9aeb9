import { alignOpenTime, nextOpenTime, type KlineInterval } from './kline-intervals';

/** A half-open span of open times: `from` included, `to` excluded (ms). */
export interface OpenTimeSpan {
  from: number;
  to: number;
}

/** The open times of `interval` candles in `span`: the first open at or after `from`, up to `to` excluded. */
function openTimesIn(interval: KlineInterval, span: OpenTimeSpan): number[] {
  const aligned = alignOpenTime(interval, span.from);
  const times: number[] = [];
  for (let open = aligned < span.from ? nextOpenTime(interval, aligned) : aligned; open < span.to; open = nextOpenTime(interval, open)) times.push(open);
  return times;
}

/**
 * Cuts a range into `parts` contiguous sub-ranges of (nearly) equal candle counts, for loader splits.
 * The cuts fall on candle open times, so no candle is in two parts and none falls between them; the
 * first part starts at `span.from` and the last ends at `span.to`, so together they are the range.
 * Fewer parts come back when the range holds fewer candles than `parts` (no part is ever empty).
 */
export function splitRange(interval: KlineInterval, span: OpenTimeSpan, parts: number): OpenTimeSpan[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be a whole number ≥ 1, got ${parts}`);
  if (!(span.to > span.from) || !Number.isFinite(span.to)) throw new RangeError(`the span must be finite and non-empty, got ${span.from}..${span.to}`);
  if (parts === 1) return [{ ...span }];
  const opens = openTimesIn(interval, span);
  const count = Math.min(parts, opens.length);
  if (count <= 1) return [{ ...span }];
  const cuts = Array.from({ length: count - 1 }, (_, index) => opens[Math.floor(((index + 1) * opens.length) / count)]);
  const bounds = [span.from, ...cuts, span.to];
  return bounds.slice(0, -1).map((from, index) => ({ from, to: bounds[index + 1] }));
}
