import { Database } from 'arangojs';
import { isArangoError } from 'arangojs/errors';
import { toStorageError, TRANSIENT_ERROR_NUMS } from './arango-failure';
import { assertCollectionName } from './collection-name';
import { prepareBatch, validateDocumentKey } from './document-batch';
import { documentVersion, VERSION_ATTRIBUTE, withDocumentVersion, type CollectionOptions, type DocumentStore, type PageQuery, type RangeQuery, type StoredDocument } from './document-store';
import { CollectionNotFoundError, DocumentWriteError, InvalidQueryError, StorageError, StoreRequestError, summarizeKeys, type StorageErrorContext } from './errors';
import { normalizePageQuery } from './page-query';
import { DEFAULT_RANGE_FIELDS, normalizeRangeQuery, validateRangeField } from './range-query';
import { assertNoUrlCredentials } from './store-url';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryHooks, type RetryPolicy } from './retry-policy';

const DATABASE_NOT_FOUND = 1228;
const COLLECTION_NOT_FOUND = 1203;
const DOCUMENT_NOT_FOUND = 1202;
const DUPLICATE_NAME = 1207;
/** A query's client deadline is its server limit plus this, so the server's clearer 1500 arrives first. */
const QUERY_CLIENT_SLACK_MS = 5_000;
/** Cursor batch when the page size is unknown; a page of `limit` comes back in one round trip. */
const DEFAULT_BATCH_SIZE = 1000;
const MAX_BATCH_SIZE = 10_000;

export interface ArangoStoreConfig {
  /** e.g. http://arangodb:8529 or https://arangodb.arangodb.svc:8529; never with `user:pass@` (refused). */
  url: string;
  database: string;
  /** Basic auth user (also the user a missing database is created for, see ensureDatabase). */
  username: string;
  password?: string;
  /** JWT for `Authorization: bearer` instead of Basic auth (then username is only used in messages). */
  token?: string;
  /** PEM text of the CA(s) that signed the server's certificate (private in-cluster CA), for https. */
  ca?: string | Buffer;
  /** Per-request timeout; a bulk write of 5000 candles takes well under a second. Default 30 s. */
  requestTimeoutMs?: number;
  /** Server-side limit of an AQL query (`maxRuntime`); the client waits this plus 5 s. Default 30 s. */
  queryTimeoutMs?: number;
  /**
   * Longest the server may keep a request queued before running it (`x-arango-queue-time-seconds`;
   * refused with 412/21004 otherwise, which is retried). Bounds how late a timed-out request can
   * still start. Default 10 s.
   */
  maxQueueTimeSeconds?: number;
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
 * (idempotent by `_key`) with `waitForSync` (durable before it resolves) and `versionAttribute`
 * (a late request cannot overwrite a newer version), chosen over the import API because it answers
 * per document and has no `overwrite=true` truncation trap. arangojs does not throw for
 * per-document failures inside a 201/202, nor retry 503/429 (and only retries connection failures
 * across several hosts, without backoff), so this adapter checks every item and retries transient
 * failures itself. Only ensureCollection changes the schema; reads only read.
 */
export class ArangoDocumentStore implements DocumentStore {
  readonly kind = 'arango';
  readonly location: string;
  private readonly db: Database;
  private readonly system: Database;
  private readonly retryPolicy: RetryPolicy;
  private databaseReady = false;
  private closed = false;
  private readonly queryTimeoutMs: number;
  /** Who we are, for messages: never the password or token. */
  private readonly principal: string;

