import { Database } from 'arangojs';
import { isArangoError } from 'arangojs/errors';
import { toStorageError, TRANSIENT_ERROR_NUMS } from './arango-failure';
import { assertCollectionName } from './collection-name';
import { prepareBatch, validateDocumentKey } from './document-batch';
import type { CollectionOptions, DocumentStore, PageQuery, RangeQuery, StoredDocument } from './document-store';
import { CollectionNotFoundError, DocumentWriteError, StorageError, StoreRequestError, summarizeKeys, type StorageErrorContext } from './errors';
import { normalizePageQuery } from './page-query';
import { DEFAULT_RANGE_FIELDS, normalizeRangeQuery, validateRangeField } from './range-query';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryHooks, type RetryPolicy } from './retry-policy';

const DATABASE_NOT_FOUND = 1228;
const COLLECTION_NOT_FOUND = 1203;
const DOCUMENT_NOT_FOUND = 1202;
const DUPLICATE_NAME = 1207;

export interface ArangoStoreConfig {
  /** e.g. http://arangodb:8529 */
  url: string;
  database: string;
  username: string;
  password?: string;
  /** Per-request timeout; a bulk write of 5000 candles takes well under a second. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/** The subset of a pino logger the adapter uses. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface ArangoStoreDeps extends Pick<RetryHooks, 'sleep' | 'random'> {
  logger?: StoreLogger;
}

interface WriteResultItem {
  error?: boolean;
  errorNum?: number;
  errorMessage?: string;
}

/**
 * ArangoDB adapter. Each batch is ONE `POST /_api/document/{collection}?overwriteMode=replace`
 * (idempotent by `_key`), chosen over the import API because it answers per document and has no
 * `overwrite=true` truncation trap. arangojs does not throw for per-document failures inside a
 * 202, nor retry 503/429 (and only retries connection failures across several hosts, without
 * backoff), so this adapter checks every item and retries transient failures itself.
 */
export class ArangoDocumentStore implements DocumentStore {
  readonly kind = 'arango';
  readonly location: string;
  private readonly db: Database;
  private readonly system: Database;
  private readonly retryPolicy: RetryPolicy;
  private databaseReady = false;
  private readonly indexed = new Set<string>();
  private closed = false;

  constructor(config: ArangoStoreConfig, private readonly deps: ArangoStoreDeps = {}) {
    const url = config.url.replace(/\/+$/, '');
    this.location = `${url}/_db/${config.database}`;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
    this.system = new Database({
      url,
      databaseName: '_system',
      auth: { username: config.username, password: config.password ?? '' },
      // Our own retry (with backoff, on 503/429/timeouts too) replaces arangojs's.
      maxRetries: false,
      timeout: config.requestTimeoutMs ?? 30_000,
    });
    this.db = this.system.database(config.database);
  }

  async ensureCollection(collection: string, options: CollectionOptions = {}): Promise<void> {
    assertCollectionName(collection);
    await this.ensureDatabase();
    const exists = await this.collectionExists(collection);
    if (!exists) {
      await this.call(`creating collection "${collection}"`, { collection }, async () => {
        try {
          await this.db.collection(collection).create();
        } catch (error) {
          // Another worker created it between our check and our create: that is what we wanted.
          if (!(isArangoError(error) && error.errorNum === DUPLICATE_NAME)) throw error;
        }
      });
    }
    for (const field of options.rangeFields ?? DEFAULT_RANGE_FIELDS) await this.ensureRangeIndex(collection, field);
  }

  async upsertBatch(collection: string, documents: StoredDocument[]): Promise<void> {
    const batch = prepareBatch(collection, documents);
    if (batch.length === 0) return;
    assertCollectionName(collection);
    const what = `writing ${batch.length} documents to "${collection}"`;
    await this.call(what, { collection, keys: batch.map((d) => d._key) }, async () => {
      const results = (await this.db.collection(collection).saveAll(batch, { overwriteMode: 'replace' })) as unknown;
      this.checkWriteResults(collection, batch, results);
    });
  }

  async count(collection: string): Promise<number> {
    assertCollectionName(collection);
    const body = await this.call(`counting "${collection}"`, { collection }, () => this.db.collection(collection).count());
    return body.count as number;
  }

  async get<T extends StoredDocument = StoredDocument>(collection: string, key: string): Promise<T | undefined> {
    assertCollectionName(collection);
    if (validateDocumentKey(key)) return undefined;
    return this.call(`reading "${collection}/${key}"`, { collection, keys: [key] }, async () => {
      try {
        return stripSystemAttributes(await this.db.collection(collection).document(key)) as T;
      } catch (error) {
        if (isArangoError(error) && error.errorNum === DOCUMENT_NOT_FOUND) return undefined;
        throw error;
      }
    });
  }

