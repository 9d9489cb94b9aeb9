/**
 * Deterministic synthetic klines. Every value is a pure function of (seed, symbol, interval, open
 * time, and — for the still-open kline only — now), so any page costs O(rows) and two simulators
 * with the same seed serve byte-identical history.
 */
import {
  type KlineInterval,
  alignOpenTime,
  nextOpenTime,
  previousOpenTime,
} from '../kline-intervals';
import { AsciiWriter } from './ascii-writer';

/** Half-open open-time range [from, to). */
export interface TimeRange {
  from: number;
  to: number;
}

export interface KlineSelection {
  interval: KlineInterval;
  startTime?: number;
  endTime?: number;
  limit: number;
  now: number;
  gaps: readonly TimeRange[];
  /** No kline opens before this (the symbol's listing). */
  listedAt?: number;
}

export type RowCorruption = 'short-row' | 'bad-number';

const TWO_POW_32 = 4_294_967_296;
const QUOTE = 0x22;
const COMMA = 0x2c;

// Fractal value noise on log-price: each octave is a smooth curve through hashed points spaced
// `scaleMs` apart. Summing octaves looks like a random walk at every zoom level, yet the price at
// any instant is computable directly from the instant.
const OCTAVES: ReadonlyArray<readonly [scaleMs: number, amplitude: number]> = [
  [5_000, 0.0002],
  [60_000, 0.0006],
  [900_000, 0.0015],
  [14_400_000, 0.005],
  [86_400_000, 0.012],
  [604_800_000, 0.03],
  [2_592_000_000, 0.08],
  [15_552_000_000, 0.2],
  [63_072_000_000, 0.4],
];

const KNOWN_BASE_PRICES: Readonly<Record<string, number>> = {
  BTCUSDT: 30_000,
  ETHUSDT: 2_000,
  BNBUSDT: 300,
  SOLUSDT: 100,
};

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];
// Generous upper bound for one serialised row; the writer grows if a row ever needs more.
const MAX_ROW_BYTES = 320;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform [0, 1) from a stream key and a (possibly > 2^32 or negative) integer position. */
function hashUnit(key: number, position: number): number {
  const hi = Math.floor(position / TWO_POW_32);
  let h = fmix32(key ^ Math.imul(hi, 0x9e3779b1));
  h = fmix32(h ^ (position >>> 0));
  return h / TWO_POW_32;
}

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Writes a non-negative real as a quoted 8-decimal string, exact digits only (doubles run out). */
function writeQuotedReal(out: AsciiWriter, value: number): void {
  const decimals = value < 9e7 ? 8 : value < 9e9 ? 6 : value < 9e11 ? 4 : value < 9e13 ? 2 : 0;
  out.byte(QUOTE);
  out.fixed8(Math.round(value * (POW10[decimals] as number)), decimals);
  out.byte(QUOTE);
}

function writeQuotedUnits(out: AsciiWriter, units: number, decimals: number): void {
  out.byte(QUOTE);
  out.fixed8(units, decimals);
  out.byte(QUOTE);
}

/** Price path, volumes and tick sizes for one symbol. */
class SymbolModel {
  private readonly octaveKeys: number[];
  private readonly cachedCell: Float64Array = new Float64Array(OCTAVES.length).fill(Number.NaN);
  private readonly cachedA: Float64Array = new Float64Array(OCTAVES.length);
  private readonly cachedB: Float64Array = new Float64Array(OCTAVES.length);
  private readonly basePrice: number;
  /** Price decimals (tick = 10^-priceDecimals). */
  readonly priceDecimals: number;
  private readonly priceScale: number;
  /** Quantity decimals (lot = 10^-qtyDecimals). */
  private readonly qtyDecimals: number;
  private readonly qtyScale: number;
  private readonly baseVolumePerMinute: number;
  readonly key: number;

  constructor(seed: number, symbol: string) {
    this.key = fmix32(hashString(symbol) ^ fmix32(seed >>> 0));
    this.octaveKeys = OCTAVES.map((_, i) => fmix32(this.key + 0x632be5ab * (i + 1)));
    this.basePrice = KNOWN_BASE_PRICES[symbol] ?? 0.05 + 500 * hashUnit(this.key, 1);
    this.priceDecimals = this.basePrice >= 10 ? 2 : this.basePrice >= 0.1 ? 4 : 6;
    this.priceScale = POW10[this.priceDecimals] as number;
    this.qtyDecimals = this.basePrice >= 1_000 ? 5 : this.basePrice >= 10 ? 3 : 1;
    this.qtyScale = POW10[this.qtyDecimals] as number;
    // Roughly constant quote turnover (~600k USDT per minute) whatever the price level.
    this.baseVolumePerMinute = 600_000 / this.basePrice;
  }

