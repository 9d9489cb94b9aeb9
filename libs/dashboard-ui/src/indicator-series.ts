import type { LineData, UTCTimestamp, WhitespaceData } from 'lightweight-charts';
import type { StoredCandle } from '@streamforge/schemas';

/** Indicator fields the sink stores (INDICATORS): `EMA_<n>`, `RSI_<n>`, `ATR_<n>`, `VWAP_D`. */
const INDICATOR_FIELD = /^(?:(EMA|RSI|ATR)_\d+|VWAP_D)$/;

/** Where an indicator is drawn: prices (EMA, VWAP) over the candles, RSI and ATR in their own panes. */
export function indicatorPane(field: string): 0 | 1 | 2 {
  if (field.startsWith('RSI_')) return 1;
  if (field.startsWith('ATR_')) return 2;
  return 0;
}

/** The indicator fields the candles carry (those of the newest candle: a finished load has them on every one), in a stable order. */
export function indicatorFieldsOf(candles: readonly StoredCandle[]): string[] {
  const newest = candles[candles.length - 1];
  if (!newest) return [];
  return Object.keys(newest)
    .filter((field) => INDICATOR_FIELD.test(field))
    .sort((a, b) => indicatorPane(a) - indicatorPane(b) || a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * One line per field, at the candles' times; a null (warm-up) or missing value is a whitespace
 * point (a break in the line). Times that do not move forward are skipped, as for the bars.
 */
export function toIndicatorSeries(candles: readonly StoredCandle[], fields: readonly string[]): Map<string, Array<LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>>> {
  const lines = new Map(fields.map((field) => [field, [] as Array<LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>>]));
  let last = -Infinity;
  for (const candle of candles) {
    if (candle.open_time <= last) continue;
    last = candle.open_time;
    const time = (candle.open_time / 1000) as UTCTimestamp;
    for (const field of fields) {
      const value = (candle as Record<string, unknown>)[field];
      lines.get(field)?.push(typeof value === 'number' ? { time, value } : { time });
    }
  }
  return lines;
}
