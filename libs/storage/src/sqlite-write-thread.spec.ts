import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { withDocumentJson } from './document-store';
import { StorageError, StoreUnavailableError } from './errors';
import { candleDocuments } from './bench/candle-documents';
import { createSqliteDocumentStore } from './sqlite-document-store';
import { SqliteWriteThread } from './sqlite-write-thread';

describe('SQLite upserts on a write thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-thread-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** setImmediate turns the caller's event loop makes while `promise` settles. */
  async function loopTurnsDuring(promise: Promise<unknown>): Promise<number> {
    let turns = 0;
    let settled = false;
    const tick = () => {
      if (settled) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    await promise.finally(() => (settled = true));
    return turns;
  }

  it("leaves the caller's event loop free while a batch is written (inline, it is blocked)", async () => {
    const documents = candleDocuments(20_000);
    const threaded = createSqliteDocumentStore({ path: join(dir, 'threaded.db'), writeThread: true });
    const inline = createSqliteDocumentStore({ path: join(dir, 'inline.db') });
    for (const store of [threaded, inline]) await store.ensureCollection('candles');
    // Warm the thread up (start and prepare), so the measured write is a write.
    await threaded.upsertBatch('candles', documents.slice(0, 10));

    expect(await loopTurnsDuring(threaded.upsertBatch('candles', documents))).toBeGreaterThan(0);
    expect(await loopTurnsDuring(inline.upsertBatch('candles', documents))).toBe(0);
    expect(await threaded.count('candles')).toBe(20_000);
    await Promise.all([threaded.close(), inline.close()]);
  });

  it('stores an attached JSON text as it is, on either path', async () => {
    const text = '{"_key":"a","open_time":1,"open":1.50000000}';
    for (const writeThread of [false, true]) {
      const path = join(dir, `json-${writeThread}.db`);
      const store = createSqliteDocumentStore({ path, writeThread });
      await store.ensureCollection('candles');
      await store.upsertBatch('candles', [withDocumentJson({ _key: 'a', open_time: 1, open: 1.5 }, text), { _key: 'b', open_time: 2 }]);
      await store.close();
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT _key, doc FROM candles ORDER BY _key').all()).toEqual([{ _key: 'a', doc: text }, { _key: 'b', doc: '{"_key":"b","open_time":2}' }]);
      raw.close();
    }
  });

  it('finishes the writes already sent before close returns', async () => {
    const path = join(dir, 'close.db');
    const store = createSqliteDocumentStore({ path, writeThread: true });
    await store.ensureCollection('candles');
    const writes = [0, 1, 2].map((i) => store.upsertBatch('candles', candleDocuments(5_000, { offset: i * 5_000 })));
    await store.close();
    await Promise.all(writes);
    const reopened = createSqliteDocumentStore({ path });
    expect(await reopened.count('candles')).toBe(15_000);
    await reopened.close();
  });

  it('reports a database locked by another writer as unavailable (retried), then writes once it is free', async () => {
    const path = join(dir, 'locked.db');
    const store = createSqliteDocumentStore({ path, writeThread: true, busyTimeoutMs: 100 });
    await store.ensureCollection('candles');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const failure = await store.upsertBatch('candles', candleDocuments(2)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ retriable: true, message: expect.stringMatching(/is locked by another writer while writing 2 documents \("BTCUSDT_1m_\d+", "BTCUSDT_1m_\d+"\) to "candles": database is locked/) });
    other.exec('ROLLBACK');
    other.close();
    await store.upsertBatch('candles', candleDocuments(2));
    expect(await store.count('candles')).toBe(2);
    await store.close();
  });

  it('fails the pending writes of a thread that died as unavailable, and the next write starts a new thread', async () => {
    const path = join(dir, 'died.db');
    const store = createSqliteDocumentStore({ path, writeThread: true });
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', candleDocuments(1));
    const thread = (store as unknown as { writeThread: { worker?: { terminate(): Promise<number> } } }).writeThread;
    const pending = store.upsertBatch('candles', candleDocuments(50_000));
    await thread.worker?.terminate();
    const failure = await pending.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(/the SQLite write thread exited \(code 1\) with writes pending while writing 50000 documents/);
    await store.upsertBatch('candles', candleDocuments(50_000));
    expect(await store.count('candles')).toBe(50_000);
    await store.close();
  });

  it('refuses an in-memory database, and names the missing script of a bundle that did not ship it', async () => {
    expect(() => createSqliteDocumentStore({ path: ':memory:', writeThread: true })).toThrow(new StorageError('an in-memory SQLite store cannot write from a second thread (writeThread needs a file)', false));
    const thread = new SqliteWriteThread({ path: join(dir, 'x.db'), synchronous: 'NORMAL', busyTimeoutMs: 100, scriptDir: dir });
    expect(() => thread.write('SELECT 1', [], [], [])).toThrow(`the SQLite write thread's script is missing: ${join(dir, 'sqlite-write-thread.worker.js')} (an app bundle must copy libs/storage/src/sqlite-write-thread.worker.js next to main.js as a build asset)`);
  });
});
