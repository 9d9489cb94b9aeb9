// `npm run bench:indicator-pass -- [--candles N]`: the sink's end-of-load indicator pass over N
// stored 1m candles (default 525,600, a year) in a fresh SQLite file: wall and CPU time per candle,
// first pass (writes every document) and second pass (a restarted sink: reads, writes nothing).
// Then it checks the documents updated by each pass and reads the last stored candle back (a value for
// every indicator field); a MISMATCH exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createIndicatorSet } from '@streamforge/indicators';
import { DEFAULT_INDICATORS, indicatorListSchema } from '@streamforge/schemas';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { computeStoredIndicators } from '../indicator-pass';
import { minuteCandles } from '../testing';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { candles: { type: 'string', default: '525600' } } });
  const total = Number(values.candles);
  if (!Number.isInteger(total) || total < 1) throw new Error(`--candles must be a whole number ≥ 1, got "${values.candles}"`);
  const dir = mkdtempSync(join(tmpdir(), 'indicator-pass-bench-'));
  const store = createSqliteDocumentStore({ path: join(dir, 'bench.db') });
  try {
    await store.ensureCollection('candles');
    for (let from = 0; from < total; from += 50_000) {
      await store.upsertBatch('candles', minuteCandles({ startMs: Date.UTC(2024, 0, 1) + from * 60_000, count: Math.min(50_000, total - from) }));
    }
    const indicators = createIndicatorSet(indicatorListSchema.parse(DEFAULT_INDICATORS));
    out(`indicator pass over ${total.toLocaleString('en-US')} stored candles (SQLite, ${DEFAULT_INDICATORS}); load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
    const checks: Array<{ what: string; expected: number; actual: number }> = [];
    for (const [label, expectedUpdates] of [['first pass (writes every document)', total], ['second pass (nothing to write)', 0]] as const) {
      const cpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      const result = await computeStoredIndicators('candles', { store, indicators });
      const wallMs = performance.now() - startedAt;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      out(`  ${label}: ${result.updated.toLocaleString('en-US')} updated; wall ${(wallMs / 1000).toFixed(2)} s, CPU ${(cpuMs / 1000).toFixed(2)} s = ${((cpuMs * 1000) / total).toFixed(2)} µs CPU per candle`);
      checks.push({ what: `documents the ${label} updated`, expected: expectedUpdates, actual: result.updated });
    }
    const [last] = await store.findRange('candles', { field: 'open_time', from: Date.UTC(2024, 0, 1) + (total - 1) * 60_000, limit: 1 });
    checks.push({ what: 'indicator fields with a value in the last stored candle', expected: indicators.fields.length, actual: indicators.fields.filter((field) => typeof last?.[field] === 'number').length });
    for (const c of checks) out(`  check ${c.actual === c.expected ? 'ok      ' : 'MISMATCH'} ${c.what}: expected ${c.expected}, got ${c.actual}`);
    if (checks.some((c) => c.actual !== c.expected)) {
      out('bench:indicator-pass: a check failed (MISMATCH above): these figures are not valid');
      process.exitCode = 1;
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
