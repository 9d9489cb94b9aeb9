import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { assertCollectionName } from './collection-name';
import { prepareBatch, validateDocumentKey } from './document-batch';
import { documentJson, documentVersion, withDocumentVersion, type CollectionOptions, type DocumentStore, type PageQuery, type RangeQuery, type StoredDocument } from './document-store';
import { CollectionNotFoundError, InvalidQueryError, StorageError, StoreRequestError, StoreUnavailableError, summarizeKeys } from './errors';
import { DEFAULT_RANGE_FIELDS, normalizeRangeQuery, validateRangeField } from './range-query';
import { normalizePageQuery } from './page-query';
import { SqliteWriteThread, WriteThreadFailure } from './sqlite-write-thread';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Switching to WAL needs an exclusive lock and SQLite's busy handler does not wait for it: a second
 * process opening the file while the first holds a lock gets "database is locked" at once. So the
 * switch retries until busyTimeoutMs, and is skipped when the file is already WAL (the mode persists).
 */
function enableWal(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 20); // db() is synchronous; the lock holder is another thread or process
    }
  }
}

export interface SqliteStoreConfig {
  /** Database file; its directory is created when missing. `:memory:` for throwaway stores. */
  path: string;
  /**
   * NORMAL (default): in WAL mode a commit survives a process crash (kill -9) because the WAL is
   * in the OS before commit returns; only an OS crash or power loss can drop the last commits, and
   * it never corrupts the file. FULL fsyncs every batch for power-loss durability, at a cost.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * Run upserts on a worker thread with its own connection (WAL lets this thread read meanwhile),
   * so a caller busy decoding the next batch and SQLite writing this one use two cores. Needs a
   * file (not `:memory:`); an app bundle must ship the thread's script (see WRITE_THREAD_SCRIPT).
   */
  writeThread?: boolean;
  /** How long a write waits for another connection's lock before failing as unavailable (retried); default 5 s. */
  busyTimeoutMs?: number;
}

/**
 * Embedded store: one table per collection (`_key` primary key, the document as JSON text) in a
 * WITHOUT ROWID table, so an upsert touches one b-tree instead of two, plus an expression index
 * `(json_extract(doc,'$.<field>'), _key)` per range field, which serves findRange's filter,
 * order and paging straight from the index. With `writeThread`, upserts run on a worker thread
 * (sqlite-write-thread.ts) with its own connection; everything else runs on the caller's.
 */
export class SqliteDocumentStore implements DocumentStore {
  readonly kind = 'sqlite';
  readonly location: string;
  private database?: Database.Database;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();
  /** Exact (case-sensitive) collection names that have a table, and their indexed range fields. */
  private readonly collections = new Map<string, Set<string>>();
  private readonly writeBatch = new Map<string, (documents: StoredDocument[]) => void>();
  private readonly writeThread?: SqliteWriteThread;

  private readonly busyTimeoutMs: number;

  constructor(private readonly config: SqliteStoreConfig) {
    this.location = config.path === ':memory:' ? ':memory:' : resolve(config.path);
    this.busyTimeoutMs = config.busyTimeoutMs ?? 5_000;
    if (config.writeThread) {
      if (this.location === ':memory:') throw new StorageError('an in-memory SQLite store cannot write from a second thread (writeThread needs a file)', false);
      this.writeThread = new SqliteWriteThread({ path: this.location, synchronous: config.synchronous ?? 'NORMAL', busyTimeoutMs: this.busyTimeoutMs });
    }
  }

