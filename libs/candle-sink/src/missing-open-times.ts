import type { DocumentStore } from '@streamforge/storage';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** Documents read per page while looking for holes (only on the rare shortfall path). */
const PAGE = 5_000;

/** The open time of the candle after the one opening at `openTime`; undefined for an interval we cannot read. */
export function nextOpenTime(interval: string, openTime: number): number | undefined {
  const match = /^(\d+)([smhdwM])$/.exec(interval);
  if (!match) return undefined;
  const size = Number(match[1]);
  if (match[2] !== 'M') return openTime + size * UNIT_MS[match[2]];
  // Months differ in length: Binance opens monthly candles on the 1st at 00:00 UTC.
  const date = new Date(openTime);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + size, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds());
}

/**
 * The first open times (at most `limit`) missing between the collection's oldest and newest
 * candle, walking it in open_time order. A hole before the oldest or after the newest stored
 * candle cannot be seen from the store alone.
 */
export async function findMissingOpenTimes(store: DocumentStore, collection: string, limit: number): Promise<number[]> {
  const missing: number[] = [];
  let expected: number | undefined;
  let from: number | undefined;
  for (;;) {
    const page = await store.findRange<{ _key: string; open_time: number; interval?: unknown }>(collection, { field: 'open_time', from, limit: PAGE });
    for (const candle of page) {
      if (expected !== undefined && candle.open_time < expected) continue; // another series' candle at the same time
      while (expected !== undefined && expected < candle.open_time) {
        missing.push(expected);
        if (missing.length >= limit) return missing;
        expected = typeof candle.interval === 'string' ? nextOpenTime(candle.interval, expected) : undefined;
      }
      expected = typeof candle.interval === 'string' ? nextOpenTime(candle.interval, candle.open_time) : undefined;
    }
    if (page.length < PAGE) return missing;
    from = page[page.length - 1].open_time + 1;
  }
}
