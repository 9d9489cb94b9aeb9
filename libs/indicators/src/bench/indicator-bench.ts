// `npm run bench:indicators -- [--indicators LIST] [--rounds N] [--candles N]`: CPU cost per candle
// of an indicator set over the golden scenario year (524,908 1m candles; --candles N: its first N),
// candles built beforehand. Reports CPU time (what this process needed; wall time on a shared machine
// depends on neighbours). Then it checks that every way of pushing gave the same values for the last
// candle, a value for each field; a MISMATCH exits 1.
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
  const { values } = parseArgs({
    options: { indicators: { type: 'string', default: DEFAULT_INDICATORS }, rounds: { type: 'string', default: '5' }, candles: { type: 'string' } },
  });
  const set = createIndicatorSet(indicatorListSchema.parse(values.indicators));
  const rounds = Number(values.rounds);
  const year = scenarioYearCandles();
  const count = values.candles === undefined ? year.length : Number(values.candles);
  if (!Number.isInteger(count) || count < 1 || count > year.length) throw new Error(`--candles must be a whole number from 1 to ${year.length}, got "${values.candles}"`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, got "${values.rounds}"`);
  const candles = year.slice(0, count);
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
  // The values each pass left for the last candle (the snapshot pass keeps a snapshot: not comparable).
  const lastValues: Array<[string, string]> = [];
  for (const [name, run] of passes) {
    let best = Infinity;
    kept = undefined;
    for (let round = 0; round < rounds; round++) best = Math.min(best, cpuNanoseconds(run));
    if (!kept) throw new Error(`${name}: nothing computed`);
    if (name !== passes[0]?.[0] && !('state' in kept)) lastValues.push([name, JSON.stringify(set.fields.map((field) => (kept as Record<string, unknown>)[field] ?? null))]);
    out(`  ${name}: ${(best / candles.length).toFixed(0)} ns CPU per candle (${(best / candles.length / set.fields.length).toFixed(0)} ns per indicator), ${Math.round(candles.length / (best / 1e9)).toLocaleString('en-US')} candles per CPU-second`);
  }
  const reference = lastValues[0]?.[1] ?? '';
  const checks = [
    { what: 'indicator fields with a value for the last candle', expected: set.fields.length, actual: (JSON.parse(reference || '[]') as unknown[]).filter((v) => typeof v === 'number' && Number.isFinite(v)).length },
    ...lastValues.slice(1).map(([name, json]) => ({ what: `last candle's values of "${name}" equal the first pass's`, expected: reference, actual: json })),
  ];
  for (const c of checks) out(`  check ${c.actual === c.expected ? 'ok      ' : 'MISMATCH'} ${c.what}: expected ${c.expected}, got ${c.actual}`);
  if (checks.some((c) => c.actual !== c.expected)) {
    out('bench:indicators: a check failed (MISMATCH above): these figures are not valid');
    process.exitCode = 1;
  }
}

main();
