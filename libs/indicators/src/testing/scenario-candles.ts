import { createHash } from 'node:crypto';
import type { IndicatorCandle } from '../indicator';

// Module-level copies of the Math functions used per minute: under Jest (a vm context) every
// global lookup goes through the context's interceptor, which made generation several times slower.
const { imul, max, min, round } = Math;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
/** 2024-01-01T00:00Z: a leap year, so the scenario spans 366 UTC days. */
export const SCENARIO_START_MS = Date.UTC(2024, 0, 1);
export const SCENARIO_DAYS = 366;

/** What happens on which day (0 = 2024-01-01) of the scenario year; the fixtures' README lists it too. */
export const SCENARIO_EVENTS = {
  flatOpeningMinutes: 150, // the series starts flat (h = l = c): RSI and ATR seed on zeros
  flatDay: 40, // a whole UTC day with h = l = c and volume
  flatStretch: { day: 100, fromMinute: 600, minutes: 360 },
  gaps: [
    { day: 60, fromMinute: 600, minutes: 210 }, // 3.5 h hole inside a day
    { day: 250, fromMinute: 1200, minutes: 1920 }, // 20:00 to 04:00 two days later: a whole day missing
    { day: 300, fromMinute: 1439, minutes: 2 }, // the candles either side of midnight
  ],
  zeroVolumeDay: 150, // prices move, no volume: VWAP_D is null all day
  zeroVolumeMorning: { day: 151, minutes: 180 }, // VWAP_D null until 03:00
  crash: { day: 200, minute: 720, factor: 0.65 }, // -35 % in one candle
  pump: { day: 201, minute: 60, factor: 1.5 }, // +50 % in one candle
  volatileWeek: { fromDay: 270, days: 7 },
} as const;

/** mulberry32: a small deterministic PRNG with 32-bit integer arithmetic. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = imul(a ^ (a >>> 15), a | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function inGap(day: number, minute: number): boolean {
  const at = day * DAY_MINUTES + minute;
  return SCENARIO_EVENTS.gaps.some((gap) => at >= gap.day * DAY_MINUTES + gap.fromMinute && at < gap.day * DAY_MINUTES + gap.fromMinute + gap.minutes);
}

function isFlat(day: number, minute: number): boolean {
  const { flatStretch } = SCENARIO_EVENTS;
  return (
    (day === 0 && minute < SCENARIO_EVENTS.flatOpeningMinutes) ||
    day === SCENARIO_EVENTS.flatDay ||
    (day === flatStretch.day && minute >= flatStretch.fromMinute && minute < flatStretch.fromMinute + flatStretch.minutes)
  );
}

function hasNoVolume(day: number, minute: number): boolean {
  const { zeroVolumeDay, zeroVolumeMorning } = SCENARIO_EVENTS;
  return day === zeroVolumeDay || (day === zeroVolumeMorning.day && minute < zeroVolumeMorning.minutes);
}

/** Extra factor applied to the close of the event candles (crash, pump), else 1. */
function jumpFactor(day: number, minute: number): number {
  const { crash, pump } = SCENARIO_EVENTS;
  if (day === crash.day && minute === crash.minute) return crash.factor;
  if (day === pump.day && minute === pump.minute) return pump.factor;
  return 1;
}

/**
 * A year of 1m candles for the golden indicator tests, deterministic (integer ticks of 0.01 and
 * volume units of 0.001, so every platform builds the same doubles): a random walk with flat
 * stretches, gaps, a zero-volume day and large moves (see SCENARIO_EVENTS).
 */
export function scenarioYearCandles(seed = 14): IndicatorCandle[] {
  const random = mulberry32(seed);
  const candles: IndicatorCandle[] = [];
  let priceTicks = 4_200_000;
  for (let day = 0; day < SCENARIO_DAYS; day++) {
    const { volatileWeek } = SCENARIO_EVENTS;
    const volatility = day >= volatileWeek.fromDay && day < volatileWeek.fromDay + volatileWeek.days ? 0.004 : 0.0007;
    for (let minute = 0; minute < DAY_MINUTES; minute++) {
      // Draw the same numbers whether or not the minute is kept, so one event does not reshuffle the rest.
      const step = random() + random() + random() - 1.5;
      const wickUp = random();
      const wickDown = random();
      const volumeDraw = random();
      if (inGap(day, minute)) continue;
      const open = priceTicks;
      const flat = isFlat(day, minute);
      if (!flat) priceTicks = max(100, round((priceTicks + step * volatility * priceTicks) * jumpFactor(day, minute)));
      const close = priceTicks;
      const wick = flat ? 0 : volatility * open * 0.5;
      const high = max(open, close) + round(wickUp * wick);
      const low = max(1, min(open, close) - round(wickDown * wick));
      const volumeUnits = hasNoVolume(day, minute) ? 0 : round(volumeDraw * volumeDraw * 40_000) + (volumeDraw > 0.995 ? 2_000_000 : 0);
      candles.push({
        open_time: SCENARIO_START_MS + (day * DAY_MINUTES + minute) * MINUTE_MS,
        high: high / 100,
        low: low / 100,
        close: close / 100,
        volume: volumeUnits / 1000,
      });
    }
  }
  return candles;
}

/**
 * sha256 of (open_time, high, low, close, volume) per candle as little-endian float64, row by row:
 * what generate.py records, so the golden test knows it replays exactly the reference's candles.
 */
export function candlesFingerprint(candles: readonly IndicatorCandle[]): string {
  const numbers = new Float64Array(candles.length * 5);
  candles.forEach((c, i) => numbers.set([c.open_time, c.high, c.low, c.close, c.volume], i * 5));
  const bytes = new DataView(numbers.buffer);
  // Float64Array uses the platform's byte order; rewrite as little-endian so the hash is portable.
  for (let i = 0; i < numbers.length; i++) bytes.setFloat64(i * 8, numbers[i] as number, true);
  return createHash('sha256').update(new Uint8Array(numbers.buffer)).digest('hex');
}

/** The CSV the fixture script reads (`open_time,high,low,close,volume`, shortest round-trip numbers). */
export function candlesToCsv(candles: readonly IndicatorCandle[]): string {
  const lines = ['open_time,high,low,close,volume'];
  for (const c of candles) lines.push(`${c.open_time},${c.high},${c.low},${c.close},${c.volume}`);
  return `${lines.join('\n')}\n`;
}