  async ensureCollection(collection: string, options: CollectionOptions = {}): Promise<void> {
    assertCollectionName(collection);
    const db = this.db();
    if (!this.hasCollection(collection)) {
      // SQLite table names are case-insensitive while ArangoDB's are not: refuse to alias two collections.
      const clash = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE`).get(collection) as { name: string } | undefined;
      if (clash && clash.name !== collection) {
        throw new StorageError(`collection "${collection}" clashes with existing "${clash.name}" in ${this.location}: SQLite table names ignore case`, false, { collection });
      }
      this.run(collection, () => db.exec(`CREATE TABLE IF NOT EXISTS ${quote(collection)} (_key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL, version INTEGER) WITHOUT ROWID`));
      this.collections.set(collection, new Set());
    }
    for (const field of options.rangeFields ?? DEFAULT_RANGE_FIELDS) this.ensureRangeIndex(collection, field);
  }

  async upsertBatch(collection: string, documents: StoredDocument[]): Promise<void> {
    const batch = prepareBatch(collection, documents);
    if (batch.length === 0) return;
    this.requireCollection(collection);
    if (this.writeThread) return this.upsertOnThread(this.writeThread, collection, batch);
    let write = this.writeBatch.get(collection);
    if (!write) {
      const insert = this.statement(upsertSql(collection));
      write = this.db().transaction((items: StoredDocument[]) => {
        for (const document of items) insert.run(document._key, documentJson(document), documentVersion(document) ?? null);
      });
      this.writeBatch.set(collection, write);
    }
    const run = write;
    this.run(collection, () => run(batch), batch.map((d) => d._key));
  }

  private async upsertOnThread(thread: SqliteWriteThread, collection: string, batch: StoredDocument[]): Promise<void> {
    const keys = new Array<string>(batch.length);
    const documents = new Array<string>(batch.length);
    const versions = new Array<number | null>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      keys[i] = batch[i]._key;
      documents[i] = documentJson(batch[i]);
      versions[i] = documentVersion(batch[i]) ?? null;
    }
    try {
      await thread.write(upsertSql(collection), keys, documents, versions);
    } catch (error) {
      if (error instanceof WriteThreadFailure) throw this.failure(collection, error, keys);
      // The thread died (the next write starts a new one): worth a retry.
      throw new StoreUnavailableError(`SQLite ${this.location}: ${(error as Error).message} while writing ${keys.length} documents (${summarizeKeys(keys)}) to "${collection}"`, { collection, keys }, { cause: error });
    }
  }

  async updateFields(collection: string, updates: StoredDocument[]): Promise<void> {
    const batch = prepareBatch(collection, updates);
    if (batch.length === 0) return;
    this.requireCollection(collection);
    // One statement per field list (a batch of candles has one); runs on this connection: WAL serialises it with the write thread's.
    const statements = batch.map((update) => {
      const fields = Object.keys(update).filter((field) => field !== '_key');
      return { fields, sql: fields.length === 0 ? undefined : updateFieldsSql(collection, fields) };
    });
    const db = this.db();
    const write = db.transaction(() => {
      batch.forEach((update, index) => {
        const { fields, sql } = statements[index];
        if (sql) this.statement(sql).run(...fields.map((field) => jsonValue(update[field])), update._key);
      });
    });
    this.run(collection, () => write(), batch.map((d) => d._key));
  }

  async count(collection: string): Promise<number> {
    this.requireCollection(collection);
    const row = this.run(collection, () => this.statement(`SELECT count(*) AS n FROM ${quote(collection)}`).get()) as { n: number };
    return row.n;
  }

  async get<T extends StoredDocument = StoredDocument>(collection: string, key: string): Promise<T | undefined> {
    this.requireCollection(collection);
    const problem = validateDocumentKey(key);
    if (problem) throw new InvalidQueryError(collection, problem);
    const row = this.run(collection, () => this.statement(`SELECT doc, version FROM ${quote(collection)} WHERE _key = ?`).get(key)) as StoredRow | undefined;
    return row ? fromRow<T>(row) : undefined;
  }

  async findRange<T extends StoredDocument = StoredDocument>(collection: string, query: RangeQuery): Promise<T[]> {
    const range = normalizeRangeQuery(collection, query);
    this.requireCollection(collection);
    const value = `json_extract(doc, '$.${range.field}')`;
    const sql = `SELECT doc, version FROM ${quote(collection)} WHERE ${value} >= ? AND ${value} <= ? ORDER BY ${value}, _key LIMIT ? OFFSET ?`;
    const rows = this.run(collection, () => this.statement(sql).all(range.from, range.to, range.limit ?? -1, range.offset)) as StoredRow[];
    return rows.map((row) => fromRow<T>(row));
  }

  async findPage<T extends StoredDocument = StoredDocument>(collection: string, query: PageQuery): Promise<T[]> {
    const page = normalizePageQuery(collection, query);
    this.requireCollection(collection);
    // Readers only read: the index serving this comes from ensureCollection's rangeFields.
    const value = `json_extract(doc, '$.${page.orderBy}')`;
    const [direction, beyond] = page.descending ? ['DESC', '<'] : ['ASC', '>'];
    // The same bounds as findRange: only numbers (SQLite orders NULL and text outside them).
    const conditions = [`${value} >= ? AND ${value} <= ?`];
    const params: unknown[] = [-Number.MAX_VALUE, Number.MAX_VALUE];
    for (const [field, values] of Object.entries(page.where)) {
      conditions.push(`json_extract(doc, '$.${field}') IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    }
    if (page.after) {
      conditions.push(`(${value} ${beyond} ? OR (${value} = ? AND _key ${beyond} ?))`);
      params.push(page.after.value, page.after.value, page.after.key);
    }
    const sql = `SELECT doc, version FROM ${quote(collection)} WHERE ${conditions.join(' AND ')} ORDER BY ${value} ${direction}, _key ${direction} LIMIT ?`;
    const rows = this.run(collection, () => this.statement(sql).all(...params, page.limit)) as StoredRow[];
    return rows.map((row) => fromRow<T>(row));
  }