  /** Price at instant `t`, in tick units. */
  priceTicks(t: number): number {
    let logOffset = 0;
    for (let i = 0; i < OCTAVES.length; i++) {
      const [scale, amplitude] = OCTAVES[i] as readonly [number, number];
      const x = t / scale;
      const cell = Math.floor(x);
      // Neighbouring klines share the coarse cells, so their corner hashes are reused.
      if (cell !== this.cachedCell[i]) {
        const key = this.octaveKeys[i] as number;
        this.cachedCell[i] = cell;
        this.cachedA[i] = hashUnit(key, cell);
        this.cachedB[i] = hashUnit(key, cell + 1);
      }
      const a = this.cachedA[i] as number;
      const b = this.cachedB[i] as number;
      let f = x - cell;
      f = f * f * (3 - 2 * f);
      logOffset += amplitude * (2 * (a + (b - a) * f) - 1);
    }
    return Math.max(1, Math.round(this.basePrice * Math.exp(logOffset) * this.priceScale));
  }

  /**
   * Appends one kline as Binance's JSON row. `openPrice` is passed in because it equals the
   * previous kline's close, which a page has usually computed already.
   */
  writeRow(
    out: AsciiWriter,
    intervalKey: number,
    openTime: number,
    next: number,
    now: number,
    openPrice: number,
    closePrice: number,
    corruption?: RowCorruption,
  ): void {
    const lengthMs = next - openTime;
    const minutes = lengthMs / 60_000;
    const stillOpen = next - 1 > now;
    const r1 = hashUnit(intervalKey, openTime);
    const r2 = hashUnit(intervalKey ^ 0x5bd1e995, openTime);
    const r3 = hashUnit(intervalKey ^ 0x1b873593, openTime);
    const r4 = hashUnit(intervalKey ^ 0xcc9e2d51, openTime);
    // Wicks grow like sqrt(time), as a random walk's range does.
    const wick = Math.min(0.2, 0.0004 * Math.sqrt(minutes));
    const top = Math.max(openPrice, closePrice);
    const bottom = Math.min(openPrice, closePrice);
    const high = top + Math.round(top * wick * r1);
    const low = Math.max(1, bottom - Math.round(bottom * wick * r2));
    // The still-open kline has only traded for part of its length so far.
    const elapsed = stillOpen ? Math.max(0, now - openTime + 1) / lengthMs : 1;
    const volumeUnits = Math.round(
      this.baseVolumePerMinute * minutes * (0.4 + 1.2 * r3) * elapsed * this.qtyScale,
    );
    const takerUnits = Math.round(volumeUnits * (0.35 + 0.3 * r4));
    const avgPrice = (openPrice + high + low + closePrice) / (4 * this.priceScale);
    const volume = volumeUnits / this.qtyScale;
    const trades =
      volumeUnits === 0 ? 0 : Math.max(1, Math.round(volume * avgPrice * (0.008 + 0.004 * r4)));
    const pd = this.priceDecimals;
    const qd = this.qtyDecimals;

    out.reserve(MAX_ROW_BYTES);
    out.byte(0x5b);
    out.int(openTime);
    out.byte(COMMA);
    if (corruption === 'bad-number') out.ascii('"abc"');
    else writeQuotedUnits(out, openPrice, pd);
    out.byte(COMMA);
    writeQuotedUnits(out, high, pd);
    out.byte(COMMA);
    writeQuotedUnits(out, low, pd);
    out.byte(COMMA);
    writeQuotedUnits(out, closePrice, pd);
    out.byte(COMMA);
    writeQuotedUnits(out, volumeUnits, qd);
    out.byte(COMMA);
    out.int(next - 1);
    out.byte(COMMA);
    writeQuotedReal(out, volume * avgPrice);
    out.byte(COMMA);
    out.int(trades);
    out.byte(COMMA);
    writeQuotedUnits(out, takerUnits, qd);
    out.byte(COMMA);
    writeQuotedReal(out, (takerUnits / this.qtyScale) * avgPrice);
    // An 11-field row is what a truncated or garbled upstream answer looks like to a parser.
    if (corruption !== 'short-row') out.ascii(',"0"');
    out.byte(0x5d);
  }
}

