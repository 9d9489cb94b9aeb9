// Writes the golden scenario's candles as CSV for generate.py: one generator (TypeScript, shared
// with the tests) so the reference and the tests can never see different candles.
import { writeFileSync } from 'node:fs';
import { candlesToCsv, scenarioYearCandles } from '@streamforge/indicators/testing';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: tsx tools/indicator-fixtures/src/write-candles.ts <out.csv>\n');
  process.exit(2);
}
writeFileSync(target, candlesToCsv(scenarioYearCandles()));