  async remove(collection: string, keys: readonly string[]): Promise<void> {
    this.requireCollection(collection);
    if (keys.length === 0) return;
    const remove = this.statement(`DELETE FROM ${quote(collection)} WHERE _key = ?`);
    this.run(collection, () => this.db().transaction(() => keys.forEach((key) => remove.run(key)))(), [...keys]);
  }

  async all<T extends StoredDocument = StoredDocument>(collection: string): Promise<T[]> {
    this.requireCollection(collection);
    const rows = this.run(collection, () => this.statement(`SELECT doc, version FROM ${quote(collection)} ORDER BY _key`).all()) as StoredRow[];
    return rows.map((row) => fromRow<T>(row));
  }

  async collectionExists(collection: string): Promise<boolean> {
    assertCollectionName(collection);
    return this.hasCollection(collection);
  }

  async ping(): Promise<void> {
    this.db().prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.closed = true;
    // Writes already sent finish first: close never abandons a batch a caller awaits.
    await this.writeThread?.close();
    this.statements.clear();
    this.writeBatch.clear();
    if (this.database?.open) this.database.close();
  }

  /** Opens lazily so construction never throws; a bad path surfaces on first use (or ping). */
  private db(): Database.Database {
    if (this.closed) throw new StorageError(`SQLite store ${this.location} is closed`, false);
    if (this.database) return this.database;
    try {
      if (this.location !== ':memory:') mkdirSync(dirname(this.location), { recursive: true });
      const db = new Database(this.location, { timeout: this.busyTimeoutMs });
      enableWal(db, this.busyTimeoutMs);
      db.pragma(`synchronous = ${this.config.synchronous ?? 'NORMAL'}`);
      this.database = db;
      return db;
    } catch (error) {
      throw new StorageError(`cannot open SQLite database ${this.location}: ${(error as Error).message}`, false, {}, { cause: error });
    }
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db().prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Another process (or store instance) may have created the table since we last looked. */
  private hasCollection(collection: string): boolean {
    if (this.collections.has(collection)) return true;
    const row = this.db().prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(collection) as { name: string } | undefined;
    if (!row || row.name !== collection) return false;
    this.addVersionColumn(collection);
    this.collections.set(collection, new Set());
    return true;
  }

  /** Tables created before versioned writes lack the column; adding a nullable column rewrites nothing. */
  private addVersionColumn(collection: string): void {
    const columns = this.db().prepare(`PRAGMA table_info(${quote(collection)})`).all() as { name: string }[];
    if (columns.some((column) => column.name === 'version')) return;
    this.run(collection, () => this.db().exec(`ALTER TABLE ${quote(collection)} ADD COLUMN version INTEGER`));
  }

  private requireCollection(collection: string): void {
    if (!this.hasCollection(collection)) {
      assertCollectionName(collection);
      throw new CollectionNotFoundError(collection, this.location);
    }
  }

  private ensureRangeIndex(collection: string, field: string): void {
    validateRangeField(collection, field);
    const indexed = this.collections.get(collection);
    if (!indexed || indexed.has(field)) return;
    // The expression must match findRange's text exactly for the planner to use the index.
    this.run(collection, () =>
      this.db().exec(`CREATE INDEX IF NOT EXISTS ${quote(`${collection}__${field}`)} ON ${quote(collection)} (json_extract(doc, '$.${field}'), _key)`),
    );
    indexed.add(field);
  }

  private run<R>(collection: string, action: () => R, keys?: string[]): R {
    try {
      return action();
    } catch (error) {
      throw this.failure(collection, error, keys);
    }
  }

  /** Maps a SQLite failure (from this thread or the write thread) onto the storage errors callers decide retries by. */
  private failure(collection: string, error: unknown, keys?: string[]): StorageError {
    const code = (error as { code?: string }).code ?? '';
    const message = (error as Error).message;
    const what = keys ? `writing ${keys.length} documents (${summarizeKeys(keys)}) to` : 'accessing';
    if (/no such table/.test(message)) return new CollectionNotFoundError(collection, this.location, { cause: error });
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new StoreUnavailableError(`SQLite ${this.location} is locked by another writer while ${what} "${collection}": ${message}`, { collection, keys }, { cause: error });
    }
    return new StoreRequestError(`SQLite ${this.location} failed ${what} "${collection}": ${code} ${message}`, false, { collection, keys }, { cause: error });
  }
}