  async findRange<T extends StoredDocument = StoredDocument>(collection: string, query: RangeQuery): Promise<T[]> {
    assertCollectionName(collection);
    const range = normalizeRangeQuery(collection, query);
    await this.ensureRangeIndex(collection, range.field, { onlyIfCollectionExists: true });
    // `d.@field` is resolved before optimization, so the persistent index on [field, _key] serves filter, sort and limit.
    const bindVars: Record<string, unknown> = { '@collection': collection, field: range.field, lower: range.from, upper: range.to };
    const parts = ['FOR d IN @@collection FILTER d.@field >= @lower AND d.@field <= @upper SORT d.@field, d._key'];
    if (range.limit !== undefined) {
      parts.push('LIMIT @offset, @limit');
      Object.assign(bindVars, { offset: range.offset, limit: range.limit });
    } else if (range.offset > 0) {
      parts.push(`LIMIT @offset, ${Number.MAX_SAFE_INTEGER}`);
      bindVars.offset = range.offset;
    }
    parts.push('RETURN UNSET(d, "_id", "_rev")');
    const aql = parts.join(' ');
    return this.query<T>(`reading a range of "${collection}"`, collection, aql, bindVars);
  }

  async findPage<T extends StoredDocument = StoredDocument>(collection: string, query: PageQuery): Promise<T[]> {
    assertCollectionName(collection);
    const page = normalizePageQuery(collection, query);
    await this.ensureRangeIndex(collection, page.orderBy, { onlyIfCollectionExists: true });
    // Numbers only (as findRange), then the keyset cursor; the [field, _key] index serves sort and limit.
    const bindVars: Record<string, unknown> = { '@collection': collection, field: page.orderBy, lower: -Number.MAX_VALUE, upper: Number.MAX_VALUE, limit: page.limit };
    const parts = ['FOR d IN @@collection FILTER d.@field >= @lower AND d.@field <= @upper'];
    Object.entries(page.where).forEach(([field, values], index) => {
      parts.push(`FILTER d.@w${index} IN @v${index}`);
      Object.assign(bindVars, { [`w${index}`]: field, [`v${index}`]: values });
    });
    const [direction, beyond] = page.descending ? ['DESC', '<'] : ['ASC', '>'];
    if (page.after) {
      parts.push(`FILTER (d.@field ${beyond} @afterValue OR (d.@field == @afterValue AND d._key ${beyond} @afterKey))`);
      Object.assign(bindVars, { afterValue: page.after.value, afterKey: page.after.key });
    }
    parts.push(`SORT d.@field ${direction}, d._key ${direction} LIMIT @limit RETURN UNSET(d, "_id", "_rev")`);
    return this.query<T>(`reading a page of "${collection}"`, collection, parts.join(' '), bindVars);
  }

  async remove(collection: string, keys: readonly string[]): Promise<void> {
    assertCollectionName(collection);
    if (keys.length === 0) return;
    // ignoreErrors: a key already gone is what we wanted (and makes a retried remove harmless).
    await this.query(`removing ${keys.length} documents from "${collection}"`, collection, 'FOR key IN @keys REMOVE key IN @@collection OPTIONS { ignoreErrors: true }', {
      '@collection': collection, keys: [...keys],
    });
  }

  async all<T extends StoredDocument = StoredDocument>(collection: string): Promise<T[]> {
    assertCollectionName(collection);
    return this.query<T>(`reading all of "${collection}"`, collection, 'FOR d IN @@collection SORT d._key RETURN UNSET(d, "_id", "_rev")', { '@collection': collection });
  }

  async collectionExists(collection: string): Promise<boolean> {
    assertCollectionName(collection);
    return this.call(`looking up collection "${collection}"`, { collection }, async () => {
      try {
        await this.db.collection(collection).get();
        return true;
      } catch (error) {
        if (isArangoError(error) && (error.errorNum === COLLECTION_NOT_FOUND || error.errorNum === DATABASE_NOT_FOUND)) return false;
        throw error;
      }
    });
  }

  /** One try, no retry: a readiness probe wants the current truth. A missing database still proves the server answers. */
  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await this.db.version(false);
    } catch (error) {
      if (isArangoError(error) && error.errorNum === DATABASE_NOT_FOUND) return;
      throw toStorageError(error, 'pinging (GET /_api/version)', this.location);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.system.close();
  }

  private async ensureDatabase(): Promise<void> {
    if (this.databaseReady) return;
    await this.call(`creating database "${this.db.name}"`, {}, async () => {
      try {
        await this.db.get();
      } catch (error) {
        if (!(isArangoError(error) && error.errorNum === DATABASE_NOT_FOUND)) throw error;
        try {
          await this.system.createDatabase(this.db.name);
        } catch (createError) {
          if (!(isArangoError(createError) && createError.errorNum === DUPLICATE_NAME)) throw createError;
        }
      }
    });
    this.databaseReady = true;
  }

