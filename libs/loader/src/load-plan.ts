/** Which klines a run must fetch: the open-time grid of the range, cut into pages of 1000. */
import { type KlineInterval, alignOpenTime, intervalMs, nextOpenTime } from '@streamforge/binance';
import type { TimeRange } from './time-range';

/** One klines request: open times startTime..endTime inclusive, at most `size` candles. */
export interface FetchWindow {
  index: number;
  startTime: number;
  endTime: number;
  size: number;
}

export interface LoadPlan {
  interval: KlineInterval;
  /** First open time to load. */
  firstOpen: number;
  /** Open times below this are loaded (exclusive bound). */
  endOpen: number;
  /** Candles the plan covers if the exchange has no gaps. */
  expected: number;
  windows: WindowSequence;
}

/**
 * The plan's requests in order, computed when asked for: a plan's memory does not grow with its
 * range (a century of 1s candles is 3 million windows, never materialised).
 */
export interface WindowSequence extends Iterable<FetchWindow> {
  readonly length: number;
  at(index: number): FetchWindow;
}

export interface PlanOptions {
  /** Exchange "now" (ms): candles not closed by then are left out (they would still change). */
  now: number;
  /** Margin after a candle's close before it counts as final, for clock skew. */
  closeGraceMs: number;
  /** Open time of the newest candle already in the topic: the plan starts after it. */
  resumeAfter?: number;
  pageSize?: number;
}

function firstOpenAtOrAfter(interval: KlineInterval, time: number): number {
  const aligned = alignOpenTime(interval, time);
  return aligned < time ? nextOpenTime(interval, aligned) : aligned;
}

/** Candles on the grid in [from, to): arithmetic for fixed intervals, calendar steps for 1M. */
export function countOpenTimes(interval: KlineInterval, from: number, to: number): number {
  if (to <= from) return 0;
  if (interval !== '1M') return Math.ceil((to - from) / intervalMs(interval));
  let count = 0;
  for (let t = from; t < to; t = nextOpenTime(interval, t)) count++;
  return count;
}

/** Plans the requests for `range`, after `resumeAfter` and before the first still-open candle. */
export function planLoad(interval: KlineInterval, range: TimeRange, options: PlanOptions): LoadPlan {
  const pageSize = options.pageSize ?? 1000;
  let firstOpen = firstOpenAtOrAfter(interval, range.from);
  if (options.resumeAfter !== undefined && options.resumeAfter >= firstOpen) firstOpen = nextOpenTime(interval, options.resumeAfter);
  // The candle opening at alignOpenTime(now - grace) has not closed yet; everything before it has.
  const endOpen = Math.max(firstOpen, Math.min(range.to, alignOpenTime(interval, options.now - options.closeGraceMs)));
  return { interval, firstOpen, endOpen, expected: countOpenTimes(interval, firstOpen, endOpen), windows: interval === '1M' ? monthWindows(firstOpen, endOpen, pageSize) : fixedWindows(intervalMs(interval), firstOpen, endOpen, pageSize) };
}

/** Windows of a fixed-length interval: window i is arithmetic, nothing is stored. */
function fixedWindows(length: number, firstOpen: number, endOpen: number, pageSize: number): WindowSequence {
  const count = endOpen > firstOpen ? Math.ceil((endOpen - firstOpen) / (pageSize * length)) : 0;
  const at = (index: number): FetchWindow => {
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`window ${index} of ${count}`);
    const start = firstOpen + index * pageSize * length;
    const size = Math.min(pageSize, Math.ceil((endOpen - start) / length));
    return { index, startTime: start, endTime: start + (size - 1) * length, size };
  };
  return sequence(count, at);
}

/** Calendar months: few enough (12 a year) to list. */
function monthWindows(firstOpen: number, endOpen: number, pageSize: number): WindowSequence {
  const interval: KlineInterval = '1M';
  const windows: FetchWindow[] = [];
  {
    let start = firstOpen;
    while (start < endOpen) {
      let last = start;
      let size = 1;
      while (size < pageSize && nextOpenTime(interval, last) < endOpen) {
        last = nextOpenTime(interval, last);
        size++;
      }
      windows.push({ index: windows.length, startTime: start, endTime: last, size });
      start = nextOpenTime(interval, last);
    }
  }
  return sequence(windows.length, (index) => {
    const window = windows[index];
    if (!window) throw new RangeError(`window ${index} of ${windows.length}`);
    return window;
  });
}

function sequence(length: number, at: (index: number) => FetchWindow): WindowSequence {
  return {
    length,
    at,
    *[Symbol.iterator]() {
      for (let index = 0; index < length; index++) yield at(index);
    },
  };
}