/**
 * One statement text per collection, shared by both write paths. The WHERE is ArangoDB's
 * `versionAttribute` rule: replace unless both versions are known and the new one is not higher.
 */
function upsertSql(collection: string): string {
  const table = quote(collection);
  return (
    `INSERT INTO ${table} (_key, doc, version) VALUES (?, ?, ?) ON CONFLICT(_key) DO UPDATE SET doc = excluded.doc, version = excluded.version ` +
    `WHERE excluded.version IS NULL OR ${table}.version IS NULL OR excluded.version > ${table}.version`
  );
}

/** `json_set` per field; values arrive as JSON text (json(?)) so null, numbers and objects keep their type. */
function updateFieldsSql(collection: string, fields: string[]): string {
  const paths = fields.map((field) => {
    validateRangeField(collection, field);
    return `'$.${field}', json(?)`;
  });
  return `UPDATE ${quote(collection)} SET doc = json_set(doc, ${paths.join(', ')}) WHERE _key = ?`;
}

function jsonValue(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

interface StoredRow {
  doc: string;
  version: number | null;
}

function fromRow<T extends StoredDocument>(row: StoredRow): T {
  const document = JSON.parse(row.doc) as T;
  return row.version === null ? document : withDocumentVersion(document, row.version);
}

/** Collection names are validated (letters, digits, _ and -) before they get here, so quoting is enough. */
function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** A SQLite-backed DocumentStore; opens (and creates) the file on first use. */
export function createSqliteDocumentStore(config: SqliteStoreConfig): SqliteDocumentStore {
  return new SqliteDocumentStore(config);
}
