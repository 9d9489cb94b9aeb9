import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createSqliteDocumentStore } from './sqlite-document-store';
import { candleDocuments } from './bench/candle-documents';

describe('SqliteDocumentStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory, runs in WAL mode with synchronous=NORMAL, and keeps data across reopen', async () => {
    const path = join(dir, 'a', 'b', 'store.db');
    const store = createSqliteDocumentStore({ path });
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', candleDocuments(3));
    await store.close();
    await store.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const reopened = createSqliteDocumentStore({ path });
    expect(await reopened.collectionExists('candles')).toBe(true);
    expect(await reopened.count('candles')).toBe(3);
    await reopened.ping();
    await reopened.close();
  });

  it('serves findRange from the range index, without a full scan or a sort', async () => {
    const path = join(dir, 'store.db');
    const store = createSqliteDocumentStore({ path });
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', candleDocuments(100));
    await store.findRange('candles', { field: 'open_time', from: 0, limit: 1 });
    await store.close();

    const raw = new Database(path, { readonly: true });
    const plan = raw
      .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM "candles" WHERE json_extract(doc, '$.open_time') >= ? AND json_extract(doc, '$.open_time') <= ? ORDER BY json_extract(doc, '$.open_time'), _key LIMIT ? OFFSET ?`)
      .all(0, 1, 10, 0) as { detail: string }[];
    raw.close();
    const details = plan.map((row) => row.detail).join(' | ');
    expect(details).toMatch(/SEARCH candles USING INDEX candles__open_time/);
    expect(details).not.toMatch(/TEMP B-TREE|SCAN/);
  });

  it('opens a fresh file while another connection holds its lock (the switch to WAL waits, as writes do)', async () => {
    const path = join(dir, 'store.db');
    const holder = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require(workerData.module);
       const db = new Database(workerData.path);
       db.exec('CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
       parentPort.postMessage('locked');
       setTimeout(() => { db.exec('COMMIT'); db.close(); parentPort.postMessage('released'); }, 300);`,
      { eval: true, workerData: { path, module: require.resolve('better-sqlite3') } },
    );
    const released = new Promise<void>((resolve) => holder.on('message', (message: string) => message === 'released' && resolve()));
    await new Promise<void>((resolve) => holder.once('message', () => resolve()));

    const store = createSqliteDocumentStore({ path, busyTimeoutMs: 10_000 });
    await expect(store.ping()).resolves.toBeUndefined(); // "database is locked" at once without the retry
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', candleDocuments(2));
    expect(await store.count('candles')).toBe(2);
    await store.close();
    await released;
    await holder.terminate();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('sees a collection another process created after it started', async () => {
    const path = join(dir, 'store.db');
    const first = createSqliteDocumentStore({ path });
    const second = createSqliteDocumentStore({ path });
    expect(await second.collectionExists('queue_state')).toBe(false);
    await first.ensureCollection('queue_state');
    await first.upsertBatch('queue_state', [{ _key: 'q1', status: 'running' }]);
    expect(await second.get('queue_state', 'q1')).toEqual({ _key: 'q1', status: 'running' });
    await first.close();
    await second.close();
  });

  it('refuses two collections differing only in case (SQLite table names ignore case)', async () => {
    const store = createSqliteDocumentStore({ path: join(dir, 'store.db') });
    await store.ensureCollection('candles');
    await expect(store.ensureCollection('Candles')).rejects.toThrow('collection "Candles" clashes with existing "candles"');
    await expect(store.count('Candles')).rejects.toThrow('collection "Candles" does not exist');
    await store.close();
  });

  it('fails clearly once closed', async () => {
    const store = createSqliteDocumentStore({ path: join(dir, 'store.db') });
    await store.ping();
    await store.close();
    await expect(store.ping()).rejects.toThrow(/SQLite store .* is closed/);
  });

  it('names the path when the database cannot be opened', async () => {
    writeFileSync(join(dir, 'file'), '');
    const path = join(dir, 'file', 'store.db');
    const store = createSqliteDocumentStore({ path });
    await expect(store.ping()).rejects.toThrow(`cannot open SQLite database ${path}: EEXIST: file already exists, mkdir`);
  });
});
