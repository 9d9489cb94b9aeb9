// `npm run bench:indicators -- [--indicators LIST] [--rounds N]`: CPU cost per candle of an
// indicator set over the golden scenario year (524,908 1m candles), candles built beforehand.
// Reports CPU time (what this process needed; wall time on a shared machine depends on neighbours).
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_INDICATORS, indicatorListSchema } from '@streamforge/schemas';
import type { IndicatorCandle } from '../indicator';
import { createIndicatorSet } from '../indicator-set';
import { scenarioYearCandles } from '../testing';

function cpuNanoseconds(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) * 1000;
}

function documentOf(candle: IndicatorCandle): object {
  return { _key: 'BTCUSDT_1m', open_time: candle.open_time, high: candle.high, low: candle.low, close: candle.close, volume: candle.volume };
}

function main(): void {
  const { values } = parseArgs({ options: { indicators: { type: 'string', default: DEFAULT_INDICATORS }, rounds: { type: 'string', default: '5' } } });
  const set = createIndicatorSet(indicatorListSchema.parse(values.indicators));
  const rounds = Number(values.rounds);
  const candles = scenarioYearCandles();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`indicators ${set.fields.join(',')} over ${candles.length} candles, best of ${rounds} rounds; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`);

  // A sink builds each document fresh from the parsed candle, as an object literal (as
  // candle-sink's fastIncomingCandle does); the indicators' marginal cost is the difference
  // between the first two lines. The last line shows why not to push onto a spread copy.
  let kept: object | undefined;
  const passes: Array<[string, () => void]> = [
    ['baseline: document literal, no indicators', () => {
      for (const candle of candles) kept = documentOf(candle);
    }],
    ['document literal + push onto it', () => {
      const stream = set.resume();
      for (const candle of candles) kept = stream.push(candle, documentOf(candle));
    }],
    ['the same + JSON snapshot every 2000 candles (one per sink batch)', () => {
      const stream = set.resume();
      for (let i = 0; i < candles.length; i++) {
        const candle = candles[i] as (typeof candles)[number];
        kept = stream.push(candle, documentOf(candle));
        if (i % 2000 === 1999) kept = { state: JSON.stringify(stream.snapshot()) };
      }
    }],
    ['push into a fresh values object (computation alone)', () => {
      const stream = set.resume();
      for (const candle of candles) kept = stream.push(candle);
    }],
    ['push onto a { ...candle } copy (V8 adds fields to spread copies slowly: avoid)', () => {
      const stream = set.resume();
      for (const candle of candles) kept = stream.push(candle, { ...candle });
    }],
  ];
  for (const [name, run] of passes) {
    let best = Infinity;
    for (let round = 0; round < rounds; round++) best = Math.min(best, cpuNanoseconds(run));
    if (!kept) throw new Error('nothing computed');
    out(`  ${name}: ${(best / candles.length).toFixed(0)} ns CPU per candle (${(best / candles.length / set.fields.length).toFixed(0)} ns per indicator), ${Math.round(candles.length / (best / 1e9)).toLocaleString('en-US')} candles per CPU-second`);
  }
}

main();