  constructor(private readonly config: ArangoStoreConfig, private readonly deps: ArangoStoreDeps = {}) {
    assertNoUrlCredentials(config.url, 'ArangoDB URL');
    const url = config.url.replace(/\/+$/, '');
    this.location = `${url}/_db/${config.database}`;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
    this.queryTimeoutMs = config.queryTimeoutMs ?? 30_000;
    this.principal = config.token ? 'the ARANGO_TOKEN bearer' : `user "${config.username}"`;
    this.system = new Database({
      url,
      databaseName: '_system',
      auth: config.token ? { token: config.token } : { username: config.username, password: config.password ?? '' },
      // Our own retry (with backoff, on 503/429/timeouts too) replaces arangojs's.
      maxRetries: false,
      timeout: config.requestTimeoutMs ?? 30_000,
      fetchOptions: { headers: { 'x-arango-queue-time-seconds': String(config.maxQueueTimeSeconds ?? 10) } },
      // A private CA needs undici's Agent (arangojs loads the `undici` package for agentOptions); every https
      // connection goes through it, so certificate failures surface the same way with or without a CA.
      ...(url.startsWith('https:') ? { agentOptions: { connect: config.ca ? { ca: config.ca } : {} } } : {}),
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
    // The version travels in the document, where ArangoDB's versionAttribute compares it with the stored one's.
    const body = batch.map((document) => {
      const version = documentVersion(document);
      return version === undefined ? document : { ...document, [VERSION_ATTRIBUTE]: version };
    });
    await this.call(what, { collection, keys: batch.map((d) => d._key) }, async () => {
      // waitForSync: answered only once the write is on disk, so the caller may commit what it wrote (see README: Durability).
      const results = (await this.db.collection(collection).saveAll(body, { overwriteMode: 'replace', versionAttribute: VERSION_ATTRIBUTE, waitForSync: true })) as unknown;
      this.checkWriteResults(collection, batch, results);
    });
  }

  async updateFields(collection: string, updates: StoredDocument[]): Promise<void> {
    const batch = prepareBatch(collection, updates);
    if (batch.length === 0) return;
    assertCollectionName(collection);
    // One PATCH per batch; without versionAttribute the stored version attribute is kept (a merge), and keepNull stores nulls.
    await this.call(`updating fields of ${batch.length} documents in "${collection}"`, { collection, keys: batch.map((d) => d._key) }, async () => {
      const results = (await this.db.collection(collection).updateAll(batch, { keepNull: true, mergeObjects: false, waitForSync: true })) as unknown;
      this.checkWriteResults(collection, batch, results, DOCUMENT_NOT_FOUND);
    });
  }

  async count(collection: string): Promise<number> {
    assertCollectionName(collection);
    const body = await this.call(`counting "${collection}"`, { collection }, () => this.db.collection(collection).count());
    return body.count as number;
  }

  async get<T extends StoredDocument = StoredDocument>(collection: string, key: string): Promise<T | undefined> {
    assertCollectionName(collection);
    const problem = validateDocumentKey(key);
    if (problem) throw new InvalidQueryError(collection, problem);
    return this.call(`reading "${collection}/${key}"`, { collection, keys: [key] }, async () => {
      try {
        return fromStored<T>(stripSystemAttributes(await this.db.collection(collection).document(key)));
      } catch (error) {
        if (isArangoError(error) && error.errorNum === DOCUMENT_NOT_FOUND) return undefined;
        throw error;
      }
    });
  }

  async findRange<T extends StoredDocument = StoredDocument>(collection: string, query: RangeQuery): Promise<T[]> {
    assertCollectionName(collection);
    const range = normalizeRangeQuery(collection, query);
    // Readers only read: the index comes from ensureCollection (a read-only user could not create it).
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
    const batchSize = range.limit === undefined ? DEFAULT_BATCH_SIZE : Math.min(Math.max(range.limit, 1), MAX_BATCH_SIZE);
    return this.query<T>(`reading a range of "${collection}"`, collection, aql, bindVars, batchSize);
  }

  async findPage<T extends StoredDocument = StoredDocument>(collection: string, query: PageQuery): Promise<T[]> {
    assertCollectionName(collection);
    const page = normalizePageQuery(collection, query);
    // Readers only read: the [field, _key] index that serves sort and limit comes from ensureCollection.
    // Numbers only (as findRange), then the keyset cursor.
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
    // Page-sized batch: the whole page comes back in one round trip.
    return this.query<T>(`reading a page of "${collection}"`, collection, parts.join(' '), bindVars, Math.min(page.limit, MAX_BATCH_SIZE));
  }

  async remove(collection: string, keys: readonly string[]): Promise<void> {
    assertCollectionName(collection);
    if (keys.length === 0) return;
    // ignoreErrors: a key already gone is what we wanted (and makes a retried remove harmless);
    // waitForSync: answered only once the removal is on disk, as every write (see README: Durability).
    const aql = 'FOR key IN @keys REMOVE key IN @@collection OPTIONS { ignoreErrors: true, waitForSync: true }';
    await this.query(`removing ${keys.length} documents from "${collection}"`, collection, aql, { '@collection': collection, keys: [...keys] }, 1);
  }

  async all<T extends StoredDocument = StoredDocument>(collection: string): Promise<T[]> {
    assertCollectionName(collection);
    const documents = await this.query<T>(`reading all of "${collection}"`, collection, 'FOR d IN @@collection RETURN UNSET(d, "_id", "_rev")', { '@collection': collection }, DEFAULT_BATCH_SIZE);
    // Sorted here, by UTF-16 code units like SQLite's byte order on these ASCII keys: AQL's SORT follows the server's ICU collation instead.
    return documents.sort((a, b) => (a._key < b._key ? -1 : a._key > b._key ? 1 : 0));
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
      throw toStorageError(error, 'pinging (GET /_api/version)', this.location, {}, { principal: this.principal, database: this.db.name });
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
          // Without `users` only root could use the new database: a dedicated user would lock itself out.
          const users = this.config.token || this.config.username === 'root' ? undefined : [{ username: this.config.username }];
          await this.system.createDatabase(this.db.name, users ? { users } : {});
        } catch (createError) {
          if (isArangoError(createError) && createError.errorNum === DUPLICATE_NAME) return;
          if (isArangoError(createError) && (createError.code === 401 || createError.code === 403)) {
            throw new StoreRequestError(
              `database "${this.db.name}" does not exist on ArangoDB ${this.location} and ${this.principal} may not create it (HTTP ${createError.code} errorNum ${createError.errorNum}): ` +
                `ask an admin to create it and grant ${this.principal} Administrate ("rw") access to it`,
              false,
              { status: createError.code, errorNums: [createError.errorNum] },
              { cause: createError },
            );
          }
          throw createError;
        }
      }
    });
    this.databaseReady = true;
  }

  /** In the background: a foreground build holds the collection's write lock (stalling the sink) for the whole build. */
  private async ensureRangeIndex(collection: string, field: string): Promise<void> {
    validateRangeField(collection, field);
    await this.call(`creating the ${field} index on "${collection}"`, { collection }, () =>
      this.db.collection(collection).ensureIndex({ type: 'persistent', name: `streamforge_range_${field}`, fields: [field, '_key'], unique: false, sparse: false, inBackground: true }),
    );
  }

  /** AQL with a server deadline (`maxRuntime`, killed with 1500) and a client one a little later, so no query holds a connection slot forever. */
  private async query<T extends StoredDocument>(what: string, collection: string, aql: string, bindVars: Record<string, unknown>, batchSize: number): Promise<T[]> {
    return this.call(what, { collection }, async () => {
      const cursor = await this.db.query(aql, bindVars, { batchSize, count: false, maxRuntime: this.queryTimeoutMs / 1000, timeout: this.queryTimeoutMs + QUERY_CLIENT_SLACK_MS });
      return ((await cursor.all()) as Record<string, unknown>[]).map((document) => fromStored<T>(document));
    });
  }

  /**
   * A bulk answer is an array as long as the batch; failed items come back inline as
   * `{error: true, errorNum, errorMessage}` while the rest were written.
   */
  /** `skipped`: an errorNum that is no failure (a missing document for updateFields). */
  private checkWriteResults(collection: string, batch: StoredDocument[], results: unknown, skipped?: number): void {
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
      if (item?.error !== true || item.errorNum === skipped) return;
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
          const failure = toStorageError(error, what, this.location, context, { principal: this.principal, database: this.db.name });
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

/** The stored version attribute goes back into DOCUMENT_VERSION, so a document reads as it was written. */
function fromStored<T extends StoredDocument>(document: Record<string, unknown>): T {
  if (!(VERSION_ATTRIBUTE in document)) return document as T;
  const { [VERSION_ATTRIBUTE]: version, ...rest } = document;
  return (typeof version === 'number' ? withDocumentVersion(rest as T, version) : rest) as T;
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
