// `npm run bench:storage -- [--docs N] [--batch N] [--synchronous NORMAL|FULL] [--path file]`:
// times SqliteDocumentStore.upsertBatch alone (documents built beforehand), then a re-upsert
// of the same keys (the duplicate-delivery path) and a findRange page. Then it checks what it
// reads back (the count after each pass, the page's size and first key); a MISMATCH exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSqliteDocumentStore } from '../sqlite-document-store';
import { candleDocuments } from './candle-documents';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { docs: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '2000' }, synchronous: { type: 'string', default: 'NORMAL' }, path: { type: 'string' } },
  });
  const total = Number(values.docs);
  const batchSize = Number(values.batch);
  const synchronous = values.synchronous === 'FULL' ? 'FULL' : 'NORMAL';
  const dir = values.path ? undefined : mkdtempSync(join(tmpdir(), 'sqlite-bench-'));
  const path = values.path ?? join(dir as string, 'bench.db');
  const store = createSqliteDocumentStore({ path, synchronous });
  await store.ensureCollection('candles');
  const documents = candleDocuments(total);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`sqlite upsertBatch: ${total} candle documents, batches of ${batchSize}, synchronous=${synchronous}, ${path}`);

  const checks: Array<{ what: string; expected: number | string; actual: number | string }> = [];
  for (const pass of ['insert', 're-upsert (same keys)']) {
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < total; i += batchSize) await store.upsertBatch('candles', documents.slice(i, i + batchSize));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // Wall time on a shared machine depends on the neighbours; CPU time is what this process needed.
    out(`  ${pass}: ${seconds.toFixed(2)} s wall, ${fmt(total / seconds)} docs/s; ${cpuSeconds.toFixed(2)} s CPU, ${fmt(total / cpuSeconds)} docs per CPU-second`);
    checks.push({ what: `documents stored after the ${pass}`, expected: total, actual: await store.count('candles') });
  }
  const middleIndex = Math.floor(total / 2);
  const middle = documents[middleIndex].open_time as number;
  const started = process.hrtime.bigint();
  const page = await store.findRange('candles', { field: 'open_time', from: middle, to: middle + 1440 * 60_000, limit: 1000, offset: 200 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  out(`  findRange 1000 of a day in the middle: ${ms.toFixed(1)} ms (${page.length} docs)`);
  // The page starts 200 documents after the middle one and holds what is left of that day, at most 1000.
  const expectedPage = Math.max(0, Math.min(1000, 1440 - 200, total - middleIndex - 200));
  checks.push({ what: 'documents in the findRange page', expected: expectedPage, actual: page.length });
  if (expectedPage > 0) checks.push({ what: "the page's first key", expected: documents[middleIndex + 200]._key as string, actual: String(page[0]?._key) });
  out(`  RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB (includes the ${total} documents built up front); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  for (const c of checks) out(`  check ${c.actual === c.expected ? 'ok      ' : 'MISMATCH'} ${c.what}: expected ${c.expected}, got ${c.actual}`);
  if (checks.some((c) => c.actual !== c.expected)) {
    out('bench:storage: a check failed (MISMATCH above): these figures are not valid');
    process.exitCode = 1;
  }
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
