import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSqliteDocumentStore } from '../sqlite-document-store';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..', '..', '..', '..');
const bench = (args: string[]) =>
  run(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, 'sqlite-upsert-bench.ts'), ...args], { cwd: repoRoot, timeout: 60_000 }).then(
    (ran) => ({ code: 0, stdout: ran.stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

describe('npm run bench:storage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storage-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks what it reads back: exit 0 with every check ok', async () => {
    const result = await bench(['--docs', '1500', '--path', join(dir, 'fresh.db')]);
    expect({ code: result.code, mismatches: result.stdout.match(/MISMATCH/g) ?? [] }).toEqual({ code: 0, mismatches: [] });
    expect(result.stdout).toMatch(/^ {2}check ok {7}documents stored after the insert: expected 1500, got 1500$/m);
  }, 90_000);

  it('exits 1 with a MISMATCH line when the count read back is not what it wrote (a file that already held a document)', async () => {
    const path = join(dir, 'used.db');
    const store = createSqliteDocumentStore({ path });
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', [{ _key: 'left-over', open_time: 0 }]);
    await store.close();
    const result = await bench(['--docs', '1500', '--path', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}check MISMATCH documents stored after the insert: expected 1500, got 1501$/m);
    expect(result.stdout).toMatch(/a check failed \(MISMATCH above\): these figures are not valid/);
  }, 90_000);
});