/** Builds klines for any symbol; caches the per-symbol model. */
export class CandleFactory {
  private readonly models = new Map<string, SymbolModel>();

  constructor(private readonly seed: number) {}

  private model(symbol: string): SymbolModel {
    let model = this.models.get(symbol);
    if (!model) {
      model = new SymbolModel(this.seed, symbol);
      this.models.set(symbol, model);
    }
    return model;
  }

  /**
   * JSON array bytes for the given open times (ascending). `corruptIndex` marks one row to break
   * (for the malformed fault).
   */
  pageBody(
    symbol: string,
    interval: KlineInterval,
    openTimes: readonly number[],
    now: number,
    corruptIndex = -1,
    corruption: RowCorruption = 'short-row',
  ): Buffer {
    const out = new AsciiWriter(openTimes.length * 200 + 2);
    out.reserve(2);
    out.byte(0x5b);
    if (openTimes.length > 0) {
      const model = this.model(symbol);
      const intervalKey = fmix32(model.key ^ hashString(interval));
      let prevNext = Number.NaN;
      let prevClose = 0;
      for (let i = 0; i < openTimes.length; i++) {
        const openTime = openTimes[i] as number;
        const next = nextOpenTime(interval, openTime);
        // Consecutive klines share a boundary: reuse the previous close as this open.
        const openPrice = openTime === prevNext ? prevClose : model.priceTicks(openTime);
        const closePrice = model.priceTicks(next - 1 > now ? now : next);
        out.reserve(MAX_ROW_BYTES + 1);
        if (i > 0) out.byte(COMMA);
        model.writeRow(
          out,
          intervalKey,
          openTime,
          next,
          now,
          openPrice,
          closePrice,
          i === corruptIndex ? corruption : undefined,
        );
        prevNext = next;
        prevClose = closePrice;
      }
    }
    out.reserve(1);
    out.byte(0x5d);
    return out.finish();
  }
}

function gapContaining(gaps: readonly TimeRange[], t: number): TimeRange | undefined {
  for (const gap of gaps) if (t >= gap.from && t < gap.to) return gap;
  return undefined;
}

/** First open time on the interval grid that is >= t. */
function firstOpenAtOrAfter(interval: KlineInterval, t: number): number {
  const aligned = alignOpenTime(interval, t);
  return aligned < t ? nextOpenTime(interval, aligned) : aligned;
}

/**
 * Open times Binance would return for a klines query, ascending: with `startTime` the oldest
 * `limit` klines opening at or after it (and at or before `endTime`); otherwise the newest `limit`
 * opening at or before `endTime` (default now). Klines opening after `now` do not exist yet.
 */
export function selectOpenTimes(q: KlineSelection): number[] {
  const { interval, limit, gaps } = q;
  const lastOpen = alignOpenTime(interval, q.now);
  const floor = q.listedAt ?? Number.NEGATIVE_INFINITY;
  const out: number[] = [];
  if (q.startTime !== undefined) {
    const ceiling = Math.min(q.endTime ?? Number.POSITIVE_INFINITY, lastOpen);
    let t = firstOpenAtOrAfter(interval, Math.max(q.startTime, floor));
    while (out.length < limit && t <= ceiling) {
      const gap = gapContaining(gaps, t);
      if (gap) {
        t = firstOpenAtOrAfter(interval, gap.to);
        continue;
      }
      out.push(t);
      t = nextOpenTime(interval, t);
    }
    return out;
  }
  let t = alignOpenTime(interval, Math.min(q.endTime ?? q.now, q.now));
  while (out.length < limit && t >= floor) {
    const gap = gapContaining(gaps, t);
    if (gap) {
      t = alignOpenTime(interval, gap.from - 1);
      continue;
    }
    out.push(t);
    t = previousOpenTime(interval, t);
  }
  return out.reverse();
}

/** Every open time in [from, to) that a complete download must contain, honouring gaps. */
export function expectedOpenTimes(
  interval: KlineInterval,
  from: number,
  to: number,
  gaps: readonly TimeRange[] = [],
): number[] {
  return selectOpenTimes({
    interval,
    startTime: from,
    endTime: to - 1,
    limit: Number.POSITIVE_INFINITY,
    now: to - 1,
    gaps,
  });
}