  private async ensureRangeIndex(collection: string, field: string, options: { onlyIfCollectionExists?: boolean } = {}): Promise<void> {
    validateRangeField(collection, field);
    const id = `${collection}\u0000${field}`;
    if (this.indexed.has(id)) return;
    await this.call(`creating the ${field} index on "${collection}"`, { collection }, async () => {
      try {
        await this.db.collection(collection).ensureIndex({ type: 'persistent', name: `streamforge_range_${field}`, fields: [field, '_key'], unique: false, sparse: false });
      } catch (error) {
        // findRange on a missing collection reports that itself (as CollectionNotFoundError).
        if (options.onlyIfCollectionExists && isArangoError(error) && (error.errorNum === COLLECTION_NOT_FOUND || error.errorNum === DATABASE_NOT_FOUND)) return;
        throw error;
      }
      this.indexed.add(id);
    });
  }

  private async query<T>(what: string, collection: string, aql: string, bindVars: Record<string, unknown>): Promise<T[]> {
    return this.call(what, { collection }, async () => {
      const cursor = await this.db.query(aql, bindVars, { batchSize: 1000 });
      return (await cursor.all()) as T[];
    });
  }

  /**
   * A bulk answer is an array as long as the batch; failed items come back inline as
   * `{error: true, errorNum, errorMessage}` while the rest were written.
   */
  private checkWriteResults(collection: string, batch: StoredDocument[], results: unknown): void {
    if (!Array.isArray(results) || results.length !== batch.length) {
      throw new StoreRequestError(
        `ArangoDB ${this.location} answered a write of ${batch.length} documents to "${collection}" with ${Array.isArray(results) ? `${results.length} results` : typeof results}; cannot confirm the batch`,
        true,
        { collection, keys: batch.map((d) => d._key) },
      );
    }
    const failedKeys: string[] = [];
    const errorNums = new Set<number>();
    const samples: string[] = [];
    (results as WriteResultItem[]).forEach((item, index) => {
      if (item?.error !== true) return;
      failedKeys.push(batch[index]._key);
      errorNums.add(item.errorNum ?? -1);
      if (samples.length < 3) samples.push(`${JSON.stringify(batch[index]._key)}: ${item.errorNum} ${item.errorMessage ?? ''}`.trim());
    });
    if (failedKeys.length === 0) return;
    const nums = [...errorNums];
    const retriable = nums.every((num) => TRANSIENT_ERROR_NUMS.has(num));
    throw new DocumentWriteError(
      `ArangoDB ${this.location} rejected ${failedKeys.length} of ${batch.length} documents written to "${collection}" (keys ${summarizeKeys(failedKeys)}; errorNums ${nums.join(', ')}; e.g. ${samples.join('; ')}); ` +
        'the others may have been written: retry the whole batch',
      retriable,
      { collection, keys: failedKeys, errorNums: nums },
    );
  }

  /** Runs one ArangoDB interaction with error mapping and bounded, jittered retries of transient failures. */
  private call<T>(what: string, context: StorageErrorContext, action: () => Promise<T>): Promise<T> {
    this.assertOpen();
    return withRetry(
      this.retryPolicy,
      async () => {
        this.assertOpen();
        try {
          return await action();
        } catch (error) {
          const failure = toStorageError(error, what, this.location, context);
          if (isArangoError(error) && (error.errorNum === COLLECTION_NOT_FOUND || error.errorNum === DATABASE_NOT_FOUND) && context.collection) {
            throw new CollectionNotFoundError(context.collection, this.location, { cause: error });
          }
          throw failure;
        }
      },
      {
        sleep: this.deps.sleep,
        random: this.deps.random,
        onRetry: ({ attempt, delayMs, error }) =>
          this.deps.logger?.warn({ attempt, maxAttempts: this.retryPolicy.attempts, delayMs, collection: context.collection, status: error.context.status, errorNums: error.context.errorNums, err: error.message }, `retrying ArangoDB: ${what}`),
      },
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(`ArangoDB store ${this.location} is closed`, false);
  }
}

/** Documents come back as written: `_id`/`_rev` are ArangoDB's, and SQLite has no such thing. */
function stripSystemAttributes(document: Record<string, unknown>): StoredDocument {
  const copy = { ...document };
  delete copy._id;
  delete copy._rev;
  return copy as StoredDocument;
}

/** An ArangoDB-backed DocumentStore; connects lazily (first call). */
export function createArangoDocumentStore(config: ArangoStoreConfig, deps?: ArangoStoreDeps): ArangoDocumentStore {
  return new ArangoDocumentStore(config, deps);
}
