import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** libs/indicators/src/fixtures/golden-year.json.gz, written by tools/indicator-fixtures/generate.py. */
export interface GoldenFixture {
  candles: number;
  /** See candlesFingerprint. */
  candles_sha256: string;
  reference: Record<string, string>;
  specs: string[];
  /** Indices (in open_time order) where `values` give the reference. */
  rows: number[];
  values: Record<string, Array<number | null>>;
  /** Every [start, end) index range where the reference is null, over the whole series. */
  nulls: Record<string, Array<[number, number]>>;
}

export function readGoldenFixture(): GoldenFixture {
  return JSON.parse(gunzipSync(readFileSync(join(__dirname, '..', 'fixtures', 'golden-year.json.gz'))).toString('utf8')) as GoldenFixture;
}

/** |actual - expected| relative to the larger magnitude; 0 when both are exactly equal (including 0). */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.max(Math.abs(actual), Math.abs(expected));
}
