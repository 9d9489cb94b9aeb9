/**
 * Binance spot kline intervals and their calendar arithmetic (all in UTC, milliseconds).
 *
 * Klines are identified by their open time; a kline's close time is the next open time − 1.
 */

export const KLINE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;

export type KlineInterval = (typeof KLINE_INTERVALS)[number];

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const FIXED_LENGTH_MS: Readonly<Record<Exclude<KlineInterval, '1M'>, number>> = {
  '1s': SECOND,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  // The docs do not say where 3d buckets start, so they sit on the epoch grid like the other
  // fixed-length intervals; unverified against live data, and this is the one place to change it.
  '3d': 3 * DAY,
  '1w': 7 * DAY,
};

// 1970-01-01 was a Thursday; Binance weeks open on Monday 00:00 UTC, so shift the grid by 4 days.
const WEEK_ANCHOR_MS = 4 * DAY;

const INTERVAL_SET: ReadonlySet<string> = new Set(KLINE_INTERVALS);

/** True when `value` is one of the 16 case-sensitive Binance interval strings. */
export function isKlineInterval(value: unknown): value is KlineInterval {
  return typeof value === 'string' && INTERVAL_SET.has(value);
}

/** Open time of the kline that contains `time` (floors `time` to the interval grid). */
export function alignOpenTime(interval: KlineInterval, time: number): number {
  if (interval === '1M') {
    const d = new Date(time);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const length = FIXED_LENGTH_MS[interval];
  const anchor = interval === '1w' ? WEEK_ANCHOR_MS : 0;
  return Math.floor((time - anchor) / length) * length + anchor;
}

/** Open time of the kline after the one that contains `openTime` (calendar-aware for 1M). */
export function nextOpenTime(interval: KlineInterval, openTime: number): number {
  if (interval === '1M') {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return alignOpenTime(interval, openTime) + FIXED_LENGTH_MS[interval];
}

/** Open time of the kline before the one that contains `openTime`. */
export function previousOpenTime(interval: KlineInterval, openTime: number): number {
  return alignOpenTime(interval, alignOpenTime(interval, openTime) - 1);
}

/**
 * Length in ms of the kline containing `openTime`; `1M` needs `openTime` (months differ) and
 * throws a RangeError without it rather than guess.
 */
export function intervalMs(interval: KlineInterval, openTime?: number): number {
  if (interval !== '1M') return FIXED_LENGTH_MS[interval];
  if (openTime === undefined) {
    throw new RangeError("intervalMs('1M') needs an openTime: calendar months differ in length");
  }
  return nextOpenTime('1M', openTime) - alignOpenTime('1M', openTime);
}

/** Close time Binance reports for the kline containing `openTime` (next open − 1 ms). */
export function closeTime(interval: KlineInterval, openTime: number): number {
  return nextOpenTime(interval, openTime) - 1;
}
